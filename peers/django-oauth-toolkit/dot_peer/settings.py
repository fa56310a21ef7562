"""Django settings: the tutorial's part 1 authorization server, trimmed to what a resource server uses.

Every knob that tests, the bench or an operator turn comes from the environment (README.md lists
them); the rest is fixed so that two runs of the peer answer alike.
"""
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_flag(name, default):
    value = os.environ.get(name, "").strip().lower()
    return default if value == "" else value in ("1", "true", "yes", "on")


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return default if value == "" else int(value)


# start.sh always sets it (a fresh temp dir when the caller gave none). Failing here keeps a bare
# `manage.py` run from dropping a database file into the repository.
if not os.environ.get("DOT_AUTHSERVER_STATE_DIR"):
    raise ImproperlyConfigured("DOT_AUTHSERVER_STATE_DIR is not set: start the peer with start.sh")
STATE_DIR = Path(os.environ["DOT_AUTHSERVER_STATE_DIR"])

# Signs nothing that outlives a run: no sessions, and DOT tokens are random strings, not signed.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "gatehouse-dot-peer-test-only")
# Off, unlike the tutorial: a POST without its trailing slash then gets CommonMiddleware's 301
# instead of a RuntimeError page, and a 500 is a short line rather than a debug page with settings.
DEBUG = env_flag("DJANGO_DEBUG", False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# No admin, sessions, messages or static files: nothing here is used through a browser.
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "oauth2_provider",
    "users",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "dot_peer.urls"
WSGI_APPLICATION = "dot_peer.wsgi.application"
TEMPLATES = []  # Django's built-in 404/500 pages need no template engine

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(STATE_DIR / "dot-peer.sqlite3"),
        # The gunicorn workers are separate processes on one file: a writer waits for the lock
        # (up to 30 s) instead of answering "database is locked". WAL is set in users/apps.py.
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{validator}"}
    for validator in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# New passwords use the first hasher; any listed one verifies a stored hash, so one state dir works
# with FAST_PASSWORD_HASHER on or off. PBKDF2 costs tens of ms per sign-up or password grant,
# which dominates test suites that create hundreds of accounts; MD5 is for tests only.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]
if env_flag("FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS.reverse()

OAUTH2_PROVIDER = {
    # The tutorial's three scopes. A token asked for without `scope` gets all of them, so any
    # user token may call /o/introspect/, as in the tutorial.
    "SCOPES": {"read": "Read scope", "write": "Write scope", "introspection": "Introspect token scope"},
    # DOT's own default (10 h); the tutorial sets 1 h. Tests set a few seconds to see expiry.
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("ACCESS_TOKEN_EXPIRE_SECONDS", 36000),
    # Rotation: each refresh returns a new refresh token and retires the one used.
    "ROTATE_REFRESH_TOKEN": env_flag("ROTATE_REFRESH_TOKEN", True),
}

REST_FRAMEWORK = {
    # Bearer tokens from this same DOT; the tutorial also allows Django sessions, which no
    # client of this peer has.
    "DEFAULT_AUTHENTICATION_CLASSES": ["oauth2_provider.contrib.rest_framework.OAuth2Authentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON whatever the Accept header says: no browsable API pages.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_L10N = True
USE_TZ = True

# Only what helps when a test fails: unhandled exceptions (DOT 1.7's refresh-after-revoke 500)
# and DOT's warnings, on stderr, which start.sh's caller keeps.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "oauth2_provider": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}
