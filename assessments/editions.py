"""Reading published editions: what the public site, the PDF, the feed and search show.

Everything here starts from `Outlook.objects.published()` or `Revision.objects.published()`,
so a draft, a revision under review or an unpublished edition can never reach a reader.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .models import Revision, RiskLevel, RiskStatus
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
    changes = {}
    for revision in revisions:
        country_id = revision.assessment.country_id
        if country_id not in before:
            changes[country_id] = RatingChange(NEW)
            continue
        rating = before[country_id]
        if revision.risk_level.rank > rating.rank:
            change = RAISED
        elif revision.risk_level.rank < rating.rank:
            change = LOWERED
        else:
            change = UNCHANGED
        changes[country_id] = RatingChange(change, str(rating))
    return changes


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
