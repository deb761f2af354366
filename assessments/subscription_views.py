"""The reader's pages of following by email (assessments.subscriptions): ask, confirm,
manage, download what is stored, unsubscribe.

None is a cached public page: each carries a form, or a secret link. The pages of a
link are never stored by a cache nor indexed, and never pass their address on as a
referrer. Unsubscribing answers one POST with no token but the link's (RFC 8058): a
mail client sends it, with no page between.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import subscriptions
from .caching import behind_a_secret_link
from .forms import FollowForm, FollowingForm


def _page(request, template, context, status=200):
    return behind_a_secret_link(render(request, template, context, status=status))


@require_http_methods(["GET", "POST"])
def follow(request):
    """Ask to follow: the same answer whether or not the address already subscribes."""
    choices = subscriptions.choices()
    if request.method == "POST":
        form = FollowForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                subscriptions.ask(
                    form.cleaned_data["email"],
                    form.selection,
                    client=request.META.get("REMOTE_ADDR", ""),
                )
            except subscriptions.TooManyRequests:
                return _page(request, "public/follow_wait.html", {}, status=429)
            except subscriptions.CouldNotSend:
                return _page(request, "public/follow_wait.html", {"not_sent": True}, status=503)
            return _page(
                request,
                "public/follow_sent.html",
                {
                    "email": subscriptions.normalise_email(form.cleaned_data["email"]),
                    "followed": subscriptions.followed(form.selection),
                    "hours": settings.SUBSCRIPTION_CONFIRM_HOURS,
                },
            )
    else:
        form = FollowForm(
            initial={
                "countries": [code.upper() for code in request.GET.getlist("country")],
                "regions": request.GET.getlist("region"),
                "addressees": request.GET.getlist("addressee"),
            },
            choices=choices,
        )
    return _page(request, "public/follow.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """A confirmation link: GET shows what it follows and asks (a mail scanner that opens
    the link confirms nothing); POST confirms."""
    try:
        email, selection = subscriptions.read_confirmation(token)
    except subscriptions.LinkExpired:
        return _page(request, "public/follow_link.html", {"expired": True}, status=410)
    except subscriptions.LinkInvalid:
        return _page(request, "public/follow_link.html", {}, status=404)
    if request.method == "POST":
        subscription = subscriptions.confirm(token)
        messages.success(request, "Thank you: your subscription is confirmed.")
        return redirect("subscription_manage", subscriptions.link_token(subscription))
    return _page(
        request,
        "public/follow_confirm.html",
        {"email": email, "followed": subscriptions.followed(selection)},
    )


def _subscription(request, token):
    """The subscription of a link, or the page that says why there is none."""
    try:
        subscription = subscriptions.from_token(token)
    except subscriptions.LinkInvalid:
        return None, _page(request, "public/follow_link.html", {}, status=404)
    if subscription is None:
        return None, _page(request, "public/follow_link.html", {"gone": True}, status=404)
    return subscription, None


@require_http_methods(["GET", "POST"])
def manage(request, token):
    """What a subscription follows, to change; its links to unsubscribe and download."""
    subscription, refusal = _subscription(request, token)
    if refusal:
        return refusal
    selection = subscriptions.Selection.of_subscription(subscription)
    choices = subscriptions.choices()
    if request.method == "POST":
        form = FollowingForm(request.POST, choices=choices)
        if form.is_valid():
            subscriptions.change(subscription, form.selection)
            messages.success(request, "Saved: you now follow what is ticked below.")
            return redirect("subscription_manage", token)
    else:
        form = FollowingForm(
            initial={
                "countries": selection.countries,
                "regions": selection.regions,
                "addressees": selection.addressees,
            },
            choices=choices,
        )
    return _page(
        request,
        "public/follow_manage.html",
        {
            "subscription": subscription,
            "form": form,
            "token": token,
            "followed": subscriptions.followed(selection),
        },
    )


@require_http_methods(["GET"])
def stored_data(request, token):
    """Everything stored about the subscriber, as JSON."""
    subscription, refusal = _subscription(request, token)
    if refusal:
        return refusal
    response = HttpResponse(
        json.dumps(subscriptions.stored_data(subscription), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="subscription.json"'
    return behind_a_secret_link(response)


# The link is the credential: a mail client's one-click POST carries no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks (a scanner that opens the link unsubscribes nobody); POST unsubscribes,
    from the page's button or a mail client's one click (RFC 8058), and answers the same
    when it is done already."""
    try:
        subscription = subscriptions.from_token(token)
    except subscriptions.LinkInvalid:
        return _page(request, "public/follow_link.html", {}, status=404)
    if request.method == "POST":
        if subscription is not None:
            subscriptions.unsubscribe(subscription)
        return _page(request, "public/follow_unsubscribed.html", {})
    if subscription is None:
        return _page(request, "public/follow_unsubscribed.html", {})
    return _page(request, "public/follow_unsubscribe.html", {"token": token})
