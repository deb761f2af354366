"""Signing in to the editor and the admin: guessing passwords is stopped, editorial users
change and reset their own passwords, and production settings pass Django's deployment
checks.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail

from tests.html import parse

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "secret-pass-123"  # the fixtures' people's password (tests/conftest.py)


def signed_in(client):
    return SESSION_KEY in client.session


# --- Throttling ------------------------------------------------------------------------------


def guess(client, url, username, times):
    """Post `times` wrong passwords for `username`; the status of each answer."""
    return [
        client.post(url, {"username": username, "password": f"wrong-{n}"}).status_code
        for n in range(times)
    ]


@pytest.mark.django_db
def test_guessing_passwords_locks_the_account(client, alice):
    statuses = guess(client, "/accounts/login/", "alice", 50)
    limit = settings.AXES_FAILURE_LIMIT
    # The form says the password is wrong until the limit, then every answer is the lockout.
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[limit - 1 :] == [429] * (50 - limit + 1)

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)
    page = parse(response.content)
    assert page.find("h1").words() == "Too many failed sign-ins"
    assert f"{settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page.find("main").words()
    assert page.find("a", href="/accounts/password/reset/")


@pytest.mark.django_db
def test_guessing_admin_passwords_locks_the_account(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    statuses = guess(client, "/admin/login/", "root", 20)
    assert statuses[-1] == 429
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.django_db
def test_a_lockout_is_per_account(client, alice, bob):
    # Behind the proxy every sign-in comes from one address: one account's lockout must
    # not lock the others out.
    guess(client, "/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT)
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_a_right_password_before_the_limit_starts_the_count_again(client, alice):
    guess(client, "/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT - 1)
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/logout/")
    assert guess(client, "/accounts/login/", "alice", settings.AXES_FAILURE_LIMIT - 1) == [200] * (
        settings.AXES_FAILURE_LIMIT - 1
    )
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


# --- Changing and resetting a password -------------------------------------------------------


@pytest.mark.django_db
def test_an_editorial_user_changes_their_password(client, alice):
    client.force_login(alice)
    page = parse(client.get("/accounts/password/").content)
    # The site's page, not the admin's.
    assert page.find("h1").words() == "Change your password"
    assert page.find("nav", **{"aria-label": "Main"})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert parse(client.get(response["Location"]).content).find("h1").words() == (
        "Password changed"
    )
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-passphrase-42")


@pytest.mark.django_db
def test_the_editor_links_to_the_password_change(client, alice):
    client.force_login(alice)
    page = parse(client.get("/editor/").content)
    assert page.find("a", href="/accounts/password/")


@pytest.mark.django_db
def test_an_editorial_user_resets_a_forgotten_password(client, alice):
    sign_in = parse(client.get("/accounts/login/").content)
    assert sign_in.find("a", href="/accounts/password/reset/")
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert parse(client.get(response["Location"]).content).find("h1").words() == (
        "Check your email"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "Reset your Outlook password"
    link = re.search(re.escape(settings.SITE_URL) + r"(/accounts/reset/\S+/)", message.body)
    assert link, message.body

    # The link opens the form to choose a new password (through a redirect that hides the token).
    response = client.get(link.group(1), follow=True)
    page = parse(response.content)
    assert page.find("h1").words() == "Choose a new password"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase-42", "new_password2": "a-new-long-passphrase-42"},
    )
    assert response.status_code == 302
    assert parse(client.get(response["Location"]).content).find("h1").words() == ("Password reset")
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "a-new-long-passphrase-42"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, alice):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


# --- Production settings ----------------------------------------------------------------------

# The production environment the README documents (Configuration).
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
    "ALLOWED_HOSTS": "outlook.example.org",
    "DATABASE_URL": "postgres://outlook@db.invalid/outlook",
    "SITE_URL": "https://outlook.example.org",
    "TAG_AUTHORITY": "example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not key.startswith("SECURE_")
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="outlook.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_deployment_checks_pass_with_the_documented_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_a_development_site_url_is_refused_in_production():
    # The PDFs' covers and the citations would give readers the developer's address.
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "https://outlook.localhost"):
        result = manage("check", "--deploy", **{**PRODUCTION, "SITE_URL": url})
        assert result.returncode != 0, url
        assert "outlook.E002" in result.stderr and "SITE_URL" in result.stderr


def test_the_readme_documents_the_production_settings():
    readme = (ROOT / "README.md").read_text()
    for name, value in PRODUCTION.items():
        if name.startswith("SECURE_"):
            assert f"{name}={value}" in readme, name


def settings_of(*names, **env):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps([getattr(settings, name) for name in {list(names)!r}]))"
    )
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_hsts_and_the_ssl_redirect_come_from_the_environment():
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    )
    assert settings_of(*names, **PRODUCTION) == [True, 31536000, True, True, True, True]
    # Off unless asked: a first deployment is not pinned to HTTPS for a year by accident.
    plain = {key: value for key, value in PRODUCTION.items() if not key.startswith("SECURE_")}
    assert settings_of(*names, **plain) == [False, 0, False, False, True, True]


def test_a_short_secret_key_is_refused_in_production():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": "test-only-secret"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": "x" * 49 + "y"})
    assert result.returncode == 0, result.stderr


def test_make_run_still_works_without_a_secret_key():
    result = manage("check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_the_makefile_secret_keys_are_long_enough():
    makefile = (ROOT / "Makefile").read_text()
    keys = re.findall(r"SECRET_KEY=(\S+)", makefile)
    assert len(keys) == 2  # make test, make bench
    for key in keys:
        assert len(key) >= 50, key
