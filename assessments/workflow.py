"""The editorial workflow: every change of state, and every save, in one place.

Views, admin actions and management commands call these functions; none of them
changes a revision's state by itself. Each function

- checks that the user may do it (raising PermissionDenied, which views turn into 403),
- claims the rows it changes with select_for_update(), so that two people acting at
  once are serialised and the second sees the first's result,
- writes an AuditEvent,
- runs in one transaction, and sends mail only once that transaction has committed.

The rules of who may move a revision from which state to which are the table
TRANSITIONS below; `allowed()` reads it for the templates, which show only the
buttons a user may press.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import checks, emails
from .content import revision_content
from .editions import live_revisions
from .importing import find_or_create_addressees
from .models import (
    Assessment,
    AuditEvent,
    CheckAcknowledgement,
    Outlook,
    Revision,
    RiskLevel,
    RiskStatus,
    Source,
)

ANALYST, REVIEWER, EDITOR = "analyst", "reviewer", "editor"
ROLES = (ANALYST, REVIEWER, EDITOR)

State = Revision.State
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str | None
    role: str
    label: str  # what the action does, for messages: "cannot be <label>"


EDITABLE = frozenset({State.DRAFT, State.CHANGES_REQUESTED})

# Who may move a revision from which states to which. An outlook's publication
# (`publish`) moves every approved revision of an edition to published at once.
TRANSITIONS = {
    "save": Transition(EDITABLE, None, ANALYST, "edited"),
    "submit": Transition(EDITABLE, State.SUBMITTED, ANALYST, "submitted"),
    "recall": Transition(frozenset({State.SUBMITTED}), State.DRAFT, ANALYST, "recalled"),
    "approve": Transition(frozenset({State.SUBMITTED}), State.APPROVED, REVIEWER, "approved"),
    "request_changes": Transition(
        frozenset({State.SUBMITTED}), State.CHANGES_REQUESTED, REVIEWER, "sent back"
    ),
    "publish_correction": Transition(
        frozenset({State.APPROVED}), State.PUBLISHED, EDITOR, "published"
    ),
}


class ConflictError(Exception):
    """A save based on a version of the draft that someone else has replaced since."""

    def __init__(self, revision):
        self.revision = revision
        super().__init__(
            f"Someone else saved this draft since you opened it (version {revision.version})."
        )


# --- Roles ---------------------------------------------------------------------


def roles(user):
    """The editorial roles a user holds; a superuser holds them all."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    cached = getattr(user, "_outlook_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._outlook_roles = cached
    return cached


def has_role(user, role):
    return role in roles(user)


def require_role(user, role):
    if not has_role(user, role):
        raise PermissionDenied(f"This needs the {role} role.")


def is_correction(revision):
    """A revision of an entry that has been published already."""
    return revision.assessment.outlook.is_published


def allowed(action, revision, user):
    """Whether `user` may apply `action` to `revision` now (for showing buttons)."""
    try:
        _check(action, revision, user)
    except PermissionDenied:
        return False
    return True


def _check(action, revision, user):
    rule = TRANSITIONS[action]
    require_role(user, rule.role)
    if revision.state not in rule.sources:
        raise PermissionDenied(
            f"This revision is {revision.get_state_display().lower()}: "
            f"it cannot be {rule.label} now."
        )
    if action == "approve" and revision.contributors.filter(pk=user.pk).exists():
        raise PermissionDenied(
            "You contributed to this revision: another reviewer must approve it."
        )
    if action == "publish_correction" and not is_correction(revision):
        raise PermissionDenied("This revision is published with its outlook, not on its own.")


def _claim(revision, action, user):
    """Lock the revision's row and check the transition against its current state."""
    locked = (
        Revision.objects.select_for_update()
        .select_related("assessment__outlook")
        .get(pk=revision.pk)
    )
    _check(action, locked, user)
    return locked


def _audit(user, action, description, *, revision=None, outlook=None, **data):
    if revision is not None and outlook is None:
        outlook = revision.assessment.outlook
    AuditEvent.objects.create(
        actor=user if user and user.is_authenticated else None,
        action=action,
        outlook=outlook,
        revision=revision,
        description=description,
        data=data,
    )


def _label(revision):
    assessment = revision.assessment
    return (
        f"{assessment.country.short_name} revision {revision.number} "
        f"in {assessment.outlook.full_title}"
    )


def _set_state(revision, state, **fields):
    revision.state = state
    for name, value in fields.items():
        setattr(revision, name, value)
    revision.save(update_fields=["state", "updated_at", *fields])


# --- Drafts ----------------------------------------------------------------------


@dataclass
class NewSource:
    title: str = ""
    issuer: str = ""
    document_symbol: str = ""
    date: object = None
    url: str = ""


@dataclass
class FootnoteDraft:
    number: int
    source: Source | NewSource
    pinpoint: str = ""


@dataclass
class DraftContent:
    """What an analyst saves: the editor form's cleaned data, in domain terms."""

    risk_level: RiskLevel
    risk_status: RiskStatus
    rationale: str = ""
    correction_note: str = ""
    findings: list[str] = field(default_factory=list)
    # (addressee name, text): an addressee is picked from the list or created by name.
    recommendations: list[tuple[str, str]] = field(default_factory=list)
    footnotes: list[FootnoteDraft] = field(default_factory=list)


def save_draft(revision, content, *, user, based_on_version):
    """Replace a draft's content, unless someone saved it since `based_on_version`.

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
        _audit(
            user,
            "save",
            f"Saved {_label(stored)} as version {stored.version}",
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
    revision.findings.all().delete()
    revision.recommendations.all().delete()
    revision.footnotes.all().delete()
    addressees = find_or_create_addressees(name for name, _ in content.recommendations)
    footnotes = []
    for note in content.footnotes:
        source = note.source
        if isinstance(source, NewSource):
            source = Source.objects.create(**vars(source))
        footnotes.append((note.number, source, note.pinpoint))
    revision.add_content(
        content.findings,
        [(addressees[name.casefold()], text) for name, text in content.recommendations],
        footnotes,
    )


def submit(revision, *, user):
    """Send a draft to the reviewers."""
    with transaction.atomic():
        locked = _claim(revision, "submit", user)
        problems = submission_problems(locked)
        if problems:
            raise ValidationError(problems)
        _set_state(locked, State.SUBMITTED, submitted_at=timezone.now())
        locked.contributors.add(user)
        _audit(user, "submit", f"Submitted {_label(locked)} for review", revision=locked)
        transaction.on_commit(lambda: emails.send_submitted(locked))
    return locked


def submission_problems(revision):
    """What stops a draft going to review; the editorial checks add their own."""
    problems = []
    if not revision.findings.exists():
        problems.append("Add at least one finding before submitting.")
    if is_correction(revision) and not revision.correction_note.strip():
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
    returns the acknowledgement, or None when the warning no longer stands.
    """
    with transaction.atomic():
        locked = _claim(revision, "save", user)
        warnings = {
            result.key: result
            for result in checks.check_revision(locked)
            if result.severity == checks.Severity.WARNING
        }
        result = warnings.get(key)
        if result is None:
            return None
        acknowledgement, created = CheckAcknowledgement.objects.get_or_create(
            revision=locked, key=key, defaults={"user": user, "note": note}
        )
        if created:
            _audit(
                user,
                "acknowledge",
                f"Acknowledged a warning on {_label(locked)}: {result.place_label}: "
                f"{result.message}",
                revision=locked,
                key=key,
                note=note,
            )
    return acknowledgement


def recall(revision, *, user):
    """Take a submitted revision back to draft before anyone has reviewed it."""
    with transaction.atomic():
        locked = _claim(revision, "recall", user)
        _set_state(locked, State.DRAFT, submitted_at=None)
        _audit(user, "recall", f"Recalled {_label(locked)} from review", revision=locked)
    return locked


def approve(revision, *, user, comment=""):
    """A reviewer approves a submitted revision they did not contribute to."""
    return _decide(revision, "approve", State.APPROVED, user=user, comment=comment)


def request_changes(revision, *, user, comment):
    """A reviewer sends a submitted revision back to its analysts with comments."""
    if not comment.strip():
        raise ValidationError("Say what should change.")
    return _decide(revision, "request_changes", State.CHANGES_REQUESTED, user=user, comment=comment)


def _decide(revision, action, state, *, user, comment):
    with transaction.atomic():
        locked = _claim(revision, action, user)
        _set_state(locked, state)
        review = locked.reviews.create(reviewer=user, decision=action, comment=comment)
        verb = "Approved" if action == "approve" else "Requested changes to"
        _audit(user, action, f"{verb} {_label(locked)}", revision=locked, comment=comment)
        transaction.on_commit(lambda: emails.send_decision(review))
    return locked


# --- Outlooks ------------------------------------------------------------------------


def create_edition(region, period, *, user, title="", introduction=""):
    """A new draft edition whose entries start as copies of the previous edition's."""
    require_role(user, EDITOR)
    period = period.replace(day=1)
    with transaction.atomic():
        if Outlook.objects.filter(region=region, period=period).exists():
            raise ValidationError(f"There is already a {region} outlook for {period:%B %Y}.")
        outlook = Outlook.objects.create(
            region=region,
            period=period,
            title=title or f"{region.name} Regional Outlook",
            slug=Outlook.make_slug(region.name, period),
            introduction=introduction,
        )
        previous = outlook.previous_edition()
        if previous:
            for old in previous.assessments.select_related("country").order_by("position"):
                assessment = Assessment.objects.create(
                    outlook=outlook, country=old.country, position=old.position
                )
                _start_revision(assessment, user, previous_entry(assessment))
        _audit(
            user,
            "create_edition",
            f"Created {outlook.full_title}" + (f" from {previous.full_title}" if previous else ""),
            outlook=outlook,
        )
    return outlook


def previous_entry(assessment):
    """The country's published revision in the latest earlier edition of the region,
    with its content."""
    outlook = assessment.outlook
    return (
        live_revisions()
        .with_content()
        .filter(
            assessment__country_id=assessment.country_id,
            assessment__outlook__region_id=outlook.region_id,
            assessment__outlook__period__lt=outlook.period,
        )
        .order_by("-assessment__outlook__period")
        .first()
    )


def _start_revision(assessment, user, source=None):
    """A new draft for an assessment: a copy of `source` (fetched with_content()), or
    empty with a placeholder rating."""
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
        based_on=source,
        created_by=user,
    )
    revision.add_content(
        [f.text for f in source.findings.all()],
        [(r.addressee, r.text) for r in source.recommendations.all()],
        [(n.number, n.source, n.pinpoint) for n in source.footnotes.all()],
    )
    return revision


def _claim_draft_outlook(outlook, user):
    require_role(user, EDITOR)
    locked = Outlook.objects.select_for_update().get(pk=outlook.pk)
    if locked.is_published:
        raise PermissionDenied(f"{locked.full_title} is published: its countries are fixed.")
    return locked


def add_country(outlook, country, *, user):
    """Add a country to a draft edition, starting from its last published entry if any."""
    with transaction.atomic():
        outlook = _claim_draft_outlook(outlook, user)
        if outlook.assessments.filter(country=country).exists():
            raise ValidationError(f"{country} is already in {outlook.full_title}.")
        position = (outlook.assessments.aggregate(n=Max("position"))["n"] or 0) + 1
        assessment = Assessment.objects.create(outlook=outlook, country=country, position=position)
        _start_revision(assessment, user, previous_entry(assessment))
        _audit(user, "add_country", f"Added {country} to {outlook.full_title}", outlook=outlook)
    return assessment


def remove_country(assessment, *, user):
    """Remove a country, and its drafts, from a draft edition."""
    with transaction.atomic():
        outlook = _claim_draft_outlook(assessment.outlook, user)
        assessment = outlook.assessments.select_related("country").get(pk=assessment.pk)
        country = assessment.country
        assessment.delete()
        _audit(
            user,
            "remove_country",
            f"Removed {country} from {outlook.full_title}",
            outlook=outlook,
            country=country.code.code,
        )


def move_country(assessment, offset, *, user):
    """Move a country up (offset -1) or down (+1) in a draft edition's order."""
    with transaction.atomic():
        outlook = _claim_draft_outlook(assessment.outlook, user)
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
        _audit(
            user,
            "reorder",
            f"Moved {assessment.country} {'up' if offset < 0 else 'down'} in {outlook.full_title}",
            outlook=outlook,
        )


def publication_problems(outlook):
    """Why an edition cannot be published yet (empty when it can)."""
    problems = []
    assessments = list(outlook.assessments.select_related("country"))
    if not assessments:
        problems.append("The edition has no countries.")
    approved = set(
        Revision.objects.filter(assessment__outlook=outlook, state=State.APPROVED).values_list(
            "assessment_id", flat=True
        )
    )
    for assessment in assessments:
        if assessment.pk not in approved:
            problems.append(f"{assessment.country.short_name} has no approved revision.")
    return problems


@contextmanager
def _discarding_files_on_failure(records):
    """Delete the files of `records` (stored PDFs) if the block fails.

    A file written to storage is not part of the database transaction: without this, a
    publication that rolls back after its PDF was written would leave the file behind.
    (A caller's own outer transaction that rolls back later is beyond this guard.)
    """
    try:
        yield
    except BaseException:
        for record in records:
            try:
                record.file.storage.delete(record.file.name)
            except Exception:  # the original failure matters more than this one
                logger.exception("Could not delete %s after a failed publication", record.file)
        raise


def publish(outlook, *, user):
    """Publish an edition: every entry's approved revision, the pages and the PDF, at once.

    All or nothing: if anything fails, including rendering the PDF, the transaction
    rolls back, the PDF file written is deleted, and the edition and its revisions
    stay as they were.
    """
    from .pdf import store_pdfs

    require_role(user, EDITOR)
    stored = []
    with _discarding_files_on_failure(stored), transaction.atomic():
        locked = Outlook.objects.select_for_update().get(pk=outlook.pk)
        if locked.is_published:
            raise PermissionDenied(f"{locked.full_title} is already published.")
        revisions = list(
            Revision.objects.select_for_update()
            .filter(assessment__outlook=locked, state=State.APPROVED)
            .select_related("assessment")
        )
        problems = publication_problems(locked)
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        for revision in revisions:
            _set_state(revision, State.PUBLISHED, published_at=now)
            Assessment.objects.filter(pk=revision.assessment_id).update(published_revision=revision)
        locked.state = Outlook.State.PUBLISHED
        locked.published_at = now
        locked.published_by = user
        locked.save(update_fields=["state", "published_at", "published_by"])
        stored.extend(store_pdfs(locked))
        _audit(
            user,
            "publish",
            f"Published {locked.full_title} "
            f"({len(revisions)} entr{'y' if len(revisions) == 1 else 'ies'})",
            outlook=locked,
            revisions=[r.pk for r in revisions],
        )
        transaction.on_commit(lambda: emails.send_published(locked))
    return locked


# --- Corrections -------------------------------------------------------------------


def start_correction(assessment, *, user):
    """A new draft of a published entry, to be reviewed and published as a correction."""
    require_role(user, ANALYST)
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .select_related("outlook", "country")
            .get(pk=assessment.pk)
        )
        if not assessment.outlook.is_published or assessment.published_revision_id is None:
            raise PermissionDenied("Only a published entry can be corrected.")
        if assessment.revisions.in_progress().exists():
            raise PermissionDenied("This entry already has a revision in progress.")
        revision = _start_revision(
            assessment,
            user,
            Revision.objects.with_content().get(pk=assessment.published_revision_id),
        )
        _audit(
            user, "start_correction", f"Started a correction: {_label(revision)}", revision=revision
        )
    return revision


def publish_correction(revision, *, user):
    """Publish an approved correction: it becomes the entry the public sees, with its note.

    The revision it replaces stays published and readable at its own URL; the
    edition's PDF is rendered again, in the same transaction.
    """
    from .pdf import store_pdfs

    stored = []
    with _discarding_files_on_failure(stored), transaction.atomic():
        locked = _claim(revision, "publish_correction", user)
        assessment = Assessment.objects.select_for_update().get(pk=locked.assessment_id)
        previous_id = assessment.published_revision_id
        _set_state(locked, State.PUBLISHED, published_at=timezone.now())
        assessment.published_revision = locked
        assessment.save(update_fields=["published_revision"])
        stored.extend(store_pdfs(locked.assessment.outlook))
        _audit(
            user,
            "publish_correction",
            f"Published a correction: {_label(locked)}",
            revision=locked,
            replaces=previous_id,
            note=locked.correction_note,
        )
        transaction.on_commit(lambda: emails.send_correction_published(locked))
    return locked
