"""In Chromium: an editor opens the subscribers page from the navigation, then an
announcement's delivery report; axe finds nothing on either at either width, and
neither is wider than a phone.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of both pages.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.announcements import failure_text
from assessments.models import Announcement, Delivery
from tests.test_subscribers_views import deliveries, subscriber

from .test_journey import WIDTHS, shot, sign_in, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

State = Delivery.State


def test_the_subscribers_page_and_a_delivery_report_are_accessible(
    page, live_server, published_sample, erin
):
    subscriber("ann", countries=["KP", "MM"], regions=[published_sample.region])
    subscriber("ben", countries=["KP"])
    now = timezone.now()
    entry = published_sample.assessments.get(country__code="KP").published_revision
    correction = Announcement.objects.create(
        kind="correction", outlook=published_sample, revision=entry, planned_at=now
    )
    deliveries(correction, [State.SENT, State.PENDING, State.UNCERTAIN])
    edition = Announcement.objects.create(
        kind="edition", outlook=published_sample, planned_at=now, finished_at=now
    )
    deliveries(edition, [State.SENT] * 3 + [State.UNSUBSCRIBED])
    deliveries(
        edition,
        [State.FAILED],
        # As a worker records a refusal that quotes the address (without it).
        error=failure_text(
            "550 5.1.1 <someone@reader-mail.test>: Recipient address rejected: "
            "User unknown in virtual mailbox table"
        ),
    )

    sign_in(page, live_server.url, "erin")
    page.get_by_role("link", name="Subscribers").click()
    expect(page.get_by_role("heading", name="Subscribers", exact=True)).to_be_visible()
    pages = {
        "subscribers": page.url,
        "delivery-report": f"{live_server.url}/editor/subscribers/announcements/{edition.pk}/",
    }
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, url in pages.items():
            page.goto(url)
            assert violations(page) == [], (name, width_name)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (name, width_name)
            assert "reader-mail.test" not in page.content(), (name, width_name)
            shot(page, f"{name}-{width_name}")
    page.goto(pages["subscribers"])
    page.get_by_role("link", name="Edition").click()
    expect(page.get_by_role("heading", name="Delivery report")).to_be_visible()
    expect(page.get_by_text("550 5.1.1 <[address]>: Recipient address rejected")).to_be_visible()
