"""Search over published text: findings, recommendations and footnotes.

PostgreSQL full-text search (SearchVector, SearchQuery, SearchRank, SearchHeadline)
in production; a plain `icontains` on other databases, so `make run` on SQLite works.
Only the live published revision of each entry is searched: a superseded version
(before a correction) stays readable at its own URL but does not answer searches.
"""

import html
import re
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.utils.safestring import mark_safe

from .markdown import plain_text
from .models import Finding, Footnote, Recommendation, Revision

CONFIG = "english"
LIMIT_PER_KIND = 50
# Markers that survive Markdown stripping, swapped for <mark> once the text is escaped.
START, STOP = "\u27e6", "\u27e7"


@dataclass
class SearchFilters:
    region: object = None  # Region
    country: object = None  # Country
    level: object = None  # RiskLevel
    addressee: object = None  # Addressee
    period_from: date | None = None
    period_to: date | None = None


@dataclass
class Hit:
    kind: str  # "finding", "recommendation" or "footnote"
    revision: Revision
    anchor: str
    snippet: str
    rank: float
    addressee: object = None

    @property
    def url(self):
        return self.revision.assessment.outlook.get_absolute_url() + "#" + self.anchor


def search(query, filters=None):
    """Hits for `query` under `filters`, best first; three queries whatever the data."""
    query = (query or "").strip()
    filters = filters or SearchFilters()
    if not query:
        return []
    revisions = _filter_revisions(Revision.objects.live(), filters)
    kinds = [
        ("recommendation", Recommendation.objects.select_related("addressee"), ["text"]),
    ]
    if filters.addressee is None:
        # A filter on the addressee only makes sense for recommendations.
        kinds = [
            ("finding", Finding.objects.all(), ["text"]),
            *kinds,
            ("footnote", Footnote.objects.select_related("source"), ["source__title", "pinpoint"]),
        ]
    hits = []
    for kind, queryset, fields in kinds:
        queryset = queryset.filter(revision__in=revisions).select_related(
            "revision__assessment__country",
            "revision__assessment__outlook__region",
            "revision__risk_level",
            "revision__risk_status",
        )
        if kind == "recommendation" and filters.addressee is not None:
            queryset = queryset.filter(addressee=filters.addressee)
        hits += _run(kind, queryset, fields, query)
    hits.sort(key=lambda hit: (-hit.rank, -hit.revision.assessment.outlook.period.toordinal()))
    return hits


def _filter_revisions(revisions, filters):
    if filters.region is not None:
        revisions = revisions.filter(assessment__outlook__region=filters.region)
    if filters.country is not None:
        revisions = revisions.filter(assessment__country=filters.country)
    if filters.level is not None:
        revisions = revisions.filter(risk_level=filters.level)
    if filters.period_from is not None:
        revisions = revisions.filter(assessment__outlook__period__gte=filters.period_from)
    if filters.period_to is not None:
        revisions = revisions.filter(assessment__outlook__period__lte=filters.period_to)
    return revisions.values("id")


def _run(kind, queryset, fields, query):
    if connection.vendor == "postgresql":
        search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
        vector = SearchVector(*fields, config=CONFIG)
        rows = (
            queryset.alias(document=vector)
            .filter(document=search_query)
            .annotate(
                rank=SearchRank(vector, search_query),
                headline=SearchHeadline(
                    fields[0],
                    search_query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=40,
                    min_words=15,
                ),
            )
            .order_by("-rank", "-revision__assessment__outlook__period")[:LIMIT_PER_KIND]
        )
        return [_hit(kind, row, row.headline, row.rank) for row in rows]
    # The fallback: every word must appear in one of the fields.
    words = query.split()
    for word in words:
        matches = Q()
        for name in fields:
            matches |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(matches)
    rows = queryset.order_by("-revision__assessment__outlook__period")[:LIMIT_PER_KIND]
    return [_hit(kind, row, _mark_words(_text(kind, row), words), 0.0) for row in rows]


def _text(kind, row):
    return row.source.title if kind == "footnote" else row.text


def _mark_words(text, words):
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda m: START + m.group(0) + STOP, text)


def _hit(kind, row, headline, rank):
    revision = row.revision
    prefix = revision.assessment.country.code.code.lower() + "-"
    if kind == "finding":
        anchor = f"{prefix}finding-{row.position}"
    elif kind == "recommendation":
        anchor = f"{prefix}rec-{row.position}"
    else:
        anchor = f"{prefix}fn-{row.number}"
    return Hit(
        kind=kind,
        revision=revision,
        anchor=anchor,
        snippet=snippet_html(headline),
        rank=rank,
        addressee=getattr(row, "addressee", None),
    )


def snippet_html(headline):
    """A headline as safe HTML: Markdown reduced to words, matches in <mark>."""
    text = plain_text(headline or "")
    # A headline may cut an emphasis pair in half: drop what is left of it.
    text = re.sub(r"(\*\*|__|(?<!\w)\*(?=\w)|(?<=\w)\*(?!\w))", "", text)
    text = html.escape(text)
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))
