"""The search index: SearchEntry rows for the live published revisions, and their vectors.

Derived data, never the record: each publication (derived.STEPS) replaces the rows of
the entries it publishes with those of their live revision, so a correction's text
replaces the text it corrects, and `manage.py rebuild_search_index` writes the whole
index again from the live revisions. The vector is computed once, here, in SQL
(PostgreSQL); search (assessments.search) only reads it.
"""

import re

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from .markdown import plain_text
from .models import Revision, SearchEntry, SearchWord

CONFIG = "english"
# Rows written per INSERT when the whole index is rebuilt.
BATCH = 2_000
# A word of the vocabulary (SearchWord): letters only, long enough to be misspelt.
WORD_RE = re.compile(r"[^\W\d_]{3,40}")


def index_published(outlook, revisions):
    """Replace the index rows of the entries of `revisions` with their live revision's
    (a publication step: the revisions a correction or a replacing import supersedes go)."""
    assessment_ids = {revision.assessment_id for revision in revisions}
    if not assessment_ids:
        return
    SearchEntry.objects.filter(assessment_id__in=assessment_ids).delete()
    _write(Revision.objects.live().filter(assessment_id__in=assessment_ids))


def index_country(country):
    """Write again the rows of `country`'s live entries: its names (in every row's
    terms) may have changed, unlike the published record."""
    index_published(None, Revision.objects.live().filter(assessment__country=country))


def rebuild():
    """Write the whole index again from the live revisions; returns the rows written."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        SearchWord.objects.all().delete()
        ids = list(Revision.objects.live().order_by("pk").values_list("pk", flat=True))
        written = 0
        # Revisions in slices, so that memory holds one slice's content at a time.
        for start in range(0, len(ids), 500):
            written += _write(Revision.objects.filter(pk__in=ids[start : start + 500]))
    return written


def _write(revisions):
    revisions = revisions.with_content().select_related("assessment__outlook")
    entries = [entry for revision in revisions for entry in entries_of(revision)]
    SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
    words = set().union(*(words_of(entry.text) | words_of(entry.terms) for entry in entries))
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], batch_size=BATCH, ignore_conflicts=True
    )
    if entries and connection.vendor == "postgresql":
        # to_tsvector once per row, by the database, for the rows just written.
        SearchEntry.objects.filter(
            revision_id__in={entry.revision_id for entry in entries}, vector__isnull=True
        ).update(vector=index_vector())
    return len(entries)


def words_of(text):
    """The vocabulary's words in `text`, in lower case."""
    words = (word.casefold() for word in WORD_RE.findall(text))
    return {word for word in words if len(word) <= 40}


def index_vector():
    """The stored vector: the shown text weighs most, the other terms least."""
    return SearchVector("text", config=CONFIG, weight="A") + SearchVector(
        "terms", config=CONFIG, weight="D"
    )


def entries_of(revision):
    """The unsaved index rows of a published revision read with its content."""
    assessment = revision.assessment
    country = assessment.country
    common = {
        "assessment_id": assessment.pk,
        "revision_id": revision.pk,
        "region_id": assessment.outlook.region_id,
        "country_id": country.pk,
        "risk_level_id": revision.risk_level_id,
        "period": assessment.outlook.period,
    }
    names = " ".join(name for name in country.names() if name)
    Kind = SearchEntry.Kind
    for finding in revision.findings.all():
        yield SearchEntry(
            kind=Kind.FINDING,
            position=finding.position,
            text=plain_text(finding.text),
            terms=names,
            **common,
        )
    for recommendation in revision.recommendations.all():
        yield SearchEntry(
            kind=Kind.RECOMMENDATION,
            position=recommendation.position,
            addressee_id=recommendation.addressee_id,
            text=plain_text(recommendation.text),
            terms=f"{recommendation.addressee.name} {names}",
            **common,
        )
    for footnote in revision.footnotes.all():
        source = footnote.source
        text = footnote.text
        if source.url and source.url not in text:
            text = f"{text} {source.url}".strip()
        yield SearchEntry(
            kind=Kind.FOOTNOTE,
            position=footnote.number,
            text=text,
            terms=" ".join([source.document_symbol, source.issuer, _words(source.url), names]),
            **common,
        )


def _words(url):
    """A web address as words (`www.ohchr.org/en/x` finds `ohchr`): the parser reads an
    address as one token."""
    return re.sub(r"[^\w]+", " ", url).strip()
