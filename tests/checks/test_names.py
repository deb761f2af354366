"""Names: a misspelt country name, a form that is no name of the country, the country's own
names and other countries' names, and one name written two ways."""

from assessments.checks import Severity

from .helpers import CITED, entry, found, run, spanned


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
    text = CITED + (
        " The Democratic People's Republic of Korea, the DPRK, or North Korea, denies access."
        " The DPRK's neighbours, South Korea and the Republic of Korea's allies, press for access."
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
