"""In Chromium, the edit page never loses typing (static/js/editor-draft.js): leaving
with unsaved changes asks first, typed text is offered back after a reload or a closed
tab, a save after the session ended keeps the text and asks to sign in again; and its
action bar stays on screen on a phone and fits one line on a desktop.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of the edit page at both widths.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from assessments.models import Revision

from .test_journey import SHOTS, WIDTHS, shot, sign_in, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TYPED = "Typed in the editor and not yet saved."
# For what follows a page load: the edit page runs the checks of the whole entry.
LOADED = {"timeout": 20_000}
KEPT = "() => Object.keys(localStorage).filter((k) => k.startsWith('outlook-draft:'))"


def wait_until_kept(page, count=1):
    """Wait for the page to keep its typed text (the page's CSP refuses wait_for_function)."""
    for _ in range(100):
        if len(page.evaluate(KEPT)) == count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not kept: {page.evaluate(KEPT)}")


def edit_url(base, revision):
    return f"{base}/editor/revisions/{revision.pk}/edit/"


def dialogs_of(page, answer):
    """The types of the dialogs the page opens, each answered (accepted or dismissed)."""
    seen = []

    def handle(dialog):
        seen.append(dialog.type)
        dialog.accept() if answer == "accept" else dialog.dismiss()

    page.on("dialog", handle)
    return seen, handle


def test_leaving_with_unsaved_text_asks_and_a_reload_offers_it_back(
    page, live_server, copied_draft, alice
):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "alice")
    page.goto(edit_url(base, copied_draft))
    page.get_by_label("Rationale").fill(TYPED)
    # A new finding, moved up a place: rows too come back where they were.
    findings = page.locator("[data-formset=finding] > [data-row]:visible")
    count = findings.count()
    page.get_by_role("button", name="Add a finding").click()
    findings.last.get_by_label("Finding").fill("A finding typed in the page.")
    findings.last.get_by_role("button", name="Move up").click()
    wait_until_kept(page)

    stay, handler = dialogs_of(page, "dismiss")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_label("Rationale")).to_have_value(TYPED)
    assert stay == ["beforeunload"]
    assert page.url == edit_url(base, copied_draft)
    page.remove_listener("dialog", handler)

    leave, _ = dialogs_of(page, "accept")
    page.reload()
    assert "beforeunload" in leave
    offer = page.locator("#draft-restore")
    expect(offer).to_be_visible(**LOADED)
    expect(offer).to_contain_text(
        re.compile(r"Text you typed at \d\d:\d\d was not saved"), use_inner_text=True
    )
    expect(page.get_by_label("Rationale")).not_to_have_value(TYPED)
    shot(page, "editor-draft-offer-desktop")
    assert violations(page) == []
    offer.get_by_role("button", name="Restore").click()
    expect(offer).to_be_hidden()
    expect(page.get_by_label("Rationale")).to_have_value(TYPED)
    expect(findings).to_have_count(count + 1)
    expect(findings.nth(count - 1).get_by_label("Finding")).to_have_value(
        "A finding typed in the page."
    )

    # Saving is not leaving: no question, and the kept copy goes once the save is stored.
    questions = len(leave)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: revision 1 · version 2.")).to_be_visible(**LOADED)
    assert len(leave) == questions
    assert page.evaluate(KEPT) == []
    saved = Revision.objects.with_content().get(pk=copied_draft.pk)
    assert saved.rationale == TYPED
    assert [f.text for f in saved.findings.all()][count - 1] == "A finding typed in the page."
    page.reload()
    expect(page.get_by_role("heading", name="Rating")).to_be_visible()
    expect(page.locator("#draft-restore")).to_be_hidden()
    assert len(leave) == questions


def test_text_typed_in_a_closed_tab_is_offered_in_the_next(page, live_server, copied_draft, alice):
    base = live_server.url
    sign_in(page, base, "alice")
    page.goto(edit_url(base, copied_draft))
    page.get_by_label("Rationale").fill(TYPED)
    wait_until_kept(page)
    page.close()  # As a crash would: no question, nothing sent.

    again = page.context.new_page()
    again.set_viewport_size({"width": 390, "height": 844})
    again.goto(edit_url(base, copied_draft))
    expect(again.locator("#draft-restore")).to_be_visible(**LOADED)
    shot(again, "editor-draft-offer-phone")
    assert violations(again) == []
    again.get_by_role("button", name="Discard").click()
    expect(again.locator("#draft-restore")).to_be_hidden()
    assert again.evaluate(KEPT) == []
    expect(again.get_by_label("Rationale")).not_to_have_value(TYPED)


def test_a_save_after_the_session_ended_keeps_the_text_and_saves_after_signing_in(
    page, live_server, copied_draft, alice
):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "alice")
    page.goto(edit_url(base, copied_draft))
    page.get_by_label("Rationale").fill(TYPED)
    Session.objects.all().delete()  # The session ends (expired, or signed out elsewhere).

    page.get_by_role("button", name="Save", exact=True).click()
    signed_out = page.get_by_role("alert").filter(has_text="Your session has ended")
    expect(signed_out).to_be_visible(**LOADED)
    expect(page.get_by_label("Rationale")).to_have_value(TYPED)
    assert page.url == edit_url(base, copied_draft)
    assert Revision.objects.get(pk=copied_draft.pk).version == copied_draft.version
    shot(page, "editor-draft-signed-out-desktop")
    assert violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    expect(signed_out).to_be_in_viewport()  # In the bar at the foot of the screen.
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/editor-draft-signed-out-phone-screen.png")
    assert violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    # Signing in again in another tab (the link opens one) changes the CSRF token too.
    with page.context.expect_page() as opened:
        signed_out.get_by_role("link", name="Sign in again (in a new tab)").click()
    other = opened.value
    other.get_by_label("Username").fill("alice")
    other.get_by_label("Password").fill("secret-pass-123")
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", name="Dashboard")).to_be_visible(**LOADED)
    other.close()

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: revision 1 · version 2.")).to_be_visible(**LOADED)
    assert Revision.objects.get(pk=copied_draft.pk).rationale == TYPED


def test_without_the_session_check_sign_in_comes_first_and_the_text_is_offered_back(
    page, live_server, copied_draft, alice
):
    base = live_server.url
    sign_in(page, base, "alice")
    page.route("**/editor/session/", lambda route: route.abort())  # The question fails.
    page.goto(edit_url(base, copied_draft))
    page.get_by_label("Rationale").fill(TYPED)
    Session.objects.all().delete()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"), **LOADED)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(edit_url(base, copied_draft), **LOADED)
    offer = page.locator("#draft-restore")
    expect(offer).to_be_visible(**LOADED)
    offer.get_by_role("button", name="Restore").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: revision 1 · version 2.")).to_be_visible(**LOADED)
    assert Revision.objects.get(pk=copied_draft.pk).rationale == TYPED
    assert page.evaluate(KEPT) == []


def buttons_of(bar):
    return bar.locator(".btn:visible")


def test_the_action_bar_is_on_screen_on_a_phone_and_one_line_on_a_desktop(
    page, live_server, copied_draft, alice
):
    base = live_server.url
    page.emulate_media(reduced_motion="reduce")  # Bootstrap's smooth scrolling, off: no waits.
    sign_in(page, base, "alice")
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(edit_url(base, copied_draft))
        expect(page.get_by_role("heading", name="Rating")).to_be_in_viewport()
        bar = page.locator(".editor-actions")
        # With the top of the form on screen, Save, Preview and Submit are on screen too.
        for name in ("Save", "Save and preview", "Save and submit for review"):
            button = bar.get_by_role("button", name=name, exact=True)
            expect(button).to_be_in_viewport(ratio=1)
        box = bar.bounding_box()
        assert box["y"] + box["height"] <= height
        tops = {round(b.bounding_box()["y"]) for b in buttons_of(bar).all()}
        widths = [round(b.bounding_box()["width"]) for b in buttons_of(bar).all()]
        assert len(tops) == 1, f"{width_name}: the bar's buttons wrap ({tops}, {widths}, {box})"
        assert box["height"] <= 64, width_name
        assert violations(page) == [], width_name
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, width_name
        shot(page, f"editor-edit-{width_name}")
        if SHOTS:  # What the screen shows: the top of the form, and the bar.
            page.screenshot(path=f"{SHOTS}/editor-edit-{width_name}-screen.png")
        # At the end of the form the bar covers nothing: it sits below the last button.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        add_footnote = page.get_by_role("button", name="Add a footnote")
        assert (
            add_footnote.bounding_box()["y"] + add_footnote.bounding_box()["height"]
            <= (bar.bounding_box()["y"])
        )
        # A field the keyboard reaches stops above the bar, not under it.
        page.evaluate("window.scrollTo(0, 0)")
        field = page.locator("[data-formset=finding] textarea").last
        field.focus()
        assert field.bounding_box()["y"] + 20 <= bar.bounding_box()["y"], width_name


def test_text_typed_on_a_version_saved_over_since_is_offered_saying_so(
    page, live_server, copied_draft, alice
):
    from tests.builders import pass_checks

    base = live_server.url
    sign_in(page, base, "alice")
    page.goto(edit_url(base, copied_draft))
    page.get_by_label("Rationale").fill(TYPED)
    wait_until_kept(page)
    page.close()
    saved = pass_checks(copied_draft, alice)  # Saved elsewhere meanwhile: version 2.

    again = page.context.new_page()
    again.goto(edit_url(base, copied_draft))
    offer = again.locator("#draft-restore")
    expect(offer).to_contain_text(
        f"in version {copied_draft.version} (the draft has been saved as version "
        f"{saved.version} since)",
        use_inner_text=True,
        **LOADED,
    )
    offer.get_by_role("button", name="Restore").click()
    expect(again.get_by_label("Rationale")).to_have_value(TYPED)
    again.get_by_role("button", name="Save", exact=True).click()
    expect(again.get_by_text(f"Saved: revision 1 · version {saved.version + 1}.")).to_be_visible(
        **LOADED
    )
    assert again.evaluate(KEPT) == []
