"""The editor's edition page while a worker publishes it, in Chromium: accessible (axe),
updating itself (htmx polling) with JavaScript, and readable with a Refresh link without.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the page, running and failed.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import PublicationJob, Revision
from tests.builders import add_assessment, make_outlook

from . import test_journey as journey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Job = PublicationJob


@pytest.fixture
def running(erin):
    """An edition whose publication a worker is running: step 3 of 41."""
    outlook = make_outlook()
    add_assessment(outlook, "KP", state=Revision.State.APPROVED)
    return Job.objects.create(
        outlook=outlook,
        kind=Job.Kind.PUBLISH,
        requested_by=erin,
        state=Job.State.RUNNING,
        attempts=1,
        progress="Rendering PDF 3 of 41: Japan",
        step=3,
        steps=41,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def sign_in(page, base):
    journey.sign_in(page, base, "erin")


def shot(page, name):
    if shots := os.environ.get("OUTLOOK_SCREENSHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def serious(page):
    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_page_follows_the_job_and_shows_its_end(page, live_server, running):
    sign_in(page, live_server.url)
    page.goto(live_server.url + f"/editor/outlooks/{running.outlook_id}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Rendering PDF 3 of 41: Japan")
    expect(page.get_by_label("Publication progress")).to_have_attribute("value", "3")
    shot(page, "publication-running")
    assert serious(page) == []
    # The worker moves on; the page shows it without a reload.
    Job.objects.filter(pk=running.pk).update(progress="Rendering PDF 7 of 41: Nepal", step=7)
    expect(status).to_contain_text("Rendering PDF 7 of 41: Nepal", timeout=10_000)
    # It fails: the page reloads itself and says why.
    Job.objects.filter(pk=running.pk).update(
        state=Job.State.FAILED, error="The PDF could not be rendered: out of memory"
    )
    expect(page.get_by_text("Publishing failed, and nothing was published.")).to_be_visible(
        timeout=10_000
    )
    expect(page.get_by_text("out of memory")).to_be_visible()
    expect(page.get_by_role("button", name="Publish edition")).to_be_visible()  # try again
    shot(page, "publication-failed")
    assert serious(page) == []


def test_without_javascript_a_refresh_link_shows_the_progress(browser, live_server, running):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url)
    url = live_server.url + f"/editor/outlooks/{running.outlook_id}/"
    page.goto(url)
    expect(page.get_by_role("status")).to_contain_text("Rendering PDF 3 of 41")
    Job.objects.filter(pk=running.pk).update(progress="Rendering PDF 9 of 41: Fiji", step=9)
    page.get_by_role("link", name="Refresh").click()
    expect(page).to_have_url(re.compile(re.escape(url)))
    expect(page.get_by_role("status")).to_contain_text("Rendering PDF 9 of 41: Fiji")
    context.close()
