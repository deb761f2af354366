"""Reading published editions: what the public site, the PDF, the feed and search show.

Everything here starts from `Outlook.objects.published()` or `Revision.objects.published()`,
so a draft, a revision under review or an unpublished edition can never reach a reader.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery

from .models import (
    Addressee,
    Assessment,
    Country,
    Outlook,
    Rating,
    Recommendation,
    Region,
    Revision,
    RiskLevel,
    RiskStatus,
)
from .text_format import isolate

RAISED, LOWERED, UNCHANGED, NEW = "raised", "lowered", "unchanged", "new"
CHANGE_LABELS = {RAISED: "Raised", LOWERED: "Lowered", UNCHANGED: "Unchanged", NEW: "New"}


def risk_framework():
    """The levels (lowest first) and statuses, with what each means: what the legend beside
    a risk table (templates/public/_risk_legend.html) and the method page define."""
    return {"levels": list(RiskLevel.objects.all()), "statuses": list(RiskStatus.objects.all())}


def with_correction_flag(revisions):
    """Annotate `is_correction`: an earlier published version of the entry exists."""
    earlier = Revision.objects.filter(
        assessment_id=OuterRef("assessment_id"),
        state=Revision.State.PUBLISHED,
        number__lt=OuterRef("number"),
    )
    return revisions.annotate(is_correction=Exists(earlier))


def published_regions():
    """The regions with a published edition: those with a public list and a feed."""
    return Region.objects.filter(Exists(Outlook.objects.published().filter(region=OuterRef("pk"))))


def published_countries():
    """The countries with a published entry: those with a public page and a feed."""
    # Through the entries (an index on their country): live()'s join on two columns made
    # PostgreSQL scan every revision, 0.6 s at 48,000 entries.
    return Country.objects.filter(Exists(Assessment.objects.live().filter(country=OuterRef("pk"))))


def published_addressees():
    """The addressees of a live recommendation: those with a public page."""
    live = Recommendation.objects.filter(
        addressee=OuterRef("pk"), revision__in=Revision.objects.live_by_id()
    )
    return Addressee.objects.filter(Exists(live))


def edition_revisions(outlook):
    """The live entries of a published edition, in the edition's order, with their content."""
    return with_correction_flag(
        Revision.objects.live()
        .with_content()
        .filter(assessment__outlook=outlook)
        .order_by("assessment__position")
    )


# rating_changes' `previous` when the caller has not looked it up (None means "none").
UNKNOWN = object()


@dataclass
class RatingChange:
    change: str  # RAISED, LOWERED, UNCHANGED or NEW
    previous: str = ""  # the previous rating, e.g. "High/Ongoing"

    @property
    def label(self):
        return CHANGE_LABELS[self.change]


def rating_changes(outlook, revisions, previous=UNKNOWN):
    """Per country id, how its level moved since the region's previous published edition
    (`previous`, when the caller has it already).

    None when there is no previous edition (everything would be "new"). Two queries.
    """
    if previous is UNKNOWN:
        previous = outlook.previous_edition()
    if previous is None:
        return None
    return changes_since(revisions, previous.live_ratings())


def changes_since(revisions, before):
    """Per country id of `revisions`, how its level moved from `before` ({country id:
    Rating}, the previous edition's)."""
    return {
        revision.assessment.country_id: rating_change(
            revision.risk_level.rank, before.get(revision.assessment.country_id)
        )
        for revision in revisions
    }


def rating_change(rank, before):
    """How a level of `rank` moved from `before`, the country's Rating in the previous
    edition (None: the country is new in this one)."""
    if before is None:
        return RatingChange(NEW)
    if rank > before.rank:
        change = RAISED
    elif rank < before.rank:
        change = LOWERED
    else:
        change = UNCHANGED
    return RatingChange(change, str(before))


@dataclass
class LatestEdition:
    """A region's latest published edition as the front page leads with it."""

    edition: Outlook
    previous: Outlook | None
    # (live revision, RatingChange or None when there is no previous edition), in order.
    rows: list = field(default_factory=list)

    @property
    def revisions(self):
        return [revision for revision, _ in self.rows]

    def moved(self, change):
        return [revision for revision, moved in self.rows if moved and moved.change == change]

    @property
    def raised(self):
        return self.moved(RAISED)

    @property
    def lowered(self):
        return self.moved(LOWERED)


def latest_editions():
    """The latest published edition of each region (regions by name), with its entries and
    how each level moved since the region's edition before it. Four queries, whatever the
    number of regions or editions."""
    published = Outlook.objects.published()
    latest = Region.objects.annotate(
        latest=Subquery(
            published.filter(region=OuterRef("pk")).order_by("-period").values("pk")[:1]
        )
    ).values("latest")
    editions = list(
        published.filter(pk__in=latest)
        .select_related("region")
        .annotate(
            previous_id=Subquery(
                published.filter(region=OuterRef("region"), period__lt=OuterRef("period"))
                .order_by("-period")
                .values("pk")[:1]
            )
        )
        .order_by("region__name")
    )
    previous = Outlook.objects.in_bulk([e.previous_id for e in editions if e.previous_id])
    revisions = (
        Revision.objects.live()
        .filter(assessment__outlook__in=editions)
        .select_related("assessment__country", "risk_level", "risk_status")
        .order_by("assessment__position")
    )
    by_edition = {}
    for revision in revisions:
        by_edition.setdefault(revision.assessment.outlook_id, []).append(revision)
    ratings = {}
    for outlook_id, country_id, *rating in (
        Revision.objects.live()
        .filter(assessment__outlook__in=list(previous))
        .values_list(
            "assessment__outlook_id",
            "assessment__country_id",
            "risk_level__name",
            "risk_status__name",
            "risk_level__rank",
        )
    ):
        ratings.setdefault(outlook_id, {})[country_id] = Rating(*rating)
    summaries = []
    for edition in editions:
        entries = by_edition.get(edition.pk, [])
        changes = (
            changes_since(entries, ratings.get(edition.previous_id, {}))
            if edition.previous_id
            else {}
        )
        rows = [(revision, changes.get(revision.assessment.country_id)) for revision in entries]
        summaries.append(LatestEdition(edition, previous.get(edition.previous_id), rows))
    return summaries


def corrections():
    """Published corrections: published revisions with an earlier published version."""
    # number > 1 first: a correction's is in the index revision_later_published_at.
    return with_correction_flag(Revision.objects.published().filter(number__gt=1)).filter(
        is_correction=True
    )


def latest_corrections(limit):
    """The `limit` latest published corrections, newest first, with what a list shows."""
    return list(
        corrections()
        .select_related("assessment__country", "assessment__outlook__region")
        .order_by("-published_at")[:limit]
    )


def left_out(previous, revisions):
    """The live entries of the previous edition (`previous`, or None) whose country is not
    among `revisions`, in that edition's order: the countries an edition drops. One query."""
    if previous is None:
        return []
    present = {revision.assessment.country_id for revision in revisions}
    return list(
        Revision.objects.live()
        .filter(assessment__outlook=previous)
        .exclude(assessment__country_id__in=present)
        .select_related("assessment__country", "risk_level", "risk_status")
        .order_by("assessment__position")
    )


def running_header(outlook, country):
    """The printed running header, as the sample has it:
    `DPRK Asia Pacific Regional Outlook November 2023`; each stored name in a bidi
    isolate (invisible), so that a right-to-left override in one turns round that name
    and not the rest of the header. Characters, not markup: it is a CSS string."""
    return f"{isolate(country.short_name)} {isolate(outlook.title)} {outlook.period_label}"
