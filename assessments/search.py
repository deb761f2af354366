"""Search over published text: findings, recommendations and footnotes.

Reads the search index alone (SearchEntry, kept by assessments.search_index at each
publication), which holds only the live published revision of each entry: a superseded
version (before a correction) stays readable at its own URL but does not answer
searches. On PostgreSQL the stored vector is matched through its GIN index, the most
recent matches (CANDIDATES of them) are ranked, and only the hits shown get a headline;
on other databases (SQLite, `make run`) every word must appear in the text or its terms.
"""

import html
import re
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q
from django.utils.safestring import mark_safe

from .models import Revision, SearchEntry
from .search_index import CONFIG

# The matches ranked: the most recent ones of the filters. Ranking reads each one's
# vector, so this bounds a search's cost whatever the number of matches.
CANDIDATES = 300
# The hits shown, best first.
LIMIT = 50
# Markers around the words found in a headline, swapped for <mark> once the text is escaped.
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
    """Hits for `query` under `filters`, best first; two queries whatever the data."""
    query = (query or "").strip()
    filters = filters or SearchFilters()
    if not query:
        return []
    entries = filtered_entries(filters)
    if connection.vendor == "postgresql":
        return _ranked(entries, query)
    return _matching_words(entries, query)


# What a hit does not show: its text is shown through the headline.
UNSHOWN = ["vector", "terms", "text"]


def _with_hit_fields(entries):
    return entries.select_related(
        "revision__assessment__country",
        "revision__assessment__outlook__region",
        "revision__risk_level",
        "revision__risk_status",
        "addressee",
    )


def filtered_entries(filters):
    """The index rows under `filters`, each a column of the index."""
    entries = SearchEntry.objects.all()
    if filters.addressee is not None:
        # A filter on the addressee only makes sense for recommendations.
        entries = entries.filter(addressee=filters.addressee)
    if filters.region is not None:
        entries = entries.filter(region=filters.region)
    if filters.country is not None:
        entries = entries.filter(country=filters.country)
    if filters.level is not None:
        entries = entries.filter(risk_level=filters.level)
    if filters.period_from is not None:
        entries = entries.filter(period__gte=filters.period_from)
    if filters.period_to is not None:
        entries = entries.filter(period__lte=filters.period_to)
    return entries


def _ranked(entries, query):
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    # The most recent matches under the filters (through the GIN index, or the filter's
    # index read most recent first, whichever the planner finds cheaper)...
    candidates = (
        entries.filter(vector=search_query).order_by("-period", "-id").values("pk")[:CANDIDATES]
    )
    # ...ranked on their stored vector: the best are the hits. Their ids are fetched
    # first, so that the query below reads those rows alone (as a subquery, the planner
    # may join every row of the index before it keeps these).
    best = list(
        SearchEntry.objects.filter(pk__in=candidates)
        .annotate(rank=SearchRank(F("vector"), search_query))
        .order_by("-rank", "-period", "-id")
        .values_list("pk", flat=True)[:LIMIT]
    )
    if not best:
        return []
    # Only the hits shown get a headline (ts_headline parses the text again).
    rows = _with_hit_fields(SearchEntry.objects.filter(pk__in=best).defer(*UNSHOWN)).annotate(
        rank=SearchRank(F("vector"), search_query),
        headline=SearchHeadline(
            "text",
            search_query,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=40,
            min_words=15,
        ),
    )
    order = {pk: position for position, pk in enumerate(best)}
    return [_hit(row, row.headline, row.rank) for row in sorted(rows, key=lambda r: order[r.pk])]


def _matching_words(entries, query):
    # The fallback: every word must appear in the text or the other terms.
    words = query.split()
    for word in words:
        entries = entries.filter(Q(text__icontains=word) | Q(terms__icontains=word))
    rows = _with_hit_fields(entries.defer("vector")).order_by("-period", "-id")[:LIMIT]
    return [_hit(row, _mark_words(row.text, words), 0.0) for row in rows]


def _mark_words(text, words):
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda m: START + m.group(0) + STOP, text)


ANCHORS = {"finding": "finding", "recommendation": "rec", "footnote": "fn"}


def _hit(row, headline, rank):
    revision = row.revision
    code = revision.assessment.country.code.code.lower()
    return Hit(
        kind=row.kind,
        revision=revision,
        anchor=f"{code}-{ANCHORS[row.kind]}-{row.position}",
        snippet=snippet_html(headline),
        rank=rank,
        addressee=row.addressee,
    )


def snippet_html(headline):
    """A headline of the index's plain text as safe HTML, matches in <mark>."""
    text = html.escape(headline or "")
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))
