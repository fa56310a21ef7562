"""The WSGI entry point gunicorn serves (dot_peer.wsgi:application)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dot_peer.settings")
application = get_wsgi_application()
