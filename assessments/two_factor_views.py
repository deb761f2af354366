"""Signing in with two factors (/accounts/): the password's next step, the code step, and
the account page where a user sets up an authenticator, gets new recovery codes or turns
it off. The work is assessments.two_factor's; who must use it is the permission gate's.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import two_factor
from .forms import TwoFactorCodeForm
from .permissions import Permissions


class SignInView(auth_views.LoginView):
    """Django's sign-in with the password, then the code step for those who need it."""

    def get_success_url(self):
        return two_factor.next_step(self.request.user, super().get_success_url())


def _next_url(request):
    """Where to go after this step: the `next` asked for, if it is this site's."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


def account_page(*, setting_up=False):
    """Signed in, and past the second factor where it is needed (the set-up page is open
    to those who must set one up)."""

    def decorator(view):
        @wraps(view)
        @login_required
        @never_cache
        def wrapper(request, *args, **kwargs):
            return two_factor.detour(request, setting_up=setting_up) or view(
                request, *args, **kwargs
            )

        return wrapper

    return decorator


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def verify(request):
    """The code step: the second factor of this session's sign-in."""
    user = request.user
    next_url = _next_url(request)
    if two_factor.is_verified(user):
        return redirect(next_url)
    if not two_factor.has_device(user):
        # Nothing to check a code against: the set-up page if one is required.
        return redirect(two_factor.next_step(user, next_url))
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if form.is_valid():
        check = two_factor.verify(request, form.cleaned_data["code"])
        if check:
            if check.used_recovery_code:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code, which is now used up: {left} left. "
                    "Make new ones on the two-factor sign-in page if you are running short.",
                )
            return redirect(next_url)
        form.add_error("code", check.reason)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": next_url},
        status=status,
    )


def _account_context(request, **extra):
    user = request.user
    permissions = Permissions(user)
    return {
        "enabled": two_factor.has_device(user),
        "required": permissions.must_use_two_factor(),
        "can_turn_off": permissions.can_turn_off_two_factor(),
        "codes_left": two_factor.recovery_codes_left(user),
        "off_form": TwoFactorCodeForm(focus=False),
        **extra,
    }


@require_GET
@account_page()
def account(request):
    """The account page of two-factor sign-in: its state, and what may be done with it."""
    return render(request, "registration/two_factor.html", _account_context(request))


@require_http_methods(["GET", "POST"])
@account_page(setting_up=True)
def setup(request):
    """Set up an authenticator (or a new one, replacing the old): scan, then confirm
    with a code it shows."""
    form = TwoFactorCodeForm(request.POST or None, recovery=False)
    status = 200
    if form.is_valid():
        check = two_factor.confirm_setup(request, form.cleaned_data["code"])
        if check:
            return redirect(two_factor.with_next("two_factor_codes", _next_url(request)))
        form.add_error("code", check.reason)
        status = 400
    elif request.method == "POST":
        status = 400
    key = two_factor.setup_for(request)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "key": key.base32,
            "qr_code": key.qr_code(request.user),
            "replacing": two_factor.has_device(request.user),
            "required": Permissions(request.user).must_use_two_factor(),
            "next": _next_url(request),
        },
        status=status,
    )


@require_GET
@account_page()
def codes(request):
    """The recovery codes just made, shown this once."""
    new_codes = two_factor.take_new_codes(request)
    if not new_codes:
        messages.info(request, "Recovery codes are shown once, when they are made.")
        return redirect("two_factor")
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": new_codes, "next": _next_url(request)},
    )


@require_POST
@account_page()
def new_codes(request):
    """New recovery codes, the old ones void."""
    if not two_factor.has_device(request.user):
        messages.error(request, "Set up two-factor sign-in first.")
        return redirect("two_factor")
    two_factor.new_recovery_codes(request)
    return redirect(two_factor.with_next("two_factor_codes", reverse("two_factor")))


@require_POST
@account_page()
def turn_off(request):
    """Turn two-factor sign-in off, confirmed with a current code; refused to those who
    must use it."""
    answer = Permissions(request.user).can_turn_off_two_factor()
    if not answer:
        raise PermissionDenied(answer.reason)
    if not two_factor.has_device(request.user):
        return redirect("two_factor")
    form = TwoFactorCodeForm(request.POST, focus=False)
    if form.is_valid():
        check = two_factor.verify(request, form.cleaned_data["code"])
        if check:
            two_factor.turn_off(request.user)
            messages.success(request, "Two-factor sign-in is off: you sign in with your password.")
            return redirect("two_factor")
        form.add_error("code", check.reason)
    return render(
        request,
        "registration/two_factor.html",
        _account_context(request, off_form=form),
        status=400,
    )
