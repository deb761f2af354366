"""Settings of the app servers the tests start as processes (tests/test_servers.py): the
site's own, with the static files as the suite has them, without collectstatic."""

from outlook.settings import *  # noqa: F403
from outlook.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
