"""Where a result of the checks is in the editor's form, counted as the browser counts."""

from assessments import checks
from assessments.check_locations import FormFields, Location, locate
from assessments.content import EntryContent, FootnoteContent, RecommendationGroup

FIELDS = FormFields(
    findings=["id_finding-1-text", "id_finding-0-text"],
    recommendations=[
        ("id_recommendation-0-addressee", "id_recommendation-0-text"),
        ("id_recommendation-1-addressee", "id_recommendation-1-text"),
        ("id_recommendation-2-addressee", "id_recommendation-2-text"),
    ],
    footnotes={4: "id_footnote-0-pinpoint"},
)


def result(part, **place):
    return checks.CheckResult(checks.Severity.WARNING, "test", checks.Place(part, **place), "")


def content(**fields):
    return EntryContent(country="KP", **fields)


def test_a_finding_span_is_in_the_field_of_that_finding_as_the_page_orders_them():
    entry = content(findings=["First.", "Second has very very much."])
    [location] = locate([result(checks.FINDING, index=2, start=11, end=20)], entry, FIELDS)
    assert location == Location("id_finding-0-text", 11, 20, "very very")


def test_line_breaks_count_one_character_as_in_a_textarea():
    text = "One.\r\n\r\nTwo very very."
    start = text.index("very")
    entry = content(findings=[text])
    [location] = locate(
        [result(checks.FINDING, index=1, start=start, end=start + 9)], entry, FIELDS
    )
    assert (location.start, location.end, location.text) == (start - 2, start + 7, "very very")


def test_characters_beyond_the_basic_plane_count_two_as_in_javascript():
    text = "😀 then very very."
    start = text.index("very")
    entry = content(findings=[text])
    [location] = locate(
        [result(checks.FINDING, index=1, start=start, end=start + 9)], entry, FIELDS
    )
    assert (location.start, location.end) == (start + 1, start + 10)


def test_a_recommendation_item_is_the_row_counted_across_addressee_groups():
    entry = content(
        recommendations=[
            RecommendationGroup("The Government", ["Release them.", "Stop it."]),
            RecommendationGroup("The Council", ["Ask more."]),
        ]
    )
    results = [
        result(checks.RECOMMENDATION, index=2, item=1, start=0, end=3),
        result(checks.RECOMMENDATION, index=1, item=2),
        result(checks.ADDRESSEE, index=2, start=4, end=11),
    ]
    assert locate(results, entry, FIELDS) == [
        Location("id_recommendation-2-text", 0, 3, "Ask"),
        Location("id_recommendation-1-text"),
        Location("id_recommendation-2-addressee", 4, 11, "Council"),
    ]


def test_a_footnote_goes_to_its_row_and_the_rating_to_the_rationale():
    entry = content(footnotes=[FootnoteContent(4, "Report, p. 3")])
    results = [
        result(checks.FOOTNOTE, index=4, start=0, end=6),
        result(checks.RATING),
        result(checks.FOOTNOTE, index=9),
        result(checks.ENTRY),
        result(checks.FINDING, index=3, start=0, end=1),
    ]
    assert locate(results, entry, FIELDS) == [
        Location("id_footnote-0-pinpoint"),
        Location("id_rationale"),
        None,
        None,
        None,
    ]
