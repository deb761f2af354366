"""Reading published editions: what the public site, the PDF, the feed and search show.

Everything here starts from `Outlook.objects.published()` or `Revision.objects.published()`,
so a draft, a revision under review or an unpublished edition can never reach a reader.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .models import Addressee, Assessment, Country, Outlook, Recommendation, Region, Revision
from .text_format import isolate

RAISED, LOWERED, UNCHANGED, NEW = "raised", "lowered", "unchanged", "new"
CHANGE_LABELS = {RAISED: "Raised", LOWERED: "Lowered", UNCHANGED: "Unchanged", NEW: "New"}


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
    before = previous.live_ratings()
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
