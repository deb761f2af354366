"""The text format of a published outlook, read into plain content."""

from datetime import date

import pytest

from assessments.importing import ImportFileError, parse_text

from . import ENTRY, SECOND_ENTRY


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


def test_a_page_break_after_a_full_sentence_keeps_two_findings():
    text = ENTRY.replace(
        "The situation remains grave.¹",
        "The situation remains grave.\n\nDPRK Asia Pacific Regional Outlook May 2024\n\n"
        "It is worsening.",
    )
    entry = parse_text(text).assessments[0]
    assert entry.findings == ["The situation remains grave.", "It is worsening."]


def test_wrapped_footnote_lines_are_joined_and_the_url_leaves_the_text():
    text = ENTRY.replace(
        "¹ Report of the Special Rapporteur, 1 March 2024, A/HRC/55/63.",
        "¹ Report of the Special\nRapporteur, 1 March 2024, https://undocs.org/A/HRC/55/63",
    )
    (note,) = parse_text(text).assessments[0].footnotes
    assert (note.text, note.url) == (
        "Report of the Special Rapporteur, 1 March 2024",
        "https://undocs.org/A/HRC/55/63",
    )


def test_the_header_above_an_entry_gives_its_short_name_and_the_edition_its_period():
    content = parse_text(ENTRY + "\n" + SECOND_ENTRY)
    assert [entry.short_name for entry in content.assessments] == [
        "DPRK Asia Pacific",
        "Myanmar Asia Pacific",
    ]
    assert content.period == date(2024, 5, 1)
    assert [entry.line for entry in content.assessments] == [3, ENTRY.count("\n") + 4]


TEXT_ERRORS = [
    (
        "text-before-the-country",
        ENTRY.replace("Outlook May 2024\n", "Outlook May 2024\nAn introduction.\n", 1),
        2,
        "expected a country line such as \"Democratic People's Republic of Korea Risk: "
        'Very high/Ongoing", found "An introduction."',
    ),
    (
        "second-heading",
        ENTRY.replace("- Keep", "Recommendations\n- Keep"),
        11,
        'a second "Recommendations" heading in one entry',
    ),
    (
        "neither-addressee-nor-item",
        ENTRY.replace("- Keep the situation", "Keep the situation"),
        11,
        'expected "<Addressee> should:", a recommendation starting with "- ", or a numbered '
        'footnote, found "Keep the situation on its agenda."',
    ),
    (
        "text-after-a-footnote-and-a-blank-line",
        ENTRY + "\nA stray line.\n",
        15,
        'expected a footnote beginning with its number, found "A stray line."',
    ),
    (
        "another-period",
        ENTRY + "\n" + SECOND_ENTRY.replace("May 2024", "June 2024"),
        ENTRY.count("\n") + 2,
        "this header names another period than the first one; one file holds one edition",
    ),
    (
        "no-country",
        "DPRK Asia Pacific Regional Outlook May 2024\n",
        1,
        "no country entry found",
    ),
]


@pytest.mark.parametrize(
    "text, line, message", [case[1:] for case in TEXT_ERRORS], ids=[c[0] for c in TEXT_ERRORS]
)
def test_text_that_does_not_follow_the_format_is_refused_at_its_line(text, line, message):
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, path="outlook.txt")
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value).startswith(f"outlook.txt, line {line}: ")
