"""The entry points: a clean entry has no results, the sample's known errors are found in
the right places, clean text raises no false alarm, keys survive edits, errors block and
warnings wait for acknowledgement, and odd input never makes the checks fail.
"""

import random
from dataclasses import replace

import pytest

from assessments.checks import (
    CheckContext,
    Severity,
    blocking_errors,
    check_content,
    check_revision,
    unacknowledged_warnings,
)
from assessments.content import EntryContent, FootnoteContent, RecommendationGroup
from assessments.importing import read_file
from assessments.models import Country, Revision

from .helpers import CITED, CLEAN_EDITION, DPRK, NOTE, entry, found, run, spanned


def test_a_clean_entry_has_no_results():
    assert run(entry()) == []


# --- The sample -----------------------------------------------------------------------


@pytest.fixture
def sample_entry(sample_path):
    return read_file(sample_path).assessments[0]


def test_sample_every_known_error_is_found_in_its_place(sample_entry):
    results = run(sample_entry)
    first = sample_entry.findings[0]

    (number,) = found(results, "numbers.grouping")
    assert number.severity == Severity.ERROR
    assert (number.place.part, number.place.index) == ("finding", 1)
    assert spanned(number, first) == "200,0000"
    assert "200,000" in number.suggestion

    (fragment,) = found(results, "repetition.fragment")
    assert (fragment.place.part, fragment.place.index) == ("finding", 1)
    assert spanned(fragment, first) == (
        "In the Democratic prison camps where torture and killing are commonplace."
    )
    assert "prison camps where torture and killing are commonplace" in fragment.message

    (misspelt,) = found(results, "names.misspelt")
    assert misspelt.place.part == "heading"
    assert spanned(misspelt, sample_entry.country) == "Democratic Peoples' Republic of Korea"
    assert misspelt.suggestion == "Democratic People's Republic of Korea"

    third_form = found(results, "names.unknown")
    assert [(r.place.part, r.place.index) for r in third_form] == [("footnote", 1), ("footnote", 2)]
    for result, note in zip(third_form, sample_entry.footnotes, strict=False):
        assert spanned(result, note.text) == "Democratic People's Republic of North Korea"

    uncited = found(results, "footnotes.uncited")
    assert [r.place.index for r in uncited] == [1, 2, 3, 4]
    assert all(r.severity == Severity.WARNING for r in uncited)

    old = found(results, "dates.old_evidence")
    october = next(r for r in old if r.place.part == "finding")
    assert october.place.index == 1 and spanned(october, first) == "October 2020"


def test_sample_reports_nothing_else_as_an_error(sample_entry):
    errors = blocking_errors(run(sample_entry))
    assert [(e.check, e.excerpt) for e in errors] == [("numbers.grouping", "200,0000")]


def test_stored_sample_revision_gives_the_same_results(published_sample):
    revision = Revision.objects.with_content().get(assessment__outlook=published_sample)
    results = check_revision(revision)
    assert [e.excerpt for e in blocking_errors(results)] == ["200,0000"]
    assert {r.check for r in results} >= {
        "repetition.fragment",
        "names.unknown",
        "footnotes.uncited",
        "dates.old_evidence",
    }


# --- No false alarms ------------------------------------------------------------------


def test_clean_paragraphs_raise_no_error_and_no_warning(db):
    edition = read_file(CLEAN_EDITION)
    paragraphs = sum(len(e.findings) for e in edition.assessments)
    assert paragraphs >= 10
    problems = []
    for content in edition.assessments:
        country = Country.objects.get(code=content.country)
        context = CheckContext.for_country(country, period=edition.period)
        results = check_content(content, context)
        problems += [f"{content.country} {r}" for r in results if r.severity != Severity.NOTE]
    assert problems == []


# --- Results, keys and submission -----------------------------------------------------


def test_keys_survive_edits_elsewhere_in_the_text():
    notes = [NOTE, FootnoteContent(2, "Report, A/HRC/52/64, 1 March 2023.")]
    before = found(run(entry(footnotes=notes)), "footnotes.uncited")[0]
    longer = [CITED + " A new sentence the analyst added. Another one."]
    after = found(run(entry(longer, footnotes=notes)), "footnotes.uncited")[0]
    assert before.key == after.key and len(before.key) <= 200


def test_errors_block_submission_and_warnings_need_acknowledging():
    notes = [NOTE, FootnoteContent(2, "Report, A/HRC/52/64, 1 March 2023.")]
    warned = run(entry(footnotes=notes))
    assert not blocking_errors(warned) and unacknowledged_warnings(warned, [])
    keys = [r.key for r in warned if r.severity == Severity.WARNING]
    assert unacknowledged_warnings(warned, keys) == []
    broken = run(entry([CITED + " It holds 200,0000 people."]))
    every_key = [r.key for r in broken]
    assert blocking_errors(broken) and unacknowledged_warnings(broken, every_key) == []


def test_a_result_reads_as_a_sentence():
    (result,) = found(run(entry([CITED + " It holds 200,0000 people."])), "numbers.grouping")
    assert str(result).startswith('error: Finding 1, characters 84–91: "200,0000"')


# --- Odd input ------------------------------------------------------------------------


def test_the_checks_never_fail_on_odd_input():
    """Whatever an analyst types, the checks report on it rather than raise."""
    rng = random.Random(5)
    source = (
        'In the camps where 200,0000 people [^1] [^x] [^] ( ) " “ 140% 99999999 A/ a/hrc// '
        "www. http:// December 2099 1900 - * ** __ \n- item\n1. e.g. U.S. DPRK's North Korea "
        "Democratic People's Republic of North Korea."
    )
    pieces = source.split(" ")

    def text():
        words = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.3:
            words = "".join(rng.choice(words + "[]()^*_/.,'\"%") for _ in words)
        return words

    context = replace(DPRK, previous_rating=("High", "Ongoing"))
    for _ in range(300):
        content = EntryContent(
            country=rng.choice(["KP", text()]),
            risk_level=rng.choice(["", "Very high"]),
            risk_status="Ongoing",
            rationale=rng.choice(["", text()]),
            findings=[text() for _ in range(rng.randint(0, 3))],
            recommendations=[
                RecommendationGroup(text(), [text() for _ in range(rng.randint(0, 3))])
                for _ in range(rng.randint(0, 2))
            ],
            footnotes=[
                FootnoteContent(rng.choice([n + 1, n + 2, 1]), text(), rng.choice(["", text()]))
                for n in range(rng.randint(0, 3))
            ],
        )
        for result in check_content(content, context):
            assert str(result) and result.place_label and result.key
