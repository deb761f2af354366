"""The edition board: every entry of an edition with where it stands, who is asked to
write and review it, how long until it is due, and what the editorial checks still
flag. The page an editor lives on in the weeks before publication.

The checks take tens of milliseconds an entry: their findings are kept in the cache by
revision and version (and day, since the age of evidence changes with it), so the board
runs them only for what changed since it was last shown.
"""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from . import checks
from .models import Assessment, CheckAcknowledgement, Outlook, ReviewComment, Revision

State = Revision.State
# What each state waits for: the drafts' date or the reviews'.
WAITS_FOR_DRAFT = {State.DRAFT, State.CHANGES_REQUESTED}
WAITS_FOR_REVIEW = {State.SUBMITTED}
# The board's columns that sort it, by query parameter, and their headings.
COLUMNS = [
    ("position", "#"),
    ("country", "Country"),
    ("state", "Current revision"),
    ("analyst", "Writer"),
    ("reviewer", "Reviewer"),
    ("due", "Due"),
    ("comments", "Open comments"),
    ("checks", "Checks"),
]
# How the board sorts: by query parameter, the key of a row.
SORTS = {
    "position": lambda row: row.assessment.position,
    "country": lambda row: row.assessment.country.official_name.casefold(),
    "state": lambda row: (row.state_order, row.assessment.position),
    "analyst": lambda row: (row.analyst_name is None, (row.analyst_name or "").casefold()),
    "reviewer": lambda row: (row.reviewer_name is None, (row.reviewer_name or "").casefold()),
    "due": lambda row: (row.days_left is None, row.days_left or 0, row.assessment.position),
    "comments": lambda row: (-row.open_comments, row.assessment.position),
    "checks": lambda row: (-row.errors, -row.warnings, row.assessment.position),
}
STATE_ORDER = [
    State.CHANGES_REQUESTED,
    State.DRAFT,
    State.SUBMITTED,
    State.APPROVED,
    State.PUBLISHED,
    State.WITHDRAWN,
]


@dataclass
class BoardRow:
    assessment: Assessment
    revision: Revision | None  # in progress, else the published one
    due: date | None
    days_left: int | None  # negative when overdue
    errors: int = 0
    warnings: int = 0  # not acknowledged
    open_comments: int = 0  # review comments on the revision
    asked: str = ""  # on a dashboard: what the user is asked to do, write or review

    @property
    def state_order(self):
        return STATE_ORDER.index(self.revision.state) if self.revision else len(STATE_ORDER)

    @property
    def overdue(self):
        return self.days_left is not None and self.days_left < 0

    @property
    def days_late(self):
        return -self.days_left if self.overdue else 0

    @property
    def checked(self):
        """Whether the checks were run on it: a revision in progress."""
        return self.revision is not None and self.revision.state in Revision.IN_PROGRESS

    @property
    def analyst_name(self):
        return _name(self.assessment.analyst)

    @property
    def reviewer_name(self):
        return _name(self.assessment.reviewer)


def _name(user):
    return (user.get_full_name() or user.username) if user else None


def edition_board(outlook, sort="position", *, today=None):
    """The board's rows for `outlook`, sorted by `sort` (a key of SORTS, "-" first for
    the reverse), in a fixed number of queries whatever the number of entries."""
    today = today or timezone.localdate()
    rows = _rows(outlook.assessments.order_by("position"), today)
    _count_checks(outlook, rows, today)
    _count_comments(rows)
    reverse = sort.startswith("-")
    key = SORTS.get(sort.lstrip("-"), SORTS["position"])
    return sorted(rows, key=key, reverse=reverse)


def assigned_to(user, *, today=None):
    """The entries of draft editions that `user` is asked to write or review, soonest
    due first: what a dashboard leads with."""
    today = today or timezone.localdate()
    assessments = (
        Assessment.objects.filter(outlook__state=Outlook.State.DRAFT)
        .filter(Q(analyst=user) | Q(reviewer=user))
        .select_related("outlook__region")
    )
    rows = _rows(assessments, today)
    for row in rows:
        row.asked = "write" if row.assessment.analyst_id == user.pk else "review"
    return sorted(rows, key=SORTS["due"])


def _rows(assessments, today):
    assessments = assessments.select_related("country", "analyst", "reviewer").prefetch_related(
        Prefetch(
            "revisions",
            queryset=Revision.objects.only(
                "pk", "assessment_id", "state", "version", "number"
            ).order_by("-number"),
            to_attr="numbered",
        )
    )
    rows = []
    for assessment in assessments:
        outlook = assessment.outlook
        revision = _current(assessment)
        due = None
        if revision is not None and revision.state in WAITS_FOR_DRAFT:
            due = outlook.drafts_due
        elif revision is not None and revision.state in WAITS_FOR_REVIEW:
            due = outlook.reviews_due
        days_left = (due - today).days if due else None
        rows.append(BoardRow(assessment, revision, due, days_left))
    return rows


def _current(assessment):
    """The entry's revision in progress, else its published one, else its latest."""
    for revision in assessment.numbered:
        if revision.state in Revision.IN_PROGRESS:
            return revision
    for revision in assessment.numbered:
        if revision.pk == assessment.published_revision_id:
            return revision
    return assessment.numbered[0] if assessment.numbered else None


def _count_checks(outlook, rows, today):
    """Set each in-progress row's errors and unacknowledged warnings."""
    open_rows = [row for row in rows if row.checked]
    keys = {row.revision.pk: _cache_key(row.revision, today) for row in open_rows}
    found = cache.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        contexts = checks.contexts_for_outlook(outlook)
        fresh = {}
        for revision in Revision.objects.with_content().filter(pk__in=missing):
            results = checks.check_revision(revision, contexts[revision.assessment_id])
            fresh[keys[revision.pk]] = [(result.key, result.severity) for result in results]
        cache.set_many(fresh, timeout=24 * 3600)
        found.update(fresh)
    acknowledged = set(
        CheckAcknowledgement.objects.filter(revision_id__in=keys).values_list("revision_id", "key")
    )
    for row in open_rows:
        for key, severity in found.get(keys[row.revision.pk], []):
            if severity == checks.Severity.ERROR:
                row.errors += 1
            elif severity == checks.Severity.WARNING and (row.revision.pk, key) not in acknowledged:
                row.warnings += 1


def _count_comments(rows):
    """Set each row's number of open review comments, in one query."""
    counts = dict(
        ReviewComment.objects.filter(
            revision_id__in=[row.revision.pk for row in rows if row.revision],
            state=ReviewComment.State.OPEN,
        )
        .values("revision_id")
        .annotate(count=Count("pk"))
        .values_list("revision_id", "count")
    )
    for row in rows:
        row.open_comments = counts.get(row.revision.pk, 0) if row.revision else 0


def _cache_key(revision, today):
    return f"board-checks:{revision.pk}:{revision.version}:{today.isoformat()}"
