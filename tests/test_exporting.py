import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.exporting import to_json, to_markdown
from assessments.importing import import_file
from assessments.models import Outlook
from tests.builders import import_json

pytestmark = pytest.mark.django_db


def export(slug, fmt):
    out = StringIO()
    call_command("export_outlook", slug, "--format", fmt, stdout=out)
    return out.getvalue()


def edition(entry, **fields):
    """The Asia Pacific edition of May 2024 in the interchange format, with one entry."""
    return {
        "region": "Asia Pacific",
        "title": "Asia Pacific Regional Outlook",
        "period": "2024-05",
        **fields,
        "assessments": [entry],
    }


def test_export_json_matches_the_interchange_format(published_sample):
    data = json.loads(export("asia-pacific-2023-11", "json"))
    assert data["region"] == "Asia Pacific"
    assert data["title"] == "Asia Pacific Regional Outlook"
    assert data["period"] == "2023-11"
    (entry,) = data["assessments"]
    assert entry["country"] == "KP"
    assert entry["short_name"] == "DPRK"
    assert entry["risk"] == {"level": "Very high", "status": "Ongoing"}
    assert len(entry["findings"]) == 4
    assert [len(group["items"]) for group in entry["recommendations"]] == [2, 3, 2, 2]
    assert entry["footnotes"][2]["url"] == "https://undocs.org/A/C.3/74/L.26"
    assert entry["footnotes"][0]["url"] is None


def test_json_export_then_import_gives_identical_content(sample_path, tmp_path):
    outlook = import_file(sample_path).outlook
    exported = to_json(outlook)
    # A draft edition may be deleted; import the export into an empty database.
    outlook.delete()
    assert not Outlook.objects.exists()

    again = import_json(tmp_path, exported).outlook
    assert to_json(again) == exported


def test_json_round_trip_keeps_rationale_introduction_and_citations(tmp_path):
    data = edition(
        {
            "country": "MM",
            "short_name": "Myanmar",
            "risk": {"level": "Very high", "status": "Imminent", "rationale": "Air strikes."},
            "findings": ["Air strikes continue.[^1] Villages burn.[^2]"],
            "recommendations": [{"addressee": "UN Member States", "items": ["Act now."]}],
            "footnotes": [
                {"number": 1, "text": "A report, A/HRC/55/1", "url": None},
                {"number": 2, "text": "", "url": "https://example.org/villages"},
            ],
        },
        introduction="This edition covers *two* countries.",
    )
    outlook = import_json(tmp_path, data, publish=True).outlook
    assert to_json(outlook) == data


def test_markdown_export_reads_like_the_sample(published_sample, sample_path):
    markdown = export("asia-pacific-2023-11", "markdown")
    sample_lines = [line for line in sample_path.read_text().splitlines() if line.strip()]
    exported_lines = [line for line in markdown.splitlines() if line.strip()]
    # What differs from the sample is what the import corrected: the running header
    # repeated by the page break is gone, the country has its official name, and the
    # addressee has no Markdown emphasis.
    expected = [
        line.replace("Democratic Peoples' Republic", "Democratic People's Republic").replace(
            "**", ""
        )
        for index, line in enumerate(sample_lines)
        if not (index > 0 and line == sample_lines[0])
    ]
    assert exported_lines == expected


def test_markdown_export_imports_back_to_the_same_content(published_sample, tmp_path):
    path = tmp_path / "export.md"
    path.write_text(to_markdown(published_sample), encoding="utf-8")
    before = to_json(published_sample)
    outlook = import_file(path, publish=True, replace=True).outlook
    assert outlook.assessments.get().published_revision.number == 2
    assert to_json(outlook) == before


def test_markdown_export_turns_footnote_calls_into_superscripts(tmp_path):
    data = edition(
        {
            "country": "KP",
            "risk": {"level": "High", "status": "Ongoing"},
            "findings": ["Grave.[^1]"],
            "footnotes": [{"number": 1, "text": "A/HRC/55/63", "url": None}],
        }
    )
    markdown = to_markdown(import_json(tmp_path, data).outlook)
    assert "Grave.¹" in markdown
    assert "¹ A/HRC/55/63" in markdown


def test_export_of_an_unknown_slug_is_a_clear_error(db):
    with pytest.raises(CommandError, match='No outlook with the slug "nope"'):
        export("nope", "json")


def markdown_round_trip(tmp_path, findings, citations, **fields):
    """Import a DPRK entry of `findings`, footnotes citing `citations` and other `fields`,
    export the edition as Markdown, import that back over it: the JSON export before and
    after."""
    entry = {
        "country": "KP",
        "short_name": "DPRK",
        "risk": {"level": "High", "status": "Ongoing"},
        "findings": findings,
        "footnotes": [
            {"number": number, "text": text, "url": None}
            for number, text in enumerate(citations, 1)
        ],
        **fields,
    }
    outlook = import_json(tmp_path, edition(entry)).outlook
    before = to_json(outlook)
    path = tmp_path / "export.md"
    path.write_text(to_markdown(outlook), encoding="utf-8")
    again = import_file(path, replace=True).outlook
    return before, to_json(again)


def test_a_footnote_call_after_a_space_survives_the_markdown_round_trip(tmp_path):
    """The export wrote "severe ¹limitations", which the import did not read as a call."""
    finding = "There are severe [^1]limitations on movement."
    before, after = markdown_round_trip(tmp_path, [finding], ["A/HRC/55/63"])
    assert after == before
    assert after["assessments"][0]["findings"] == [finding]


def test_footnote_calls_in_recommendations_survive_the_markdown_round_trip(tmp_path):
    """The export wrote "- Act now.²", which the import kept as a superscript."""
    group = {"addressee": "UN Member States", "items": ["Act now.[^2]"]}
    before, after = markdown_round_trip(
        tmp_path, ["Grave.[^1]"], ["A/HRC/55/63", "A/78/1"], recommendations=[group]
    )
    assert after == before
    assert after["assessments"][0]["recommendations"] == [group]
