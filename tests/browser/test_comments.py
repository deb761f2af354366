"""In Chromium: a reviewer selects words in a finding and comments on them; the analyst
finds the comment beside the finding and resolves it with a reply; approving with an open
comment asks why; axe finds nothing on the panels at either width.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the review and edit pages.
"""

import pytest
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import ReviewComment, Revision

from .test_journey import WIDTHS, shot, sign_in, sign_out, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def submitted(ready_draft, alice):
    return workflow.submit(ready_draft, user=alice)


SELECT_WORDS = """([selector, count]) => {
  const node = document.querySelector(selector).firstChild;
  const range = document.createRange();
  const words = node.textContent.split(" ").slice(0, count).join(" ");
  range.setStart(node, 0);
  range.setEnd(node, words.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.querySelector(selector).dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
  return words;
}"""


def test_a_comment_on_selected_words_reaches_the_analyst_beside_the_finding(
    page, live_server, submitted, alice, bob
):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "bob")
    page.goto(f"{base}/editor/revisions/{submitted.pk}/review/")
    words = page.evaluate(SELECT_WORDS, ["#tab-entry .finding p", 4])
    expect(page.get_by_label("The words it is about")).to_have_value(words)
    page.get_by_label("Where").select_option(value="finding-1")
    page.get_by_label("Your comment").fill("Which report says so?")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_text("Comment added")).to_be_visible()
    panel = page.locator("#comments-panel")
    expect(panel).to_contain_text("Finding 1")
    expect(panel).to_contain_text(f"“{words}”")
    shot(page, "comments-review")
    # Approving with the comment open asks why.
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("1 review comment is still open: say why")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("See my comment on the first finding.")
    page.get_by_role("button", name="Request changes").click()
    sign_out(page)

    sign_in(page, base, "alice")
    page.goto(f"{base}/editor/revisions/{submitted.pk}/edit/")
    first = page.locator("[data-formset=finding] > li").first
    expect(first.locator(".row-comments")).to_contain_text("Which report says so?")
    shot(page, "comments-edit")
    page.get_by_label("Reply to the comment on Finding 1").fill("Cited A/HRC/55/1.")
    page.get_by_role("button", name="Resolve the comment on Finding 1").click()
    expect(page.locator("#comments-panel")).to_contain_text("Resolved by alice")
    # In place (htmx): the text being edited is still on the page, unsaved.
    assert page.url.endswith(f"/revisions/{submitted.pk}/edit/")
    comment = ReviewComment.objects.get()
    assert (comment.state, comment.reply) == ("resolved", "Cited A/HRC/55/1.")


def test_the_comment_panels_have_no_accessibility_violation(page, live_server, submitted, bob):
    workflow.add_comment(
        submitted, anchor="finding", position=1, quote="the words", text="Cite it.", user=bob
    )
    sign_in(page, live_server.url, "bob")
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/editor/revisions/{submitted.pk}/review/")
        assert violations(page) == [], width_name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, width_name
        shot(page, f"comments-review-{width_name}")
    assert Revision.objects.get(pk=submitted.pk).comments.count() == 1
