"""An entry's content in its shapes: stored revision, DraftContent, EntryContent, preview."""

import pytest

from assessments.content import (
    DraftContent,
    FootnoteDraft,
    NewSource,
    RecommendationDraft,
    revision_content,
)
from assessments.models import Addressee, Revision, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(published_sample):
    return Revision.objects.with_content().get(assessment__outlook=published_sample)


def test_a_draft_from_a_stored_revision_reads_as_the_revision(stored):
    content = DraftContent.from_revision(stored)
    assert content.to_entry(stored.assessment.country) == revision_content(stored)


def test_recommendations_to_one_addressee_in_a_row_make_one_group(stored):
    content = DraftContent.from_revision(stored)
    content.recommendations = [
        RecommendationDraft(name, text)
        for name, text in [("A", "One."), ("A", "Two."), ("B", "Three."), ("A", "Four.")]
    ]
    groups = content.to_entry(stored.assessment.country).recommendations
    assert [(group.addressee, group.items) for group in groups] == [
        ("A", ["One.", "Two."]),
        ("B", ["Three."]),
        ("A", ["Four."]),
    ]


def test_a_footnote_reads_as_printed_title_then_pinpoint(stored):
    note = FootnoteDraft(3, NewSource(title="Report of the Special Rapporteur"), "para. 12")
    assert note.text == "Report of the Special Rapporteur, para. 12"


def test_a_preview_shows_unsaved_content_and_writes_nothing(stored):
    content = DraftContent.from_revision(stored)
    content.findings = ["A new finding.[^1]"]
    content.recommendations = [
        RecommendationDraft("The New Body", "Act."),
        RecommendationDraft("The New Body", "Report."),
    ]
    content.footnotes = [FootnoteDraft(1, NewSource(title="A new report", url="https://a.org"))]
    counts = (Addressee.objects.count(), Source.objects.count(), Revision.objects.count())
    preview = content.preview(stored)
    assert [f.text for f in preview.findings.all()] == ["A new finding.[^1]"]
    ((addressee, items),) = preview.recommendation_groups()
    assert addressee.name == "The New Body" and [i.text for i in items] == ["Act.", "Report."]
    assert [note.text for note in preview.footnotes.all()] == ["A new report"]
    assert preview.assessment == stored.assessment and preview.number == stored.number
    assert (Addressee.objects.count(), Source.objects.count(), Revision.objects.count()) == counts


def test_a_preview_uses_the_library_addressee_of_that_name(stored):
    content = DraftContent.from_revision(stored)
    known = stored.recommendations.first().addressee
    content.recommendations = [RecommendationDraft(known.name, "Act.")]
    ((addressee, _),) = content.preview(stored).recommendation_groups()
    assert addressee.pk == known.pk
