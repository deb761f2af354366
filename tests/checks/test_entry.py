"""The entry as a whole: a change of rating needs a rationale."""

from datetime import date

from assessments.checks import CheckContext, Severity

from .helpers import entry, found, run


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
