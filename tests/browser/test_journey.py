"""The whole editorial journey in Chromium: draft, review, changes, approval, publication.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep a screenshot of every editor page passed on the way.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Outlook, Revision
from assessments.permissions import two_factor_required
from tests.second_factor import authenticator, current_code
from tests.worker import worker_process

pytestmark = [
    pytest.mark.browser,
    # Transactional (the browser reads through the live server); the reference data
    # (countries, risk framework, groups) is restored from the serialised database.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "secret-pass-123"
SHOTS = os.environ.get("OUTLOOK_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def sign_in(page, base, username):
    """Sign in through the form: the password, then, for those who must use a second
    factor (editors), the code of their authenticator (tests/second_factor.py)."""
    user = get_user_model().objects.get(username=username)
    device = authenticator(user) if two_factor_required(user) else None
    page.goto(base + "/editor/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if device is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(current_code(device))
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()


def acknowledge_warnings(page):
    """Acknowledge, one by one, every warning the checks panel lists."""
    buttons = page.locator("#checks-panel").get_by_role("button", name="Acknowledge", exact=True)
    while (count := buttons.count()) > 0:
        buttons.first.click()
        expect(buttons).to_have_count(count - 1)


def revision_of(outlook):
    return Revision.objects.filter(assessment__outlook=outlook).order_by("-number").first()


def test_analyst_to_public_journey(page, live_server, edition, alice, bob, rita, erin):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())

    # Alice edits the DPRK draft of the new edition.
    sign_in(page, base, "alice")
    shot(page, "01-dashboard-analyst")
    page.get_by_role("row", name=re.compile("Democratic People")).get_by_role(
        "link", name="Edit"
    ).first.click()
    expect(page.get_by_role("heading", name="Rating")).to_be_visible()
    page.get_by_label("Risk level").select_option(label="High")
    page.get_by_label("Rationale").fill("Fewer executions were reported in 2024.")

    footnotes = page.locator("[data-formset=footnote] > [data-row]")
    existing = footnotes.count()
    page.get_by_role("button", name="Add a footnote").click()
    note = footnotes.nth(existing)
    number = note.get_by_label("Number").input_value()
    assert number == str(existing + 1)
    note.locator("summary").click()
    note.get_by_label("Title").fill("Situation of human rights in the DPRK, A/HRC/55/63, 2024")
    note.get_by_label("UN document symbol").fill("A/HRC/55/63")
    note.get_by_label("URL").fill("https://docs.un.org/en/A/HRC/55/63")

    page.get_by_role("button", name="Add a finding").click()
    finding = page.locator("[data-formset=finding] > [data-row]").last
    finding.get_by_label("Finding").fill(f"Draft wording about forced labour.[^{number}]")
    # Reordering keeps what was typed.
    finding.get_by_role("button", name="Move up").click()
    expect(
        page.locator("[data-formset=finding] > [data-row]").nth(-2).get_by_label("Finding")
    ).to_have_value(f"Draft wording about forced labour.[^{number}]")

    page.get_by_role("button", name="Add a recommendation").click()
    recommendation = page.locator("[data-formset=recommendation] > [data-row]").last
    recommendation.get_by_label("Addressee").fill("UN Member States")
    recommendation.get_by_label("Recommendation").fill(
        "Fund independent monitoring of forced labour."
    )
    shot(page, "02-edit")
    page.get_by_role("button", name="Save and submit for review").click()
    # The checks refuse it: the copied text has a malformed number, and warnings stand.
    expect(page.get_by_text("must be fixed or acknowledged before submitting")).to_be_visible()
    panel = page.locator("#checks-panel")
    expect(panel.get_by_text('"200,0000" is not a well-formed number')).to_be_visible()
    finding = page.locator("[data-formset=finding] textarea").filter(has_text="200,0000")
    finding.fill(finding.input_value().replace("200,0000", "200,000"))
    # The panel checks the text as typed, without a page reload.
    expect(panel.get_by_text("Checked as typed, not yet saved.")).to_be_visible()
    expect(panel.locator(".check-error")).to_have_count(0)
    shot(page, "02b-live-checks")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"Saved: revision \d+ · version \d+\."))).to_be_visible()
    acknowledge_warnings(page)
    shot(page, "02c-acknowledged")
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("Saved and submitted for review.")).to_be_visible()
    shot(page, "03-revision-submitted")
    sign_out(page)

    # Bob asks for changes.
    sign_in(page, base, "bob")
    shot(page, "04-dashboard-reviewer")
    page.get_by_role("link", name="Review").first.click()
    # The reviewer sees the same checks, with what the analyst acknowledged.
    expect(page.locator("#checks-panel").get_by_text("Acknowledged by alice").first).to_be_visible()
    page.get_by_role("tab", name="Changes since previous edition").click()
    expect(page.locator("#tab-previous ins").first).to_be_visible()
    shot(page, "05-review-diff")
    page.get_by_label("Comment", exact=True).fill("Say which report documents the forced labour.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes requested: the analysts have your comments.")).to_be_visible()
    sign_out(page)

    # Alice fixes the draft and resubmits.
    sign_in(page, base, "alice")
    page.get_by_role("region", name="Changes requested of me").get_by_role(
        "link", name="Edit"
    ).click()
    expect(page.get_by_text("Say which report documents the forced labour.")).to_be_visible()
    fixed = page.locator("[data-formset=finding] textarea").filter(has_text="Draft wording")
    fixed.fill(f"The Special Rapporteur documented forced labour in detention in 2024.[^{number}]")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("as the public page will show it")).to_be_visible()
    expect(page.get_by_text("documented forced labour in detention")).to_be_visible()
    shot(page, "06-preview")
    page.get_by_role("link", name="Back to editing").click()
    acknowledge_warnings(page)
    page.get_by_role("button", name="Save and submit for review").click()
    expect(page.get_by_text("Saved and submitted for review.")).to_be_visible()
    sign_out(page)

    # Bob asked for changes but did not write: still, a second reviewer approves.
    sign_in(page, base, "rita")
    page.get_by_role("link", name="Review").first.click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved.")).to_be_visible()
    sign_out(page)

    # Erin publishes.
    sign_in(page, base, "erin")
    shot(page, "07-dashboard-editor")
    page.get_by_role("link", name="Ready to publish").click()
    shot(page, "08-outlook")
    # A worker of the queue publishes; the page follows it and shows the result.
    with worker_process(media_root=settings.MEDIA_ROOT):
        page.get_by_role("button", name="Publish edition").click()
        expect(
            page.get_by_text("Publication of Asia Pacific Regional Outlook May 2024 queued")
        ).to_be_visible()
        expect(page.get_by_text("Published Asia Pacific Regional Outlook May 2024.")).to_be_visible(
            timeout=60_000
        )
    expect(page.locator(".badge", has_text="Published").first).to_be_visible()  # reloaded
    page.goto(base + "/editor/audit/")
    expect(page.get_by_text("Published Asia Pacific Regional Outlook May 2024")).to_be_visible()
    shot(page, "09-audit")
    page.goto(base + "/editor/outlooks/")
    shot(page, "10-outlook-list")
    page.goto(base + "/editor/outlooks/new/")
    page.get_by_role("button", name="Create edition").click()
    shot(page, "11-new-edition-errors")
    page.goto(base + f"/editor/assessments/{revision_of(edition).assessment_id}/")
    shot(page, "12-assessment")
    page.goto(base + f"/editor/revisions/{revision_of(edition).pk}/")
    shot(page, "13-revision-published")
    sign_out(page)

    # An anonymous visitor reads the new entry, not the draft wording.
    page.goto(base + "/outlooks/asia-pacific-2024-05/")
    expect(page.get_by_text("documented forced labour in detention in 2024")).to_be_visible()
    expect(page.get_by_text("Fund independent monitoring of forced labour.")).to_be_visible()
    expect(page.get_by_text("A/HRC/55/63").first).to_be_visible()
    assert "Draft wording" not in page.content()
    assert Outlook.objects.get(slug="asia-pacific-2024-05").is_published
    revision = Revision.objects.get(assessment__outlook__slug="asia-pacific-2024-05")
    assert revision.state == Revision.State.PUBLISHED
    assert set(revision.contributors.values_list("username", flat=True)) == {"alice"}


def test_anonymous_cannot_reach_the_draft_before_publication(page, live_server, edition):
    response = page.request.get(live_server.url + "/outlooks/asia-pacific-2024-05/")
    assert response.status == 404
    revision = Revision.objects.get(assessment__outlook=edition)
    response = page.request.get(live_server.url + f"/editor/revisions/{revision.pk}/preview/")
    assert response.url.startswith(live_server.url + "/accounts/login/")


def test_two_sessions_saving_one_draft(browser, live_server, edition, alice, make_user):
    """The second save is refused, keeps its text on screen and shows both versions."""
    make_user("dora", "analyst")
    url = live_server.url + f"/editor/revisions/{revision_of(edition).pk}/edit/"
    pages = []
    for username in ("alice", "dora"):
        page = browser.new_context().new_page()
        sign_in(page, live_server.url, username)
        page.goto(url)
        pages.append(page)
    first, second = pages
    first.locator("[data-formset=finding] textarea").first.fill(
        "Alice's wording of the first finding."
    )
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_text("Saved: revision 1 · version 2.")).to_be_visible()

    second.locator("[data-formset=finding] textarea").first.fill(
        "Dora's wording of the first finding."
    )
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.get_by_text("Not saved: someone else saved this draft")).to_be_visible()
    expect(second.locator("[data-formset=finding] textarea").first).to_have_value(
        "Dora's wording of the first finding."
    )
    expect(second.locator("#conflict del").filter(has_text="Alice's")).to_be_visible()
    expect(second.locator("#conflict ins").filter(has_text="Dora's")).to_be_visible()
    shot(second, "14-conflict")
    assert serious_violations(second) == []
    second.set_viewport_size({"width": 390, "height": 844})
    overflow = second.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(second, "14-conflict-phone")
    stored = revision_of(edition)
    assert stored.findings.first().text == "Alice's wording of the first finding."
    assert stored.version == 2
    for page in pages:
        page.context.close()


# --- Every editor page: axe-core, desktop and phone -----------------------------------

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


# The elements that stick out of the window on the right, to say what overflows.
WIDE_ELEMENTS = """
Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter((e) => !e.parentElement.closest(".table-responsive"))
  .slice(-3)
  .map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))
"""


def violations(page, impacts=("minor", "moderate", "serious", "critical")):
    """axe-core's violations on the page, of the given impacts: (id, help, targets)."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in Axe().run(page).response["violations"]
        if v["impact"] in impacts
    ]


def serious_violations(page):
    return violations(page, ("serious", "critical"))


@pytest.fixture
def editor_pages(edition, alice, erin):
    """One object in each state an editor page shows, and the URL of every such page."""
    from tests.builders import pass_checks

    draft = pass_checks(revision_of(edition), alice)
    workflow.submit(draft, user=alice)
    published = Revision.objects.exclude(assessment__outlook=edition).get()
    match_to_confirm(published)
    return {
        "login": "/accounts/login/",
        "dashboard": "/editor/",
        "outlook-list": "/editor/outlooks/",
        "outlook-new": "/editor/outlooks/new/",
        "outlook-draft": f"/editor/outlooks/{edition.pk}/",
        "board": f"/editor/outlooks/{edition.pk}/board/",
        "outlook-published": f"/editor/outlooks/{published.assessment.outlook_id}/",
        "assessment": f"/editor/assessments/{draft.assessment_id}/",
        "revision": f"/editor/revisions/{draft.pk}/",
        "review": f"/editor/revisions/{draft.pk}/review/",
        "preview": f"/editor/revisions/{draft.pk}/preview/",
        "audit": "/editor/audit/",
        "published-revision": f"/editor/revisions/{published.pk}/",
        "matches": "/editor/matches/",
    }


def match_to_confirm(earlier):
    """An archive's entry after `earlier`, its recommendation left to confirm against the
    first of `earlier`'s."""
    from datetime import date

    from assessments.models import LineageMatch
    from tests.builders import add_assessment, make_outlook

    later = add_assessment(
        make_outlook(period=date(2024, 2, 1), published=True),
        "KP",
        state=Revision.State.PUBLISHED,
        recommendations=[("The government of the DPRK", "Cease all crimes against humanity.")],
    ).published_revision
    return LineageMatch.objects.create(
        recommendation=later.recommendations.get(),
        predecessor=earlier.recommendations.first(),
        similarity=0.72,
        decision=LineageMatch.Decision.TO_CONFIRM,
    )


def test_editor_pages_have_no_serious_accessibility_violation(
    page, live_server, editor_pages, make_user
):
    """Every editor page, as a user holding all three roles sees it, passes axe-core and
    fits a phone. (The edit and conflict pages are checked by the tests below.)"""
    make_user("olga", "analyst", "reviewer", "editor")
    sign_in(page, live_server.url, "olga")
    violations, overflows = {}, {}
    for name, url in editor_pages.items():
        for width_name, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(live_server.url + url)
            assert response.status == 200, (name, response.status)
            if width_name == "desktop" and (found := serious_violations(page)):
                violations[name] = found
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                overflows[name, width_name] = page.evaluate(WIDE_ELEMENTS)
            shot(page, f"axe-{name}-{width_name}")
    assert (violations, overflows) == ({}, {})


def test_edit_page_has_no_serious_accessibility_violation(page, live_server, edition, alice):
    sign_in(page, live_server.url, "alice")
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(live_server.url + f"/editor/revisions/{revision_of(edition).pk}/edit/")
        # The preview of the unsaved text, rendered as the public page renders it.
        page.locator("[data-formset=finding] textarea").first.fill("Live **preview** wording.")
        page.get_by_role("button", name="Preview without saving").click()
        expect(page.locator("#live-preview .finding strong")).to_have_text("preview")
        # The rows added in the page (from their templates) are checked too.
        for kind in ("finding", "recommendation", "footnote"):
            page.locator(f"[data-add-row={kind}]").click()
        page.locator("[data-formset=footnote] > [data-row] summary").last.click()
        if width_name == "desktop":
            assert serious_violations(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (width_name, overflow)
        shot(page, f"axe-edit-{width_name}")
