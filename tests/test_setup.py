"""The two commands' promises: demo data loads idempotently; settings are safe by default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
