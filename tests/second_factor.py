"""The second factor in tests: a person's authenticator, the code it shows now, and a
test client's session verified as a sign-in with both factors would leave it."""

import time
from binascii import unhexlify

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator(user):
    """The user's confirmed authenticator (a TOTP device), made if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)


def code_for(key_hex, *, after_t=-1):
    """The code an app with this key shows now: for the next time step if this one's code
    was already used (`after_t`, a device's last_t), which the server's tolerance of one
    step accepts; waiting for the clock when even that one is used."""
    totp = TOTP(unhexlify(key_hex))
    while True:
        totp.time = time.time()
        if totp.t() + 1 > after_t:
            break
        time.sleep(1)
    totp.drift = max(0, after_t + 1 - totp.t())
    return f"{totp.token():06d}"


def current_code(device):
    """The code `device`'s owner would type now (one the server has not yet accepted)."""
    device.refresh_from_db()
    return code_for(device.key, after_t=device.last_t)


def verify_session(client, user):
    """Mark the test client's session as confirmed with the user's authenticator."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()
