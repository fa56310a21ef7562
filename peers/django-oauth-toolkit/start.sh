#!/bin/sh
# Runs the Django OAuth Toolkit peer in the foreground on 127.0.0.1.
#   usage: start.sh [PORT]     (default 8000)
# The last step exec's gunicorn, so this script's pid becomes the gunicorn master's: SIGTERM to
# it (or Ctrl-C) stops the master and its workers, and nothing is left behind for a caller to find.
set -eu

port="${1:-8000}"
case "$port" in
    ''|*[!0-9]*) echo "dot-peer: port must be a number, got '$port'" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
python=/usr/bin/python3   # Debian's interpreter, which sees the python3-django* packages

if [ -n "${DOT_AUTHSERVER_STATE_DIR:-}" ]; then
    mkdir -p "$DOT_AUTHSERVER_STATE_DIR"
    DOT_AUTHSERVER_STATE_IS_TEMP=0
else
    DOT_AUTHSERVER_STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/dot-peer.XXXXXX")"
    DOT_AUTHSERVER_STATE_IS_TEMP=1
    # Until gunicorn takes over (its on_exit removes the dir), a failed provision step removes it here.
    trap 'rm -rf "$DOT_AUTHSERVER_STATE_DIR"' EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
fi
DOT_AUTHSERVER_PORT="$port"
export DOT_AUTHSERVER_STATE_DIR DOT_AUTHSERVER_STATE_IS_TEMP DOT_AUTHSERVER_PORT
export DJANGO_SETTINGS_MODULE=dot_peer.settings PYTHONDONTWRITEBYTECODE=1
# A virtualenv's or pyenv's path would hide Debian's packages from /usr/bin/python3.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV

cd "$here"
echo "dot-peer: state in $DOT_AUTHSERVER_STATE_DIR" >&2
"$python" manage.py provision   # migrate, then the client and introspection token
echo "dot-peer: serving http://127.0.0.1:$port (pid $$; SIGTERM or Ctrl-C stops it)" >&2
trap - EXIT TERM INT
exec "$python" -m gunicorn --config "$here/dot_peer/gunicorn_config.py" dot_peer.wsgi:application
