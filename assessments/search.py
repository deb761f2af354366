"""Search over published text: findings, recommendations and footnotes.

Reads the search index alone (SearchEntry, kept by assessments.search_index at each
publication), which holds only the live published revision of each entry: a superseded
version (before a correction) stays readable at its own URL but does not answer
searches. On PostgreSQL the stored vector is matched through its GIN index, the most
recent matches (CANDIDATES of them) are ranked, and only the hits shown get a headline;
on other databases (SQLite, `make run`) every word must appear in the text or its terms:
the simple mode, without stemming.

Beside the hits, a search names the countries and addressees its words name (read from
the lists of the search form, which hold only those with published text), and offers a
respelling of the words the published text does not hold, nearest by trigram
similarity (pg_trgm) among the index's words (SearchWord).
"""

import difflib
import html
import re
from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import F, FloatField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Length
from django.utils.safestring import mark_safe

from .models import Country, Revision, SearchEntry, SearchWord, normalize_name
from .search_index import CONFIG, WORD_RE

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


# Names found, and words respelt, at most.
NAMES_SHOWN = 10
WORDS_RESPELT = 5


def is_simple():
    """Whether search runs in the simple mode: words as written, no stemming (SQLite)."""
    return connection.vendor != "postgresql"


@dataclass
class Results:
    hits: list
    countries: list  # Country: those the query names
    addressees: list  # Addressee: those the query names
    suggestion: str  # the query respelt, or ""


def find(query, filters, *, countries, addressees):
    """Everything a search page shows for `query`: hits under `filters`, the countries
    and addressees (among those given) it names, and a respelling that finds more."""
    hits = search(query, filters)
    named = named_countries(query, countries)
    if not hits and not named:
        # Nothing found: perhaps a country's name, misspelt ("Veit Nam").
        named = countries_named_like(query, countries)
    return Results(
        hits=hits,
        countries=named,
        addressees=named_addressees(query, addressees),
        suggestion=suggest(query, filters),
    )


def search(query, filters=None):
    """Hits for `query` under `filters`, best first; two queries whatever the data."""
    query = (query or "").strip()
    filters = filters or SearchFilters()
    if not query:
        return []
    entries = filtered_entries(filters)
    if is_simple():
        return _matching_words(entries, query)
    return _ranked(entries, query)


def named_countries(query, countries):
    """Those of `countries` that `query` names by one of their names (official, short,
    ISO, aliases), or whose name holds all of it ("Korea" names both Koreas)."""
    words = normalize_name(query)
    return [
        country
        for country in countries
        if any(_names(words, name) for name in country.normalized_names())
    ][:NAMES_SHOWN]


# How like a country's name a query must be to name it, misspelt: trigram similarity
# (pg_trgm's, or difflib's ratio on SQLite). "Veit Nam" is 0.38 like "Viet Nam".
NAME_SIMILARITY = 0.35


# The likeness of the country's most like alias (its aliases are a JSON list).
ALIAS_LIKENESS = "SELECT max(similarity(alias, %s)) FROM jsonb_array_elements_text(aliases) alias"


def countries_named_like(query, countries):
    """Those of `countries` whose official or short name or an alias is like `query` as a
    whole, most like first: a misspelt name. One query (PostgreSQL's trigrams), or none."""
    if not countries or len(query) < 4:
        return []
    if is_simple():
        words = normalize_name(query)
        likeness = {
            country: max(
                difflib.SequenceMatcher(None, words, name).ratio()
                for name in country.normalized_names()
            )
            for country in countries
        }
        # difflib's ratio runs higher than trigram similarity for the same misspelling.
        like = [country for country, ratio in likeness.items() if ratio >= 0.75]
        return sorted(like, key=likeness.get, reverse=True)[:NAMES_SHOWN]
    return list(
        Country.objects.filter(pk__in=[country.pk for country in countries])
        .annotate(
            likeness=Greatest(
                TrigramSimilarity("official_name", query),
                TrigramSimilarity("short_name", query),
                Coalesce(RawSQL(ALIAS_LIKENESS, [query], output_field=FloatField()), 0.0),
            )
        )
        .filter(likeness__gte=NAME_SIMILARITY)
        .order_by("-likeness", "official_name")[:NAMES_SHOWN]
    )


def named_addressees(query, addressees):
    """Those of `addressees` that `query` names, or whose name holds all of it
    ("Security Council" names "The UN Security Council")."""
    words = _without_article(normalize_name(query))
    return [
        addressee
        for addressee in addressees
        if _names(words, _without_article(normalize_name(addressee.name)))
    ][:NAMES_SHOWN]


def _without_article(words):
    return words.removeprefix("the ")


def _names(words, name):
    # Whole words either way; a query of a word or two letters long names nothing.
    return bool(name) and (
        f" {name} " in f" {words} " or (len(words) >= 4 and f" {words} " in f" {name} ")
    )


def suggest(query, filters=None):
    """`query` with each word that no published text holds respelt as the nearest word
    that one does, when that finds something under `filters`; "" otherwise."""
    words = list(dict.fromkeys(WORD_RE.findall(query or "")))
    known = set(
        SearchWord.objects.filter(word__in={word.casefold() for word in words}).values_list(
            "word", flat=True
        )
    )
    respelt = {}
    for word in [word for word in words if word.casefold() not in known][:WORDS_RESPELT]:
        if nearest := _nearest_word(word.casefold()):
            respelt[word] = _in_case_of(word, nearest)
    if not respelt:
        return ""
    suggestion = WORD_RE.sub(lambda match: respelt.get(match[0], match[0]), query)
    return (
        suggestion
        if _finds_anything(filtered_entries(filters or SearchFilters()), suggestion)
        else ""
    )


def _nearest_word(word):
    if is_simple():
        # No trigram index: compare with the words of about the same length, which a
        # development database holds few of.
        candidates = SearchWord.objects.annotate(length=Length("word")).filter(
            length__range=(len(word) - 2, len(word) + 2)
        )
        found = difflib.get_close_matches(word, candidates.values_list("word", flat=True), 1, 0.75)
        return found[0] if found else None
    # `%` (trigram_similar) reads the trigram index; pg_trgm.similarity_threshold, 0.3
    # by default, keeps what is similar enough.
    return (
        SearchWord.objects.filter(word__trigram_similar=word)
        .annotate(similarity=TrigramSimilarity("word", word))
        .order_by("-similarity", "word")
        .values_list("word", flat=True)
        .first()
    )


def _in_case_of(original, word):
    if len(original) > 1 and original.isupper():
        return word.upper()
    if original[0].isupper():
        return word.capitalize()
    return word


def _finds_anything(entries, query):
    if is_simple():
        return _with_words(entries, query.split()).exists()
    return entries.filter(
        vector=SearchQuery(query, search_type="websearch", config=CONFIG)
    ).exists()


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
    words = query.split()
    rows = _with_hit_fields(_with_words(entries, words).defer("vector")).order_by("-period", "-id")[
        :LIMIT
    ]
    return [_hit(row, _mark_words(row.text, words), 0.0) for row in rows]


def _with_words(entries, words):
    # The simple mode: every word must appear in the text or the other terms.
    for word in words:
        entries = entries.filter(Q(text__icontains=word) | Q(terms__icontains=word))
    return entries


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
