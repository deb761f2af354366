"""In Chromium: the checks panel beside the editor. A location selects its span in the
text; all warnings are acknowledged with one note; acknowledging a warning that is only
in unsaved text answers in the panel, the text kept; axe finds nothing at either width.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the panel.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments import checks
from assessments.models import CheckAcknowledgement, Revision

from .test_journey import SHOTS, WIDTHS, shot, sign_in, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SELECTION = """() => {
  const field = document.activeElement;
  return {
    id: field.id,
    selected: field.value.slice(field.selectionStart, field.selectionEnd),
    highlighted: field.classList.contains("check-target"),
    scrolled: field.scrollTop,
    top: field.getBoundingClientRect().top,
    bottom: field.getBoundingClientRect().bottom,
    height: window.innerHeight,
  };
}"""


def window_shot(page, name):
    """What the analyst sees in the window (the page's screenshot is the whole page)."""
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}-window.png")


def edit_page(page, live_server, revision, width="desktop"):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/editor/revisions/{revision.pk}/edit/")
    return page.locator("#checks-panel")


def test_a_location_selects_its_span_in_the_text(page, live_server, copied_draft, alice):
    panel = edit_page(page, live_server, copied_draft)
    panel.get_by_role("link", name="Finding 1, characters 916–923").click()
    where = page.evaluate(SELECTION)
    assert (where["id"], where["selected"], where["highlighted"]) == (
        "id_finding-0-text",
        "200,0000",
        True,
    )
    # The field is on screen, and its own text scrolled down to the span.
    assert where["top"] >= 0 and where["bottom"] <= where["height"]
    assert where["scrolled"] > 0
    shot(page, "checks-location-desktop")
    window_shot(page, "checks-location-desktop")

    # Text as typed, with white space before it and blank lines (sent as CR LF): the
    # span the server counts is the one the browser selects.
    finding = page.locator("#id_finding-1-text")
    finding.fill("\n   First line.\n\nThe camps were very very large.")
    expect(panel).to_contain_text("Checked as typed, not yet saved.")
    panel.get_by_role("link", name=re.compile(r"^Finding 2, characters")).first.click()
    where = page.evaluate(SELECTION)
    assert (where["id"], where["selected"]) == ("id_finding-1-text", "very very")


def test_all_warnings_acknowledged_with_one_note(page, live_server, copied_draft, alice):
    warnings = [
        r for r in checks.check_revision(copied_draft) if r.severity == checks.Severity.WARNING
    ]
    panel = edit_page(page, live_server, copied_draft)
    button = panel.get_by_role("button", name="Acknowledge all")
    button.click()
    expect(panel.get_by_role("alert")).to_contain_text(
        "Nothing was acknowledged. Say in the note why these warnings stand"
    )
    panel.get_by_label(re.compile(r"^Why all \d+ warnings stand")).fill("Old but the latest.")
    panel.get_by_role("button", name="Acknowledge all").click()
    expect(panel.get_by_role("status")).to_have_text(f"{len(warnings)} warnings acknowledged.")
    expect(panel.get_by_role("button", name="Acknowledge", exact=True)).to_have_count(0)
    expect(panel.get_by_text("Acknowledged by alice: “Old but the latest.”")).to_have_count(
        len(warnings)
    )
    assert page.url.endswith(f"/revisions/{copied_draft.pk}/edit/")  # in place
    stored = CheckAcknowledgement.objects.filter(revision=copied_draft)
    assert sorted(a.key for a in stored) == sorted(w.key for w in warnings)


def test_acknowledging_a_warning_of_unsaved_text_answers_in_place(
    page, live_server, copied_draft, alice
):
    panel = edit_page(page, live_server, copied_draft)
    typed = "The camps were very very large."
    page.locator("#id_finding-1-text").fill(typed)
    warning = panel.locator("li", has_text="is written twice in a row")
    expect(warning).to_have_count(1)
    warning.get_by_label("Why the text stands").fill("Said twice on purpose.")
    warning.get_by_role("button", name="Acknowledge", exact=True).click()
    answer = warning.get_by_role("status")
    expect(answer).to_contain_text("it is in text you have not saved yet")
    expect(answer).to_be_focused()  # where the button that asked was
    # Nothing lost: the text typed, the note typed, the page not left.
    expect(page.locator("#id_finding-1-text")).to_have_value(typed)
    expect(warning.get_by_label("Why the text stands")).to_have_value("Said twice on purpose.")
    assert page.url.endswith(f"/revisions/{copied_draft.pk}/edit/")
    assert not CheckAcknowledgement.objects.exists()
    shot(page, "checks-unsaved-answer-desktop")
    window_shot(page, "checks-unsaved-answer-desktop")

    # Saving from the answer, then acknowledging, works.
    answer.get_by_role("button", name="Save the draft now").click()
    expect(page.get_by_text("Saved: revision 1 · version 2.")).to_be_visible()
    warning = panel.locator("li", has_text="is written twice in a row")
    warning.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(warning.get_by_role("status")).to_have_text("Warning acknowledged.")
    assert Revision.objects.get(pk=copied_draft.pk).acknowledgements.count() == 1


def test_the_checks_panel_has_no_accessibility_violation(page, live_server, copied_draft, alice):
    panel = edit_page(page, live_server, copied_draft)
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        # With an answer in the panel and a location followed.
        page.locator("#id_finding-1-text").fill("The camps were very very large.")
        warning = panel.locator("li", has_text="is written twice in a row")
        warning.get_by_role("button", name="Acknowledge", exact=True).click()
        expect(warning.get_by_role("status")).to_be_visible()
        panel.get_by_role("link", name="Finding 1, characters 916–923").click()
        assert violations(page) == [], width_name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, width_name
        window_shot(page, f"checks-location-{width_name}")
        panel.scroll_into_view_if_needed()
        shot(page, f"checks-panel-{width_name}")
        window_shot(page, f"checks-panel-{width_name}")
