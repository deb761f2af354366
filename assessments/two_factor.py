"""Two-factor sign-in: after the password, a code from an authenticator app (TOTP) or a
recovery code, kept by django-otp as a user's devices.

A user's authenticator is a confirmed TOTPDevice; their recovery codes are the tokens of
one StaticDevice, each used once. A session is verified (django_otp.login) once a code is
accepted. Who must use it is the permission gate's rule
(permissions.two_factor_required); `detour` says where a request must go first: the code
step for anyone with a device not yet verified in this session, the set-up page for those
required to have one who have none. The editor's pages and the admin ask it.
"""

import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .permissions import two_factor_required

RECOVERY_CODES = 10
# The key of an authenticator being set up, kept in the session until a code confirms it:
# nothing is stored for a set-up that is abandoned.
SETUP_KEY = "two_factor_setup_key"
# Recovery codes just made, shown once by the next page and then forgotten.
NEW_CODES = "two_factor_new_codes"


def has_device(user):
    """Whether the user has turned two-factor sign-in on (a confirmed device)."""
    return any(devices_for_user(user, confirmed=True))


def is_verified(user):
    """Whether this request's session was confirmed with a second factor."""
    return getattr(user, "otp_device", None) is not None


def with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def next_step(user, next_url):
    """After the password: the code step, the set-up page, or `next_url` itself."""
    if has_device(user):
        return with_next("two_factor_verify", next_url)
    if two_factor_required(user):
        return with_next("two_factor_setup", next_url)
    return next_url


def detour(request, *, setting_up=False):
    """A redirect to where a signed-in user must go before this page, or None."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return None
    # Back here afterwards, unless this is a form's POST, which a redirect cannot repeat.
    here = request.get_full_path() if request.method == "GET" else settings.LOGIN_REDIRECT_URL
    if has_device(user):
        return redirect(with_next("two_factor_verify", here))
    if two_factor_required(user) and not setting_up:
        return redirect(with_next("two_factor_setup", here))
    return None


# --- Checking a code -----------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A code's answer: the device that accepted it, or the reason a person can read."""

    device: object = None
    reason: str = ""

    def __bool__(self):
        return self.device is not None

    @property
    def used_recovery_code(self):
        return isinstance(self.device, StaticDevice)


def normalise(code):
    """A code as typed, without its spaces and hyphens, in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def is_authenticator_code(code):
    return code.isdigit() and len(code) == 6


def verify(request, code):
    """Check `code` against the signed-in user's devices; verify the session if it is
    right. A recovery code is used up; each device refuses codes for a while after a
    wrong one (django-otp's throttling), and says for how long."""
    user = request.user
    code = normalise(code)
    kind = TOTPDevice if is_authenticator_code(code) else StaticDevice
    check = Check(reason=_WRONG)
    with transaction.atomic():
        for device in kind.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, data = device.verify_is_allowed()
            if not allowed:
                check = Check(reason=_wait(data))
                break
            if device.verify_token(code):
                check = Check(device=device)
                break
    if check:
        otp_login(request, check.device)
    return check


_WRONG = (
    "That code is not right. Type the 6-digit code your authenticator app shows now, "
    "or one of your recovery codes."
)


def _wait(data):
    locked_until = (data or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes: wait {seconds} {unit}, then type the code again."


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Setting up, and turning off -------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What the set-up page shows: the key as the app's QR code and as text to type."""

    key: str  # hex, as django-otp keeps it

    @property
    def base32(self):
        """The key as an app asks for it typed, in groups of four."""
        text = b32encode(unhexlify(self.key)).decode()
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))

    def qr_code(self, user):
        """The otpauth:// address as a QR code, an SVG data URI (the CSP allows data: images)."""
        device = TOTPDevice(user=user, key=self.key)  # unsaved: it only writes the address
        return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def setup_for(request):
    """The key being set up in this session, made on first asking."""
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = default_key()
    return Setup(key)


def confirm_setup(request, code):
    """Confirm the authenticator being set up with a code it shows: it replaces any the
    user had, new recovery codes replace the old ones, and the session is verified. The
    new codes are kept in the session for the page that shows them once."""
    user = request.user
    key = request.session.get(SETUP_KEY)
    code = normalise(code)
    if not key or not is_authenticator_code(code):
        return Check(reason="Type the 6-digit code your authenticator app shows for Outlook.")
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        return Check(
            reason="That code is not right: check the key in your app and your device's clock, "
            "then type the code it shows now."
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name="Authenticator",
            key=key,
            confirmed=True,
            # The code just typed is not accepted again.
            last_t=totp.t(),
            drift=totp.drift,
        )
        codes = _new_recovery_codes(user)
    del request.session[SETUP_KEY]
    request.session[NEW_CODES] = codes
    otp_login(request, device)
    return Check(device=device)


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def new_recovery_codes(request):
    """Replace the user's recovery codes; the new ones are kept for the page that shows
    them once."""
    with transaction.atomic():
        request.session[NEW_CODES] = _new_recovery_codes(request.user)
    # The session's device was the old recovery codes' if one of them signed it in.
    otp_login(request, TOTPDevice.objects.filter(user=request.user).first())


def take_new_codes(request):
    """The recovery codes just made, once: the next asking gets none."""
    return request.session.pop(NEW_CODES, None)


def turn_off(user):
    """Delete the user's authenticator and recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
