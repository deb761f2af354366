"""The JSON interchange format, read and validated."""

import json
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from assessments.content import EntryContent, FootnoteContent, OutlookContent, RecommendationGroup
from assessments.exporting import to_json
from assessments.importing import ImportFileError, import_file, parse_json
from assessments.importing.schema import OUTLOOK_SCHEMA

from . import VALID_JSON, database_snapshot, write

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


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
            "assessments[0].recommendations[0].addressee: expected at most 200 characters; "
            "it has 300",
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


# --- The schema ---------------------------------------------------------------------


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(OUTLOOK_SCHEMA)


def test_the_schemas_example_validates_and_reads():
    (example,) = OUTLOOK_SCHEMA["examples"]
    Draft202012Validator(OUTLOOK_SCHEMA).validate(example)
    content = parse_json(json.dumps(example))
    assert [entry.country for entry in content.assessments] == ["KP", "Myanmar"]


def test_the_example_in_the_readme_validates_and_reads():
    section = README.read_text(encoding="utf-8").split("The JSON interchange format", 1)[1]
    example = json.loads(textwrap.dedent(re.search(r"\n\n((?:    .*\n)+)", section)[1]))
    Draft202012Validator(OUTLOOK_SCHEMA).validate(example)
    assert parse_json(json.dumps(example)).assessments[0].country == "KP"


def test_what_the_export_writes_validates(published_sample):
    Draft202012Validator(OUTLOOK_SCHEMA).validate(to_json(published_sample))


def test_valid_json_reads_into_content():
    data = json.loads(json.dumps(VALID_JSON))
    entry = data["assessments"][0]
    entry["findings"].append("  ")
    entry["recommendations"][0]["addressee"] = " The **UN Security Council** "
    content = parse_json(json.dumps({**data, "period": "May 2024"}))
    assert content == OutlookContent(
        region="Asia Pacific",
        title="Asia Pacific Regional Outlook",
        period=date(2024, 5, 1),
        assessments=[
            EntryContent(
                country="KP",
                short_name="DPRK",
                risk_level="High",
                risk_status="Ongoing",
                rationale="Fewer executions.",
                findings=["The situation remains grave.[^1]"],
                recommendations=[
                    RecommendationGroup("The UN Security Council", ["Keep it on the agenda."])
                ],
                footnotes=[FootnoteContent(1, "A report, A/HRC/55/63.", "")],
            )
        ],
    )


def entry(**fields):
    return lambda d: d["assessments"][0].update(fields)


def footnote(**fields):
    return lambda d: d["assessments"][0]["footnotes"][0].update(fields)


SCHEMA_PROBLEMS = [
    (
        lambda d: d.clear(),
        "outlook.region: expected a non-empty string",  # the first of four, in reading order
    ),
    (
        lambda d: d.update(region="Asia\u0000"),
        "outlook.region: expected one line without control characters; found U+0000 at character 5",
    ),
    (lambda d: d.update(region="R" * 101), "outlook.region: expected at most 100 characters"),
    (lambda d: d.update(title="T" * 201), "outlook.title: expected at most 200 characters"),
    (lambda d: d.update(period=202405), "outlook.period: expected a non-empty string"),
    (lambda d: d.update(period="2024-13"), "outlook.period: expected YYYY-MM such as 2023-11"),
    (lambda d: d.update(introduction=[]), "outlook.introduction: expected a string or null"),
    (lambda d: d["assessments"].append("MM"), "assessments[1]: expected an object"),
    (lambda d: d["assessments"][0]["risk"].pop("level"), "assessments[0].risk.level: expected"),
    (entry(country=" "), "assessments[0].country: expected a non-empty string"),
    (entry(findings=[1]), "assessments[0].findings[0]: expected a string"),
    (entry(findings=["x" * 20_001]), "assessments[0].findings[0]: expected at most 20000"),
    (entry(recommendations={}), "assessments[0].recommendations: expected a list"),
    (
        entry(recommendations=["Act."]),
        'assessments[0].recommendations[0]: expected an object with "addressee" and "items"',
    ),
    (
        entry(recommendations=[{"addressee": "UN Member States"}]),
        "assessments[0].recommendations[0].items: expected a list of strings",
    ),
    (
        entry(recommendations=[{"addressee": "UN", "items": ["\u0000"]}]),
        "assessments[0].recommendations[0].items[0]: expected text without control "
        "characters but tab and line breaks; found U+0000 at character 1",
    ),
    (entry(footnotes=None), "assessments[0].footnotes: expected a list"),
    (entry(footnotes=[1]), 'assessments[0].footnotes[0]: expected an object with an integer "'),
    (footnote(number=True), "assessments[0].footnotes[0].number: expected an integer"),
    (footnote(number=1.0), "assessments[0].footnotes[0].number: expected an integer"),
    (footnote(text=" ", url=None), 'assessments[0].footnotes[0]: expected a "text" or a "url"'),
    (footnote(url=5), "assessments[0].footnotes[0].url: expected a string or null"),
    (
        lambda d: d.update(region=None) or d["assessments"][0]["footnotes"][0].update(number=2),
        "outlook.region: expected a non-empty string",  # the schema's problems come first
    ),
]


@pytest.mark.parametrize("mutate, message", SCHEMA_PROBLEMS)
def test_json_outside_the_schema_is_refused_with_the_place_and_what_was_expected(mutate, message):
    data = json.loads(json.dumps(VALID_JSON))
    mutate(data)
    with pytest.raises(ImportFileError) as caught:
        parse_json(json.dumps(data), path="edition.json")
    assert caught.value.message.startswith(message)
    assert caught.value.line is None


# --- Characters and lengths, in any string ------------------------------------------------


def string_places(data, place=()):
    """The place (a tuple of keys and indexes) of every string in `data`."""
    if isinstance(data, str):
        yield place
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from string_places(value, (*place, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from string_places(value, (*place, index))


def where(place):
    """The notation of the reader's messages: `outlook.title`, `assessments[0].risk.level`."""
    if len(place) == 1:
        return f"outlook.{place[0]}"
    return place[0] + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in place[1:])


FULL_JSON = json.loads(json.dumps(VALID_JSON))
FULL_JSON["introduction"] = "An introduction."
FULL_JSON["assessments"][0]["footnotes"][0]["url"] = "https://example.org/report"
STRING_PLACES = list(string_places(FULL_JSON))


def with_value(place, value):
    data = json.loads(json.dumps(FULL_JSON))
    target = data
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value
    return data


TEXTS_OF_SEVERAL_LINES = {
    ("introduction",),
    ("assessments", 0, "risk", "rationale"),
    ("assessments", 0, "findings", 0),
    ("assessments", 0, "recommendations", 0, "items", 0),
    ("assessments", 0, "footnotes", 0, "text"),
}


@pytest.mark.parametrize(
    "character", ["\x1b", "\x01", "\x7f", "\x9b", "\ud800", "\udfff"], ids=ascii
)
@pytest.mark.parametrize("place", STRING_PLACES, ids=where)
def test_a_control_character_or_lone_surrogate_in_any_string_is_refused_at_its_path(
    place, character
):
    # json.dumps writes "\ud800" escaped, as a file holding a lone surrogate does.
    text = json.dumps(with_value(place, f"Ab{character}c"))
    with pytest.raises(ImportFileError) as caught:
        parse_json(text, path="edition.json")
    message = caught.value.message
    kind = "text" if place in TEXTS_OF_SEVERAL_LINES else "one line"
    assert message == (
        f"{where(place)}: expected {kind} without control characters"
        f"{' but tab and line breaks' if kind == 'text' else ''}; "
        f"found U+{ord(character):04X} at character 3"
    )
    str(caught.value).encode("utf-8")  # the message itself can be printed


@pytest.mark.parametrize("place", STRING_PLACES, ids=where)
def test_tab_and_line_breaks_are_kept_in_texts_and_refused_in_names(place):
    text = json.dumps(with_value(place, "Ab\tc\r\nd."))
    if place in TEXTS_OF_SEVERAL_LINES:
        parse_json(text)
    else:
        with pytest.raises(ImportFileError, match=re.escape(f"{where(place)}: expected one line")):
            parse_json(text)


LIMITS = [
    (("introduction",), 20_000),
    (("title",), 200),
    (("assessments", 0, "country"), 200),
    (("assessments", 0, "short_name"), 100),
    (("assessments", 0, "risk", "level"), 50),
    (("assessments", 0, "risk", "rationale"), 5_000),
    (("assessments", 0, "recommendations", 0, "addressee"), 200),
    (("assessments", 0, "footnotes", 0, "text"), 5_000),
    (("assessments", 0, "footnotes", 0, "url"), 500),
]


@pytest.mark.parametrize("place, limit", LIMITS, ids=[where(place) for place, _ in LIMITS])
def test_a_string_longer_than_its_field_is_refused_at_its_path_with_the_limit(place, limit):
    value = "https://example.org/" + "a" * limit if place[-1] == "url" else "a" * (limit + 1)
    with pytest.raises(ImportFileError) as caught:
        parse_json(json.dumps(with_value(place, value)))
    assert caught.value.message == (
        f"{where(place)}: expected at most {limit} characters; it has {len(value)}"
    )


def test_a_number_too_long_to_convert_is_refused_as_invalid_json():
    text = json.dumps(VALID_JSON).replace('"number": 1', '"number": 1' + "0" * 5_000)
    with pytest.raises(ImportFileError, match="invalid JSON: Exceeds the limit"):
        parse_json(text)
