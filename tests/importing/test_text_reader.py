"""The text format of a published outlook, read into plain content."""

from assessments.importing import parse_text

from . import ENTRY


def test_superscript_calls_in_text_become_markdown_footnote_calls():
    content = parse_text(ENTRY)
    assert content.assessments[0].findings == ["The situation remains grave.[^1]"]


def test_plain_digit_footnotes_are_read_after_the_recommendations():
    text = ENTRY.replace("¹ Report", "1 Report").replace("grave.¹", "grave.")
    entry = parse_text(text).assessments[0]
    assert [(n.number, n.text) for n in entry.footnotes] == [
        (1, "Report of the Special Rapporteur, 1 March 2024, A/HRC/55/63.")
    ]


def test_a_paragraph_starting_with_a_number_stays_a_finding():
    text = ENTRY.replace("The situation remains grave.¹", "40 percent of people go hungry.")
    entry = parse_text(text).assessments[0]
    assert entry.findings == ["40 percent of people go hungry."]


def test_a_paragraph_split_by_a_page_break_is_joined():
    text = ENTRY.replace(
        "The situation remains grave.¹",
        "The situation remains\n\n"
        "DPRK Asia Pacific Regional Outlook May 2024\n\n"
        "grave and worsening.",
    )
    entry = parse_text(text).assessments[0]
    assert entry.findings == ["The situation remains grave and worsening."]


def test_emphasis_is_stripped_from_addressee_names():
    text = ENTRY.replace("The UN Security Council should:", "The **UN Security Council** should:")
    entry = parse_text(text).assessments[0]
    assert entry.recommendations[0].addressee == "The UN Security Council"


def test_wrapped_recommendation_lines_are_joined():
    text = ENTRY.replace(
        "- Keep the situation on its agenda.", "- Keep the situation\non its agenda."
    )
    entry = parse_text(text).assessments[0]
    assert entry.recommendations[0].items == ["Keep the situation on its agenda."]
