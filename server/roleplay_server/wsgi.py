"""The WSGI application that gunicorn and waitress serve."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roleplay_server.settings")
application = get_wsgi_application()
