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


# --- Characters, lengths and years the format cannot hold -----------------------------


def column_of(text, character):
    """(line, column) of the first `character` in `text`, both counted from 1."""
    before = text[: text.index(character)]
    return before.count("\n") + 1, len(before) - before.rfind("\n")


@pytest.mark.parametrize(
    "text",
    [
        ENTRY.replace("Asia Pacific Regional", "Europe\x01Outlook Regional", 1),
        ENTRY.replace("Asia Pacific Regional", "Asia Pacific\x1cRegional", 1),
        ENTRY.replace("remains grave.", "remains \x1bgrave."),
        ENTRY.replace("- Keep the situation", "- Keep\x85 the situation"),
        ENTRY.replace("Report of the", "Report\x0b of the"),
        ENTRY.replace("should:", "should:\x1f"),  # where strip() would take it away
        ENTRY.replace("grave.¹", "grave.¹\f"),  # a form feed inside the text, not a page break
    ],
    ids=["header-soh", "header-fs", "finding-esc", "item-nel", "footnote-vt", "end-us", "ff"],
)
def test_a_control_character_is_refused_at_its_line_and_column(text):
    character = next(c for c in text if ord(c) < 32 and c != "\n" or 127 <= ord(c) < 160)
    line, column = column_of(text, character)
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, path="outlook.txt")
    assert caught.value.line == line
    assert caught.value.message.startswith(
        f"remove the unprintable character U+{ord(character):04X} at column {column}"
    )


def test_a_form_feed_starting_a_page_is_a_page_break():
    """pdftotext starts every page but the first with a form feed."""
    paged = ENTRY.replace("DPRK Asia", "\fDPRK Asia", 1).replace("\n\nThe UN", "\n\f\nThe UN")
    assert parse_text(paged) == parse_text(ENTRY)


def test_a_line_longer_than_a_finding_is_refused_at_once():
    import time

    long_line = "x" + " " * 80_000 + "x"
    text = ENTRY.replace("The situation remains grave.¹", long_line)
    started = time.monotonic()
    with pytest.raises(ImportFileError) as caught:
        parse_text(text)
    assert time.monotonic() - started < 1  # 18.8 s before the length was checked first
    assert caught.value.line == 5
    assert "the line is 80002 characters long" in caught.value.message
    assert "longer than 20000 characters" in caught.value.message


@pytest.mark.parametrize(
    "line", [f"a{' ' * 19_990}b", "x " * 9_999 + "x", f"DPRK{' ' * 19_990}Risk"]
)
def test_a_long_line_with_runs_of_spaces_is_read_in_linear_time(line):
    import time

    text = ENTRY.replace("The situation remains grave.¹", line)
    started = time.monotonic()
    entry = parse_text(text).assessments[0]
    assert time.monotonic() - started < 1  # each of three patterns took 1.5 s on such lines
    assert entry.findings == [line]


@pytest.mark.parametrize("year", ["0000", "0001", "1899"])
def test_a_header_year_before_1900_is_refused_at_its_line(year):
    text = ENTRY.replace("May 2024", f"May {year}")
    with pytest.raises(ImportFileError) as caught:
        parse_text(text)
    assert caught.value.line == 1
    assert caught.value.message.startswith(
        f"the header's year {year} is not a year of an outlook; expected a year from 1900 on"
    )


def test_a_superscript_call_after_a_space_is_a_call():
    text = ENTRY.replace("The situation remains grave.¹", "There are severe ¹limitations.")
    assert parse_text(text).assessments[0].findings == ["There are severe [^1]limitations."]


def test_calls_in_recommendations_are_markdown_calls_too():
    text = ENTRY.replace("on its agenda.", "on its agenda.¹")
    (group,) = parse_text(text).assessments[0].recommendations
    assert group.items == ["Keep the situation on its agenda.[^1]"]


THREE_NOTES = "\n".join(
    [
        "¹ Report of the Special Rapporteur, A/HRC/55/63.",
        "² Report of the Secretary-General, A/78/1.",
        "³ Human Rights Watch, 2024.",
    ]
)


def with_finding(finding):
    text = ENTRY.replace("The situation remains grave.¹", finding)
    text = text.replace("¹ Report of the Special Rapporteur, 1 March 2024, A/HRC/55/63.", "")
    return parse_text(text + THREE_NOTES + "\n").assessments[0].findings[0]


@pytest.mark.parametrize(
    "typed, read",
    [
        ("Dozens were detained.3 Others fled.", "Dozens were detained.[^3] Others fled."),
        ("Dozens were detained,2 others fled.", "Dozens were detained,[^2] others fled."),
        ('They called it "severe".1', 'They called it "severe".[^1]'),
        ("Dozens were detained.3", "Dozens were detained.[^3]"),
    ],
)
def test_a_plain_digit_call_after_punctuation_is_a_call(typed, read):
    assert with_finding(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "Some 2.6 million people need aid.",
        "The Council adopted Resolution 2270. It was ignored.",
        "Dozens were detained.7 Others fled.",  # there is no footnote 7
        "See p.3 of the report and para.2 of the resolution.",
        "Phase 2.3 began.",
        "It rose by 40%.3 Others fell.",
    ],
)
def test_numbers_that_are_no_footnote_calls_stay_numbers(typed):
    assert with_finding(typed) == typed


def test_a_footnote_number_of_thousands_of_superscript_digits_is_no_crash():
    text = ENTRY + "⁹" * 5_000 + " A note.\n"
    entry = parse_text(text).assessments[0]
    assert len(entry.footnotes) == 1
