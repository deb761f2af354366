"""Embargoed previews: a draft edition shown, before publication, to named readers
outside the team through signed links (EmbargoLink) that expire and can be revoked.

The address carries the link's id, signed with the site's secret, so that links cannot
be guessed or enumerated; whether it still opens is the link's row (expiry, revocation),
so an editor can close it at once. Every opening is logged. The preview shows what the
edition would publish now (each entry's approved revision), marked "Embargoed until …"
with the reader's name on the page and on every PDF page. Nothing of it is public: the
public pages, search, feeds, sitemap and data read published editions only.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from .editions import with_correction_flag
from .models import EmbargoLink, EmbargoOpening, Revision
from .permissions import scheduled_time

SALT = "assessments.embargo"
# The longest an editor may keep a link open.
LONGEST = timedelta(days=90)


def token(link):
    # The same address every time for a link: signed, not timestamped (its row says
    # when it expires).
    return signing.Signer(salt=SALT).sign_object(link.pk)


def url(link):
    """The link's address, to send to its reader."""
    return settings.SITE_URL + reverse("embargo_page", args=[token(link)])


def find(value):
    """The link a token names, or Http404 for a token that is not one of ours."""
    try:
        pk = signing.Signer(salt=SALT).unsign_object(value)
    except (signing.BadSignature, ValueError):  # not ours, or ours but not a link's id
        raise Http404("No such preview.") from None
    if not isinstance(pk, int):
        raise Http404("No such preview.")
    link = EmbargoLink.objects.select_related("outlook__region", "created_by").filter(pk=pk).first()
    if link is None:  # deleted with its edition
        raise Http404("No such preview.")
    return link


def closed_reason(link, now=None):
    """Why the link no longer opens the preview, or ""."""
    if link.is_revoked:
        return f"This preview link was withdrawn on {scheduled_time(link.revoked_at)}."
    if link.is_expired(now):
        return f"This preview link expired on {scheduled_time(link.expires_at)}."
    return ""


def watermark(link):
    return f"Embargoed until {scheduled_time(link.embargoed_until)} · for {link.recipient}"


def revisions(outlook):
    """What the edition would publish now: each entry's approved revision, in order."""
    return with_correction_flag(
        Revision.objects.with_content()
        .filter(assessment__outlook=outlook, state=Revision.State.APPROVED)
        .order_by("assessment__position")
    )


def record_opening(link, what, request):
    """Log an opening of the link's page or PDF."""
    EmbargoOpening.objects.create(
        link=link,
        what=what,
        address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
