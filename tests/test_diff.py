from assessments.content import EntryContent, FootnoteContent, RecommendationGroup
from assessments.diff import diff_entries, word_diff


def test_word_diff_marks_removed_and_added_words():
    html = word_diff("The risk is high today.", "The risk is very high now.")
    assert html == "The risk is <ins>very </ins>high <del>today.</del><ins>now.</ins>"


def test_word_diff_escapes_html():
    html = word_diff("a <b>", "a <script>x</script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def entry(**fields):
    return EntryContent(country="KP", risk_level="Very high", risk_status="Ongoing", **fields)


def test_diff_entries_compares_sections_and_flags_unchanged_ones():
    old = entry(
        findings=["Executions continue."],
        recommendations=[RecommendationGroup("UN Member States", ["Act."])],
        footnotes=[FootnoteContent(1, "Report A")],
    )
    new = entry(
        findings=["Public executions continue."],
        recommendations=[RecommendationGroup("UN Member States", ["Act."])],
        footnotes=[FootnoteContent(1, "Report A"), FootnoteContent(2, "Report B")],
    )
    sections = {s.title: s for s in diff_entries(old, new)}
    assert not sections["Rating"].changed
    assert "<del>Executions</del>" in sections["Findings"].html
    assert "<ins>Public" in sections["Findings"].html
    assert sections["Findings"].changed
    assert not sections["Recommendations"].changed
    assert "<ins>" in sections["Footnotes"].html and "Report B" in sections["Footnotes"].html
    assert "Rationale" not in sections  # empty on both sides


def test_diff_against_nothing_shows_everything_added():
    sections = diff_entries(None, entry(findings=["New."]))
    assert all(s.changed for s in sections)


def test_paragraphs_are_matched_before_words():
    from assessments.diff import word_diff

    old = "First paragraph stays.\n\nSecond one changes here."
    new = "First paragraph stays.\n\nA new paragraph.\n\nSecond one changes there."
    html = str(word_diff(old, new))
    assert html.startswith("First paragraph stays.")
    assert "<ins>A new paragraph.\n\n</ins>Second one changes " in html
    assert "<del>here.</del><ins>there.</ins>" in html
