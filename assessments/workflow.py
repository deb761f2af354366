"""The editorial workflow's actions: every write of editorial state, in one place.

Views, the admin, the importer and management commands call these functions; none of
them changes a state, a live revision or the audit log by itself. Each action

- asks the permission gate (assessments.permissions, whose TRANSITIONS table says who
  may take which action from which state) and raises PermissionDenied with its reason,
- claims the rows it changes with select_for_update(), so that two people acting at
  once are serialised and the second sees the first's result,
- writes an AuditEvent (`audit()`),
- runs in one transaction, and queues its mail in it (assessments.jobs.enqueue): a mail
  goes out only for a change that committed.

Publishing is asked for here and carried out by a worker (assessments.jobs), which
calls carry_out_publication or carry_out_correction.

Actions take the acting user; `acting_user=None` is the system (an import run from
the command line), which skips the permission check as an operator's shell would.
"""

import logging
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from . import (
    announcements,
    caching,
    checks,
    derived,
    embargo,
    jobs,
    stored_exports,
    stored_files,
    tasks,
    tracker,
)
from .content import DroppedDraft, NewSource, revision_content
from .models import (
    Addressee,
    Assessment,
    AuditEvent,
    CheckAcknowledgement,
    EmbargoLink,
    LineageMatch,
    Outlook,
    PublicationJob,
    Recommendation,
    ReviewComment,
    Revision,
    RiskLevel,
    RiskStatus,
    Source,
)
from .permissions import ANALYST, REVIEWER, TRANSITIONS, Permissions, scheduled_time

State = Revision.State
logger = logging.getLogger(__name__)


class ConflictError(Exception):
    """A save based on a version of the draft that someone else has replaced since."""

    def __init__(self, revision):
        self.revision = revision
        super().__init__(
            f"Someone else saved this draft since you opened it (version {revision.version})."
        )


def audit(actor, action, description, *, revision=None, outlook=None, **data):
    """Record who did what to which object; `actor` None is the system."""
    if revision is not None and outlook is None:
        outlook = revision.assessment.outlook
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        outlook=outlook,
        revision=revision,
        description=description,
        data=data,
    )


def _require(user, action, obj=None):
    Permissions(user).require(action, obj)


def _require_still(user, action):
    """Refuse a job whose requester may no longer do what they asked (PermissionDenied)."""
    answer = Permissions(user).can_carry_out(action)
    if not answer:
        raise PermissionDenied(answer.reason)


def _claim(revision, action, user):
    """Lock the revision's row and ask the gate about its current state."""
    locked = (
        Revision.objects.select_for_update()
        .select_related("assessment__outlook", "assessment__country")
        .get(pk=revision.pk)
    )
    _require(user, action, locked)
    return locked


def _claim_outlook(outlook, action, user):
    locked = Outlook.objects.select_for_update().select_related("region").get(pk=outlook.pk)
    _require(user, action, locked)
    return locked


def _move(revision, action, **fields):
    """Put the revision in the state the action leads to (TRANSITIONS)."""
    _set_state(revision, TRANSITIONS[action].target, **fields)


def _set_state(revision, state, **fields):
    revision.state = state
    for name, value in fields.items():
        setattr(revision, name, value)
    revision.save(update_fields=["state", "updated_at", *fields])


def _label(revision):
    assessment = revision.assessment
    return (
        f"{assessment.country.short_name} revision {revision.number} · version "
        f"{revision.version} in {assessment.outlook.full_title}"
    )


def _entries(count):
    return f"{count} entr{'y' if count == 1 else 'ies'}"


# --- Drafts ----------------------------------------------------------------------


def save_draft(revision, content, *, user, based_on_version):
    """Replace a draft's content (a DraftContent), unless someone saved it since
    `based_on_version`.

    Raises ConflictError (nothing is written) when the stored version has moved on,
    and PermissionDenied when the revision is no longer editable. Every save is
    kept in the audit log with its content, so no saved text is ever lost.
    """
    with transaction.atomic():
        locked = _claim(revision, "save", user)
        if locked.version != based_on_version:
            raise ConflictError(locked)
        _write_content(locked, content)
        locked.version += 1
        locked.save(
            update_fields=[
                "risk_level",
                "risk_status",
                "rationale",
                "correction_note",
                "version",
                "updated_at",
            ]
        )
        locked.contributors.add(user)
        stored = Revision.objects.with_content().get(pk=locked.pk)
        audit(
            user,
            "save",
            f"Saved {_label(stored)}",
            revision=stored,
            version=stored.version,
            content=revision_content(stored).to_json(),
        )
    return stored


def _write_content(revision, content):
    """Write content into an editable revision (the caller holds its row lock)."""
    if not revision.is_editable:
        # The database refuses this too (migration 0004); say it plainly first.
        raise PermissionDenied(f"{revision} is not editable.")
    revision.risk_level = content.risk_level
    revision.risk_status = content.risk_status
    revision.rationale = content.rationale
    revision.correction_note = content.correction_note
    # A row may continue a recommendation the draft held or the previous edition made,
    # once: any other lineage (a forged or stale post) starts a new one, so that a
    # lineage never crosses from one country's recommendations to another's.
    previous = {row.lineage for row in tracker.predecessors(revision.assessment)}
    allowed = previous | set(revision.recommendations.values_list("lineage", flat=True))
    continued = set()
    for item in content.recommendations:
        if item.lineage not in allowed or item.lineage in continued:
            item.lineage = None
        continued.add(item.lineage)
    dropped = [
        item
        for item in content.dropped
        if item.lineage in previous
        and item.lineage not in continued
        and (item.superseded_by is None or item.superseded_by in continued)
    ]
    revision.findings.all().delete()
    revision.recommendations.all().delete()
    revision.footnotes.all().delete()
    revision.dropped.all().delete()
    addressees = Addressee.objects.find_or_create_all(
        item.addressee for item in content.recommendations
    )
    footnotes = []
    for note in content.footnotes:
        source = note.source
        if isinstance(source, NewSource):
            source = Source.objects.create(**vars(source))
        footnotes.append((note.number, source, note.pinpoint))
    revision.add_content(
        content.findings,
        [
            Recommendation(
                addressee=addressees[item.addressee.casefold()],
                text=item.text,
                lineage=item.lineage or uuid.uuid4(),
                implementation=item.implementation,
                evidence=item.evidence if item.implementation else None,
            )
            for item in content.recommendations
        ],
        footnotes,
        [item.row() for item in dropped],
    )


def submit(revision, *, user):
    """Send a draft to the reviewers."""
    with transaction.atomic():
        locked = _claim(revision, "submit", user)
        problems = submission_problems(locked)
        if problems:
            raise ValidationError(problems)
        _move(locked, "submit", submitted_at=timezone.now())
        locked.contributors.add(user)
        audit(user, "submit", f"Submitted {_label(locked)} for review", revision=locked)
        jobs.enqueue(tasks.mail_submitted, locked.pk)
    return locked


def submission_problems(revision):
    """What stops a draft going to review; the editorial checks add their own."""
    problems = []
    if not revision.findings.exists():
        problems.append("Add at least one finding before submitting.")
    if revision.in_published_edition and not revision.correction_note.strip():
        problems.append("A correction needs a public correction note saying what changed.")
    if revision.version == 1 and revision.based_on_id is None:
        # A new country's draft starts with a placeholder rating: someone must save it.
        problems.append("Set the rating and save the draft before submitting.")
    results = checks.check_revision(revision)
    for result in checks.blocking_errors(results):
        problems.append(f"{result.place_label}: {result.message}")
    acknowledged = revision.acknowledgements.values_list("key", flat=True)
    waiting = checks.unacknowledged_warnings(results, acknowledged)
    if waiting:
        problems.append(
            f"{len(waiting)} warning{'s' if len(waiting) > 1 else ''} from the checks "
            "must be fixed or acknowledged before submitting."
        )
    return problems


def acknowledge(revision, key, *, user, note=""):
    """Record that the analyst read a warning of the checks and lets it stand.

    Only a warning that the stored draft still produces can be acknowledged;
    returns the acknowledgement, or None when the warning no longer stands. Letting a
    warning stand is a decision about the text: whoever makes it contributes to the
    revision, and so cannot approve it (four eyes).
    """
    with transaction.atomic():
        locked = _claim(revision, "save", user)
        warnings = _standing_warnings(locked)
        result = warnings.get(key)
        if result is None:
            return None
        return _acknowledge(locked, result, user=user, note=note)


def acknowledge_all(revision, keys, *, user, note):
    """Let every warning in `keys` that the stored draft still produces stand, with one
    note (required: a bulk decision must say why); returns the warnings acknowledged now.

    `keys` are the warnings the analyst saw: one the stored draft has since gained is not
    acknowledged unseen, nor an error, nor a key no longer produced. Each acknowledgement
    is audited as a single one is, in one transaction.
    """
    note = note.strip()
    with transaction.atomic():
        locked = _claim(revision, "save", user)
        if not note:
            raise ValidationError(
                "Say in the note why these warnings stand: one note for all of them."
            )
        warnings = _standing_warnings(locked)
        done = set(locked.acknowledgements.values_list("key", flat=True))
        acknowledged = []
        for key in dict.fromkeys(keys):
            result = warnings.get(key)
            if result is not None and key not in done:
                _acknowledge(locked, result, user=user, note=note)
                acknowledged.append(result)
    return acknowledged


def _standing_warnings(revision):
    """{key: result} of the warnings the stored draft produces now."""
    return {
        result.key: result
        for result in checks.check_revision(revision)
        if result.severity == checks.Severity.WARNING
    }


def _acknowledge(locked, result, *, user, note):
    acknowledgement, created = CheckAcknowledgement.objects.get_or_create(
        revision=locked, key=result.key, defaults={"user": user, "note": note}
    )
    if created:
        locked.contributors.add(user)
        audit(
            user,
            "acknowledge",
            f"Acknowledged a warning on {_label(locked)}: {result.place_label}: {result.message}",
            revision=locked,
            key=result.key,
            note=note,
        )
    return acknowledgement


def recall(revision, *, user):
    """Take a submitted revision back to draft before anyone has reviewed it."""
    with transaction.atomic():
        locked = _claim(revision, "recall", user)
        _move(locked, "recall", submitted_at=None)
        audit(user, "recall", f"Recalled {_label(locked)} from review", revision=locked)
    return locked


def approve(revision, *, user, comment=""):
    """A reviewer approves a submitted revision they did not contribute to; with review
    comments still open, only saying why (`comment`)."""
    return _decide(revision, "approve", user=user, comment=comment)


def request_changes(revision, *, user, comment):
    """A reviewer sends a submitted revision back to its analysts with comments."""
    if not comment.strip():
        raise ValidationError("Say what should change.")
    return _decide(revision, "request_changes", user=user, comment=comment)


def _decide(revision, action, *, user, comment):
    with transaction.atomic():
        locked = _claim(revision, action, user)
        still_open = locked.comments.filter(state=ReviewComment.State.OPEN).count()
        if action == "approve" and still_open and not comment.strip():
            raise ValidationError(
                f"{still_open} review comment{'s are' if still_open > 1 else ' is'} still "
                "open: say why you approve it as it is, or request changes."
            )
        _move(locked, action)
        review = locked.reviews.create(reviewer=user, decision=action, comment=comment)
        verb = "Approved" if action == "approve" else "Requested changes to"
        audit(user, action, f"{verb} {_label(locked)}", revision=locked, comment=comment)
        jobs.enqueue(tasks.mail_decision, review.pk)
    return locked


# --- Review comments ------------------------------------------------------------------


def add_comment(revision, *, anchor, position=None, quote="", text, user):
    """A reviewer's comment on a part of a submitted revision (ReviewComment.Anchor, with
    the row's number for a finding, recommendation or footnote)."""
    with transaction.atomic():
        locked = _claim(revision, "comment", user)
        numbered = anchor in ReviewComment.NUMBERED
        rows = {
            ReviewComment.Anchor.FINDING: locked.findings,
            ReviewComment.Anchor.RECOMMENDATION: locked.recommendations,
            ReviewComment.Anchor.FOOTNOTE: locked.footnotes,
        }
        number = "number" if anchor == ReviewComment.Anchor.FOOTNOTE else "position"
        if numbered and not rows[anchor].filter(**{number: position}).exists():
            raise ValidationError(
                {"anchor": f"This revision has no {anchor} {position}: choose another place."}
            )
        comment = ReviewComment.objects.create(
            revision=locked,
            anchor=anchor,
            position=position if numbered else None,
            quote=quote.strip(),
            text=text,
            author=user,
        )
        audit(
            user,
            "comment",
            f"Commented on {comment.place} of {_label(locked)}",
            revision=locked,
            comment=comment.pk,
            text=text,
        )
    return comment


def resolve_comment(comment, *, reply="", user):
    """An analyst resolves a review comment, with a reply if they like, while the
    revision is back with them."""
    with transaction.atomic():
        locked = _claim_comment(comment, "resolve_comment", user)
        locked.state = ReviewComment.State.RESOLVED
        locked.resolved_by, locked.resolved_at, locked.reply = user, timezone.now(), reply
        locked.save(update_fields=["state", "resolved_by", "resolved_at", "reply"])
        audit(
            user,
            "resolve_comment",
            f"Resolved the comment on {locked.place} of {_label(locked.revision)}",
            revision=locked.revision,
            comment=locked.pk,
            reply=reply,
        )
    return locked


def reopen_comment(comment, *, user):
    """A reviewer reopens a resolved comment: it still stands."""
    with transaction.atomic():
        locked = _claim_comment(comment, "reopen_comment", user)
        locked.state = ReviewComment.State.OPEN
        locked.save(update_fields=["state"])
        audit(
            user,
            "reopen_comment",
            f"Reopened the comment on {locked.place} of {_label(locked.revision)}",
            revision=locked.revision,
            comment=locked.pk,
        )
    return locked


def _claim_comment(comment, action, user):
    """Lock the comment's revision, then the comment, and ask the gate."""
    revision = (
        Revision.objects.select_for_update()
        .select_related("assessment__outlook", "assessment__country")
        .get(pk=comment.revision_id)
    )
    locked = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    locked.revision = revision
    _require(user, action, locked)
    return locked


# --- Editions ------------------------------------------------------------------------


def create_edition(region, period, *, user, title="", introduction=""):
    """A new draft edition whose entries start as copies of the previous edition's.

    Raises ValidationError if the region already has an edition for that month, also
    when another editor creates it at the same moment.
    """
    _require(user, "create_edition")
    period = period.replace(day=1)
    exists = ValidationError(
        f"There is already a {region} outlook for {period:%B %Y}.", code="edition_exists"
    )
    slug = Outlook.make_slug(region.name, period)
    if len(slug) > Outlook._meta.get_field("slug").max_length:
        raise ValidationError(
            f"The region's name is too long to make the edition's web address ({slug}): "
            "shorten it in the admin first.",
            code="slug_too_long",
        )
    with transaction.atomic():
        if Outlook.objects.filter(region=region, period=period).exists():
            raise exists
        try:
            # Two editors may both pass the test above at the same moment: the database's
            # unique constraints (region and period, slug) let one insert through and make
            # the other wait for it, then refuse it. The savepoint keeps this transaction
            # usable to say so.
            with transaction.atomic():
                outlook = Outlook.objects.create(
                    region=region,
                    period=period,
                    title=title or f"{region.name} Regional Outlook",
                    slug=slug,
                    introduction=introduction,
                )
        except IntegrityError:
            if Outlook.objects.filter(region=region, period=period).exists():
                raise exists from None
            raise
        previous = outlook.previous_edition()
        if previous:
            for old in previous.assessments.select_related("country").order_by("position"):
                assessment = Assessment.objects.create(
                    outlook=outlook, country=old.country, position=old.position
                )
                _start_revision(assessment, user, Revision.objects.previous_entry(assessment))
        audit(
            user,
            "create_edition",
            f"Created {outlook.full_title}" + (f" from {previous.full_title}" if previous else ""),
            outlook=outlook,
        )
    return outlook


def _start_revision(assessment, user, source=None):
    """A new draft for an assessment: a copy of `source` (fetched with_content()), or
    empty with a placeholder rating.

    The rationale explains a change of rating since the previous edition. A correction
    (`source` is the same entry's published revision) is compared with that same previous
    edition, so it keeps the rationale; a new edition's copy (`source` is the previous
    edition's entry) starts with the rating unchanged, and nothing to explain."""
    number = assessment.next_revision_number()
    if source is None:
        # Placeholder rating: the lowest tier and first status. The draft cannot be
        # submitted until an analyst has saved it (see submission_problems).
        return Revision.objects.create(
            assessment=assessment,
            number=number,
            risk_level=RiskLevel.objects.order_by("rank").first(),
            risk_status=RiskStatus.objects.order_by("position").first(),
            created_by=user,
        )
    revision = Revision.objects.create(
        assessment=assessment,
        number=number,
        risk_level=source.risk_level,
        risk_status=source.risk_status,
        rationale=source.rationale if source.assessment_id == assessment.pk else "",
        based_on=source,
        created_by=user,
    )
    correction = source.assessment_id == assessment.pk
    revision.add_content(
        [f.text for f in source.findings.all()],
        # A copy continues each recommendation (its lineage). An implementation
        # assessment is the previous edition's judgement: a new edition judges afresh.
        [
            Recommendation(
                addressee=r.addressee,
                text=r.text,
                lineage=r.lineage,
                implementation=r.implementation if correction else "",
                evidence=r.evidence if correction else None,
            )
            for r in source.recommendations.all()
        ],
        [(n.number, n.source, n.pinpoint) for n in source.footnotes.all()],
        # Why the previous edition's recommendations were dropped: a correction's
        # (compared with the same previous edition) still holds; a new edition's starts empty.
        [DroppedDraft.from_row(row).row() for row in source.dropped.all()] if correction else [],
    )
    return revision


def _next_position(outlook):
    return (outlook.assessments.aggregate(n=Max("position"))["n"] or 0) + 1


def add_country(outlook, country, *, user):
    """Add a country to a draft edition, starting from its last published entry if any."""
    with transaction.atomic():
        outlook = _claim_outlook(outlook, "add_country", user)
        if outlook.assessments.filter(country=country).exists():
            raise ValidationError(f"{country} is already in {outlook.full_title}.")
        assessment = Assessment.objects.create(
            outlook=outlook, country=country, position=_next_position(outlook)
        )
        _start_revision(assessment, user, Revision.objects.previous_entry(assessment))
        audit(user, "add_country", f"Added {country} to {outlook.full_title}", outlook=outlook)
    return assessment


# --- The newsroom's plan: who writes and reviews each entry, and by when --------------


def assign(assessment, *, analyst, reviewer, user):
    """Ask `analyst` to write a draft edition's entry and `reviewer` to review it (None
    for nobody); each newly named is told by mail. Who may edit or approve is unchanged."""
    with transaction.atomic():
        _claim_outlook(assessment.outlook, "assign", user)
        locked = (
            Assessment.objects.select_for_update().select_related("country").get(pk=assessment.pk)
        )
        _check_assignees(analyst, reviewer)
        named = [
            (role, person)
            for role, person, before in (
                ("analyst", analyst, locked.analyst_id),
                ("reviewer", reviewer, locked.reviewer_id),
            )
            if person is not None and person.pk != before
        ]
        locked.analyst, locked.reviewer = analyst, reviewer
        locked.save(update_fields=["analyst", "reviewer"])
        audit(
            user,
            "assign",
            f"Assigned {locked.country.short_name} in {locked.outlook.full_title}: "
            f"analyst {_name(analyst)}, reviewer {_name(reviewer)}",
            outlook=locked.outlook,
            analyst=analyst.pk if analyst else None,
            reviewer=reviewer.pk if reviewer else None,
        )
        for role, person in named:
            jobs.enqueue(tasks.mail_assigned, locked.pk, role, person.pk)
    return locked


def take(assessment, *, user):
    """An analyst takes a draft edition's entry that nobody is asked to write."""
    with transaction.atomic():
        outlook = Outlook.objects.select_for_update().get(pk=assessment.outlook_id)
        locked = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("country", "analyst")
            .get(pk=assessment.pk)
        )
        locked.outlook = outlook
        _require(user, "take", locked)
        locked.analyst = user
        locked.save(update_fields=["analyst"])
        audit(
            user,
            "take",
            f"Took {locked.country.short_name} in {outlook.full_title} to write",
            outlook=outlook,
        )
    return locked


def plan_edition(outlook, *, drafts_due, reviews_due, user):
    """Set when a draft edition's drafts and reviews are due (None for no date)."""
    if drafts_due and reviews_due and reviews_due < drafts_due:
        raise ValidationError(
            {"reviews_due": "Reviews cannot be due before the drafts they review."}
        )
    with transaction.atomic():
        locked = _claim_outlook(outlook, "plan_edition", user)
        locked.drafts_due, locked.reviews_due = drafts_due, reviews_due
        locked.save(update_fields=["drafts_due", "reviews_due"])
        audit(
            user,
            "plan_edition",
            f"Set the dates of {locked.full_title}: drafts due {drafts_due or 'any time'}, "
            f"reviews due {reviews_due or 'any time'}",
            outlook=locked,
            drafts_due=drafts_due.isoformat() if drafts_due else None,
            reviews_due=reviews_due.isoformat() if reviews_due else None,
        )
    return locked


def _check_assignees(analyst, reviewer):
    errors = {}
    if analyst is not None and not Permissions(analyst).has_role(ANALYST):
        errors["analyst"] = f"{_name(analyst)} does not hold the analyst role."
    if reviewer is not None and not Permissions(reviewer).has_role(REVIEWER):
        errors["reviewer"] = f"{_name(reviewer)} does not hold the reviewer role."
    if analyst is not None and reviewer is not None and analyst.pk == reviewer.pk:
        errors["reviewer"] = "The reviewer must be someone other than the analyst who writes it."
    if errors:
        raise ValidationError(errors)


def _name(user):
    if user is None:
        return "nobody"
    return user.get_full_name() or user.username


def remove_country(assessment, *, user):
    """Remove a country, and its drafts, from a draft edition."""
    with transaction.atomic():
        outlook = _claim_outlook(assessment.outlook, "remove_country", user)
        assessment = outlook.assessments.select_related("country").get(pk=assessment.pk)
        country = assessment.country
        assessment.delete()
        audit(
            user,
            "remove_country",
            f"Removed {country} from {outlook.full_title}",
            outlook=outlook,
            country=country.code.code,
        )


def move_country(assessment, offset, *, user):
    """Move a country up (offset -1) or down (+1) in a draft edition's order."""
    with transaction.atomic():
        outlook = _claim_outlook(assessment.outlook, "move_country", user)
        ordered = list(outlook.assessments.select_related("country").order_by("position"))
        index = next(i for i, a in enumerate(ordered) if a.pk == assessment.pk)
        other = index + offset
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        # Positions are unique: park the rows above the range before renumbering.
        top = max(a.position for a in ordered) + 1
        for i, item in enumerate(ordered):
            Assessment.objects.filter(pk=item.pk).update(position=top + i)
        for i, item in enumerate(ordered, 1):
            Assessment.objects.filter(pk=item.pk).update(position=i)
        audit(
            user,
            "reorder",
            f"Moved {assessment.country} {'up' if offset < 0 else 'down'} in {outlook.full_title}",
            outlook=outlook,
        )


@contextmanager
def _publication():
    """The durable transaction of a publication.

    A file written to storage is not part of the database transaction: if the
    publication fails before it commits, the files it stored (PDFs, exports) are
    deleted, or they would be left behind (stored_files.deleted_unless_committed). Once
    it has committed, they belong to a published edition and are never deleted here:
    what runs after the commit (the on-commit hooks: the mail) can still fail inside
    this block, and must neither undo nor misreport the publication, so those hooks are
    registered robust (a failure is logged) and the files are kept.
    """
    with stored_files.deleted_unless_committed(), transaction.atomic(durable=True):
        yield


def publish(outlook, *, user, at=None):
    """Ask for an edition to be published: every entry's approved revision, the pages and
    the PDFs, at once. Returns the PublicationJob, queued; a worker carries it out
    (carry_out_publication), and the editor's page follows it. With `at` (an aware
    datetime), a worker carries it out then; it can be cancelled until it starts.

    What the gate or the edition's problems refuse is refused here, at once
    (PermissionDenied, ValidationError), a second request while one is under way too.
    The worker asks both again when it runs.
    """
    check_schedule(at)
    # Asked first (of the row as it is now) without a lock, so that a request while a
    # publication runs is refused at once rather than after waiting for its row lock.
    _require(user, "publish", Outlook.objects.get(pk=outlook.pk))
    with transaction.atomic():
        locked = _claim_outlook(outlook, "publish", user)
        problems = locked.publication_problems()
        if problems:
            raise ValidationError(problems)
        job = jobs.request(locked, kind=PublicationJob.Kind.PUBLISH, user=user, at=at)
        _audit_request(user, job, "publication", locked.full_title, outlook=locked)
    return job


def _audit_request(user, job, kind, what, **target):
    """Record a publication asked for now, or scheduled for job.scheduled_for."""
    if job.scheduled_for is None:
        audit(user, f"request_{kind}", f"Asked for {what} to be published", job=job.pk, **target)
    else:
        audit(
            user,
            f"schedule_{kind}",
            f"Scheduled {what} to be published on {scheduled_time(job.scheduled_for)}",
            job=job.pk,
            at=job.scheduled_for.isoformat(),
            **target,
        )


# How far ahead a publication may be scheduled: further is more likely a typo in the year.
SCHEDULE_HORIZON = timedelta(days=366)


def check_schedule(at, now=None):
    """Refuse (ValidationError) a publication time that has passed or is over a year away."""
    if at is None:
        return
    now = now or timezone.now()
    if at <= now:
        raise ValidationError(
            f"Choose a time in the future: {scheduled_time(at)} has passed. "
            "To publish now, use Publish now."
        )
    if at > now + SCHEDULE_HORIZON:
        raise ValidationError(
            f"Choose a time within a year: {scheduled_time(at)} is more than a year away."
        )


def cancel_publication(job, *, user):
    """Cancel a scheduled publication (of an edition or a correction) before it starts."""
    with transaction.atomic():
        # The job's row lock: a worker that claims it waits, then finds it cancelled.
        locked = (
            PublicationJob.objects.select_for_update(of=("self",))
            .select_related("outlook__region", "revision__assessment__country")
            .get(pk=job.pk)
        )
        _require(user, "cancel_publication", locked)
        jobs.cancel(locked, user)
        what = (
            locked.outlook.full_title
            if locked.kind == PublicationJob.Kind.PUBLISH
            else f"the correction {_label(locked.revision)}"
        )
        audit(
            user,
            "cancel_publication",
            f"Cancelled the publication of {what}, "
            f"scheduled for {scheduled_time(locked.scheduled_for)}",
            outlook=locked.outlook,
            revision=locked.revision,
            job=locked.pk,
        )
    return locked


def carry_out_publication(job, *, progress):
    """Publish the edition a job asked for (run by a worker, assessments.jobs).

    All or nothing: the state flips, the PDFs (the edition's and each country's) and the
    preview image are rendered and stored, and the job is marked succeeded in one
    transaction; if anything fails before the commit, it rolls back, the files written
    are deleted, and the edition and its revisions stay as they were. Once committed, the edition is
    published, whatever happens to the mail (see _publication). An edition already
    published (a job started again) is left as it is: publication happens once.
    """
    from .pdf import store_pdfs
    from .stored_exports import store_preview

    with _publication():
        # NO KEY: a correction requested meanwhile may still insert its job, which
        # refers to this row (a key share lock), without waiting for this publication.
        locked = (
            Outlook.objects.select_for_update(no_key=True)
            .select_related("region")
            .get(pk=job.outlook_id)
        )
        if locked.is_published:
            jobs.succeed(
                job, f"{locked.full_title} was already published: nothing to do.", progress
            )
            return locked
        user = job.requested_by
        _require_still(user, "publish")
        revisions = list(
            Revision.objects.select_for_update(no_key=True)
            .filter(assessment__outlook=locked, state=State.APPROVED)
            .select_related("assessment")
        )
        problems = locked.publication_problems()
        if problems:
            raise ValidationError(problems)
        progress("Publishing the entries.")
        now = timezone.now()
        for revision in revisions:
            _set_state(revision, State.PUBLISHED, published_at=now)
            Assessment.objects.filter(pk=revision.assessment_id).update(published_revision=revision)
        locked.state = TRANSITIONS["publish"].target
        locked.published_at = now
        locked.published_on = timezone.localdate(now)
        locked.published_by = user
        locked.save(update_fields=["state", "published_at", "published_on", "published_by"])
        derived.record_published(locked, revisions)
        store_pdfs(locked, progress=progress)
        progress("Rendering the preview image.")
        store_preview(locked)
        progress("Saving the publication.")
        audit(
            user,
            "publish",
            f"Published {locked.full_title} ({_entries(len(revisions))})",
            outlook=locked,
            revisions=[r.pk for r in revisions],
        )
        jobs.enqueue(tasks.mail_published, locked.pk)
        # Subscribers are told by the queue, after the commit: never in this transaction.
        announcements.announce(locked)
        jobs.succeed(job, f"Published {locked.full_title}.", progress)
    return locked


# --- Embargoed previews -------------------------------------------------------------


def share_embargoed(outlook, *, recipient, embargoed_until, expires_at, user):
    """A signed link (EmbargoLink) to a draft edition's preview for a named reader
    outside the team, until `expires_at` (at most embargo.LONGEST away)."""
    with transaction.atomic():
        locked = _claim_outlook(outlook, "share_embargoed", user)
        now = timezone.now()
        if expires_at <= now:
            raise ValidationError("The link must expire in the future.")
        if expires_at > now + embargo.LONGEST:
            raise ValidationError(
                f"A preview link may stay open for {embargo.LONGEST.days} days at most."
            )
        if embargoed_until <= now:
            raise ValidationError("The embargo must last until a time in the future.")
        link = EmbargoLink(
            outlook=locked,
            recipient=recipient,
            embargoed_until=embargoed_until,
            expires_at=expires_at,
            created_by=user,
        )
        link.full_clean()
        link.save()
        audit(
            user,
            "share_embargoed",
            f"Shared an embargoed preview of {locked.full_title} with {recipient}, "
            f"open until {scheduled_time(expires_at)}",
            outlook=locked,
            link=link.pk,
        )
    return link


def revoke_embargoed(link, *, user):
    """Close an embargoed preview's link at once."""
    with transaction.atomic():
        locked = (
            EmbargoLink.objects.select_for_update(of=("self",))
            .select_related("outlook__region")
            .get(pk=link.pk)
        )
        _require(user, "revoke_embargoed", locked)
        locked.revoked_at = timezone.now()
        locked.revoked_by = user
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit(
            user,
            "revoke_embargoed",
            f"Withdrew the embargoed preview of {locked.outlook.full_title} "
            f"shared with {locked.recipient}",
            outlook=locked.outlook,
            link=locked.pk,
        )
    return locked


# --- Corrections -------------------------------------------------------------------


def start_correction(assessment, *, user):
    """A new draft of a published entry, to be reviewed and published as a correction."""
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("outlook", "country")
            .get(pk=assessment.pk)
        )
        _require(user, "start_correction", assessment)
        revision = _start_revision(
            assessment,
            user,
            Revision.objects.with_content().get(pk=assessment.published_revision_id),
        )
        audit(
            user, "start_correction", f"Started a correction: {_label(revision)}", revision=revision
        )
    return revision


def publish_correction(revision, *, user, at=None):
    """Ask for an approved correction to be published: it becomes the entry the public
    sees, with its note. Returns the PublicationJob, queued; a worker carries it out
    (carry_out_correction), then or `at` the time given. Refusals are at once, as for
    publish()."""
    check_schedule(at)
    # Asked first without a lock, as publish() does.
    current = Revision.objects.select_related("assessment__outlook").get(pk=revision.pk)
    _require(user, "publish_correction", current)
    with transaction.atomic():
        locked = _claim(revision, "publish_correction", user)
        outlook = locked.assessment.outlook
        job = jobs.request(
            outlook, kind=PublicationJob.Kind.CORRECTION, user=user, revision=locked, at=at
        )
        _audit_request(user, job, "correction", f"a correction ({_label(locked)})", revision=locked)
    return job


def carry_out_correction(job, *, progress):
    """Publish the correction a job asked for (run by a worker, assessments.jobs).

    The revision it replaces stays published and readable at its own URL; the edition's
    PDF, the entry's and the edition's preview image are rendered again, in the same
    transaction, all or nothing as for an edition. A correction already published (a job
    started again) is left as it is.
    """
    from .pdf import store_pdfs
    from .stored_exports import store_preview

    with _publication():
        # The edition first, as carry_out_publication does: publications of one edition
        # take turns (and NO KEY, see there).
        outlook = Outlook.objects.select_for_update(no_key=True).get(pk=job.outlook_id)
        locked = (
            Revision.objects.select_for_update(no_key=True)
            .select_related("assessment__outlook", "assessment__country")
            .get(pk=job.revision_id)
        )
        if locked.state == State.PUBLISHED:
            jobs.succeed(job, "The correction was already published: nothing to do.", progress)
            return locked
        if locked.state != State.APPROVED or not locked.in_published_edition:
            state = locked.get_state_display().lower()
            raise ValidationError(f"This revision is {state}: it cannot be published now.")
        user = job.requested_by
        _require_still(user, "publish_correction")
        assessment = Assessment.objects.select_for_update(no_key=True).get(pk=locked.assessment_id)
        previous_id = assessment.published_revision_id
        progress("Publishing the correction.")
        _move(locked, "publish_correction", published_at=timezone.now())
        assessment.published_revision = locked
        assessment.save(update_fields=["published_revision"])
        derived.record_published(outlook, [locked])
        store_pdfs(outlook, countries=[assessment.country], progress=progress)
        # Its map shows the entry's rating, which the correction may have changed.
        progress("Rendering the preview image.")
        store_preview(outlook)
        progress("Saving the publication.")
        audit(
            user,
            "publish_correction",
            f"Published a correction: {_label(locked)}",
            revision=locked,
            replaces=previous_id,
            note=locked.correction_note,
        )
        jobs.enqueue(tasks.mail_correction_published, locked.pk)
        announcements.announce(outlook, locked)
        jobs.succeed(job, "The correction is published.", progress)
    return locked


# --- Imports -------------------------------------------------------------------------


def store_imported(outlook, country, content, *, publish, acting_user=None):
    """Store an imported entry (a DraftContent) in an edition the importer holds locked.

    A new country is added at the end of the edition; an entry the edition already
    holds is replaced: its drafts are deleted, its published revisions stay, superseded.
    With `publish` (an archive of past outlooks) the entry is published at once, as
    it was in print. Returns (assessment, replaced).
    """
    if acting_user is not None:
        _require(acting_user, "import")
    assessment = outlook.assessments.filter(country=country).first()
    replaced = assessment is not None
    if replaced:
        # Drafts are working copies; published revisions stay, superseded.
        assessment.revisions.in_progress().delete()
    else:
        assessment = Assessment.objects.create(
            outlook=outlook, country=country, position=_next_position(outlook)
        )
    revision = Revision.objects.create(
        assessment=assessment,
        number=assessment.next_revision_number(),
        risk_level=content.risk_level,
        risk_status=content.risk_status,
        created_by=acting_user,
    )
    _write_content(revision, content)
    revision.save(update_fields=["rationale", "correction_note"])
    if publish:
        _set_state(revision, State.PUBLISHED, published_at=timezone.now())
        assessment.published_revision = revision
        assessment.save(update_fields=["published_revision"])
    return assessment, replaced


def store_imported_edition(
    region, period, *, title, introduction, publish, published_on=None, acting_user=None
):
    """The edition an import goes into, locked: the existing one, or a new one (published
    at once for an archive, dated `published_on`, the day readers got it, if known).
    Refuses to add drafts to a published edition, or archive entries to one in progress."""
    if acting_user is not None:
        _require(acting_user, "import")
    editions = Outlook.objects.select_for_update().filter(region=region, period=period)
    outlook = editions.first()
    if outlook is None:
        try:
            # Two imports of one new edition may both find none: the unique constraint
            # lets one insert through and makes the other wait, then refuse it; that one
            # goes on with the edition the first made (the savepoint keeps it usable).
            with transaction.atomic():
                return Outlook.objects.create(
                    region=region,
                    period=period,
                    title=title,
                    slug=Outlook.make_slug(region.name, period),
                    introduction=introduction,
                    state=Outlook.State.PUBLISHED if publish else Outlook.State.DRAFT,
                    published_at=timezone.now() if publish else None,
                    published_on=published_on if publish else None,
                )
        except IntegrityError:
            outlook = editions.first()
            if outlook is None:
                raise
    # The messages are the start of a sentence the importer completes with its options.
    if publish and not outlook.is_published:
        raise ValidationError(f"{outlook.full_title} is a draft edition in progress", "draft")
    if not publish and outlook.is_published:
        raise ValidationError(f"{outlook.full_title} is already published", "published")
    # A published edition's introduction is part of the record (migration 0008).
    if introduction and not outlook.introduction and not outlook.is_published:
        outlook.introduction = introduction
        outlook.save(update_fields=["introduction"])
    return outlook


# --- An archive's matches ---------------------------------------------------------------

MATCH_ACTIONS = {
    LineageMatch.Decision.CONFIRMED: "confirm_match",
    LineageMatch.Decision.SPLIT: "split_match",
}


def decide_match(match, decision, *, user):
    """An analyst's decision on an uncertain match of an archive's recommendation to one
    of the previous edition (assessments.lineage): CONFIRMED, it continues it; SPLIT, it is
    a new recommendation. The tracker follows it at once, and public pages with it."""
    action = MATCH_ACTIONS[decision]
    with transaction.atomic():
        locked = (
            LineageMatch.objects.select_for_update()
            .select_related(
                "recommendation__revision__assessment__outlook",
                "recommendation__revision__assessment__country",
                "predecessor__revision__assessment__outlook",
            )
            .get(pk=match.pk)
        )
        _require(user, action, locked)
        locked.decision = TRANSITIONS[action].target
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["decision", "decided_by", "decided_at"])
        revision = locked.recommendation.revision
        assessment = revision.assessment
        earlier = locked.predecessor.revision.assessment.outlook
        verb = "continues" if locked.continues else "is new, not"
        audit(
            user,
            action,
            f"{assessment.country.short_name} recommendation {locked.recommendation.position} "
            f"in {assessment.outlook.full_title} {verb} recommendation "
            f"{locked.predecessor.position} of {earlier.full_title}",
            revision=revision,
            match=locked.pk,
            similarity=locked.similarity,
        )
        tracker.rebuild_country(assessment.outlook.region_id, assessment.country_id)
        # What the public tracker and the edition's data show changed.
        stored_exports.store_edition_json(assessment.outlook, [assessment.country_id])
        caching.bump_generation()
    return locked
