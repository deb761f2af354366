import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.importing import ImportFileError, import_file, parse_text
from assessments.models import (
    Addressee,
    Assessment,
    AuditEvent,
    Finding,
    Footnote,
    Outlook,
    Recommendation,
    Revision,
    Source,
)

pytestmark = pytest.mark.django_db

ENTRY = """\
DPRK Asia Pacific Regional Outlook May 2024

Democratic People's Republic of Korea Risk: High/Ongoing

The situation remains grave.¹

Recommendations

The UN Security Council should:

- Keep the situation on its agenda.

¹ Report of the Special Rapporteur, 1 March 2024, A/HRC/55/63.
"""

SECOND_ENTRY = """\
Myanmar Asia Pacific Regional Outlook May 2024

Republic of the Union of Myanmar Risk: Very high/Imminent

Air strikes on villages continue.

Recommendations

UN Member States should:

- Stop the supply of aviation fuel.
"""


def database_snapshot():
    """Row counts of every table an import writes to."""
    models = [Outlook, Assessment, Revision, Finding, Recommendation, Footnote, Source, Addressee]
    return {model.__name__: model.objects.count() for model in models} | {
        "AuditEvent": AuditEvent.objects.count()
    }


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


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


def test_import_command_prints_what_it_imported_and_warnings(sample_path):
    out = StringIO()
    call_command("import_outlook", str(sample_path), "--publish", stdout=out)
    output = out.getvalue()
    assert "Asia Pacific Regional Outlook November 2023 (asia-pacific-2023-11, published)" in output
    assert "added DPRK (KP)" in output
    assert (
        "line 5: Country name in the heading, characters 1–37: warning: "
        '"Democratic Peoples\' Republic of Korea" is a misspelling of '
        '"Democratic People\'s Republic of Korea"'
    ) in output
    assert '"200,0000" is not a well-formed number' in output


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


# --- The text format ----------------------------------------------------------------


def test_one_file_may_hold_several_country_entries(tmp_path):
    path = write(tmp_path, "two.txt", ENTRY + "\n" + SECOND_ENTRY)
    result = import_file(path)
    assert [a.country.code for a in result.outlook.assessments.all()] == ["KP", "MM"]
    myanmar = result.outlook.assessments.get(country__code="MM").revisions.get()
    assert myanmar.risk_level.name == "Very high"
    assert myanmar.risk_status.name == "Imminent"


def test_superscript_calls_in_text_become_markdown_footnote_calls():
    content = parse_text(ENTRY)
    assert content.assessments[0].findings == ["The situation remains grave.[^1]"]


def test_plain_digit_footnotes_are_read_after_the_recommendations():
    text = ENTRY.replace("¹ Report", "1 Report").replace("grave.¹", "grave.")
    entry = parse_text(text).assessments[0]
    assert [(n.number, n.text) for n in entry.footnotes] == [
        (1, "Report of the Special Rapporteur, 1 March 2024, A/HRC/55/63.")
    ]


def test_a_paragraph_starting_with_a_number_stays_a_finding():
    text = ENTRY.replace("The situation remains grave.¹", "40 percent of people go hungry.")
    entry = parse_text(text).assessments[0]
    assert entry.findings == ["40 percent of people go hungry."]


def test_a_paragraph_split_by_a_page_break_is_joined():
    text = ENTRY.replace(
        "The situation remains grave.¹",
        "The situation remains\n\n"
        "DPRK Asia Pacific Regional Outlook May 2024\n\n"
        "grave and worsening.",
    )
    entry = parse_text(text).assessments[0]
    assert entry.findings == ["The situation remains grave and worsening."]


def test_emphasis_is_stripped_from_addressee_names():
    text = ENTRY.replace("The UN Security Council should:", "The **UN Security Council** should:")
    entry = parse_text(text).assessments[0]
    assert entry.recommendations[0].addressee == "The UN Security Council"


def test_wrapped_recommendation_lines_are_joined():
    text = ENTRY.replace(
        "- Keep the situation on its agenda.", "- Keep the situation\non its agenda."
    )
    entry = parse_text(text).assessments[0]
    assert entry.recommendations[0].items == ["Keep the situation on its agenda."]


def test_country_is_matched_by_alias_short_name_and_case(tmp_path):
    for i, name in enumerate(["North Korea", "DPRK", "democratic people’s republic of korea"]):
        path = write(
            tmp_path, f"{i}.txt", ENTRY.replace("Democratic People's Republic of Korea", name)
        )
        result = import_file(path, replace=True)
        assert result.outlook.assessments.get().country.code == "KP"


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


# --- Malformed input: a clear error and nothing written ---------------------------------

MALFORMED = [
    ("empty.txt", "", None, "the file is empty"),
    ("blank.txt", "\n\n   \n", None, "the file is empty"),
    (
        "no-risk.txt",
        "DPRK Asia Pacific Regional Outlook May 2024\n\nThe situation is grave.\n",
        3,
        "expected a country line",
    ),
    (
        "no-rating.txt",
        ENTRY.replace("Risk: High/Ongoing", "Risk: High"),
        3,
        'the risk "High" is not of the form "Risk: <level>/<status>"',
    ),
    (
        "unknown-country.txt",
        ENTRY.replace("Democratic People's Republic of Korea", "Atlantis"),
        3,
        'unknown country "Atlantis"',
    ),
    (
        "unknown-level.txt",
        ENTRY.replace("High/Ongoing", "Catastrophic/Ongoing"),
        3,
        'the risk level "Catastrophic" is not in the risk framework; '
        "expected one of: Very low, Low",
    ),
    (
        "unknown-status.txt",
        ENTRY.replace("High/Ongoing", "High/Over"),
        3,
        'the risk status "Over" is not in the risk framework',
    ),
    (
        "footnote-order.txt",
        ENTRY + "³ A third note.\n",
        ENTRY.count("\n") + 1,
        "footnote 3 is out of order; expected footnote 2",
    ),
    ("invalid.json", '{"region": "Asia Pacific", "title": ', 1, "invalid JSON"),
    ("binary.pdf", b"%PDF-1.7\n\x00\x01\x02\xff binary", None, "not a text file"),
    ("latin1.txt", "Caf\u00e9 Risk: High/Ongoing".encode("latin-1"), 1, "not UTF-8 text"),
    (
        "orphan-item.txt",
        ENTRY.replace("The UN Security Council should:\n", ""),
        None,
        "a recommendation before any addressee",
    ),
    (
        "no-header.txt",
        ENTRY.replace("DPRK Asia Pacific Regional Outlook May 2024\n", ""),
        1,
        "no header line",
    ),
]


@pytest.mark.parametrize(
    "name, content, line, message", MALFORMED, ids=[case[0] for case in MALFORMED]
)
def test_malformed_file_is_refused_with_a_clear_error_and_nothing_written(
    tmp_path, published_sample, name, content, line, message
):
    path = write(tmp_path, name, content)
    before = database_snapshot()
    with pytest.raises(ImportFileError) as caught:
        import_file(path)
    error = caught.value
    assert message in str(error)
    assert str(error).startswith(str(path))
    if line:
        assert error.line == line
        assert f"line {line}:" in str(error)
    assert database_snapshot() == before


def test_an_error_in_the_second_entry_leaves_the_first_unwritten(tmp_path):
    bad_second = SECOND_ENTRY.replace("Very high/Imminent", "Enormous/Imminent")
    path = write(tmp_path, "two.txt", ENTRY + "\n" + bad_second)
    before = database_snapshot()
    with pytest.raises(ImportFileError, match='risk level "Enormous"'):
        import_file(path)
    assert database_snapshot() == before


def test_command_imports_good_files_and_fails_on_a_bad_one(tmp_path):
    good = write(tmp_path, "good.txt", ENTRY)
    bad = write(tmp_path, "bad.txt", ENTRY.replace("High/Ongoing", "Huge/Ongoing"))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_outlook", str(good), str(bad), stdout=out, stderr=err)
    assert "added DPRK (KP)" in out.getvalue()
    assert f'{bad}, line 3: the risk level "Huge"' in err.getvalue()
    assert f"Nothing was imported from {bad}" in err.getvalue()
    assert Assessment.objects.count() == 1


def test_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(ImportFileError, match="cannot read the file"):
        import_file(tmp_path / "nope.txt")


# --- JSON -----------------------------------------------------------------------------

VALID_JSON = {
    "region": "Asia Pacific",
    "title": "Asia Pacific Regional Outlook",
    "period": "2024-05",
    "assessments": [
        {
            "country": "KP",
            "short_name": "DPRK",
            "risk": {"level": "High", "status": "Ongoing", "rationale": "Fewer executions."},
            "findings": ["The situation remains grave.[^1]"],
            "recommendations": [
                {"addressee": "The UN Security Council", "items": ["Keep it on the agenda."]}
            ],
            "footnotes": [{"number": 1, "text": "A report, A/HRC/55/63.", "url": None}],
        }
    ],
}


def test_a_region_spelt_another_way_is_the_same_region(tmp_path, published_sample):
    data = json.loads(json.dumps(VALID_JSON))
    data.update(region="Asia-Pacific")
    path = write(tmp_path, "edition.json", json.dumps(data))
    result = import_file(path)
    assert result.outlook.region == published_sample.region
    assert result.outlook.slug == "asia-pacific-2024-05"
    assert 'read the region "Asia-Pacific" as "Asia Pacific"' in result.warnings


def test_json_import_reads_the_interchange_format(tmp_path):
    path = write(tmp_path, "edition.json", json.dumps(VALID_JSON))
    outlook = import_file(path).outlook
    revision = outlook.assessments.get().revisions.get()
    assert outlook.slug == "asia-pacific-2024-05"
    assert revision.rationale == "Fewer executions."
    assert revision.footnotes.get().source.document_symbol == "A/HRC/55/63"


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("period"), "outlook.period: expected a non-empty string"),
        (lambda d: d.update(period="May"), "outlook.period: expected YYYY-MM"),
        (lambda d: d.update(assessments=[]), "outlook.assessments: expected a non-empty list"),
        (lambda d: d["assessments"][0].pop("risk"), "assessments[0].risk: expected an object"),
        (
            lambda d: d["assessments"][0].update(findings="text"),
            "assessments[0].findings: expected a list of strings",
        ),
        (
            lambda d: d["assessments"][0]["footnotes"][0].update(number=2),
            "assessments[0].footnotes[0]: footnote 2 is out of order",
        ),
        (
            lambda d: d["assessments"][0].update(country="Atlantis"),
            'unknown country "Atlantis"',
        ),
        (
            lambda d: d["assessments"][0]["footnotes"][0].update(url="javascript:alert(1)"),
            'footnote 1 of DPRK: "javascript:alert(1)" is not a web address',
        ),
        (
            lambda d: d["assessments"][0]["recommendations"][0].update(addressee="x" * 300),
            "longer than 200 characters",
        ),
    ],
)
def test_malformed_json_is_refused_with_the_path_of_the_problem(tmp_path, mutate, message):
    data = json.loads(json.dumps(VALID_JSON))
    mutate(data)
    path = write(tmp_path, "edition.json", json.dumps(data))
    before = database_snapshot()
    with pytest.raises(ImportFileError, match=re.escape(message)):
        import_file(path)
    assert database_snapshot() == before
