"""Fixtures shared by the suite: named people (analyst Alice, reviewer Bob and Rita,
editor Erin, outsider Charlie), the sample outlook published, the next edition made
from it with its DPRK draft as copied and as made ready to submit, and the browser
set-up.
"""

import os
import shutil
import tempfile
from datetime import date
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
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Transactional tests end with Django's flush (TRUNCATE), which the database
        # refuses while anything is published unless the session says it is the test
        # suite's (migration 0008). Only these connections say so; the site's never do.
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c outlook.test_flush=on".strip()


@pytest.fixture(scope="session", autouse=True)
def _serialized_database_in_every_context(django_db_setup):
    """Transactional tests restore the reference data (countries, risk framework, groups)
    with Django's serialized rollback: the database as migrated, serialised once.

    Django keeps that copy on the connection object, but connections are context-local
    and Playwright runs an event loop in the main thread, so a browser test gets a new
    connection object without it, and its data would silently not be restored. Keep
    the copy on the connection class, where every connection object finds it.
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    wrapper = connections[DEFAULT_DB_ALIAS]
    contents = getattr(wrapper, "_test_serialized_contents", None)
    if contents is not None:
        type(wrapper)._test_serialized_contents = contents


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


# Who holds which role in the stories: analyst Alice, reviewers Bob and Rita, editor
# Erin; outsider Charlie holds none.
PEOPLE = {
    "alice": ["analyst"],
    "bob": ["reviewer"],
    "rita": ["reviewer"],
    "erin": ["editor"],
    "charlie": [],
}


def person(name):
    """A fixture that makes the user `name`, a member of the groups PEOPLE gives."""

    @pytest.fixture(name=name)
    def fixture(make_user):
        return make_user(name, *PEOPLE[name])

    return fixture


alice = person("alice")
bob = person("bob")
rita = person("rita")
erin = person("erin")
charlie = person("charlie")


@pytest.fixture
def published_sample(db):
    """The sample outlook, imported as published (and what it queued done, as a worker
    would: the ratings CSV)."""
    from django_tasks_db.models import DBTaskResult

    from assessments.importing import import_file

    from .worker import run_jobs

    outlook = import_file(SAMPLE, publish=True).outlook
    run_jobs()
    DBTaskResult.objects.all().delete()  # done, and pruned: the queue starts empty
    return outlook


@pytest.fixture
def edition(published_sample, erin):
    """A new draft edition, May 2024, made by editor Erin from the published sample."""
    from assessments import workflow

    return workflow.create_edition(published_sample.region, date(2024, 5, 1), user=erin)


@pytest.fixture
def copied_draft(edition):
    """The DPRK draft as the new edition copied it, the sample's errors still in place."""
    from assessments.models import Revision

    return Revision.objects.with_content().get(assessment__outlook=edition)


@pytest.fixture
def ready_draft(copied_draft, alice):
    """The DPRK draft after analyst Alice fixed what the checks found and acknowledged
    the warnings: ready to submit."""
    from tests.builders import pass_checks

    return pass_checks(copied_draft, alice)


# --- S3-compatible storage ----------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (moto's standalone server) on a free port: its URL."""
    import sys

    from tests.processes import Processes, free_port

    port = free_port()
    processes = Processes(tmp_path_factory.mktemp("s3-server"))
    try:
        server = processes.start(
            "moto",
            sys.executable,
            "-m",
            "moto.server",
            "--host=127.0.0.1",
            f"--port={port}",
            env={**os.environ, "AWS_ACCESS_KEY_ID": "test-only", "AWS_SECRET_ACCESS_KEY": "x"},
        )
        processes.wait_for_port(server, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        processes.stop()


@pytest.fixture
def s3_bucket(s3_server):
    """A new, empty bucket on the S3 server (each test its own): its name."""
    import uuid

    name = f"outlook-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=name)
    return name


def s3_client(endpoint):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-only",
        aws_secret_access_key="test-only",
    )


@pytest.fixture
def s3_storage(settings, s3_server, s3_bucket):
    """This process stores its files in a new bucket of the S3 server, as production
    does with STORAGE_BUCKET set: the bucket's name."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": s3_bucket,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "test-only",
                "secret_key": "test-only",
                "file_overwrite": True,
            },
        },
    }
    return s3_bucket


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


@pytest.fixture(autouse=True)
def _no_cached_page_between_tests():
    """Each test starts with an empty cache: tests roll the publication generation back
    with their data, so a page cached by another test could carry the same key."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


# --- Signing in ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """The test client's force_login leaves the session a sign-in with both factors would:
    for those who must use a second factor (editors, superusers) or have one, the session
    is verified with their authenticator (made if they have none).

    The site requires the second factor in the suite, as in production; the tests of other
    things sign their editors in with force_login as before, while tests/test_two_factor.py
    signs in through the forms, and the permission matrix sends an unverified editor to
    the code step from every editor page.
    """
    from django.test import Client
    from django_otp import user_has_device

    from assessments.permissions import two_factor_required

    from .second_factor import verify_session

    force_login = Client.force_login

    def force_login_with_both_factors(self, user, backend=None):
        force_login(self, user, backend)
        if two_factor_required(user) or user_has_device(user):
            verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_both_factors)
