"""The editorial checks: each check on a positive and a negative case, the sample's known
errors found in the right places, no false alarm on clean text, the command and the importer.
"""

import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.checks import (
    CheckContext,
    Severity,
    blocking_errors,
    check_content,
    check_revision,
    may_submit,
    unacknowledged_warnings,
)
from assessments.content import EntryContent, FootnoteContent, RecommendationGroup
from assessments.importing import import_file, read_file
from assessments.models import CheckAcknowledgement, Country, Revision
from tests.builders import make_outlook, make_published_edition, make_revision
from tests.conftest import SAMPLE

CLEAN_EDITION = Path(__file__).resolve().parent / "data" / "clean-edition.json"

DPRK = CheckContext(
    period=date(2023, 11, 1),
    official_name="Democratic People's Republic of Korea",
    short_name="DPRK",
    aliases=("North Korea", "Democratic Peoples' Republic of Korea"),
    other_country_names=frozenset({"republic of korea", "south korea", "china", "japan"}),
)

CITED = "The UN reported in June 2023 that the situation remained very severe.[^1]"
NOTE = FootnoteContent(1, "Report of the Special Rapporteur, A/78/188, 14 July 2023.")


def entry(
    findings=(CITED,),
    recommendations=(("UN Member States", ["Appoint a Special Envoy."]),),
    footnotes=(NOTE,),
    **fields,
):
    return EntryContent(
        country=fields.pop("country", "KP"),
        risk_level=fields.pop("risk_level", "Very high"),
        risk_status=fields.pop("risk_status", "Ongoing"),
        findings=list(findings),
        recommendations=[RecommendationGroup(a, list(items)) for a, items in recommendations],
        footnotes=list(footnotes),
        **fields,
    )


def run(content, context=DPRK):
    return check_content(content, context)


def found(results, check):
    return [result for result in results if result.check == check]


def spanned(result, text):
    """The text a result points at."""
    return text[result.place.start : result.place.end]


def test_a_clean_entry_has_no_results():
    assert run(entry()) == []


# --- The sample -----------------------------------------------------------------------


@pytest.fixture
def sample_entry():
    return read_file(SAMPLE).assessments[0]


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


# --- Numbers --------------------------------------------------------------------------


def test_malformed_digit_grouping_is_an_error():
    text = "The UN estimates that 200,0000 people are held in political prisons.[^1]"
    (result,) = found(run(entry([text])), "numbers.grouping")
    assert result.severity == Severity.ERROR
    assert spanned(result, text) == "200,0000"
    assert result.place_label == "Finding 1, characters 23–30"


def test_well_grouped_numbers_pass():
    text = "The UN estimates that 200,000 people, of 1,250,000 detained, remain held.[^1]"
    assert found(run(entry([text])), "numbers.grouping") == []


def test_a_percentage_over_a_hundred_is_a_warning():
    text = "Malnutrition now affects 140% of the population, the UN reported in 2023.[^1]"
    (result,) = found(run(entry([text])), "numbers.percent")
    assert result.severity == Severity.WARNING and spanned(result, text) == "140%"


def test_a_rise_of_over_a_hundred_per_cent_is_not_a_share():
    text = "Food prices rose by 150% in 2023, the UN reported.[^1]"
    assert found(run(entry([text])), "numbers.percent") == []


def test_a_figure_given_two_values_is_a_warning():
    findings = [
        "Malnutrition affects 12 million people in the country, the UN reported in 2023.[^1]",
        "The food crisis leaves 11 million people in the country without enough to eat.",
    ]
    (result,) = found(run(entry(findings)), "numbers.inconsistent")
    assert result.place.index == 2
    assert spanned(result, findings[1]) == "11 million"
    assert "Finding 1" in result.message


def test_the_same_figure_given_twice_alike_passes():
    findings = [
        "Malnutrition affects 12 million people in the country, the UN reported in 2023.[^1]",
        "The food crisis leaves 12 million people in the country without enough to eat.",
    ]
    assert found(run(entry(findings)), "numbers.inconsistent") == []


def test_figures_of_different_years_may_differ():
    text = (
        "Some 10,000 people were arrested in 2021. In 2022, 15,000 people were arrested, "
        "the UN reported in 2023.[^1]"
    )
    assert found(run(entry([text])), "numbers.inconsistent") == []


def test_a_long_number_without_grouping_gets_a_note():
    text = "The UN reported in 2023 that 12000000 people lacked food.[^1]"
    (result,) = found(run(entry([text])), "numbers.ungrouped")
    assert result.severity == Severity.NOTE and result.suggestion == "12,000,000"
    assert found(run(entry([text.replace("12000000", "12,000,000")])), "numbers.ungrouped") == []


# --- Repetition and broken sentences --------------------------------------------------


def test_a_repeated_sentence_is_a_warning():
    findings = [CITED + " None of this is new.", "None of this is new. The camps remain open."]
    (result,) = found(run(entry(findings)), "repetition.sentence")
    assert result.place.index == 2 and spanned(result, findings[1]) == "None of this is new."


def test_a_repeated_run_of_words_is_a_warning():
    findings = [
        CITED + " Farmers in the north do not receive adequate food from the state.",
        "Many citizens, including farmers in the north do not receive adequate food from it.",
    ]
    (result,) = found(run(entry(findings)), "repetition.phrase")
    assert result.place.index == 2
    assert "do not receive adequate food" in spanned(result, findings[1])


def test_a_repeated_proper_name_or_short_phrase_is_not_repetition():
    findings = [
        CITED + " The UN Office of the High Commissioner for Human Rights has an office in Seoul.",
        "Pyongyang refuses to engage with the UN Office of the High Commissioner for Human "
        "Rights. It restricts the rights of women and girls.",
        "Women and girls face violence. The rights of women and girls are denied.",
    ]
    results = run(entry(findings))
    assert found(results, "repetition.phrase") == [] and found(results, "repetition.sentence") == []


def test_a_fragment_repeating_an_earlier_sentence_is_reported_once():
    text = (
        CITED + " There has been no progress on closing prison camps where torture and killing "
        "are commonplace. In the Democratic prison camps where torture and killing are "
        "commonplace."
    )
    results = run(entry([text]))
    (result,) = found(results, "repetition.fragment")
    assert spanned(result, text).startswith("In the Democratic prison camps")
    assert found(results, "sentences.fragment") == []


def test_a_sentence_without_a_main_clause_is_a_warning():
    for fragment in ("In the camps near the northern border.", "Because the government refused."):
        text = f"{CITED} {fragment}"
        (result,) = found(run(entry([text])), "sentences.fragment")
        assert spanned(result, text) == fragment


def test_full_sentences_are_not_fragments():
    text = (
        CITED + " In 2023, the UN expressed concern. These disputes deepen the mistrust. "
        "In the camps, torture remains commonplace. Across the country the authorities "
        "continue to restrict movement."
    )
    assert found(run(entry([text])), "sentences.fragment") == []


def test_a_sentence_without_a_capital_is_a_warning():
    text = CITED + " and the camps remain open."
    (result,) = found(run(entry([text])), "sentences.capital")
    assert spanned(result, text) == "and the camps remain open."
    assert found(run(entry([CITED + " The camps remain open."])), "sentences.capital") == []


def test_abbreviations_do_not_end_a_sentence():
    text = CITED + " Donors, e.g. the U.S. and Japan, fund the response."
    assert found(run(entry([text])), "sentences.capital") == []


def test_a_finding_without_a_full_stop_at_its_end_is_a_warning():
    assert found(run(entry([CITED + " The camps remain"])), "sentences.unfinished")
    assert found(run(entry([CITED])), "sentences.unfinished") == []


def test_a_doubled_word_is_a_warning():
    (result,) = found(run(entry([CITED + " It restricts the the press."])), "repetition.word")
    assert result.excerpt == "the the"
    assert found(run(entry([CITED + " What it had had no effect."])), "repetition.word") == []


def test_unbalanced_brackets_and_quotes_are_warnings():
    results = run(entry([CITED + ' It called the situation "very severe (and worsening.']))
    assert found(results, "sentences.brackets") and found(results, "sentences.quotes")
    balanced = run(entry([CITED + ' It called the situation "very severe" (and worsening).']))
    assert found(balanced, "sentences.brackets") == found(balanced, "sentences.quotes") == []


# --- Names ----------------------------------------------------------------------------


def test_a_misspelt_country_name_is_a_warning_with_the_right_spelling():
    text = CITED + " The Democratic Peoples' Republic of Korea denies access."
    (result,) = found(run(entry([text])), "names.misspelt")
    assert result.severity == Severity.WARNING
    assert spanned(result, text) == "Democratic Peoples' Republic of Korea"
    assert result.suggestion == "Democratic People's Republic of Korea"


def test_a_form_of_the_name_that_is_no_known_name_is_a_warning():
    text = CITED + " The Democratic People's Republic of North Korea denies access."
    (result,) = found(run(entry([text])), "names.unknown")
    assert spanned(result, text) == "Democratic People's Republic of North Korea"


def test_official_short_alias_and_other_countries_names_pass():
    text = (
        CITED + " The Democratic People's Republic of Korea, the DPRK, or North Korea, "
        "denies access. The DPRK's neighbours, South Korea and the Republic of Korea's allies, "
        "press for access."
    )
    results = run(entry([text]))
    assert [r for r in results if r.check.startswith("names.")] == []


def test_one_name_written_two_ways_is_a_warning():
    findings = [
        CITED + " The Human Rights Council met in Geneva.",
        "The Human-Rights Council adopted a resolution in 2023.",
    ]
    (result,) = found(run(entry(findings)), "names.inconsistent")
    assert result.place.index == 2 and spanned(result, findings[1]) == "Human-Rights Council"
    assert result.suggestion == "Human Rights Council"


# --- Footnotes ------------------------------------------------------------------------


def test_citing_a_footnote_that_does_not_exist_is_an_error():
    text = CITED + " The camps remain open.[^2]"
    (result,) = found(run(entry([text])), "footnotes.missing")
    assert result.severity == Severity.ERROR and spanned(result, text) == "[^2]"


def test_a_footnote_never_cited_is_a_warning():
    notes = [NOTE, FootnoteContent(2, "Report, A/HRC/52/64, 1 March 2023.")]
    (result,) = found(run(entry(footnotes=notes)), "footnotes.uncited")
    assert result.severity == Severity.WARNING and result.place.label == "Footnote 2"
    assert found(run(entry()), "footnotes.uncited") == []


def test_a_gap_in_footnote_numbers_is_an_error():
    notes = [NOTE, FootnoteContent(3, "Report, A/HRC/52/64, 1 March 2023.")]
    text = CITED + " The camps remain open.[^3]"
    (result,) = found(run(entry([text], footnotes=notes)), "footnotes.gap")
    assert result.severity == Severity.ERROR and "footnote 2 is missing" in result.message


def test_a_source_with_neither_url_nor_symbol_is_a_warning():
    notes = [FootnoteContent(1, "Interview with a former detainee, Seoul, 3 May 2023.")]
    (result,) = found(run(entry(footnotes=notes)), "footnotes.untraceable")
    assert result.severity == Severity.WARNING
    with_url = [FootnoteContent(1, "Interview, 3 May 2023", "https://example.org/interview")]
    assert found(run(entry(footnotes=with_url)), "footnotes.untraceable") == []


def test_a_malformed_document_symbol_is_a_warning():
    for symbol, fixed in (("A/HRC//52/64", "A/HRC/52/64"), ("a/hrc/52/64", "A/HRC/52/64")):
        notes = [FootnoteContent(1, f"Report of the Special Rapporteur, {symbol}, 1 March 2023.")]
        (result,) = found(run(entry(footnotes=notes)), "footnotes.bad_symbol")
        assert result.excerpt == symbol and result.suggestion == fixed
    for symbol in ("A/C.3/74/L.26", "A/HRC/52/L.1/Rev.1", "S/RES/2397 (2017)", "S/2023/941"):
        notes = [FootnoteContent(1, f"Resolution, {symbol}, 1 March 2023.")]
        assert found(run(entry(footnotes=notes)), "footnotes.bad_symbol") == [], symbol


def test_a_malformed_url_is_an_error_and_a_bare_www_a_warning():
    bad = [FootnoteContent(1, "Report, 1 March 2023", "https//www.hrw.org/report")]
    (result,) = found(run(entry(footnotes=bad)), "footnotes.bad_url")
    assert result.severity == Severity.ERROR and result.place.label == "Footnote 1 URL"
    bare = [FootnoteContent(1, "Report, 1 March 2023, www.hrw.org/report")]
    (result,) = found(run(entry(footnotes=bare)), "footnotes.bad_url")
    assert result.severity == Severity.WARNING and result.suggestion.startswith("https://www.")
    good = [FootnoteContent(1, "Report, 1 March 2023", "https://www.hrw.org/report")]
    assert found(run(entry(footnotes=good)), "footnotes.bad_url") == []


def test_footnotes_first_cited_out_of_order_get_a_note():
    notes = [NOTE, FootnoteContent(2, "Report, A/HRC/52/64, 1 March 2023.")]
    text = "The camps remain open, the UN reported in 2023.[^2] They are closed to monitors.[^1]"
    (result,) = found(run(entry([text], footnotes=notes)), "footnotes.order")
    assert result.severity == Severity.NOTE


# --- Recommendations ------------------------------------------------------------------


def test_an_addressee_without_recommendations_is_an_error():
    groups = (("UN Member States", ["Appoint a Special Envoy."]), ("The UN Security Council", []))
    (result,) = found(run(entry(recommendations=groups)), "recommendations.empty_group")
    assert result.severity == Severity.ERROR
    assert result.place_label == "Recommendations to The UN Security Council"


def test_the_same_recommendation_twice_is_an_error_in_one_group_a_warning_across_groups():
    same_group = (("UN Member States", ["Appoint a Special Envoy.", "Appoint a special envoy."]),)
    (result,) = found(run(entry(recommendations=same_group)), "recommendations.duplicate")
    assert result.severity == Severity.ERROR and result.place.item == 2
    across = (
        ("UN Member States", ["Appoint a Special Envoy."]),
        ("The UN Security Council", ["Appoint a Special Envoy."]),
    )
    (result,) = found(run(entry(recommendations=across)), "recommendations.duplicate")
    assert result.severity == Severity.WARNING


def test_a_recommendation_that_does_not_start_with_a_verb_is_a_warning():
    for item in (
        "The government should release all detainees.",
        "Ensuring access for monitors.",
        "Continued engagement with OHCHR.",
    ):
        groups = (("UN Member States", [item]),)
        (result,) = found(run(entry(recommendations=groups)), "recommendations.not_imperative")
        assert result.place.item == 1
    imperative = (("UN Member States", ["Immediately cease crimes.", "Engage with OHCHR."]),)
    assert found(run(entry(recommendations=imperative)), "recommendations.not_imperative") == []


# --- Rating ---------------------------------------------------------------------------


def test_a_change_of_rating_without_rationale_is_an_error():
    context = CheckContext(
        period=date(2023, 11, 1), official_name="DPRK", previous_rating=("High", "Ongoing")
    )
    (result,) = found(run(entry(), context), "rating.no_rationale")
    assert result.severity == Severity.ERROR and result.place_label == "Rating"
    assert "High/Ongoing" in result.message and "Very high/Ongoing" in result.message
    assert found(run(entry(rationale="Mass detentions."), context), "rating.no_rationale") == []
    unchanged = CheckContext(official_name="DPRK", previous_rating=("Very high", "Ongoing"))
    assert found(run(entry(), unchanged), "rating.no_rationale") == []


# --- Dates ----------------------------------------------------------------------------


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
    assert not blocking_errors(warned) and not may_submit(warned)
    keys = [r.key for r in warned if r.severity == Severity.WARNING]
    assert unacknowledged_warnings(warned, keys) == [] and may_submit(warned, keys)
    broken = run(entry([CITED + " It holds 200,0000 people."]))
    assert not may_submit(broken, [r.key for r in broken])


def test_a_result_reads_as_a_sentence():
    (result,) = found(run(entry([CITED + " It holds 200,0000 people."])), "numbers.grouping")
    assert str(result).startswith('error: Finding 1, characters 84–91: "200,0000"')


# --- The command ----------------------------------------------------------------------


def test_check_outlook_prints_results_by_country_and_fails_on_an_error(
    published_sample, capsys, alice
):
    revision = Revision.objects.with_content().get(assessment__outlook=published_sample)
    warning = next(r for r in check_revision(revision) if r.check == "footnotes.uncited")
    CheckAcknowledgement.objects.create(
        revision=revision, key=warning.key, user=alice, note="Cited in the next edition."
    )
    with pytest.raises(CommandError) as error:
        call_command("check_outlook", published_sample.slug)
    assert error.value.returncode == 1
    assert "1 error(s) stand" in str(error.value)
    out = capsys.readouterr().out
    assert "DPRK (KP), revision 1, published" in out
    assert 'Finding 1, characters 916–923: "200,0000" is not a well-formed number' in out
    assert "Footnote 1: Footnote 1 is never cited in the text." in out
    assert "Acknowledged by alice: Cited in the next edition." in out
    assert "1 entry checked: 1 error(s)" in out


def test_check_outlook_succeeds_on_a_clean_edition(db, capsys):
    outlook = import_file(CLEAN_EDITION).outlook
    call_command("check_outlook", outlook.slug)
    out = capsys.readouterr().out
    assert "Myanmar (MM)" in out and "no problems found" in out
    assert "3 entries checked: 0 error(s), 0 warning(s), 0 note(s)." in out


def test_check_outlook_checks_the_latest_revision_of_a_draft_edition(db, capsys):
    outlook = make_outlook()
    assessment = outlook.assessments.create(country=Country.objects.get(code="KP"), position=1)
    make_revision(assessment, state=Revision.State.WITHDRAWN, findings=["It holds 1,0 people."])
    make_revision(assessment, findings=["The situation remains serious.[^1]"])
    call_command("check_outlook", outlook.slug)
    assert "revision 2, draft" in capsys.readouterr().out


def test_check_outlook_names_an_unknown_edition(db):
    with pytest.raises(CommandError, match='No edition with the slug "nowhere"'):
        call_command("check_outlook", "nowhere")


def test_check_outlook_queries_do_not_grow_with_the_edition(db):
    def queries(outlook):
        with CaptureQueriesContext(connection) as captured:
            call_command("check_outlook", outlook.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
        return len(captured)

    make_published_edition(1, period=date(2024, 4, 1))  # a previous edition for both
    small = make_published_edition(2, period=date(2024, 5, 1))
    large = make_published_edition(8, period=date(2024, 6, 1))
    assert queries(large) == queries(small)


# --- The importer ---------------------------------------------------------------------


def test_the_importer_reports_check_results_as_warnings(db):
    warnings = import_file(SAMPLE).warnings
    assert (
        'line 5: Finding 1, characters 916–923: error: "200,0000" is not a well-formed number'
        in "\n".join(warnings)
    )
    assert "line 5: Footnote 4: warning: Footnote 4 is never cited in the text." in "\n".join(
        warnings
    )
    assert any(w.startswith("line 5: Country name in the heading") for w in warnings)


def test_import_outlook_prints_the_check_warnings(db, capsys):
    call_command("import_outlook", str(SAMPLE))
    out = capsys.readouterr().out
    assert "warning: line 5: Finding 1, characters 916–923: error:" in out


def test_a_clean_import_has_no_check_warnings(db):
    assert import_file(CLEAN_EDITION).warnings == []


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
