"""The WSGI application, for gunicorn (`gunicorn outlook.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")

application = get_wsgi_application()
