"""Recommendations: an addressee with nothing under it, the same recommendation twice, and a
recommendation that does not start with a verb."""

from assessments.checks import Severity

from .helpers import entry, found, run


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
