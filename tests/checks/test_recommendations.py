"""Recommendations: an addressee with nothing under it, the same recommendation twice, a
recommendation that does not start with a verb, and one of the previous edition dropped
without a reason."""

import uuid
from dataclasses import replace

from assessments.checks import PriorRecommendation, Severity, blocking_errors
from assessments.content import DroppedDraft
from assessments.models import DropReason

from .helpers import DPRK, entry, found, run


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


# --- The previous edition's recommendations ---------------------------------------------

KEPT, LEFT = uuid.uuid4(), uuid.uuid4()
PRIOR = (
    PriorRecommendation(KEPT, "UN Member States", "Appoint a Special Envoy."),
    PriorRecommendation(
        LEFT,
        "The UN Security Council",
        "Refer the situation in the DPRK to the International Criminal Court, and adopt "
        "targeted sanctions against those most responsible.",
    ),
)
NEW_EDITION = replace(DPRK, predecessors=PRIOR, drop_reasons_required=True)


def test_a_recommendation_of_the_previous_edition_dropped_without_reason_is_an_error():
    (result,) = found(
        run(entry(lineages=[KEPT]), NEW_EDITION), "recommendations.dropped_without_reason"
    )
    assert result.severity == Severity.ERROR
    assert result.message == (
        "The previous edition's recommendation to The UN Security Council, “Refer the "
        "situation in the DPRK to the International Criminal Court, and…”, is "
        "dropped: say why."
    )
    assert result.place_label == "Dropped since the last edition: to The UN Security Council"
    assert blocking_errors([result]) == [result]


def test_a_recommendation_made_again_or_dropped_with_a_reason_needs_nothing_more():
    reason = DroppedDraft(LEFT, DropReason.NO_LONGER_RELEVANT)
    for content in (entry(lineages=[KEPT, LEFT]), entry(lineages=[KEPT], dropped=[reason])):
        assert not found(run(content, NEW_EDITION), "recommendations.dropped_without_reason")


def test_a_published_edition_is_not_asked_for_reasons_nobody_recorded():
    published = replace(NEW_EDITION, drop_reasons_required=False)
    assert not found(run(entry(lineages=[]), published), "recommendations.dropped_without_reason")
