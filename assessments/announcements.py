"""The mail to subscribers about a publication: whom it concerns, what each is told, and
its sending by the queue's workers, in batches, never twice to one address.

- Publishing an edition or a correction (workflow.carry_out_publication,
  carry_out_correction) calls `announce` in its transaction: an Announcement row and its
  task, nothing more. A publication never waits for mail, and a mail server that fails
  delays the mail, never the publication.
- The task (`send`) first lists the deliveries (`plan`), once: one per subscription that
  follows a country, the region or an addressee the publication concerns, as subscribed
  at that moment. Then it sends them in batches of SUBSCRIBER_MAIL_BATCH over one
  connection to the mail server, while any are due; several workers may share the work.
- Never twice: each message is marked SENDING (committed) just before it is handed to
  the server, and SENT (committed with the next one's SENDING) once the server took it. A
  worker that dies leaves its batch CLAIMED (never handed over: `recover` puts it back)
  and at most one message SENDING, which becomes UNCERTAIN and is not sent again.
- A server that turns a message away for now (4xx) sees it again later, up to
  SUBSCRIBER_MAIL_MAX_ATTEMPTS; one that refuses it (5xx) fails it; one that cannot be
  reached puts the batch back and the task is queued again for later.

Each subscriber's message lists only what concerns them (a Digest of the publication,
read once per task, cut to their countries, region and addressees) and carries their
own links to manage the subscription and to unsubscribe in one click (RFC 8058).
"""

import contextlib
import logging
import re
import smtplib
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    PositiveSmallIntegerField,
    Q,
    Value,
    When,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import subscriptions, tasks
from .editions import CHANGE_LABELS, LOWERED, RAISED, left_out, rating_change
from .markdown import plain_text
from .models import (
    Announcement,
    Delivery,
    DeliveryAttempt,
    Outlook,
    Revision,
    Subscription,
    TrackedStatus,
    TrackedStep,
)

logger = logging.getLogger(__name__)

State = Delivery.State
Outcome = DeliveryAttempt.Outcome
ARROWS = {RAISED: "↑", LOWERED: "↓"}
# A recommendation quoted in a mail: the start of it, and the link to the rest.
QUOTE_LENGTH = 300


# --- Publishing asks -----------------------------------------------------------------


def announce(outlook, revision=None):
    """Queue the mail about a publication (an edition, or with `revision` a correction):
    called in the publication's transaction, so it is mailed if and only if it committed.
    A publication carried out again is announced once."""
    from .jobs import enqueue

    kind = Announcement.Kind.CORRECTION if revision else Announcement.Kind.EDITION
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(
                kind=kind, outlook=outlook, revision=revision
            )
    except IntegrityError:
        return None
    enqueue(tasks.send_announcement, announcement.pk)
    return announcement


# --- What a publication tells -----------------------------------------------------------


@dataclass
class Entry:
    """A country's entry as a mail lists it."""

    country: object
    rating: str
    change: str = ""  # RAISED, LOWERED, UNCHANGED, NEW, or "" when nothing to compare
    previous: str = ""
    url: str = ""
    left_out: bool = False

    @property
    def arrow(self):
        return ARROWS.get(self.change, "")

    @property
    def change_label(self):
        return CHANGE_LABELS.get(self.change, "")


@dataclass
class AddresseeNews:
    """What an edition says to one addressee: how many of each status, and the new and
    dropped recommendations quoted."""

    addressee: object
    url: str
    counts: dict = field(default_factory=dict)
    new: list = field(default_factory=list)  # (country short name, text)
    dropped: list = field(default_factory=list)  # (country short name, text, reason)

    @property
    def summary(self):
        return ", ".join(
            f"{self.counts[status]} {label.lower()}"
            for status, label in TrackedStatus.choices
            if self.counts.get(status)
        )


@dataclass
class Digest:
    """A publication as its mails tell it, read once."""

    announcement: Announcement
    subject: str
    url: str
    pdf_url: str
    entries: dict = field(default_factory=dict)  # country id: Entry, in the edition's order
    addressees: dict = field(default_factory=dict)  # addressee id: AddresseeNews
    correction: dict | None = None

    @property
    def outlook(self):
        return self.announcement.outlook

    def concerns(self):
        """(country ids, region id, addressee ids) whose followers it is for."""
        return list(self.entries), self.outlook.region_id, list(self.addressees)

    def part_for(self, countries, regions, addressees):
        """The key of what a subscriber following these (id sets) is told."""
        if self.outlook.region_id in regions:
            shown = tuple(self.entries)
        else:
            shown = tuple(pk for pk in self.entries if pk in countries)
        return shown, tuple(pk for pk in self.addressees if pk in addressees)


def digest(announcement):
    """What the announcement tells, from the published record. A handful of queries,
    whatever the size of the edition."""
    outlook = Outlook.objects.select_related("region").get(pk=announcement.outlook_id)
    announcement.outlook = outlook
    site = settings.SITE_URL
    result = Digest(
        announcement,
        subject="",
        url=site + outlook.get_absolute_url(),
        pdf_url=site + reverse("outlook_pdf", args=[outlook.slug]),
    )
    if announcement.kind == Announcement.Kind.CORRECTION:
        _correction(result, announcement.revision_id)
    else:
        _edition(result, outlook)
    return result


def _edition(result, outlook):
    result.subject = f"Published: {outlook.full_title}"
    revisions = list(
        Revision.objects.live()
        .filter(assessment__outlook=outlook)
        .select_related("assessment__country", "risk_level", "risk_status")
        .order_by("assessment__position")
    )
    previous = outlook.previous_edition()
    before = previous.live_ratings() if previous else None
    for revision in revisions:
        country = revision.assessment.country
        entry = Entry(country, revision.rating_label, url=result.url + f"#{_anchor(country)}")
        if before is not None:
            moved = rating_change(revision.risk_level.rank, before.get(country.pk))
            entry.change, entry.previous = moved.change, moved.previous
        result.entries[country.pk] = entry
    for revision in left_out(previous, revisions):
        country = revision.assessment.country
        result.entries[country.pk] = Entry(
            country, revision.rating_label, url=result.url, left_out=True
        )
    steps = (
        TrackedStep.objects.filter(outlook=outlook)
        .select_related("tracked__addressee", "tracked__country", "recommendation__addressee")
        .order_by("tracked__country__official_name", "id")
    )
    for step in steps:
        addressee = step.recommendation.addressee if step.recommendation else step.tracked.addressee
        news = result.addressees.get(addressee.pk)
        if news is None:
            news = result.addressees[addressee.pk] = AddresseeNews(
                addressee, settings.SITE_URL + addressee.get_absolute_url()
            )
        news.counts[step.status] = news.counts.get(step.status, 0) + 1
        country = step.tracked.country.short_name
        if step.status == TrackedStatus.NEW:
            news.new.append((country, _quote(step.recommendation.text)))
        elif step.status == TrackedStatus.DROPPED:
            news.dropped.append((country, _quote(step.tracked.text), step.get_reason_display()))
    result.addressees = dict(
        sorted(result.addressees.items(), key=lambda item: item[1].addressee.name)
    )


def _correction(result, revision_id):
    revision = Revision.objects.select_related(
        "assessment__country", "assessment__outlook", "risk_level", "risk_status"
    ).get(pk=revision_id)
    country = revision.assessment.country
    replaced = (
        Revision.objects.filter(
            assessment_id=revision.assessment_id,
            state=Revision.State.PUBLISHED,
            number__lt=revision.number,
        )
        .select_related("risk_level", "risk_status")
        .order_by("-number")
        .first()
    )
    url = settings.SITE_URL + revision.get_absolute_url()
    entry = Entry(country, revision.rating_label, url=url)
    if replaced is not None and replaced.rating_label != revision.rating_label:
        moved = rating_change(revision.risk_level.rank, _rating(replaced))
        entry.change, entry.previous = moved.change, moved.previous
    result.entries[country.pk] = entry
    result.subject = f"Correction: {country.short_name} in {result.outlook.full_title}"
    result.correction = {"entry": entry, "note": revision.correction_note}
    for recommendation in revision.recommendations.select_related("addressee"):
        result.addressees.setdefault(
            recommendation.addressee_id,
            AddresseeNews(
                recommendation.addressee,
                settings.SITE_URL + recommendation.addressee.get_absolute_url(),
            ),
        )


def _rating(revision):
    from .models import Rating

    return Rating(revision.risk_level.name, revision.risk_status.name, revision.risk_level.rank)


def _anchor(country):
    return country.code.code.lower()


def _quote(text):
    text = " ".join(plain_text(text).split())
    if len(text) <= QUOTE_LENGTH:
        return text
    return text[: QUOTE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


# --- Each subscriber's message ----------------------------------------------------------

# Where a subscriber's own links go in a message rendered once for everyone told the same.
MANAGE, UNSUBSCRIBE = "https://manage.invalid/", "https://unsubscribe.invalid/"


class Messages:
    """The messages of one digest, rendered once per distinct part (the last
    SUBSCRIBER_MAIL_RENDERED kept) and given each subscriber's own links."""

    def __init__(self, digest):
        self.digest = digest
        self.rendered = OrderedDict()
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        self.host = host
        self.list_id = f"{settings.OUTLOOK_PUBLISHER['name']} <subscribers.{host}>"

    def for_subscriber(self, subscription, countries, regions, addressees):
        key = self.digest.part_for(countries, regions, addressees)
        if key in self.rendered:
            self.rendered.move_to_end(key)
            text, html = self.rendered[key]
        else:
            text, html = self.rendered[key] = self._render(*key, regions, countries, addressees)
            if len(self.rendered) > settings.SUBSCRIBER_MAIL_RENDERED:
                self.rendered.popitem(last=False)
        manage = subscriptions.manage_url(subscription)
        unsubscribe = subscriptions.unsubscribe_url(subscription)
        message = EmailMultiAlternatives(
            self.digest.subject,
            text.replace(MANAGE, manage).replace(UNSUBSCRIBE, unsubscribe),
            settings.DEFAULT_FROM_EMAIL,
            [subscription.email],
            headers={
                # RFC 8058: one POST to this address unsubscribes, with no page between.
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": self.list_id,
                "Auto-Submitted": "auto-generated",
                # The same for every attempt: a server that got it once may tell.
                "Message-ID": (
                    f"<announcement-{self.digest.announcement.pk}."
                    f"{subscription.key.hex}@{self.host}>"
                ),
            },
        )
        message.attach_alternative(
            html.replace(MANAGE, manage).replace(UNSUBSCRIBE, unsubscribe), "text/html"
        )
        return message

    def _render(self, shown, addressees_shown, regions, countries, addressees):
        digest = self.digest
        entries = [digest.entries[pk] for pk in shown]
        context = {
            "digest": digest,
            "outlook": digest.outlook,
            "entries": [entry for entry in entries if not entry.left_out],
            "left_out": [entry for entry in entries if entry.left_out],
            "addressees": [digest.addressees[pk] for pk in addressees_shown],
            "correction": digest.correction,
            "follows_region": digest.outlook.region_id in regions,
            "manage_url": MANAGE,
            "unsubscribe_url": UNSUBSCRIBE,
            "publisher": settings.OUTLOOK_PUBLISHER,
            "demo": digest.outlook.region.is_demo,
        }
        return (
            render_to_string("emails/announcement.txt", context),
            render_to_string("emails/announcement.html", context),
        )


# --- Sending (the task) -------------------------------------------------------------------


def send(announcement_id):
    """The task: list the deliveries if not yet done, then send batches while any are due;
    queue itself again for those that wait for later."""
    announcement, told = plan(announcement_id)
    if announcement is None or announcement.finished_at is not None:
        return
    messages = Messages(told) if told else None
    while True:
        batch = _claim(announcement)
        if not batch:
            break
        if messages is None:
            messages = Messages(digest(announcement))
        try:
            _send_batch(batch, messages)
        except ServerUnavailable as error:
            _wait(announcement, reason=str(error))
            return
    _finish_or_wait(announcement)


def plan(announcement_id):
    """List an announcement's deliveries, once (under its row lock): one per subscription
    that follows what the publication concerns. Returns the announcement, and its digest
    when this call made the list (None when it was made already)."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None or announcement.planned_at is not None:
            return announcement, None
        told = digest(announcement)
        countries, region, addressees = told.concerns()
        followers = subscriptions.following(countries, region, addressees).values_list(
            "pk", flat=True
        )
        batch = []
        for subscription_id in followers.iterator(chunk_size=5000):
            batch.append(Delivery(announcement=announcement, subscription_id=subscription_id))
            if len(batch) == 5000:
                Delivery.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        announcement.planned_at = announcement.active_at = timezone.now()
        announcement.save(update_fields=["planned_at", "active_at"])
    return announcement, told


@dataclass
class Claimed:
    claim: uuid.UUID
    deliveries: list
    # Per subscription id, the ids of what it follows.
    countries: dict
    regions: dict
    addressees: dict


def _claim(announcement):
    """Take up to SUBSCRIBER_MAIL_BATCH due deliveries that no other worker holds. Four
    queries and two writes, whatever the batch's size."""
    now = timezone.now()
    claim = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(announcement=announcement, state=State.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[: settings.SUBSCRIBER_MAIL_BATCH]
        )
        if not ids:
            return None
        Delivery.objects.filter(pk__in=ids).update(state=State.CLAIMED, claim=claim, claimed_at=now)
        Announcement.objects.filter(pk=announcement.pk).update(active_at=now)
    deliveries = list(
        Delivery.objects.filter(claim=claim, state=State.CLAIMED)
        .select_related("subscription")
        .order_by("id")
    )
    holders = [d.subscription_id for d in deliveries if d.subscription_id]

    def followed(relation, column):
        found = defaultdict(set)
        through = getattr(Subscription, relation).through
        for subscription_id, pk in through.objects.filter(subscription_id__in=holders).values_list(
            "subscription_id", column
        ):
            found[subscription_id].add(pk)
        return found

    return Claimed(
        claim,
        deliveries,
        followed("countries", "country_id"),
        followed("regions", "region_id"),
        followed("addressees", "addressee_id"),
    )


class ServerUnavailable(Exception):
    """The mail server cannot be reached, or dropped the connection."""


class NotHandedOver(Exception):
    """The server certainly did not take the message: it said no (with `code`), or the
    connection failed before the message's text was sent (no code)."""

    def __init__(self, code, reply):
        self.code = code
        super().__init__(f"{code} {reply}".strip() if code else reply)

    @property
    def temporary(self):
        return self.code is None or 400 <= self.code < 500


def _send_batch(batch, messages):
    backend = get_connection()
    try:
        backend.open()
    except Exception as error:
        _release(batch.claim, f"The mail server could not be reached: {error}")
        raise ServerUnavailable(str(error)) from error
    sent = None
    try:
        for delivery in batch.deliveries:
            subscription = delivery.subscription
            if subscription is None:  # unsubscribed since it was listed
                _mark(delivery, batch.claim, State.UNSUBSCRIBED)
                continue
            message = messages.for_subscriber(
                subscription,
                batch.countries.get(subscription.pk, set()),
                batch.regions.get(subscription.pk, set()),
                batch.addressees.get(subscription.pk, set()),
            )
            taken = _sending(delivery, batch.claim, sent)
            sent = None
            if not taken:
                continue  # taken from this worker meanwhile: unsubscribed, or recovered
            try:
                hand_over(backend, message)
            except NotHandedOver as error:
                _turned_away(delivery, batch.claim, error)
                if error.code is None:
                    _release(batch.claim, str(error))
                    raise ServerUnavailable(str(error)) from error
                continue
            except Exception as error:
                # Lost while the text was on its way: perhaps delivered, so never again.
                _mark(
                    delivery, batch.claim, State.UNCERTAIN, error=failure_text(error), sending=True
                )
                _release(batch.claim, f"The connection to the mail server was lost: {error}")
                raise ServerUnavailable(str(error)) from error
            sent = delivery
        if sent is not None:
            _sending(None, batch.claim, sent)
    finally:
        with contextlib.suppress(Exception):
            backend.close()


def hand_over(backend, message):
    """Give one message to the mail server over the open connection. Raises NotHandedOver
    when it certainly was not taken; any other exception leaves it perhaps taken.

    Django's SMTP backend sends a message in one call, and a failure anywhere in it
    looks the same; here the steps are taken one by one (as smtplib's sendmail does),
    so that a connection lost before the text is sent is known to have sent nothing."""
    smtp = getattr(backend, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        backend.send_messages([message])  # another backend (console, memory): one step
        return
    sender = sanitize_address(message.from_email, message.encoding)
    recipient = sanitize_address(message.to[0], message.encoding)
    text = message.message().as_bytes(linesep="\r\n")
    try:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            _reset(smtp)
            raise NotHandedOver(code, reply.decode(errors="replace"))
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            _reset(smtp)
            raise NotHandedOver(code, reply.decode(errors="replace"))
    except (smtplib.SMTPServerDisconnected, OSError) as error:
        raise NotHandedOver(None, f"The connection to the mail server was lost: {error}") from error
    try:
        code, reply = smtp.data(text)
    except smtplib.SMTPDataError as error:  # refused before the text was sent
        _reset(smtp)
        raise NotHandedOver(error.smtp_code, error.smtp_error.decode(errors="replace")) from error
    if code != 250:
        _reset(smtp)
        raise NotHandedOver(code, reply.decode(errors="replace"))


def _reset(smtp):
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


# A mail server's reply may quote the address ("550 <jane@example.org>: no such user"):
# what is stored of it keeps no address, so that nothing of a subscriber outlives them.
EMAIL_RE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def failure_text(error):
    """What is recorded of a failure: its text, any email address in it taken out."""
    return EMAIL_RE.sub("[address]", str(error) or type(error).__name__)[:500]


def _sending(delivery, claim, sent):
    """Commit that `sent` was taken by the server and that `delivery` is being handed
    over, each only if this claim still holds it, in one statement (a round trip a
    message). Whether `delivery` is now this worker's to hand over."""
    now = timezone.now()
    marks = Q(pk__in=[])
    if delivery is not None:
        marks |= Q(pk=delivery.pk, state=State.CLAIMED)
    if sent is not None:
        marks |= Q(pk=sent.pk, state=State.SENDING)
    # In an UPDATE every CASE reads the row as it was: SENDING rows become SENT.
    was_sending = Q(state=State.SENDING)
    done = Delivery.objects.filter(marks, claim=claim).update(
        state=Case(
            When(was_sending, then=Value(State.SENT)),
            default=Value(State.SENDING),
        ),
        sent_at=Case(
            When(was_sending, then=Value(now)), default=F("sent_at"), output_field=DateTimeField()
        ),
        attempts=Case(
            When(was_sending, then=F("attempts") + 1),
            default=F("attempts"),
            output_field=PositiveSmallIntegerField(),
        ),
        error=Case(When(was_sending, then=Value("")), default=F("error")),
        claimed_at=Case(
            When(was_sending, then=F("claimed_at")),
            default=Value(now),
            output_field=DateTimeField(),
        ),
    )
    if delivery is None:
        return False
    if done == 1 + (sent is not None):
        return True
    # One of the two was taken from this worker meanwhile (rare): which?
    return Delivery.objects.filter(pk=delivery.pk, claim=claim, state=State.SENDING).exists()


def _mark(delivery, claim, state, *, error="", sending=False):
    marked = Delivery.objects.filter(
        pk=delivery.pk, claim=claim, state=State.SENDING if sending else State.CLAIMED
    ).update(state=state, error=error, attempts=delivery.attempts + int(sending))
    if marked and state == State.UNCERTAIN:
        DeliveryAttempt.objects.create(delivery=delivery, outcome=Outcome.UNCERTAIN, error=error)


def _turned_away(delivery, claim, error):
    """The server did not take it: later again if it may change its mind, else failed."""
    attempts = delivery.attempts + 1
    give_up = not error.temporary or attempts >= settings.SUBSCRIBER_MAIL_MAX_ATTEMPTS
    marked = Delivery.objects.filter(pk=delivery.pk, claim=claim, state=State.SENDING).update(
        state=State.FAILED if give_up else State.PENDING,
        attempts=attempts,
        error=failure_text(error),
        claim=None,
        due_at=timezone.now() + _delay(attempts),
    )
    if marked:
        DeliveryAttempt.objects.create(
            delivery=delivery,
            outcome=Outcome.LATER if error.temporary and not give_up else Outcome.REFUSED,
            error=failure_text(error),
        )


def _delay(attempts):
    return timedelta(seconds=settings.SUBSCRIBER_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _release(claim, reason):
    """Put back what this claim holds and has not handed over, for later."""
    Delivery.objects.filter(claim=claim, state=State.CLAIMED).update(
        state=State.PENDING,
        claim=None,
        error=reason[:500],
        due_at=timezone.now() + _delay(1),
    )


def _wait(announcement, *, reason):
    logger.warning("Announcement %s waits: %s", announcement.pk, reason)
    _finish_or_wait(announcement)


def _finish_or_wait(announcement):
    """Finished when nothing is left to send; else, if nothing is in a worker's hands,
    queue the task again for when the first waiting message is due."""
    from .jobs import enqueue

    left = Delivery.objects.filter(
        announcement=announcement, state__in=[State.PENDING, State.CLAIMED, State.SENDING]
    )
    if not left.exists():
        Announcement.objects.filter(pk=announcement.pk, finished_at=None).update(
            finished_at=timezone.now()
        )
        return
    if left.exclude(state=State.PENDING).exists():
        return  # another worker's batch: it ends the work
    due = left.order_by("due_at").values_list("due_at", flat=True).first()
    # Its next activity is then: `recover` does not take it for abandoned before.
    Announcement.objects.filter(pk=announcement.pk).update(active_at=max(due, timezone.now()))
    enqueue(tasks.send_announcement.using(run_after=due), announcement.pk)


# --- Recovery ----------------------------------------------------------------------------


def recover(now=None):
    """Take back what workers that stopped left: claimed messages wait again, a message
    that was being handed over becomes UNCERTAIN (never sent again), and announcements
    left without a worker are queued again. Returns the announcements queued again."""
    from .jobs import enqueue

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.SUBSCRIBER_MAIL_STALE_SECONDS)
    with transaction.atomic():
        Delivery.objects.filter(state=State.CLAIMED, claimed_at__lt=stale).update(
            state=State.PENDING, claim=None
        )
        dead = Delivery.objects.filter(state=State.SENDING, claimed_at__lt=stale)
        reason = (
            "Its worker stopped while handing it to the mail server: perhaps sent, so not "
            "sent again."
        )
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(delivery_id=pk, outcome=Outcome.UNCERTAIN, error=reason, at=now)
            for pk in dead.values_list("pk", flat=True)
        )
        dead.update(state=State.UNCERTAIN, error=reason)
        abandoned = list(
            Announcement.objects.select_for_update(skip_locked=True).filter(
                Q(active_at__lt=stale) | Q(active_at=None, created_at__lt=stale),
                finished_at=None,
            )
        )
        for announcement in abandoned:
            logger.warning("Announcement %s: its worker stopped; queued again", announcement.pk)
            announcement.active_at = now
            announcement.save(update_fields=["active_at"])
            enqueue(tasks.send_announcement, announcement.pk)
    return abandoned


# --- For editors ---------------------------------------------------------------------------


# What each state of a message means, beside its label, on an announcement's report.
MEANINGS = {
    State.PENDING: "Not yet handed to the mail server, or turned away for now and "
    "tried again later.",
    State.CLAIMED: "In a worker's batch, about to be handed over.",
    State.SENDING: "Being handed to the mail server now.",
    State.SENT: "The mail server took it.",
    State.FAILED: "The mail server refused it, or turned it away too many times.",
    State.UNCERTAIN: "Its worker stopped while handing it over: it may have arrived, "
    "and it is never sent again, so that nobody gets it twice.",
    State.UNSUBSCRIBED: "The subscriber left before it was sent.",
}
# The list's columns, and the states each counts: a message a worker holds or is handing
# over is still waiting.
TALLIES = {
    "Sent": (State.SENT,),
    "Waiting": (State.PENDING, State.CLAIMED, State.SENDING),
    "Failed": (State.FAILED,),
    "Perhaps sent": (State.UNCERTAIN,),
    "Unsubscribed": (State.UNSUBSCRIBED,),
}


def tallies(shown):
    """{announcement id: {heading of TALLIES: number}} for the announcements `shown`: one
    query, whatever their number."""
    numbers = defaultdict(lambda: dict.fromkeys(TALLIES, 0))
    column = {state: name for name, states in TALLIES.items() for state in states}
    rows = (
        Delivery.objects.filter(announcement__in=[announcement.pk for announcement in shown])
        .values("announcement", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        numbers[row["announcement"]][column[row["state"]]] += row["n"]
    return numbers


def report(announcement):
    """An announcement's deliveries: their total, (label, number, meaning) per state, and
    the reasons of those that failed or wait, most frequent first (no addresses: they
    were taken out when stored)."""
    counts = dict(announcement.deliveries.values_list("state").annotate(n=Count("id")).order_by())
    reasons = list(
        announcement.deliveries.exclude(error="")
        .filter(state__in=[State.FAILED, State.PENDING, State.UNCERTAIN])
        .values_list("error")
        .annotate(n=Count("id"))
        .order_by("-n", "error")[:10]
    )
    return {
        "total": sum(counts.values()),
        "states": [
            (label, counts.get(value, 0), MEANINGS[value]) for value, label in State.choices
        ],
        "reasons": reasons,
    }
