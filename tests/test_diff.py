import pytest

from assessments import workflow
from assessments.content import DraftContent, EntryContent, FootnoteContent, RecommendationGroup
from assessments.diff import diff_entries, recommendation_changes, word_diff
from assessments.models import Revision, TrackedStatus

from . import test_tracker

three_editions = test_tracker.three_editions  # a fixture: three editions through the workflow


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


# --- Recommendations against the previous edition ---------------------------------------


@pytest.mark.django_db
def test_recommendations_show_as_new_repeated_revised_and_dropped_with_the_reason(
    three_editions,
):
    archive, may, november = three_editions
    entries = Revision.objects.with_content()
    may_entry = entries.get(assessment__outlook=may)
    changes = recommendation_changes(may_entry, entries.get(assessment__outlook=archive))
    statuses = [change.status for change in changes]
    assert statuses[0] == TrackedStatus.REVISED
    assert "Immediately<ins> and verifiably</ins> cease" in changes[0].html
    assert statuses[-2:] == [TrackedStatus.NEW, TrackedStatus.DROPPED]
    assert set(statuses[1:-2]) == {TrackedStatus.REPEATED}
    assert changes[-1].reason == "Implemented" and changes[-1].successor == ""

    changes = recommendation_changes(entries.get(assessment__outlook=november), may_entry)
    (dropped,) = [change for change in changes if change.status == TrackedStatus.DROPPED]
    assert dropped.reason == "Superseded by another recommendation"
    assert dropped.successor == "Open every prison camp to UN monitors."


@pytest.mark.django_db
def test_a_draft_that_leaves_out_a_recommendation_shows_it_dropped_without_reason(
    copied_draft, alice
):
    content = DraftContent.from_revision(copied_draft)
    left_out = content.recommendations.pop(1)
    workflow.save_draft(copied_draft, content, user=alice, based_on_version=copied_draft.version)
    entries = Revision.objects.with_content()
    draft = entries.get(pk=copied_draft.pk)
    changes = recommendation_changes(draft, Revision.objects.previous_entry(draft.assessment))
    assert {change.status for change in changes[:-1]} == {TrackedStatus.REPEATED}
    dropped = changes[-1]
    assert (dropped.status, dropped.html, dropped.reason) == (
        TrackedStatus.DROPPED,
        left_out.text,
        "",
    )
