from django.apps import AppConfig
from django.db.backends.signals import connection_created


def use_write_ahead_log(sender, connection, **kwargs):
    """With WAL, readers (every introspection) do not wait for a writer (a token being issued)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against a crash of the process; a power cut may lose the last grants,
        # which a test peer can afford for the fsyncs it saves.
        cursor.execute("PRAGMA synchronous=NORMAL")


class UsersConfig(AppConfig):
    name = "users"

    def ready(self):
        connection_created.connect(use_write_ahead_log, dispatch_uid="dot-peer-sqlite-wal")
