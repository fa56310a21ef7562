import os
from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

TEN_YEARS = timedelta(days=3650)


class Command(BaseCommand):
    help = "Migrate the database, then create the resource server's OAuth client and introspection token or reset them to the environment's values."

    def handle(self, *args, **options):
        # Migrating here rather than in a `manage.py migrate` of its own saves start.sh one
        # interpreter and Django start-up: about 0.6 s of CPU, 2 to 3 s of wall time on a busy
        # 2-core machine, paid again by every test suite that restarts the peer.
        call_command("migrate", interactive=False, verbosity=0)
        client = self.provision_client(
            os.environ.get("RS_CLIENT_ID", "rs-id"), os.environ.get("RS_CLIENT_SECRET", "rs-secret")
        )
        token = os.environ.get("RS_INTROSPECTION_TOKEN", "rs-introspection-token")
        if token:  # empty: a peer that only knows client-credential introspection
            self.provision_introspection_token(client, token)

    def provision_client(self, client_id, client_secret):
        """The client the tutorial registers by hand in the admin: confidential, password grant.

        It is also the one the resource server introspects with (HTTP Basic or form fields).
        update_or_create makes a restart on a kept state dir reset it rather than add a second.
        DOT 1.7 keeps client_secret as typed (2.x would hash it), so it is set as is.
        """
        Application = get_application_model()
        client, created = Application.objects.update_or_create(
            client_id=client_id,
            defaults={
                "name": "Gatehouse resource server",
                "client_secret": client_secret,
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_PASSWORD,
                "redirect_uris": "",
                "user": None,
            },
        )
        self.stderr.write(f"dot-peer: client {client_id} {'created' if created else 'reset'} (confidential, password grant)")
        return client

    def provision_introspection_token(self, client, token):
        """The tutorial's part 2 alternative to client credentials (RESOURCE_SERVER_AUTH_TOKEN): a
        bearer token with the `introspection` scope and no user, so it can do nothing else."""
        get_access_token_model().objects.update_or_create(
            token=token,
            defaults={"application": client, "user": None, "scope": "introspection", "expires": timezone.now() + TEN_YEARS},
        )
        self.stderr.write("dot-peer: introspection bearer token ready (scope introspection)")
