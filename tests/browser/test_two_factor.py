"""In Chromium: an editor signs in with the password, is sent to set up two-factor sign-in,
scans nothing but types the key's code (computed here from the key the page shows), keeps
the recovery codes, and next time signs in with the password and a code; a wrong code
says so. axe finds nothing on the set-up, recovery codes, account and code pages at
either width, and none of them is wider than the screen.

Set OUTLOOK_SCREENSHOTS=/some/dir to keep screenshots of each page at both widths.
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.second_factor import current_code

from .test_journey import PASSWORD, WIDTHS, shot, sign_out, violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def check_at_both_widths(page, name):
    """axe and the page's width at 1280 and 390 px, with a screenshot of each."""
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        assert violations(page) == [], (name, width_name)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width_name)
        shot(page, f"two-factor-{name}-{width_name}")
    page.set_viewport_size({"width": 1280, "height": 900})


def type_password(page, base):
    page.goto(base + "/editor/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_editor_sets_up_two_factor_sign_in_and_signs_in_with_a_code(page, live_server, erin):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    # First sign-in: the editor must set it up before the editor opens.
    type_password(page, base)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    check_at_both_widths(page, "setup")
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{totp(b32decode(key)):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".two-factor-codes li")).to_have_count(10)
    check_at_both_widths(page, "recovery-codes")
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    expect(page.get_by_text("You have 10 unused recovery codes")).to_be_visible()
    check_at_both_widths(page, "account")
    sign_out(page)

    # Next time: the password, then a code from the app.
    device = TOTPDevice.objects.get(user=erin)
    assert device.confirmed
    type_password(page, base)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    check_at_both_widths(page, "code")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    check_at_both_widths(page, "code-refused")
    # A wrong code makes the next one wait a second (django-otp's throttling).
    page.wait_for_timeout(1200)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_an_analyst_may_turn_it_on_and_off(page, live_server, alice):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/editor/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Not required of analysts: the dashboard at once.
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_text("Off: you sign in with your password alone.")).to_be_visible()
    check_at_both_widths(page, "account-off")

    page.get_by_role("link", name="Set up two-factor sign-in").click()
    key = page.locator("#two-factor-key").inner_text().replace(" ", "")
    page.get_by_label("Code").fill(f"{totp(b32decode(key)):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name=re.compile("continue")).click()

    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_role("heading", name="Turn it off")).to_be_visible()
    check_at_both_widths(page, "account-optional")
    device = TOTPDevice.objects.get(user=alice)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Turn off two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is off")).to_be_visible()
    assert not TOTPDevice.objects.filter(user=alice).exists()
