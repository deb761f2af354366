"""The recommendation tracker (assessments.tracker): statuses derived from lineages."""

import uuid
from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import tracker, workflow
from assessments.content import DraftContent, DroppedDraft, RecommendationDraft
from assessments.models import (
    DroppedRecommendation,
    DropReason,
    LineageMatch,
    Outlook,
    Recommendation,
    Revision,
    TrackedReason,
    TrackedRecommendation,
    TrackedStatus,
    TrackedStep,
)

from .builders import add_assessment, pass_checks, publish_entry
from .worker import run_jobs

NEW, REPEATED, REVISED, DROPPED = (
    TrackedStatus.NEW,
    TrackedStatus.REPEATED,
    TrackedStatus.REVISED,
    TrackedStatus.DROPPED,
)


def draft_of(outlook):
    return Revision.objects.with_content().get(assessment__outlook=outlook)


def edit(revision, user, change):
    """Save the draft with `change(content)` applied, as the editor would."""
    content = DraftContent.from_revision(revision)
    change(content)
    return workflow.save_draft(revision, content, user=user, based_on_version=revision.version)


def publish_through_workflow(outlook, analyst, reviewer, editor):
    revision = pass_checks(draft_of(outlook), analyst)
    workflow.submit(revision, user=analyst)
    workflow.approve(revision, user=reviewer)
    workflow.publish(outlook, user=editor)
    run_jobs()
    outlook.refresh_from_db()
    assert outlook.is_published


def statuses(outlook):
    """[(status, text start)] of the edition's steps, the made in order, then the dropped."""
    steps = TrackedStep.objects.filter(outlook=outlook).select_related("recommendation", "tracked")
    made = sorted(
        (step.recommendation.position, step.status, step.recommendation.text[:30])
        for step in steps
        if step.recommendation
    )
    dropped = sorted(
        (step.status, step.reason, step.tracked.text[:30])
        for step in steps
        if not step.recommendation
    )
    return [row[1:] for row in made], dropped


@pytest.fixture
def three_editions(published_sample, alice, bob, erin):
    """November 2023 (the sample, an archive), May 2024 and November 2024 made through
    the workflow: May revises the first recommendation, drops the second as implemented
    and adds one; November drops the third as superseded by one it adds, and repeats
    the rest."""
    region = published_sample.region
    may = workflow.create_edition(region, date(2024, 5, 1), user=erin)
    draft = draft_of(may)
    second = draft.recommendations.all()[1]

    def revise_drop_add(content):
        first = content.recommendations[0]
        first.text = "Immediately and verifiably cease committing crimes against humanity."
        del content.recommendations[1]
        content.dropped = [DroppedDraft(second.lineage, DropReason.IMPLEMENTED)]
        content.recommendations.append(
            RecommendationDraft("The UN Security Council", "Hold an open briefing each year.")
        )

    edit(draft, alice, revise_drop_add)
    publish_through_workflow(may, alice, bob, erin)

    november = workflow.create_edition(region, date(2024, 11, 1), user=erin)
    draft = draft_of(november)
    third = draft.recommendations.all()[1]  # the sample's third, second since May

    # The successor gets its lineage when the draft is saved; the reason names it then.
    content = DraftContent.from_revision(draft)
    del content.recommendations[1]
    content.recommendations.insert(
        1,
        RecommendationDraft("The government of the DPRK", "Open every prison camp to UN monitors."),
    )
    draft = workflow.save_draft(draft, content, user=alice, based_on_version=draft.version)
    draft = Revision.objects.with_content().get(pk=draft.pk)
    successor = draft.recommendations.all()[1]
    edit(
        draft,
        alice,
        lambda content: content.dropped.append(
            DroppedDraft(third.lineage, DropReason.SUPERSEDED, successor.lineage)
        ),
    )
    publish_through_workflow(november, alice, bob, erin)
    return published_sample, may, november


def test_three_editions_through_the_workflow_give_each_recommendation_its_status(
    three_editions,
):
    archive, may, november = three_editions
    made, dropped = statuses(archive)
    count = len(made)  # the sample's recommendations, all new in the first edition
    assert [status for status, _ in made] == [NEW] * count and dropped == []
    second, third = made[1][1], made[2][1]

    made, dropped = statuses(may)
    assert made[0] == (REVISED, "Immediately and verifiably cea")
    assert made[1] == (REPEATED, third)
    assert [status for status, _ in made[2:-1]] == [REPEATED] * (count - 3)
    assert made[-1] == (NEW, "Hold an open briefing each yea")
    assert dropped == [(DROPPED, TrackedReason.IMPLEMENTED, second)]

    made, dropped = statuses(november)
    assert made[1] == (NEW, "Open every prison camp to UN m")
    assert [status for status, _ in made] == [REPEATED, NEW] + [REPEATED] * (count - 2)
    assert dropped == [(DROPPED, TrackedReason.SUPERSEDED, third)]
    superseded = TrackedStep.objects.get(outlook=november, status=DROPPED)
    successor = Recommendation.objects.get(
        revision__assessment__outlook=november, text__startswith="Open every prison"
    )
    assert superseded.superseded_by == successor.lineage


def test_the_tracker_counts_each_lineage_once_with_its_latest_status(three_editions):
    archive, may, november = three_editions
    tracked = TrackedRecommendation.objects.all()
    count = archive.assessments.get().published_revision.recommendations.count()
    # The archive's, one added in May, one in November.
    assert tracked.count() == count + 2
    counts = {status: tracked.filter(status=status).count() for status in TrackedStatus.values}
    # May's revised and new ones are repeated in November, as are all that stayed.
    assert counts == {NEW: 1, REPEATED: count - 1, REVISED: 0, DROPPED: 2}
    first = tracked.get(text__startswith="Immediately and verifiably")
    assert (first.first_outlook, first.last_outlook, first.editions) == (archive, november, 3)
    implemented = tracked.get(reason=TrackedReason.IMPLEMENTED)
    assert (implemented.editions, implemented.dropped_in, implemented.last_outlook) == (
        1,
        may,
        archive,
    )
    # Rebuilt from scratch, the tracker is the same.
    before = sorted(tracked.values_list("lineage", "status", "editions", "reason"))
    tracker.rebuild()
    assert sorted(tracked.values_list("lineage", "status", "editions", "reason")) == before


def test_a_correction_keeps_lineages_and_drop_reasons(three_editions, alice, bob, erin):
    archive, may, november = three_editions
    assessment = may.assessments.get()
    correction = workflow.start_correction(assessment, user=alice)
    correction = Revision.objects.with_content().get(pk=correction.pk)
    published = Revision.objects.with_content().get(pk=assessment.published_revision_id)
    assert [r.lineage for r in correction.recommendations.all()] == [
        r.lineage for r in published.recommendations.all()
    ]
    assert [d.lineage for d in correction.dropped.all()] == [
        d.lineage for d in published.dropped.all()
    ]


def test_a_draft_cannot_take_another_entrys_lineage_or_use_one_twice(copied_draft, alice):
    stranger = uuid.uuid4()
    kept = copied_draft.recommendations.all()[0].lineage

    def tamper(content):
        content.recommendations[1].lineage = kept
        content.recommendations.append(RecommendationDraft("UN Member States", "Mine.", stranger))

    saved = Revision.objects.with_content().get(pk=edit(copied_draft, alice, tamper).pk)
    lineages = [r.lineage for r in saved.recommendations.all()]
    assert lineages[0] == kept
    assert len(set(lineages)) == len(lineages)
    assert stranger not in lineages


def test_a_drop_reason_is_fixed_once_the_revision_is_published(three_editions):
    archive, may, november = three_editions
    reason = DroppedRecommendation.objects.get(revision__assessment__outlook=may)
    with pytest.raises(IntegrityError), transaction.atomic():
        DroppedRecommendation.objects.filter(pk=reason.pk).update(note="Changed behind review.")
    with pytest.raises(IntegrityError), transaction.atomic():
        DroppedRecommendation.objects.filter(pk=reason.pk).delete()


def test_a_country_left_out_of_the_next_edition_has_its_recommendations_dropped(
    published_sample, erin
):
    region = published_sample.region
    may = workflow.create_edition(region, date(2024, 5, 1), user=erin)
    workflow.remove_country(may.assessments.get(), user=erin)
    add_assessment(may, "KR", state=Revision.State.PUBLISHED)
    Outlook.objects.filter(pk=may.pk).update(state="published", published_at=timezone.now())
    tracker.record_published(may, [])
    tracked = TrackedRecommendation.objects.filter(country__code="KP")
    assert (
        tracked.count()
        == published_sample.assessments.get().published_revision.recommendations.count()
    )
    assert set(tracked.values_list("status", "reason", "dropped_in")) == {
        (DROPPED, TrackedReason.COUNTRY_LEFT, may.pk)
    }


def test_a_copy_of_a_matched_archive_recommendation_continues_the_match(db):
    """An archive's recommendation linked to its predecessor (LineageMatch) keeps its
    own lineage column; a later edition's copy of it keeps that column too, and the
    tracker follows both under the predecessor's lineage."""
    first = publish_entry("KP", period=date(2023, 5, 1), recommendations=[("UN", "Act now.")])
    earlier = Recommendation.objects.get(revision__assessment__outlook=first)
    second = publish_entry("KP", period=date(2023, 11, 1), recommendations=[("UN", "Act now!")])
    matched = Recommendation.objects.get(revision__assessment__outlook=second)
    LineageMatch.objects.create(
        recommendation=matched,
        predecessor=earlier,
        similarity=0.9,
        decision=LineageMatch.Decision.LINKED,
    )
    third = publish_entry(
        "KP", period=date(2024, 5, 1), recommendations=[("UN", "Act now!", matched.lineage)]
    )
    tracker.rebuild()
    tracked = TrackedRecommendation.objects.get()
    assert (tracked.lineage, tracked.editions, tracked.status) == (earlier.lineage, 3, REPEATED)
    assert [step.status for step in tracked.steps.order_by("period")] == [NEW, REVISED, REPEATED]
    assert third.assessments.get().published_revision.recommendations.get().tracked_step
