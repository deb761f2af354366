"""Fixtures shared by the suite: named people (analyst Alice, reviewer Bob and Rita,
editor Erin, outsider Charlie), the sample outlook, and the browser set-up.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent / "assessments" / "demo" / "dprk-2023-11.txt"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_configure(config):
    from django.conf import settings

    # Tests run with DEBUG off, as production does, but without collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="outlook-media-"))
    settings.STATIC_ROOT = Path(tempfile.mkdtemp(prefix="outlook-static-"))
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def seed_reference_data():
    """Seed again what the data migrations seed: risk framework, groups, countries."""
    from importlib import import_module

    from django.apps import apps

    for name in ("0002_risk_framework_and_groups", "0003_countries"):
        import_module(f"assessments.migrations.{name}").seed(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test flushes the database when it ends, and the seeded reference
    data with it; the next transactional test seeds it again (the seeds are idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        seed_reference_data()


@pytest.fixture
def sample_path():
    return SAMPLE


@pytest.fixture
def make_user(db):
    from django.contrib.auth.models import Group, User

    def make(username, *groups, password="secret-pass-123"):
        user = User.objects.create_user(username, f"{username}@example.org", password)
        user.groups.set(Group.objects.filter(name__in=groups))
        return user

    return make


@pytest.fixture
def alice(make_user):
    return make_user("alice", "analyst")


@pytest.fixture
def bob(make_user):
    return make_user("bob", "reviewer")


@pytest.fixture
def rita(make_user):
    return make_user("rita", "reviewer")


@pytest.fixture
def erin(make_user):
    return make_user("erin", "editor")


@pytest.fixture
def charlie(make_user):
    return make_user("charlie")


@pytest.fixture
def published_sample(db):
    """The sample outlook, imported as published."""
    from assessments.importing import import_file

    return import_file(SAMPLE, publish=True).outlook


# --- Browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
