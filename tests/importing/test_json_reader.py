"""The JSON interchange format, read and validated."""

import json
import re

import pytest

from assessments.importing import ImportFileError, import_file

from . import VALID_JSON, database_snapshot, write

pytestmark = pytest.mark.django_db


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
