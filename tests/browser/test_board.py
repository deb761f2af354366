"""In Chromium: an editor sets the due dates and asks an analyst and a reviewer on the
edition board; the analyst finds the entry under "Assigned to me", another analyst takes
an entry nobody writes; the board sorts; axe finds nothing at either width.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the board and the dashboard.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import workflow
from tests.builders import add_assessment

from .test_journey import WIDTHS, shot, sign_in, sign_out, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def two_entries(edition, erin):
    """The draft edition with a second country, Myanmar, that nobody writes."""
    add_assessment(edition, "MM")
    return edition


def test_an_editor_plans_and_assigns_and_analysts_find_their_entries(
    page, live_server, two_entries, alice, bob, erin, make_user
):
    make_user("olga", "analyst")
    edition = two_entries
    dprk = edition.assessments.get(country__code="KP")
    board = f"{live_server.url}/editor/outlooks/{edition.pk}/board/"
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, live_server.url, "erin")
    page.goto(board)
    due = timezone.localdate() + timedelta(days=4)
    page.get_by_label("Drafts due").fill(due.isoformat())
    page.get_by_label("Reviews due").fill((due + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Save the dates").click()
    expect(page.get_by_text("Saved the dates.")).to_be_visible()
    row = page.locator(f"#a{dprk.pk}")
    expect(row).to_contain_text("4 days left")
    row.get_by_label("Writer of DPRK").select_option(label="alice")
    row.get_by_label("Reviewer of DPRK").select_option(label="bob")
    row.get_by_role("button", name="Save who writes and reviews DPRK").click()
    expect(page.get_by_text("Saved who writes and reviews")).to_be_visible()
    row = page.locator(f"#a{dprk.pk}")
    expect(row.get_by_label("Writer of DPRK")).to_have_value(str(alice.pk))
    shot(page, "board-editor-desktop")
    sign_out(page)

    sign_in(page, live_server.url, "alice")
    assigned = page.locator("section[aria-labelledby=assigned-title]")
    expect(assigned).to_contain_text("DPRK")
    expect(assigned).to_contain_text("Write")
    shot(page, "board-dashboard-analyst")
    sign_out(page)

    sign_in(page, live_server.url, "olga")
    page.goto(board)
    shot(page, "board-olga")
    myanmar = edition.assessments.get(country__code="MM")
    # DPRK is asked of Alice: nothing to take there.
    expect(page.locator(f"#a{dprk.pk}").get_by_role("button")).to_have_count(0)
    page.locator(f"#a{myanmar.pk}").get_by_role("button", name=re.compile("^Take it")).click()
    expect(page.get_by_text("You are writing Myanmar")).to_be_visible()
    myanmar.refresh_from_db()
    assert myanmar.analyst.username == "olga"


def test_the_board_sorts_by_a_column_heading(page, live_server, two_entries, alice, erin):
    workflow.assign(
        two_entries.assessments.get(country__code="MM"), analyst=alice, reviewer=None, user=erin
    )
    sign_in(page, live_server.url, "erin")
    page.goto(f"{live_server.url}/editor/outlooks/{two_entries.pk}/board/")
    countries = page.locator("tbody tr td:nth-child(2)")
    expect(countries).to_have_text(["Democratic People's Republic of Korea", "Myanmar"])
    page.get_by_role("link", name="Writer").click()
    expect(countries).to_have_text(["Myanmar", "Democratic People's Republic of Korea"])
    expect(page.get_by_role("columnheader", name="Writer")).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.get_by_role("link", name="Writer").click()
    expect(page.get_by_role("columnheader", name="Writer")).to_have_attribute(
        "aria-sort", "descending"
    )


@pytest.mark.parametrize("username", ["erin", "alice"])
def test_the_board_has_no_accessibility_violation_at_either_width(
    page, live_server, two_entries, alice, erin, username
):
    workflow.plan_edition(
        two_entries,
        drafts_due=timezone.localdate() - timedelta(days=1),
        reviews_due=None,
        user=erin,
    )
    sign_in(page, live_server.url, username)
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/editor/outlooks/{two_entries.pk}/board/")
        expect(page.get_by_text("Overdue").first).to_be_visible()
        assert violations(page) == [], width_name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, width_name
        shot(page, f"board-{username}-{width_name}")
        page.goto(f"{live_server.url}/editor/")
        assert violations(page) == [], width_name
