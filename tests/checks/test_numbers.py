"""Numbers: digit grouping, shares over 100%, one figure given two values, long numbers."""

from assessments.checks import Severity

from .helpers import entry, found, run, spanned


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
