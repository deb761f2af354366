"""The two commands' promises: demo data loads idempotently; settings are safe by default."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from assessments.models import Outlook, Revision

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_seed_demo_loads_the_sample_and_accounts_and_can_run_again():
    call_command("seed_demo", stdout=StringIO())
    counts = (Outlook.objects.count(), Revision.objects.count(), User.objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Outlook.objects.count(), Revision.objects.count(), User.objects.count()) == counts
    assert counts == (2, 2, 5)
    published = Outlook.objects.published().get()
    assert published.assessments.get().published_revision.risk_level.name == "Very high"
    draft = Outlook.objects.get(slug="asia-pacific-2024-05")
    assert draft.state == Outlook.State.DRAFT
    assert draft.assessments.get().revisions.get().state == Revision.State.DRAFT
    for role in ("analyst", "reviewer", "editor"):
        user = User.objects.get(username=role)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password(f"{role}-demo-pass")
    assert "analyst-demo-pass" in out.getvalue()


def run_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    environment.update(env, DJANGO_SETTINGS_MODULE="outlook.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_production_is_the_default_and_needs_a_secret_key():
    result = run_settings()
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    result = run_settings(SECRET_KEY="x" * 50)
    assert result.stdout.strip() == "False []"


def test_debug_is_only_on_when_asked():
    result = run_settings(DEBUG="1")
    assert result.stdout.strip() == "True ['127.0.0.1', 'localhost']"
