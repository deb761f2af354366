"""Dates: evidence older than the set age, history that is not evidence, old sources, and
years after the edition."""

from datetime import date

from assessments.checks import CheckContext, Severity
from assessments.content import FootnoteContent

from .helpers import CITED, entry, found, run, spanned


def test_evidence_older_than_the_set_age_is_a_warning(settings):
    settings.EVIDENCE_MAX_AGE_YEARS = 3
    context = CheckContext(period=date(2023, 11, 1))
    text = "In October 2020, the special rapporteur reported no progress.[^1]"
    (result,) = found(run(entry([text]), context), "dates.old_evidence")
    assert spanned(result, text) == "October 2020" and "3 years 1 month" in result.message
    recent = "In February 2021, the special rapporteur reported no progress.[^1]"
    assert found(run(entry([recent]), context), "dates.old_evidence") == []


def test_the_age_of_evidence_follows_the_setting(settings):
    settings.EVIDENCE_MAX_AGE_YEARS = 2
    context = CheckContext(period=date(2023, 11, 1))
    text = "In February 2021, the special rapporteur reported no progress.[^1]"
    assert found(run(entry([text]), context), "dates.old_evidence")


def test_history_is_not_old_evidence():
    context = CheckContext(period=date(2023, 11, 1))
    text = (
        "Since the war of 1950, the border has stayed closed, the UN reported.[^1] "
        "The country was founded in 1948."
    )
    assert found(run(entry([text]), context), "dates.old_evidence") == []


def test_an_old_source_is_a_warning():
    context = CheckContext(period=date(2023, 11, 1))
    notes = [FootnoteContent(1, "Report, A/75/388, 14 October 2020.")]
    (result,) = found(run(entry(footnotes=notes), context), "dates.old_evidence")
    assert result.place.label == "Footnote 1, characters 19–33"


def test_a_year_after_the_edition_is_flagged():
    context = CheckContext(period=date(2023, 11, 1))
    text = CITED + " Executions rose in 2032."
    (result,) = found(run(entry([text]), context), "dates.future")
    assert result.severity == Severity.WARNING and spanned(result, text) == "2032"
    plans = CITED + " Elections are scheduled for 2025."
    assert found(run(entry([plans]), context), "dates.future") == []
    notes = [FootnoteContent(1, "Report, A/78/188, 14 July 2032.")]
    (result,) = found(run(entry(footnotes=notes), context), "dates.future_source")
    assert result.severity == Severity.ERROR
