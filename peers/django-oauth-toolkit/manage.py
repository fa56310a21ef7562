#!/usr/bin/python3
"""Django's command line for the peer; start.sh runs `provision` (migrate, clients) through it."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dot_peer.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
