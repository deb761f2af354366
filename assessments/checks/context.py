"""What the checks know beyond the entry's own text: the country's names, the names of every
other country, the edition's period, the previous edition's rating and recommendations;
and how to build that from the database, for one entry or for a whole edition in a fixed
number of queries.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Subquery

from .. import tracker
from ..models import Country, Recommendation, Revision


@dataclass(frozen=True)
class PriorRecommendation:
    """A recommendation of the country's previous entry, which the entry continues or
    drops (assessments.tracker)."""

    lineage: uuid.UUID
    addressee: str
    text: str

    @classmethod
    def of(cls, row):
        return cls(row.lineage, row.addressee.name, row.text)


@dataclass(frozen=True)
class CheckContext:
    """What the checks need to know beyond the entry's own text."""

    period: date | None = None  # the edition's period (first day of its month)
    official_name: str = ""
    short_name: str = ""
    aliases: tuple[str, ...] = ()
    # Normalised names (models.normalize_name) of every other country, so that a
    # mention of South Korea in the DPRK's entry is not taken for a misspelling.
    other_country_names: frozenset[str] = frozenset()
    previous_rating: tuple[str, str] | None = None  # (level, status) in the previous edition
    # The previous entry's recommendations (tracker.predecessors), in their order, and
    # whether each that the entry leaves out needs a reason: in a new edition's draft, not
    # in a published edition (its archives and corrections are not asked again for the
    # reasons nobody recorded before the tracker).
    predecessors: tuple[PriorRecommendation, ...] = ()
    drop_reasons_required: bool = False
    evidence_max_age_years: int = field(default_factory=lambda: settings.EVIDENCE_MAX_AGE_YEARS)

    @classmethod
    def for_country(
        cls,
        country,
        *,
        period=None,
        previous_rating=None,
        other_country_names=None,
        predecessors=(),
        published=False,
    ):
        if other_country_names is None:
            other_country_names = country_names_except(country)
        return cls(
            period=period,
            official_name=country.official_name,
            short_name=country.short_name,
            aliases=tuple(name for name in (country.code.name, *country.aliases) if name),
            other_country_names=other_country_names,
            previous_rating=previous_rating,
            predecessors=tuple(predecessors),
            drop_reasons_required=not published,
        )

    @classmethod
    def for_assessment(cls, assessment, **kwargs):
        outlook = assessment.outlook
        return cls.for_country(
            assessment.country,
            period=outlook.period,
            previous_rating=previous_edition_rating(outlook, assessment.country),
            predecessors=[PriorRecommendation.of(row) for row in tracker.predecessors(assessment)],
            published=outlook.is_published,
            **kwargs,
        )


def country_names_except(country, countries=None):
    """Normalised names of every country but `country`; pass `countries` to save the query."""
    if countries is None:
        countries = Country.objects.exclude(pk=country.pk)
    own = country.normalized_names()
    names = set()
    for other in countries:
        if other.pk != country.pk:
            names |= other.normalized_names()
    return frozenset(names - own)


def previous_edition_ratings(outlook):
    """{country id: (level, status)} of the previous edition's published entries."""
    previous = outlook.previous_edition()
    if previous is None:
        return {}
    return {
        country_id: (rating.level, rating.status)
        for country_id, rating in previous.live_ratings().items()
    }


def previous_edition_rating(outlook, country):
    """(level, status) of the country's published entry in the previous edition, or None."""
    return previous_edition_ratings(outlook).get(country.pk)


def contexts_for_outlook(outlook):
    """A CheckContext per assessment id of an edition, in a fixed number of queries."""
    ratings = previous_edition_ratings(outlook)
    countries = list(Country.objects.all())
    # Each country's previous entry, as Revision.objects.previous_entry finds it.
    previous = (
        Revision.objects.live()
        .filter(
            assessment__country_id=OuterRef("country_id"),
            assessment__outlook__region_id=outlook.region_id,
            assessment__outlook__period__lt=outlook.period,
        )
        .order_by("-assessment__outlook__period")
        .values("pk")[:1]
    )
    assessments = list(
        outlook.assessments.select_related("country").annotate(previous_id=Subquery(previous))
    )
    prior = defaultdict(list)
    for row in Recommendation.objects.filter(
        revision_id__in=[a.previous_id for a in assessments if a.previous_id]
    ).select_related("addressee"):
        prior[row.revision_id].append(PriorRecommendation.of(row))
    return {
        assessment.pk: CheckContext.for_country(
            assessment.country,
            period=outlook.period,
            previous_rating=ratings.get(assessment.country_id),
            other_country_names=country_names_except(assessment.country, countries),
            predecessors=prior[assessment.previous_id],
            published=outlook.is_published,
        )
        for assessment in assessments
    }
