"""In Chromium: an analyst removes a recommendation the last edition made, is asked why it
is dropped, answers, saves, and finds the answer kept.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the section and the review diff.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import DroppedRecommendation, DropReason, Revision

from .test_journey import shot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_removing_a_recommendation_of_the_last_edition_asks_why(
    page, live_server, copied_draft, alice
):
    draft = Revision.objects.with_content().get(pk=copied_draft.pk)
    first, second = draft.recommendations.all()[:2]
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/editor/revisions/{draft.pk}/edit/")
    section = page.locator("[data-dropped-section]")
    expect(section).to_be_hidden()

    rows = page.locator("[data-formset=recommendation] > [data-row]")
    rows.nth(1).get_by_role("button", name="Remove").click()
    expect(section).to_be_visible()
    item = section.locator("[data-dropped]:visible")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(second.text)
    reason = item.get_by_label("Why is it dropped?")
    expect(reason).to_be_focused()
    successor = item.get_by_label("Replaced by")
    expect(successor).to_be_hidden()  # asked only when another replaces it
    reason.select_option(label="Superseded by another recommendation")
    expect(successor).to_be_visible()
    # The removed recommendation is not offered as its own successor.
    assert str(second.lineage) not in successor.locator("option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    successor.select_option(value=str(first.lineage))
    shot(page, "dropped-01-asked")
    section.screenshot(path="/tmp/i12a-dropped-section.png")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"Saved: revision \d+ · version \d+\."))).to_be_visible()
    row = DroppedRecommendation.objects.get(revision=draft)
    assert (row.lineage, row.reason, row.superseded_by) == (
        second.lineage,
        DropReason.SUPERSEDED,
        first.lineage,
    )
    # Shown again, as saved, without anything to do in the page first.
    item = page.locator("[data-dropped-section] [data-dropped]:visible")
    expect(item).to_have_count(1)
    expect(item.get_by_label("Why is it dropped?")).to_have_value(DropReason.SUPERSEDED)
    expect(item.get_by_label("Replaced by")).to_have_value(str(first.lineage))
    expect(page.locator("#checks-panel")).not_to_contain_text("is dropped: say why")
    shot(page, "dropped-02-saved")
