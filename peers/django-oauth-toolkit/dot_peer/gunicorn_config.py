"""gunicorn settings; start.sh hands the values over in the environment."""
import os
import shutil

# Loopback only: this is a test peer with well-known credentials.
bind = f"127.0.0.1:{os.environ.get('DOT_AUTHSERVER_PORT', '8000')}"
workers = int(os.environ.get("DOT_AUTHSERVER_WORKERS", "4"))
# gthread with one thread: each worker still answers one request at a time (SQLite sees the same
# writers as with sync workers), but keeps connections open between requests as a production
# server would. Sync workers close every connection, so each call from Gatehouse paid for a new
# TCP connection on both sides (node:net alone was about 200 µs of Gatehouse's CPU per proxied
# token request in a --perf profile, 37 µs with connections kept).
worker_class = "gthread"
threads = 1
keepalive = 5  # seconds; Gatehouse closes a connection unused for 1 s itself
# Django is imported once in the master and the workers fork from it, instead of each worker
# importing it again: the first answer comes sooner and the workers share those pages. Safe,
# because importing the app opens no database connection (Django opens one per request thread).
preload_app = True
proc_name = "gatehouse-dot-peer"
errorlog = "-"
accesslog = os.environ.get("DOT_AUTHSERVER_ACCESS_LOG") or None
# gunicorn's default format plus the W3C `traceparent` request header ("-" when absent), so a
# trace started in Gatehouse can be followed into this peer's log. The request line stays quoted
# as `"POST /o/introspect/ HTTP/1.1"`: test/support/dot-peer.ts counts introspections by it.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" traceparent=%({traceparent}i)s'


def on_exit(server):
    # A state dir start.sh made up is thrown away with the server; one the caller named is kept,
    # so a test can restart the peer on the same accounts and tokens.
    if os.environ.get("DOT_AUTHSERVER_STATE_IS_TEMP") == "1":
        shutil.rmtree(os.environ["DOT_AUTHSERVER_STATE_DIR"], ignore_errors=True)
