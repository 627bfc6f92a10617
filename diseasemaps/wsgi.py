"""WSGI entry point, as served by gunicorn: `gunicorn diseasemaps.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diseasemaps.settings")

application = get_wsgi_application()
