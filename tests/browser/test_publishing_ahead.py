"""In Chromium: an editor schedules an edition, sees the countdown, cancels, schedules
again and sees it publish when its time comes; an editor shares an embargoed preview,
its reader opens it, and it opens nothing once withdrawn or expired. axe finds nothing
on these pages at either width.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the pages.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import embargo
from assessments.models import EmbargoLink, Outlook
from tests.test_scheduling import time_comes
from tests.test_workflow import approve_all
from tests.worker import run_jobs

from .test_journey import WIDTHS, shot, sign_in, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def ready(edition, alice, bob):
    """The draft edition, every entry approved: ready to publish."""
    approve_all(edition, alice, bob)
    return edition


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_an_editor_schedules_cancels_and_sees_the_edition_publish_at_its_time(
    page, live_server, ready, erin, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    accept_dialogs(page)
    outlook_page = f"{live_server.url}/editor/outlooks/{ready.pk}/"
    sign_in(page, live_server.url, "erin")
    page.goto(outlook_page)
    at = timezone.localtime() + timedelta(hours=2, minutes=30)
    page.get_by_label("Publish at").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule publication").click()
    expect(page.get_by_text(re.compile("scheduled for .*: you can cancel it"))).to_be_visible()
    status = page.locator("#publication-status")
    expect(status).to_contain_text("Scheduled")
    countdown = status.locator("[data-countdown]")
    # The script's countdown, ticking: "in 02:29:58", then a second less.
    expect(countdown).to_have_text(re.compile(r"^in 02:29:\d\d$"))
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first, timeout=3000)
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        assert violations(page) == [], name
        shot(page, f"scheduled-{name}")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Cancel the schedule").click()
    expect(page.get_by_text("The scheduled publication is cancelled")).to_be_visible()
    expect(status).to_contain_text("Cancelled")
    shot(page, "schedule-cancelled")

    # Again, and this time the clock reaches it: a worker publishes it.
    page.get_by_label("Publish at").fill(at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule publication").click()
    expect(status).to_contain_text("Scheduled")
    time_comes(ready.publication_jobs.first())
    run_jobs()
    page.reload()
    expect(status).to_contain_text("Done")
    expect(page.get_by_text("Published", exact=True).first).to_be_visible()
    assert Outlook.objects.get(pk=ready.pk).is_published
    page.goto(f"{live_server.url}{ready.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("May 2024")


def test_a_reader_opens_an_embargoed_preview_until_it_is_withdrawn_or_expires(
    browser, page, live_server, ready, erin
):
    accept_dialogs(page)
    outlook_page = f"{live_server.url}/editor/outlooks/{ready.pk}/"
    sign_in(page, live_server.url, "erin")
    page.goto(outlook_page)
    until = timezone.localtime() + timedelta(days=2)
    page.get_by_label("For").fill("Jane Doe, Daily Planet")
    page.get_by_label("Embargoed until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Link open until").fill(
        (until + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Make a link").click()
    expect(page.get_by_text("Made an embargoed preview link for Jane Doe")).to_be_visible()
    address = page.get_by_label("Link for Jane Doe, Daily Planet").input_value()
    assert "/embargoed/" in address
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        assert violations(page) == [], name
        shot(page, f"embargo-editor-{name}")

    # The reader: no account, another browser context.
    reader = browser.new_context()
    reading = reader.new_page()
    reading.goto(live_server.url + urlsplit(address).path)
    expect(reading.locator("#embargo-title")).to_contain_text("Embargoed until")
    expect(reading.locator(".embargo-banner")).to_contain_text("Jane Doe, Daily Planet")
    expect(reading.locator(".embargo-watermark")).to_have_attribute(
        "data-watermark", re.compile("^Embargoed until .* · for Jane Doe, Daily Planet$")
    )
    expect(reading.get_by_role("heading", level=1)).to_contain_text("May 2024")
    for name, (width, height) in WIDTHS.items():
        reading.set_viewport_size({"width": width, "height": height})
        assert violations(reading) == [], name
        shot(reading, f"embargo-reader-{name}")
    pdf_link = reading.get_by_role("link", name="Download PDF (embargoed)")
    pdf = reader.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Its opening is on the editor's page.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    embargoed = page.locator("#embargoed")
    expect(embargoed).to_contain_text("2 times")

    page.get_by_role("button", name="Withdraw the link of Jane Doe, Daily Planet").click()
    expect(page.get_by_text("Withdrew the preview link of Jane Doe")).to_be_visible()
    response = reading.reload()
    assert response.status == 410
    expect(reading.get_by_role("heading", name="This preview is closed")).to_be_visible()
    expect(reading.get_by_text("This preview link was withdrawn on")).to_be_visible()
    assert violations(reading) == []
    shot(reading, "embargo-closed")

    # A second link, past its time.
    link = EmbargoLink.objects.create(
        outlook=ready,
        recipient="Sam Roe",
        embargoed_until=timezone.now() + timedelta(days=1),
        expires_at=timezone.now() + timedelta(days=1),
        created_by=erin,
    )
    reading.goto(live_server.url + urlsplit(embargo.url(link)).path)
    expect(reading.locator(".embargo-banner")).to_contain_text("Sam Roe")
    EmbargoLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert reading.reload().status == 410
    expect(reading.get_by_text("This preview link expired on")).to_be_visible()
    reader.close()
