"""Two-factor sign-in (assessments.two_factor): who must use it, setting it up, the code
step after the password (authenticator codes, recovery codes used once, wrong codes
throttled), the editor and the admin closed until it is passed, and turning it off.

These tests sign in through the forms, not with force_login (which the suite's other tests
use, and which tests/conftest.py makes a sign-in with both factors).
"""

import re
from base64 import b32decode
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments import two_factor
from assessments.permissions import Permissions, two_factor_required

from .html import parse
from .second_factor import authenticator, code_for, current_code
from .test_signin import PRODUCTION, manage, settings_of

PASSWORD = "secret-pass-123"  # the fixtures' people's (tests/conftest.py)
LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/two-factor/code/"
SETUP = "/accounts/two-factor/set-up/"


def sign_in(client, username, next_url=None):
    """The password step, through the form: the answer (a redirect)."""
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content
    return response


def path_and_next(url):
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query).get("next", [None])[0]


def enter(client, code, next_url="/editor/"):
    return client.post(CODE_STEP, {"code": code, "next": next_url})


def error_of(response):
    return parse(response.content).find(cls="invalid-feedback").words()


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)


# --- Who must use it --------------------------------------------------------------------


@pytest.mark.django_db
def test_editors_and_superusers_must_use_it_and_others_may(alice, bob, erin, charlie, boss):
    assert two_factor_required(erin) and two_factor_required(boss)
    assert not any(two_factor_required(user) for user in (alice, bob, charlie))
    # An analyst made an editor must use it from then on.
    alice.groups.add(Group.objects.get(name="editor"))
    alice = type(alice).objects.get(pk=alice.pk)
    assert two_factor_required(alice)
    erin.is_active = False
    assert not two_factor_required(erin)


@pytest.mark.django_db
@override_settings(OUTLOOK_REQUIRE_TWO_FACTOR=False)
def test_the_site_may_turn_the_requirement_off(erin, boss):
    assert not two_factor_required(erin) and not two_factor_required(boss)
    assert Permissions(erin).can_turn_off_two_factor()


def test_it_is_required_in_production_and_off_under_make_run():
    assert settings_of("OUTLOOK_REQUIRE_TWO_FACTOR", **PRODUCTION) == [True]
    # `make run` sets DEBUG=1: the demo accounts sign in with their passwords alone.
    assert settings_of("OUTLOOK_REQUIRE_TWO_FACTOR", DEBUG="1") == [False]
    assert settings_of("OUTLOOK_REQUIRE_TWO_FACTOR", DEBUG="1", REQUIRE_TWO_FACTOR="1") == [True]


def test_the_deployment_checks_warn_when_production_turns_it_off():
    result = manage("check", "--deploy", **{**PRODUCTION, "REQUIRE_TWO_FACTOR": "0"})
    assert "outlook.W002" in result.stderr


# --- Setting it up --------------------------------------------------------------------


def set_up(client):
    """Open the set-up page and confirm it with the code of the key it shows: the key."""
    page = parse(client.get(SETUP).content)
    key = page.find(id="two-factor-key").words().replace(" ", "")
    qr = page.find("img", cls="two-factor-qr")
    assert qr.attrs["src"].startswith("data:image/svg+xml")
    key_hex = b32decode(key).hex()
    response = client.post(SETUP, {"code": code_for(key_hex), "next": "/editor/"})
    assert response.status_code == 302, response.content
    return key_hex, response


@pytest.mark.django_db
def test_an_editor_without_an_authenticator_sets_one_up_before_the_editor_opens(client, erin):
    response = sign_in(client, "erin", "/editor/outlooks/")
    assert path_and_next(response.url) == (SETUP, "/editor/outlooks/")
    # Every editor page sends them there until it is done.
    response = client.get("/editor/")
    assert path_and_next(response.url) == (SETUP, "/editor/")

    page = parse(client.get(SETUP).content)
    assert page.find("h1").words() == "Set up two-factor sign-in"
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 400
    assert error_of(response).startswith("That code is not right")
    assert not TOTPDevice.objects.filter(user=erin).exists()

    key_hex, response = set_up(client)
    device = TOTPDevice.objects.get(user=erin)
    assert device.confirmed and device.key == key_hex
    assert path_and_next(response.url) == ("/accounts/two-factor/recovery-codes/", "/editor/")
    page = parse(client.get(response.url).content)
    codes = [item.words() for item in page.find(cls="two-factor-codes").find_all("li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=erin).values_list("token", flat=True)
    )
    assert page.find("a", cls="btn").attrs["href"] == "/editor/"
    # Shown once.
    response = client.get("/accounts/two-factor/recovery-codes/")
    assert response.url == "/accounts/two-factor/"
    # The session is verified: the editor opens.
    assert client.get("/editor/").status_code == 200


@pytest.mark.django_db
def test_an_analyst_may_use_it_and_is_then_asked_for_a_code(client, alice):
    response = sign_in(client, "alice")
    assert response.url == "/editor/"
    assert client.get("/editor/").status_code == 200
    page = parse(client.get("/accounts/two-factor/").content)
    assert page.find(cls="lead").words().startswith("Off")
    set_up(client)
    client.post("/accounts/logout/")

    response = sign_in(client, "alice")
    assert path_and_next(response.url) == (CODE_STEP, "/editor/")
    assert client.get("/editor/").url.startswith(CODE_STEP)


@pytest.mark.django_db
def test_the_edit_page_counts_a_session_owing_its_code_as_signed_out(client, alice):
    """Its save would be sent to the code step: the page keeps the text and asks first."""
    sign_in(client, "alice")
    set_up(client)
    assert client.get("/editor/session/").json()["signed_in"] is True
    client.post("/accounts/logout/")
    sign_in(client, "alice")  # the password alone
    assert client.get("/editor/session/").json() == {"signed_in": False}
    assert enter(client, current_code(TOTPDevice.objects.get(user=alice))).status_code == 302
    assert client.get("/editor/session/").json()["signed_in"] is True


@pytest.mark.django_db
@override_settings(OUTLOOK_REQUIRE_TWO_FACTOR=False)
def test_with_the_requirement_off_an_editor_signs_in_with_the_password_alone(client, erin):
    response = sign_in(client, "erin")
    assert response.url == "/editor/"
    assert client.get("/editor/").status_code == 200


# --- The code step --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_the_right_one_lets_the_editor_in(client, erin):
    device = authenticator(erin)
    response = sign_in(client, "erin", "/editor/outlooks/")
    assert path_and_next(response.url) == (CODE_STEP, "/editor/outlooks/")
    page = parse(client.get(response.url).content)
    assert page.find("h1").words() == "Enter your code"

    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = enter(client, wrong, "/editor/outlooks/")
    assert response.status_code == 400
    assert error_of(response).startswith("That code is not right")
    assert client.get("/editor/").url.startswith(CODE_STEP)

    # A wrong code makes the next wait a second (django-otp's throttling).
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    response = enter(client, right, "/editor/outlooks/")
    assert response.status_code == 302 and response.url == "/editor/outlooks/"
    assert client.get("/editor/").status_code == 200

    # The same code does not sign in twice.
    client.post("/accounts/logout/")
    sign_in(client, "erin")
    assert enter(client, right).status_code == 400


@pytest.mark.django_db
def test_wrong_codes_in_a_row_make_the_next_wait_and_say_so(client, erin):
    device = authenticator(erin)
    sign_in(client, "erin")
    enter(client, "000000")
    response = enter(client, current_code(device))
    assert response.status_code == 400
    assert re.fullmatch(
        r"Too many wrong codes: wait \d+ seconds?, then type the code again\.", error_of(response)
    )
    assert client.get("/editor/").url.startswith(CODE_STEP)


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, erin):
    authenticator(erin)
    recovery = StaticDevice.objects.create(user=erin, name="Recovery codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6789")
    sign_in(client, "erin")
    # Typed as printed or not: spaces, hyphens and capitals do not matter.
    response = enter(client, "ABCD-2345", "/editor/outlooks/")
    assert response.url == "/editor/outlooks/"
    page = parse(client.get(response.url).content)
    assert "now used up: 1 left" in page.find(cls="alert").words()
    client.post("/accounts/logout/")

    sign_in(client, "erin")
    response = enter(client, "abcd2345")
    assert response.status_code == 400
    assert client.get("/editor/").url.startswith(CODE_STEP)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "x" * 1000, "12\x0034", "١٢٣٤٥٦", "999999999999"])
def test_whatever_is_typed_as_a_code_gets_an_answer_not_an_error(client, erin, code):
    authenticator(erin)
    sign_in(client, "erin")
    response = enter(client, code)
    assert response.status_code == 400
    assert client.get("/editor/").url.startswith(CODE_STEP)


@pytest.mark.django_db
def test_the_code_step_goes_nowhere_but_this_site(client, erin):
    device = authenticator(erin)
    sign_in(client, "erin")
    response = enter(client, current_code(device), "https://evil.example/")
    assert response.url == "/editor/"


@pytest.mark.django_db
def test_the_code_step_sends_the_signed_out_to_sign_in_and_the_verified_on(client, erin):
    assert client.get(CODE_STEP).url.startswith(LOGIN)
    client.force_login(erin)  # verified (tests/conftest.py)
    assert client.get(CODE_STEP + "?next=/editor/outlooks/").url == "/editor/outlooks/"


# --- What needs it --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_asks_a_superuser_for_the_code(client, boss):
    device = authenticator(boss)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.url == "/admin/"
    for url in ("/admin/", "/admin/auth/user/", "/admin/login/"):
        assert client.get(url).url.startswith(CODE_STEP), url
    response = enter(client, current_code(device), "/admin/")
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_the_admin_sends_a_superuser_without_an_authenticator_to_set_one_up(client, boss):
    client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert client.get("/admin/auth/user/").url.startswith(SETUP)
    set_up(client)
    assert client.get("/admin/auth/user/").status_code == 200


@pytest.mark.django_db
def test_the_password_and_the_account_page_need_the_code_once_it_is_on(client, alice):
    authenticator(alice)
    sign_in(client, "alice")
    for url in ("/accounts/password/", "/accounts/two-factor/", SETUP):
        assert client.get(url).url.startswith(CODE_STEP), url
    # A new authenticator cannot be put in with the password alone.
    response = client.post(SETUP, {"code": "123456"})
    assert response.url.startswith(CODE_STEP)
    assert TOTPDevice.objects.filter(user=alice).count() == 1


# --- The account page -----------------------------------------------------------------


@pytest.mark.django_db
def test_new_recovery_codes_void_the_old_ones_and_are_shown_once(client, erin):
    client.force_login(erin)
    old = StaticDevice.objects.create(user=erin, name="Recovery codes", confirmed=True)
    old.token_set.create(token="oldcode2")
    response = client.post("/accounts/two-factor/recovery-codes/new/")
    page = parse(client.get(response.url).content)
    codes = [item.words() for item in page.find(cls="two-factor-codes").find_all("li")]
    assert len(codes) == 10 and "oldcode2" not in codes
    assert not StaticToken.objects.filter(token="oldcode2").exists()
    page = parse(client.get("/accounts/two-factor/").content)
    assert "You have 10 unused recovery codes" in page.find("main").words()
    assert client.get("/editor/").status_code == 200


@pytest.mark.django_db
def test_an_editor_cannot_turn_it_off(client, erin):
    client.force_login(erin)
    page = parse(client.get("/accounts/two-factor/").content)
    assert not page.find("form", action="/accounts/two-factor/off/")
    assert "Editors and administrators must use it." in page.find("main").words()
    response = client.post("/accounts/two-factor/off/", {"code": current_code(authenticator(erin))})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=erin).exists()


@pytest.mark.django_db
def test_an_analyst_turns_it_off_with_a_code(client, alice):
    device = authenticator(alice)
    client.force_login(alice)
    response = client.post("/accounts/two-factor/off/", {"code": "000000"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=alice).exists()
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post("/accounts/two-factor/off/", {"code": current_code(device)})
    assert response.url == "/accounts/two-factor/"
    assert not two_factor.has_device(alice)
    client.post("/accounts/logout/")
    assert sign_in(client, "alice").url == "/editor/"


@pytest.mark.django_db
def test_a_new_authenticator_replaces_the_old_one(client, erin):
    old = authenticator(erin)
    client.force_login(erin)
    page = parse(client.get(SETUP).content)
    assert page.find(cls="lead").words().startswith("A new authenticator replaces")
    key_hex, _ = set_up(client)
    assert list(TOTPDevice.objects.filter(user=erin).values_list("key", flat=True)) == [key_hex]
    assert key_hex != old.key


# --- The pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_two_factor_pages_are_valid_html(client, alice, tmp_path):
    from .test_html_validity import html_errors

    sign_in(client, "alice")
    pages = {"account, off": client.get("/accounts/two-factor/")}
    pages["set-up, refused code"] = client.post(SETUP, {"code": "12"})
    _, response = set_up(client)
    pages["recovery codes"] = client.get(response.url)
    pages["account, on"] = client.get("/accounts/two-factor/")
    client.post("/accounts/logout/")
    sign_in(client, "alice")
    pages["code step, refused code"] = enter(client, "nonsense")
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
    errors = html_errors({name: r.content for name, r in pages.items()}, tmp_path)
    assert not errors, "\n".join(errors)
