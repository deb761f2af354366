"""The store: names resolved against the database, and what an import writes."""

import json

import pytest

from assessments.importing import ImportFileError, import_file
from assessments.models import Addressee, AuditEvent, Outlook, Revision

from ..threads import run_in_threads
from . import ENTRY, SECOND_ENTRY, VALID_JSON, database_snapshot, write

pytestmark = pytest.mark.django_db


# --- The sample -------------------------------------------------------------------


def test_sample_imports_as_one_published_outlook(published_sample):
    outlook = published_sample
    assert outlook.slug == "asia-pacific-2023-11"
    assert outlook.title == "Asia Pacific Regional Outlook"
    assert outlook.period_label == "November 2023"
    assert outlook.region.name == "Asia Pacific"
    assert outlook.is_published
    assert outlook.published_at is not None
    assert Outlook.objects.count() == 1


def test_sample_has_one_dprk_assessment_rated_very_high_ongoing(published_sample):
    (assessment,) = published_sample.assessments.all()
    assert assessment.country.code == "KP"
    assert assessment.country.short_name == "DPRK"
    revision = assessment.published_revision
    assert revision.state == Revision.State.PUBLISHED
    assert (revision.risk_level.name, revision.risk_status.name) == ("Very high", "Ongoing")


def test_sample_findings_are_four_paragraphs_without_the_running_header(published_sample):
    revision = published_sample.assessments.get().published_revision
    findings = [finding.text for finding in revision.findings.all()]
    assert len(findings) == 4
    assert findings[0].startswith("The DPRK continues to commit widespread")
    assert findings[0].endswith("where torture and killing are commonplace.")
    assert findings[3].startswith("It is imperative that")
    assert not any("Regional Outlook" in text for text in findings)


def test_sample_recommendations_are_four_groups_in_order(published_sample):
    revision = published_sample.assessments.get().published_revision
    groups = [(a.name, len(items)) for a, items in revision.recommendation_groups()]
    assert groups == [
        ("The government of the DPRK", 2),
        ("UN Member States", 3),
        ("The UN Security Council", 2),
        ("The UN Human Rights Council", 2),
    ]
    assert not Addressee.objects.filter(name__contains="*").exists()
    first = revision.recommendations.first()
    assert first.text == "Immediately cease committing crimes against humanity."


def test_sample_footnotes_keep_their_urls_and_symbols(published_sample):
    revision = published_sample.assessments.get().published_revision
    notes = list(revision.footnotes.select_related("source"))
    assert [note.number for note in notes] == [1, 2, 3, 4]
    assert notes[0].source.document_symbol == "A/HRC/46/52"
    assert notes[0].source.url == ""
    assert notes[0].source.link == "https://docs.un.org/en/A/HRC/46/52"
    assert notes[1].source.document_symbol == "A/75/388"
    assert notes[2].source.url == "https://undocs.org/A/C.3/74/L.26"
    assert notes[2].text == "See A/C.3/74/L.26, United Nations General Assembly, 31 October 2019"
    assert notes[2].source.document_symbol == "A/C.3/74/L.26"
    assert notes[3].text == ""
    assert notes[3].source.url == (
        "https://www.hrw.org/news/2020/10/28/north-koreas-unlawful-shoot-sight-orders"
    )


def test_import_without_publish_makes_a_draft_edition(sample_path):
    outlook = import_file(sample_path).outlook
    assert outlook.state == Outlook.State.DRAFT
    assessment = outlook.assessments.get()
    assert assessment.published_revision is None
    assert assessment.revisions.get().state == Revision.State.DRAFT


def test_import_is_recorded_in_the_audit_log(published_sample):
    event = AuditEvent.objects.get(action="import")
    assert event.outlook == published_sample
    assert event.data["countries"] == ["KP"]


# --- Names resolved against the database ----------------------------------------------


def test_one_file_may_hold_several_country_entries(tmp_path):
    path = write(tmp_path, "two.txt", ENTRY + "\n" + SECOND_ENTRY)
    result = import_file(path)
    assert [a.country.code for a in result.outlook.assessments.all()] == ["KP", "MM"]
    myanmar = result.outlook.assessments.get(country__code="MM").revisions.get()
    assert myanmar.risk_level.name == "Very high"
    assert myanmar.risk_status.name == "Imminent"


def test_country_is_matched_by_alias_short_name_and_case(tmp_path):
    for i, name in enumerate(["North Korea", "DPRK", "democratic people’s republic of korea"]):
        path = write(
            tmp_path, f"{i}.txt", ENTRY.replace("Democratic People's Republic of Korea", name)
        )
        result = import_file(path, replace=True)
        assert result.outlook.assessments.get().country.code == "KP"


def test_a_region_spelt_another_way_is_the_same_region(tmp_path, published_sample):
    data = json.loads(json.dumps(VALID_JSON))
    data.update(region="Asia-Pacific")
    path = write(tmp_path, "edition.json", json.dumps(data))
    result = import_file(path)
    assert result.outlook.region == published_sample.region
    assert result.outlook.slug == "asia-pacific-2024-05"
    assert 'read the region "Asia-Pacific" as "Asia Pacific"' in result.warnings


# --- Refusing what the edition already holds ------------------------------------------


def test_importing_an_entry_twice_is_refused_with_a_clear_message(sample_path):
    import_file(sample_path, publish=True)
    before = database_snapshot()
    with pytest.raises(
        ImportFileError, match=r"already holds an entry for DPRK \(KP\); give --replace"
    ):
        import_file(sample_path, publish=True)
    assert database_snapshot() == before


def test_replace_publishes_a_new_revision_and_keeps_the_old_one(sample_path):
    first = import_file(sample_path, publish=True).outlook.assessments.get().published_revision
    result = import_file(sample_path, publish=True, replace=True)
    assessment = result.outlook.assessments.get()
    assert result.replaced == [assessment]
    assert assessment.published_revision.number == 2
    first.refresh_from_db()
    assert first.state == Revision.State.PUBLISHED


def test_a_draft_import_into_a_published_edition_is_refused(sample_path, tmp_path):
    import_file(sample_path, publish=True)
    path = write(tmp_path, "mm.txt", SECOND_ENTRY.replace("May 2024", "November 2023"))
    with pytest.raises(ImportFileError, match="already published; give --publish"):
        import_file(path)


# --- What would import but could not be used afterwards ----------------------------------


def refused(tmp_path, name, content, message):
    """Import `content` as file `name`; it must be refused with `message`, nothing written."""
    path = write(tmp_path, name, json.dumps(content) if isinstance(content, dict) else content)
    before = database_snapshot()
    with pytest.raises(ImportFileError) as caught:
        import_file(path)
    assert message in str(caught.value)
    assert database_snapshot() == before
    return caught.value


def json_with(**fields):
    data = json.loads(json.dumps(VALID_JSON))
    data.update(fields)
    return data


@pytest.mark.parametrize("region", ["日本", "!!!", "Азия"])
def test_a_region_without_latin_letters_or_digits_is_refused(tmp_path, region):
    message = f'the region "{region}" has no Latin letters or digits to make its web address'
    refused(tmp_path, "edition.json", json_with(region=region), message)


def test_a_second_region_without_latin_letters_is_not_taken_for_the_first(tmp_path):
    """Both would have had the empty slug: the second was read as the first."""
    from assessments.models import Region

    Region.objects.create(name="日本", slug="nihon")
    refused(tmp_path, "edition.json", json_with(region="!!!"), 'the region "!!!" has no Latin')


def test_a_region_named_in_a_text_header_without_latin_letters_is_refused(tmp_path):
    text = ENTRY.replace("DPRK Asia Pacific Regional", "DPRK 日本 Regional")
    error = refused(tmp_path, "entry.txt", text, 'the region "日本" has no Latin letters')
    assert error.line == 3


@pytest.mark.parametrize(
    "region, length",
    [("R" * 93, 101), ("R" * 100, 108), ("ﬃ" * 40, 128)],
    ids=["93", "100", "ligatures"],
)
def test_a_region_whose_edition_address_would_be_too_long_is_refused(tmp_path, region, length):
    message = f"makes an edition's web address of {length} characters, more than 100"
    refused(tmp_path, "edition.json", json_with(region=region), message)


def test_a_region_of_92_characters_makes_an_edition(tmp_path):
    outlook = import_file(write(tmp_path, "e.json", json.dumps(json_with(region="R" * 92)))).outlook
    assert len(outlook.slug) == 100


def test_an_empty_addressee_is_refused(tmp_path):
    text = ENTRY.replace("The UN Security Council should:", "** ** should:")
    error = refused(tmp_path, "entry.txt", text, "recommendations of DPRK have an empty addressee")
    assert error.line == 3
    data = json_with()
    data["assessments"][0]["recommendations"][0]["addressee"] = "** **"
    refused(tmp_path, "edition.json", data, "recommendations of DPRK have an empty addressee")


def test_a_un_symbol_longer_than_the_library_holds_is_refused(tmp_path):
    symbol = "A/" + "B" * 150
    text = ENTRY.replace("A/HRC/55/63", symbol)
    message = f'footnote 1 of DPRK: the UN document symbol "{symbol[:39]}…" is longer than 100'
    refused(tmp_path, "entry.txt", text, message)
    data = json_with()
    data["assessments"][0]["footnotes"][0]["text"] = f"A report, {symbol}."
    refused(tmp_path, "edition.json", data, message)


def test_a_citation_longer_than_the_library_holds_is_refused(tmp_path):
    text = ENTRY.replace("Report of the Special Rapporteur", "Report " * 800)
    error = refused(tmp_path, "entry.txt", text, "footnote 1 of DPRK: the citation")
    assert "characters long; a citation holds at most 5000" in error.message


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_files_of_one_new_edition_imported_at_once_both_go_in(tmp_path):
    """Both imports find no edition for May 2024 and create it: the database lets one
    insert through, and the other goes on with that edition instead of failing."""
    paths = [write(tmp_path, "kp.txt", ENTRY), write(tmp_path, "mm.txt", SECOND_ENTRY)]
    results = run_in_threads(2, lambda i: import_file(paths[i]))
    assert not [r for r in results if isinstance(r, Exception)], results
    (outlook,) = Outlook.objects.all()
    assert sorted(outlook.assessments.values_list("country__code", flat=True)) == ["KP", "MM"]
