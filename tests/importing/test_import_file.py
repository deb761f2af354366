"""import_file end to end: a file that cannot be imported is refused with the line and
what was expected, and nothing of it is written."""

import json

import pytest

from assessments.importing import ImportFileError, import_file

from . import ENTRY, SECOND_ENTRY, VALID_JSON, database_snapshot, write

pytestmark = pytest.mark.django_db


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
        "control-character.txt",
        ENTRY.replace("Asia Pacific Regional", "Europe\x01Outlook Regional", 1),
        1,
        "remove the unprintable character U+0001 at column 12",
    ),
    ("year-0000.txt", ENTRY.replace("May 2024", "May 0000"), 1, "the header's year 0000"),
    (
        "lone-surrogate.json",
        json.dumps({**VALID_JSON, "title": "Asia \ud800 Outlook"}),
        None,
        "outlook.title: expected one line without control characters; found U+D800",
    ),
    (
        "escape-in-title.json",
        json.dumps({**VALID_JSON, "title": "Asia \x1b[31m Outlook"}),
        None,
        "outlook.title: expected one line without control characters; found U+001B",
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


def test_missing_file_is_reported_not_raised(tmp_path):
    with pytest.raises(ImportFileError, match="cannot read the file"):
        import_file(tmp_path / "nope.txt")
