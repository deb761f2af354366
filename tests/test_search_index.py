"""The search index: written at publication, replaced at a correction, rebuilt by the
command identically, and read by search through its GIN index."""

import importlib
import io
from datetime import date

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import derived, workflow
from assessments import search as search_module
from assessments.content import DraftContent
from assessments.models import Finding, Revision, SearchEntry, SearchWord, Source
from assessments.search import SearchFilters, search
from tests.builders import (
    add_assessment,
    make_outlook,
    pass_checks,
    publish_correction,
    publish_entry,
)
from tests.worker import run_jobs

pytestmark = pytest.mark.django_db

COLUMNS = [
    "kind",
    "assessment_id",
    "revision_id",
    "region_id",
    "country_id",
    "risk_level_id",
    "addressee_id",
    "period",
    "position",
    "text",
    "terms",
]


def index_rows():
    """The index as comparable rows, the vector as text."""
    rows = SearchEntry.objects.order_by(*COLUMNS).values_list(*COLUMNS, "vector")
    return [(*row[:-1], str(row[-1])) for row in rows]


def found(query, **filters):
    return [(hit.kind, hit.anchor) for hit in search(query, SearchFilters(**filters))]


def test_finding_search_can_use_the_gin_index(published_sample):
    query = SearchQuery("prison", search_type="websearch", config="english")
    queryset = (
        Finding.objects.alias(document=SearchVector("text", config="english"))
        .filter(document=query)
        .order_by()  # the default ordering joins revisions and outlooks: not what is asked here
    )
    with connection.cursor() as cursor:
        # With a handful of rows the planner prefers reading every row, by a scan of the
        # table or of its primary key (it did so after other tests had run): forbid both,
        # so that the plan shows whether the full-text condition can use the GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "assessments_finding_search" in plan


def test_search_matches_the_stored_vector_through_its_gin_index(published_sample):
    entries = search_module.filtered_entries(SearchFilters()).filter(
        vector=SearchQuery("prison", search_type="websearch", config="english")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = entries.order_by().explain()
    assert "search_entry_vector" in plan


def test_the_index_holds_every_paragraph_of_a_published_entry(published_sample):
    revision = Revision.objects.live().with_content().get()
    entries = SearchEntry.objects.filter(revision=revision)
    assert entries.filter(kind="finding").count() == revision.findings.count()
    assert entries.filter(kind="recommendation").count() == revision.recommendations.count()
    assert entries.filter(kind="footnote").count() == revision.footnotes.count()
    assert not entries.filter(vector__isnull=True).exists()
    # Markdown reduced to its words: no emphasis, no footnote call.
    rec = entries.get(kind="recommendation", text__startswith="Revive")
    assert "*" not in rec.text and "[^" not in rec.text
    assert rec.addressee.name == "The UN Security Council"
    assert rec.period == published_sample.period and rec.region_id == published_sample.region_id


def test_publication_writes_the_index_and_a_correction_replaces_it(edition, erin, alice, bob):
    before = SearchEntry.objects.count()
    for revision in Revision.objects.filter(assessment__outlook=edition).in_progress():
        revision = pass_checks(revision, alice)
        workflow.submit(revision, user=alice)
        workflow.approve(revision, user=bob)
    assert not SearchEntry.objects.filter(period=edition.period).exists()
    workflow.publish(edition, user=erin)
    run_jobs()
    published = edition.assessments.get().published_revision
    assert SearchEntry.objects.filter(revision=published).exists()
    assert SearchEntry.objects.count() == 2 * before  # the new edition copied the sample
    assert ("finding", "kp-finding-1") in found("prison camps", period_from=edition.period)

    correction = workflow.start_correction(edition.assessments.get(), user=alice)
    data = DraftContent.from_revision(Revision.objects.with_content().get(pk=correction.pk))
    data.findings = ["Quokkas were seen on the border.", *data.findings[1:]]
    data.correction_note = "Corrected the first finding."
    workflow.save_draft(correction, data, user=alice, based_on_version=correction.version)
    correction = pass_checks(Revision.objects.get(pk=correction.pk), alice)
    workflow.submit(correction, user=alice)
    workflow.approve(correction, user=bob)
    workflow.publish_correction(correction, user=erin)
    run_jobs()

    assert not SearchEntry.objects.filter(revision=published).exists()
    assert SearchEntry.objects.filter(revision=correction).count() == before
    assert found("quokkas") == [("finding", "kp-finding-1")]
    # The superseded text is found no more in that edition; the older edition still has it.
    assert ("finding", "kp-finding-1") not in found("prison camps", period_from=edition.period)
    assert ("finding", "kp-finding-1") in found("prison camps", period_to=date(2023, 11, 1))


def test_the_command_rebuilds_the_index_identically(published_sample):
    entry = published_sample.assessments.get()
    publish_correction(entry, findings=("A corrected finding about quokkas.",))
    publish_entry("MM", findings=("Airstrikes on villages.",))
    written = index_rows()
    assert written
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert index_rows() == written


def test_the_vocabulary_holds_the_published_words_and_a_rebuild_writes_it_again(
    published_sample,
):
    words = set(SearchWord.objects.values_list("word", flat=True))
    # From the text, the country's names and the addressees; in lower case, letters only.
    assert {"prison", "camps", "korea", "democratic", "security", "council"} <= words
    assert all(word == word.casefold() and word.isalpha() and len(word) >= 3 for word in words)
    SearchWord.objects.all().delete()
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert set(SearchWord.objects.values_list("word", flat=True)) == words


def test_the_nearest_word_is_read_through_the_trigram_index(published_sample):
    nearest = SearchWord.objects.filter(word__trigram_similar="prisn")
    with connection.cursor() as cursor:
        # A vocabulary of twenty years of editions: a few thousand words are still
        # cheaper to read in full than through an index.
        cursor.execute(
            "INSERT INTO assessments_searchword (word) "
            "SELECT substr(md5(i::text), 1, 10) FROM generate_series(1, 100000) AS i "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE assessments_searchword")
        plan = nearest.explain()
    assert "search_word_trigram" in plan
    assert search_module.suggest("prisn camps") == "prison camps"


def test_a_superseded_revision_is_not_found(db):
    outlook = publish_entry("KP", findings=("Wombats crossed the river.",))
    assert found("wombats") == [("finding", "kp-finding-1")]
    publish_correction(outlook.assessments.get(), findings=("Kangaroos crossed the river.",))
    assert found("wombats") == []
    assert found("kangaroos") == [("finding", "kp-finding-1")]


def test_footnotes_are_found_by_their_source_and_pinpoint(db):
    outlook = make_outlook(published=True)
    assessment = add_assessment(outlook, "KP", with_revision=False)
    revision = Revision.objects.create(
        assessment=assessment, number=1, risk_level_id=1, risk_status_id=1
    )
    report = Source.objects.for_citation("Report of the commission of inquiry, A/HRC/25/63.")
    page = Source.objects.create(url="https://www.ohchr.org/en/documents/zebrafinch")
    revision.add_content(["Camps remain.[^1][^2]"], [], [(1, report, "para. 1215"), (2, page, "")])
    revision.state = Revision.State.PUBLISHED
    revision.save()
    assessment.published_revision = revision
    assessment.save()
    derived.record_published(outlook, [revision])
    assert found("commission inquiry") == [("footnote", "kp-fn-1")]
    assert found("A/HRC/25/63") == [("footnote", "kp-fn-1")]
    assert found("1215") == [("footnote", "kp-fn-1")]
    assert found("ohchr") == [("footnote", "kp-fn-2")]
    assert found("zebrafinch") == [("footnote", "kp-fn-2")]


def test_a_country_name_finds_its_entries(db):
    publish_entry("KP", findings=("Camps remain.",), recommendations=(), footnotes=())
    publish_entry(
        "MM",
        period=date(2024, 6, 1),
        findings=("Airstrikes continue.",),
        recommendations=(),
        footnotes=(),
    )
    for name in ("Democratic People's Republic of Korea", "North Korea", "DPRK", "korea"):
        assert found(name) == [("finding", "kp-finding-1")], name
    assert found("Myanmar") == [("finding", "mm-finding-1")]
    # A name and a word of the text: that country's paragraphs with the word.
    assert found("Myanmar airstrikes") == [("finding", "mm-finding-1")]
    assert found("Myanmar camps") == []


def test_an_addressee_name_finds_their_recommendations(db):
    publish_entry(
        "KP",
        findings=("Camps remain.",),
        recommendations=(
            ("The Human Rights Council", "Renew the mandate."),
            ("The World Food Programme", "Monitor deliveries."),
        ),
        footnotes=(),
    )
    assert found("World Food Programme") == [("recommendation", "kp-rec-2")]
    assert [hit.addressee.name for hit in search("food programme")] == ["The World Food Programme"]


def test_filters_read_the_index_columns(db):
    publish_entry("KP", period=date(2023, 11, 1), risk="Very high", findings=("Floods hit.",))
    publish_entry("MM", risk="High", findings=("Floods hit.",))
    publish_entry("SD", region="Africa", risk="High", findings=("Floods hit.",))
    kp, mm, sd = "kp-finding-1", "mm-finding-1", "sd-finding-1"
    from assessments.models import Country, Region, RiskLevel

    def anchors(**filters):
        return {anchor for _, anchor in found("floods", **filters)}

    assert anchors() == {kp, mm, sd}
    assert anchors(region=Region.objects.get(name="Africa")) == {sd}
    assert anchors(country=Country.objects.get(code="KP")) == {kp}
    assert anchors(level=RiskLevel.objects.get(name="High")) == {mm, sd}
    assert anchors(period_from=date(2024, 1, 1)) == {mm, sd}
    assert anchors(period_to=date(2023, 12, 1)) == {kp}


def test_hits_come_best_first_then_most_recent(db):
    publish_entry("KP", period=date(2023, 11, 1), findings=("Floods, floods and floods.",))
    publish_entry("MM", period=date(2024, 5, 1), findings=("Floods hit, then the drought.",))
    publish_entry("LA", period=date(2024, 6, 1), findings=("The drought and the floods.",))
    assert [anchor for _, anchor in found("floods")][0] == "kp-finding-1"
    assert [anchor for _, anchor in found("drought")] == ["la-finding-1", "mm-finding-1"]


def test_a_search_costs_two_queries_whatever_the_data(db):
    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            hits = search(query)
        return len(captured), len(hits)

    publish_entry("KP", findings=("Floods hit.",))
    assert queries("floods") == (2, 1)
    assert queries("nothing") == (1, 0)
    for month, code in enumerate(["MM", "LA", "TH", "VN"], 1):
        publish_entry(code, period=date(2024, month, 1), findings=("Floods hit.", "Floods again."))
    assert queries("floods") == (2, 9)


def test_only_the_candidates_are_ranked(db, monkeypatch):
    for month in range(1, 6):
        publish_entry("KP", period=date(2024, month, 1), findings=("Floods hit.",))
    monkeypatch.setattr(search_module, "CANDIDATES", 2)
    hits = search("floods")
    assert [hit.revision.assessment.outlook.period.month for hit in hits] == [5, 4]


def test_the_fallback_without_postgresql_matches_every_word(db, monkeypatch):
    publish_entry(
        "KP",
        findings=("Political **prison** camps remain.",),
        recommendations=(("The UN Security Council", "Revive the dialogue."),),
        footnotes=(),
    )
    # The path SQLite takes (`make run`): icontains over the text and the terms.
    monkeypatch.setattr(search_module.connection, "vendor", "sqlite")
    hits = search("prison camps")
    assert [(hit.kind, hit.anchor) for hit in hits] == [("finding", "kp-finding-1")]
    assert str(hits[0].snippet) == "Political <mark>prison</mark> <mark>camps</mark> remain."
    assert found("security council dialogue") == [("recommendation", "kp-rec-1")]
    assert found("korea camps") == [("finding", "kp-finding-1")]
    assert found("camps", period_to=date(2000, 1, 1)) == []
    # "Did you mean", without trigrams: the nearest word of about the same length.
    assert search_module.suggest("Prisn camps") == "Prison camps"


def test_a_country_renamed_in_the_admin_is_found_by_its_new_name(client, django_user_model):
    publish_entry("KP", findings=("Camps remain.",), recommendations=(), footnotes=())
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "pw"))
    from assessments.models import Country

    country = Country.objects.get(code="KP")
    response = client.post(
        f"/admin/assessments/country/{country.pk}/change/",
        {
            "code": "KP",
            "official_name": country.official_name,
            "short_name": "Hermit Kingdom",
            "aliases": "[]",
            "region": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("hermit kingdom") == [("finding", "kp-finding-1")]


def test_the_migration_fills_the_index_for_what_is_already_published(published_sample):
    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0010_search_index")
    written = index_rows()
    SearchEntry.objects.all().delete()
    migration.fill(apps, None)
    assert index_rows() == written
