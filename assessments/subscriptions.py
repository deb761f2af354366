"""Readers who follow countries, regions and addressees by email.

Double opt-in, storing nothing until the address confirms: asking to follow (`ask`) mails
a link that carries, signed and dated, the address and what it asked to follow; opening
it and confirming (`confirm`) creates the subscription, or adds to the one the address
has. Every later mail carries the subscription's own links, signed with its key: to
manage it (`from_token`, `change`) and to leave (`unsubscribe`), which deletes it.

Nothing a person learns from asking depends on whether the address already subscribes:
the answer, the mail sent, and the limits are the same. The announcements of
publications (assessments.announcements) are mailed to the subscriptions this keeps.
"""

import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from . import emails
from .editions import published_addressees, published_countries, published_regions
from .models import Addressee, Country, Delivery, Region, Subscription

logger = logging.getLogger(__name__)

CONFIRM_SALT = "outlook.subscriptions.confirm"
LINK_SALT = "outlook.subscriptions.link"


@dataclass(frozen=True)
class Selection:
    """What a reader follows, by the keys that name it in addresses: country codes
    (upper case), region and addressee slugs, each sorted."""

    countries: tuple = ()
    regions: tuple = ()
    addressees: tuple = ()

    @classmethod
    def of(cls, countries=(), regions=(), addressees=()):
        return cls(
            tuple(sorted({code.upper() for code in countries})),
            tuple(sorted(set(regions))),
            tuple(sorted(set(addressees))),
        )

    @classmethod
    def of_subscription(cls, subscription):
        return cls.of(
            [country.code.code for country in subscription.countries.all()],
            [region.slug for region in subscription.regions.all()],
            [addressee.slug for addressee in subscription.addressees.all()],
        )

    def __bool__(self):
        return bool(self.countries or self.regions or self.addressees)

    def __or__(self, other):
        return Selection.of(
            self.countries + other.countries,
            self.regions + other.regions,
            self.addressees + other.addressees,
        )


@dataclass
class Followed:
    """A selection's objects, in reading order, for pages and mails."""

    countries: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    addressees: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.countries or self.regions or self.addressees)

    def names(self):
        """Everything followed, named: "Asia Pacific (region), DPRK, the UN Security
        Council"."""
        return [
            *(f"{region.name} (region)" for region in self.regions),
            *(country.official_name for country in self.countries),
            *(addressee.name for addressee in self.addressees),
        ]


def followed(selection):
    """The objects `selection` names (those that no longer exist left out). Three queries."""
    return Followed(
        countries=list(
            Country.objects.filter(code__in=selection.countries).order_by("official_name")
        ),
        regions=list(Region.objects.filter(slug__in=selection.regions).order_by("name")),
        addressees=list(Addressee.objects.filter(slug__in=selection.addressees).order_by("name")),
    )


def choices():
    """What a reader may follow: the regions, countries and addressees with something
    published (those whose pages exist). Three queries."""
    return Followed(
        countries=list(published_countries().order_by("official_name")),
        regions=list(published_regions().order_by("name")),
        addressees=list(published_addressees().order_by("name")),
    )


def normalise_email(email):
    """One form per address: the same address typed in capitals is the same subscriber."""
    return email.strip().lower()


# --- Asking, and confirming ------------------------------------------------------------


class TooManyRequests(Exception):
    """This client asked too often: it is told to wait (whoever the address is)."""


class CouldNotSend(Exception):
    """The mail server did not take the confirmation: the reader is asked to try later."""


def ask(email, selection, *, client):
    """Mail `email` a link to confirm that it follows `selection`, unless the address has
    been sent SUBSCRIPTION_MAILS_PER_ADDRESS links today (then nothing is sent, and
    nothing said). Raises TooManyRequests when `client` (an IP address) has asked more
    than SUBSCRIPTION_REQUESTS_PER_CLIENT times in the hour, CouldNotSend when the mail
    server fails."""
    email = normalise_email(email)
    if _counted(f"follow-client:{client}", 3600) > settings.SUBSCRIPTION_REQUESTS_PER_CLIENT:
        raise TooManyRequests
    # Per address: nobody can flood someone's inbox with confirmation requests.
    if _counted(f"follow-address:{email}", 24 * 3600) > settings.SUBSCRIPTION_MAILS_PER_ADDRESS:
        logger.info("Confirmation not sent: the address asked too often today")
        return
    token = confirmation_token(email, selection)
    context = {
        "followed": followed(selection),
        "link": settings.SITE_URL + reverse("subscription_confirm", args=[token]),
        "hours": settings.SUBSCRIPTION_CONFIRM_HOURS,
        "publisher": settings.OUTLOOK_PUBLISHER,
    }
    subject, body = emails.render("follow_confirm", context)
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [email]).send()
    except Exception as error:
        logger.exception("Could not send a confirmation link")
        raise CouldNotSend from error


def _counted(key, seconds):
    """Count one more event under `key` in the site's cache (shared by the app servers
    when several run), for `seconds` from the first; returns the count."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, seconds)
        return 1


def confirmation_token(email, selection):
    """The signed, dated text of a confirmation link: the address and what it asked for."""
    return signing.dumps(
        [normalise_email(email), selection.countries, selection.regions, selection.addressees],
        salt=CONFIRM_SALT,
        compress=True,
    )


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def read_confirmation(token):
    """(email, Selection) of a confirmation link; LinkExpired past its time, LinkInvalid if
    it was changed or was never ours."""
    try:
        email, countries, regions, addressees = signing.loads(
            token, salt=CONFIRM_SALT, max_age=settings.SUBSCRIPTION_CONFIRM_HOURS * 3600
        )
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid from None
    return email, Selection.of(countries, regions, addressees)


def confirm(token):
    """Subscribe the address of a confirmation link to what it asked for (added to what it
    already follows); returns the subscription. One transaction."""
    email, selection = read_confirmation(token)
    now = timezone.now()
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            email=email, defaults={"confirmed_at": now, "updated_at": now}
        )
        if not created:
            selection = Selection.of_subscription(subscription) | selection
        _store(subscription, selection, now)
    return subscription


def _store(subscription, selection, now):
    objects = followed(selection)
    subscription.countries.set(objects.countries)
    subscription.regions.set(objects.regions)
    subscription.addressees.set(objects.addressees)
    subscription.updated_at = now
    subscription.save(update_fields=["updated_at"])


# --- A subscriber's own links -----------------------------------------------------------


def link_token(subscription):
    """The signed key in the links to manage a subscription and to leave it."""
    return signing.Signer(salt=LINK_SALT).sign(subscription.key.hex)


def from_token(token):
    """The subscription a link names, or None when it is gone (unsubscribed since);
    LinkInvalid when the link was changed or was never ours."""
    try:
        key = uuid.UUID(signing.Signer(salt=LINK_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise LinkInvalid from None
    return Subscription.objects.filter(key=key).first()


def manage_url(subscription):
    return settings.SITE_URL + reverse("subscription_manage", args=[link_token(subscription)])


def unsubscribe_url(subscription):
    return settings.SITE_URL + reverse("subscription_unsubscribe", args=[link_token(subscription)])


def change(subscription, selection):
    """Follow `selection` instead of what the subscription followed. One transaction."""
    with transaction.atomic():
        _store(subscription, selection, timezone.now())


def unsubscribe(subscription):
    """Delete the subscription, and with it everything stored about the address: what it
    followed, and the address itself in its deliveries. Messages not yet sent are not."""
    with transaction.atomic():
        subscription.deliveries.filter(
            state__in=[Delivery.State.PENDING, Delivery.State.CLAIMED]
        ).update(state=Delivery.State.UNSUBSCRIBED, claim=None)
        subscription.delete()


def stored_data(subscription):
    """Everything stored about a subscriber, as they may download it."""
    deliveries = subscription.deliveries.select_related(
        "announcement__outlook", "announcement__revision__assessment__country"
    ).order_by("announcement__created_at", "id")
    objects = followed(Selection.of_subscription(subscription))
    return {
        "email": subscription.email,
        "confirmed_at": subscription.confirmed_at.isoformat(),
        "updated_at": subscription.updated_at.isoformat(),
        "follows": {
            "regions": [{"slug": r.slug, "name": r.name} for r in objects.regions],
            "countries": [
                {"code": c.code.code, "name": c.official_name} for c in objects.countries
            ],
            "addressees": [{"slug": a.slug, "name": a.name} for a in objects.addressees],
        },
        "messages": [
            {
                "about": str(delivery.announcement),
                "state": delivery.get_state_display(),
                "attempts": delivery.attempts,
                "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
            }
            for delivery in deliveries
        ],
    }


# --- For editors: how many follow what, no addresses ------------------------------------


def counts():
    """How many subscribers follow each region, country and addressee that anyone
    follows, and how many there are in all: three lists of (object, number) and a total."""

    def count(model):
        return [
            (obj, obj.followers)
            for obj in model.objects.annotate(followers=Count("subscriptions"))
            .filter(followers__gt=0)
            .order_by("-followers", *model._meta.ordering)
        ]

    return {
        "total": Subscription.objects.count(),
        "regions": count(Region),
        "countries": count(Country),
        "addressees": count(Addressee),
    }


def following(countries, region, addressees):
    """The subscriptions an announcement concerns: those that follow one of `countries`
    (ids), `region` (id) or one of `addressees` (ids)."""
    through = Subscription.countries.through, Subscription.regions.through
    return Subscription.objects.filter(
        Exists(through[0].objects.filter(subscription=OuterRef("pk"), country__in=countries))
        | Exists(through[1].objects.filter(subscription=OuterRef("pk"), region=region))
        | Exists(
            Subscription.addressees.through.objects.filter(
                subscription=OuterRef("pk"), addressee__in=addressees
            )
        )
    )
