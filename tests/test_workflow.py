"""The editorial workflow: transitions, permissions, conflicts, publishing all or nothing."""

from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments import emails, workflow
from assessments.content import DraftContent, FootnoteDraft, NewSource, RecommendationDraft
from assessments.models import (
    AuditEvent,
    Country,
    Outlook,
    OutlookPdf,
    Revision,
    Source,
)

from .builders import level, pass_checks, status
from .worker import run_jobs

State = Revision.State


def content_of(revision, **changes):
    data = DraftContent.from_revision(Revision.objects.with_content().get(pk=revision.pk))
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def save(revision, user, **changes):
    revision.refresh_from_db()
    return workflow.save_draft(
        revision, content_of(revision, **changes), user=user, based_on_version=revision.version
    )


def test_new_edition_starts_from_previous_published_content(published_sample, copied_draft):
    old = Revision.objects.with_content().get(assessment__outlook=published_sample)
    new = Revision.objects.with_content().get(pk=copied_draft.pk)
    assert new.state == State.DRAFT
    assert new.based_on == old
    assert new.rating_label == old.rating_label
    assert [f.text for f in new.findings.all()] == [f.text for f in old.findings.all()]
    assert [(r.addressee_id, r.text) for r in new.recommendations.all()] == [
        (r.addressee_id, r.text) for r in old.recommendations.all()
    ]
    # Footnotes point to the same library sources, not copies.
    assert [n.source_id for n in new.footnotes.all()] == [n.source_id for n in old.footnotes.all()]
    assert new.assessment.published_revision is None


def test_only_an_editor_creates_an_edition(published_sample, alice):
    with pytest.raises(PermissionDenied):
        workflow.create_edition(published_sample.region, date(2024, 5, 1), user=alice)
    assert Outlook.objects.count() == 1


def test_second_edition_for_same_month_is_refused(edition, erin):
    with pytest.raises(ValidationError):
        workflow.create_edition(edition.region, date(2024, 5, 20), user=erin)


def test_new_country_starts_empty_and_cannot_be_submitted_unsaved(edition, erin, alice):
    japan = Country.objects.get(code="JP")
    assessment = workflow.add_country(edition, japan, user=erin)
    revision = assessment.revisions.get()
    assert revision.findings.count() == 0
    with pytest.raises(ValidationError) as error:
        workflow.submit(revision, user=alice)
    assert "Add at least one finding" in str(error.value)
    assert "Set the rating and save" in str(error.value)


def test_save_draft_replaces_content_and_records_contributor(copied_draft, alice):
    saved = save(
        copied_draft,
        alice,
        findings=["A new finding.[^1]"],
        recommendations=[RecommendationDraft("The UN Security Council", "Act.")],
        footnotes=[FootnoteDraft(1, NewSource(title="New report", url="https://example.org/r"))],
    )
    assert saved.version == 2
    assert [f.text for f in saved.findings.all()] == ["A new finding.[^1]"]
    assert saved.footnotes.get().source.title == "New report"
    assert Source.objects.filter(title="New report").exists()
    assert list(saved.contributors.all()) == [alice]
    event = AuditEvent.objects.get(action="save", revision=saved)
    assert event.actor == alice
    assert event.data["content"]["findings"] == ["A new finding.[^1]"]


def test_second_save_based_on_old_version_is_refused_and_nothing_is_lost(
    ready_draft, alice, make_user
):
    dora = make_user("dora", "analyst")
    version = ready_draft.version
    workflow.save_draft(
        ready_draft,
        content_of(ready_draft, findings=["Alice's text."]),
        user=alice,
        based_on_version=version,
    )
    with pytest.raises(workflow.ConflictError) as error:
        workflow.save_draft(
            ready_draft,
            content_of(ready_draft, findings=["Dora's text."]),
            user=dora,
            based_on_version=version,
        )
    assert error.value.revision.version == version + 1
    ready_draft.refresh_from_db()
    assert [f.text for f in ready_draft.findings.all()] == ["Alice's text."]
    assert not ready_draft.contributors.filter(pk=dora.pk).exists()


def test_reviewer_cannot_approve_own_revision(ready_draft, make_user):
    both = make_user("pat", "analyst", "reviewer")
    save(ready_draft, both)
    workflow.submit(ready_draft, user=both)
    with pytest.raises(PermissionDenied):
        workflow.approve(ready_draft, user=both)
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.SUBMITTED


def test_analyst_cannot_approve(ready_draft, alice):
    save(ready_draft, alice)
    workflow.submit(ready_draft, user=alice)
    with pytest.raises(PermissionDenied):
        workflow.approve(ready_draft, user=alice)


def test_request_changes_needs_a_comment_and_returns_an_editable_draft(ready_draft, alice, bob):
    save(ready_draft, alice)
    workflow.submit(ready_draft, user=alice)
    with pytest.raises(ValidationError):
        workflow.request_changes(ready_draft, user=bob, comment="  ")
    workflow.request_changes(ready_draft, user=bob, comment="Cite the 2024 report.")
    run_jobs()
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.CHANGES_REQUESTED
    assert ready_draft.is_editable
    assert ready_draft.reviews.get().comment == "Cite the 2024 report."
    # The analyst is told, with the comment.
    decision = [m for m in mail.outbox if "Changes requested" in m.subject]
    assert decision and "Cite the 2024 report." in decision[0].body
    assert decision[0].to == ["alice@example.org"]
    assert f"/editor/revisions/{ready_draft.pk}/edit/" in decision[0].body  # where to make them


def test_submit_mails_reviewers_through_the_queue(ready_draft, alice, bob, rita):
    save(ready_draft, alice)
    workflow.submit(ready_draft, user=alice)
    assert mail.outbox == []  # queued with the submission, sent by a worker
    assert run_jobs() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "rita@example.org"]
    assert "For review: DPRK" in mail.outbox[0].subject
    body = mail.outbox[0].body
    assert "submitted for review by alice" in body
    assert f"/editor/revisions/{ready_draft.pk}/review/" in body


@pytest.mark.parametrize("mail", ["send_submitted", "send_decision"])
def test_a_mail_failing_after_a_submission_or_a_decision_leaves_it_made(
    ready_draft, alice, bob, mail, caplog
):
    """The mail is a task a worker runs after the commit: if it fails, what was done stays
    done, and the person who did it is not told it failed."""
    save(ready_draft, alice)
    workflow.submit(ready_draft, user=alice)
    workflow.approve(ready_draft, user=bob)
    with mock.patch.object(emails, mail, side_effect=RuntimeError("mail server down")):
        run_jobs()
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.APPROVED
    assert "mail server down" in caplog.text


def test_submitted_revision_cannot_be_saved_or_submitted_again(ready_draft, alice):
    save(ready_draft, alice)
    workflow.submit(ready_draft, user=alice)
    ready_draft.refresh_from_db()
    with pytest.raises(PermissionDenied):
        workflow.save_draft(
            ready_draft, content_of(ready_draft), user=alice, based_on_version=ready_draft.version
        )
    with pytest.raises(PermissionDenied):
        workflow.submit(ready_draft, user=alice)


def test_database_refuses_changing_a_submitted_revision(ready_draft, alice):
    save(ready_draft, alice)
    workflow.submit(ready_draft, user=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.filter(pk=ready_draft.pk).update(rationale="sneaky")


def approve_all(outlook, analyst, reviewer):
    for revision in Revision.objects.filter(assessment__outlook=outlook).in_progress():
        revision = pass_checks(revision, analyst)
        workflow.submit(revision, user=analyst)
        workflow.approve(revision, user=reviewer)


def test_publish_needs_every_entry_approved(edition, erin, alice, bob):
    with pytest.raises(ValidationError) as error:
        workflow.publish(edition, user=erin)
    assert "DPRK has no approved revision" in str(error.value)
    approve_all(edition, alice, bob)
    with pytest.raises(PermissionDenied):
        workflow.publish(edition, user=bob)
    mail.outbox.clear()
    job = workflow.publish(edition, user=erin)
    assert job.state == job.State.QUEUED
    run_jobs()
    edition.refresh_from_db()
    assert edition.is_published and edition.published_by == erin
    assessment = edition.assessments.get()
    assert assessment.published_revision.state == State.PUBLISHED
    # The edition's PDF and its one country's.
    pdfs = OutlookPdf.objects.filter(outlook=edition)
    assert set(pdfs.values_list("country__code", flat=True)) == {None, "KP"}
    assert AuditEvent.objects.filter(action="publish", outlook=edition, actor=erin).exists()
    assert any("Published:" in m.subject for m in mail.outbox)


def test_failure_while_publishing_leaves_everything_as_it_was(edition, erin, alice, bob):
    approve_all(edition, alice, bob)
    before = list(Revision.objects.order_by("pk").values_list("pk", "state", "published_at"))
    job = workflow.publish(edition, user=erin)
    with mock.patch("assessments.pdf.store_pdfs", side_effect=RuntimeError("disk full")):
        run_jobs()
    # No "published" mail for what did not happen (the reviewers' mails went).
    assert not [m for m in mail.outbox if m.subject.startswith("Published")]
    job.refresh_from_db()
    assert job.state == job.State.FAILED and job.error == "Disk full"
    edition.refresh_from_db()
    assert not edition.is_published and edition.published_at is None
    assert (
        list(Revision.objects.order_by("pk").values_list("pk", "state", "published_at")) == before
    )
    assert edition.assessments.get().published_revision is None
    assert not AuditEvent.objects.filter(action="publish").exists()
    assert not OutlookPdf.objects.filter(outlook=edition).exists()


def test_failure_after_the_pdf_also_rolls_back(edition, erin, alice, bob):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    with mock.patch.object(workflow, "audit", side_effect=RuntimeError("audit down")):
        run_jobs()
    edition.refresh_from_db()
    assert not edition.is_published
    assert not Revision.objects.filter(assessment__outlook=edition, state=State.PUBLISHED).exists()


def publish_failing_after_the_pdf(publish, target, *, user):
    """Ask `publish`, then run the job with the audit log failing after the PDFs (the
    edition's and its country's) are stored; returns their records."""
    from assessments import pdf

    stored, real = [], pdf.store_pdfs

    def spy(outlook, **options):
        records = real(outlook, **options)
        stored.extend(records)
        return records

    job = publish(target, user=user)
    with (
        mock.patch("assessments.pdf.store_pdfs", side_effect=spy),
        mock.patch.object(workflow, "audit", side_effect=RuntimeError("audit down")),
    ):
        run_jobs()
    job.refresh_from_db()
    assert job.state == job.State.FAILED and job.error == "Audit down"
    assert len(stored) == 2
    return stored


def test_failure_after_the_pdf_was_written_deletes_the_file(edition, erin, alice, bob):
    approve_all(edition, alice, bob)
    records = publish_failing_after_the_pdf(workflow.publish, edition, user=erin)
    assert not any(record.file.storage.exists(record.file.name) for record in records)
    assert not OutlookPdf.objects.exists()


def test_published_edition_keeps_its_pdf_files(edition, erin, alice, bob):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    run_jobs()
    records = OutlookPdf.objects.filter(outlook=edition)
    assert len(records) == 2
    assert all(record.file.storage.exists(record.file.name) for record in records)


def approved_correction(edition, *, editor, analyst, reviewer):
    """Publish `edition` (every entry approved) and bring a correction of its entry to
    approval; returns the correction."""
    approve_all(edition, analyst, reviewer)
    workflow.publish(edition, user=editor)
    run_jobs()
    correction = workflow.start_correction(edition.assessments.get(), user=analyst)
    save(correction, analyst, correction_note="Corrected a date.")
    correction = pass_checks(correction, analyst)
    workflow.submit(correction, user=analyst)
    workflow.approve(correction, user=reviewer)
    return correction


def test_failed_correction_deletes_the_pdf_it_wrote(edition, erin, alice, bob):
    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    records = publish_failing_after_the_pdf(workflow.publish_correction, correction, user=erin)
    assert not any(record.file.storage.exists(record.file.name) for record in records)
    correction.refresh_from_db()
    assert correction.state == State.APPROVED
    assert OutlookPdf.objects.filter(outlook=edition).count() == 2  # the publication's


# A mail is a task queued with the publication: whatever happens to it then, the
# publication stands. These tests commit for real (transaction=True), as production does,
# so that the on-commit hooks (moving the PDFs to their final names) run as they do there.


def served_pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_failing_after_publishing_leaves_the_edition_published_with_its_pdf(
    client, edition, erin, alice, bob, caplog
):
    approve_all(edition, alice, bob)
    client.force_login(erin)
    response = client.post(reverse("editor_publish", args=[edition.pk]), follow=True)
    assert f"Publication of {edition.full_title} queued" in response.content.decode()
    with mock.patch.object(emails, "send_published", side_effect=RuntimeError("mail server down")):
        run_jobs()
    page = client.get(reverse("editor_outlook", args=[edition.pk])).content.decode()
    assert "Publishing failed" not in page
    assert f"Published {edition.full_title}." in page
    assert "mail server down" in caplog.text  # logged, for the operator
    edition.refresh_from_db()
    assert edition.is_published
    record = OutlookPdf.objects.get(outlook=edition, country=None)
    assert record.file.storage.exists(record.file.name)
    assert served_pdf(client, f"/outlooks/{edition.slug}.pdf") == record.file.open("rb").read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_failing_after_a_correction_leaves_it_published_with_its_pdf(
    client, edition, erin, alice, bob, caplog
):
    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    client.force_login(erin)
    response = client.post(reverse("editor_publish_correction", args=[correction.pk]), follow=True)
    assert "Correction of" in response.content.decode()
    with mock.patch.object(
        emails, "send_correction_published", side_effect=RuntimeError("mail server down")
    ):
        run_jobs()
    page = client.get(reverse("editor_revision", args=[correction.pk])).content.decode()
    assert "Publishing failed" not in page
    assert "The correction is published." in page
    assert "mail server down" in caplog.text
    correction.refresh_from_db()
    assert correction.state == State.PUBLISHED
    # The edition's and its country's, as published and as corrected.
    records = list(OutlookPdf.objects.filter(outlook=edition))
    assert len(records) == 4
    assert all(record.file.storage.exists(record.file.name) for record in records)
    latest = OutlookPdf.objects.filter(outlook=edition, country=None).first()
    assert served_pdf(client, f"/outlooks/{edition.slug}.pdf") == latest.file.open("rb").read()


def test_correction_is_reviewed_then_published_with_note(edition, erin, alice, bob, rita):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    run_jobs()
    assessment = edition.assessments.get()
    original = assessment.published_revision
    with pytest.raises(PermissionDenied):
        workflow.start_correction(assessment, user=bob)
    correction = workflow.start_correction(assessment, user=alice)
    assert correction.state == State.DRAFT and correction.based_on == original
    with pytest.raises(PermissionDenied):
        workflow.start_correction(assessment, user=alice)  # one in progress at a time
    save(correction, alice, findings=["Corrected finding.[^1]"])
    with pytest.raises(ValidationError) as error:
        workflow.submit(correction, user=alice)
    assert "correction note" in str(error.value)
    save(correction, alice, correction_note="Corrected a date.")
    correction = pass_checks(correction, alice)
    workflow.submit(correction, user=alice)
    workflow.approve(correction, user=rita)
    with pytest.raises(PermissionDenied):
        workflow.publish_correction(correction, user=rita)
    pdfs = OutlookPdf.objects.count()
    workflow.publish_correction(correction, user=erin)
    run_jobs()
    assessment.refresh_from_db()
    original.refresh_from_db()
    assert assessment.published_revision_id == correction.pk
    assert original.state == State.PUBLISHED  # still readable at its own URL
    assert OutlookPdf.objects.count() == pdfs + 2  # the edition's and the entry's


def test_draft_edition_countries_can_be_reordered_and_removed(edition, erin, alice):
    japan = workflow.add_country(edition, Country.objects.get(code="JP"), user=erin)
    dprk = edition.assessments.get(country__code="KP")
    workflow.move_country(japan, -1, user=erin)
    order = list(edition.assessments.order_by("position").values_list("country__code", flat=True))
    assert order == ["JP", "KP"]
    with pytest.raises(PermissionDenied):
        workflow.move_country(dprk, -1, user=alice)
    workflow.remove_country(japan, user=erin)
    assert list(edition.assessments.values_list("country__code", flat=True)) == ["KP"]
    assert AuditEvent.objects.filter(action="remove_country").exists()


def test_readded_country_starts_from_its_last_published_entry(edition, erin):
    dprk = edition.assessments.get(country__code="KP")
    workflow.remove_country(dprk, user=erin)
    again = workflow.add_country(edition, dprk.country, user=erin)
    revision = again.revisions.get()
    assert revision.based_on is not None
    assert revision.findings.exists()


def test_rating_change_is_kept(ready_draft, alice):
    saved = save(ready_draft, alice, risk_level=level("High"), risk_status=status("Emerging"))
    assert saved.rating_label == "High/Emerging"


def test_acknowledging_a_warning_counts_as_contributing(ready_draft, alice, make_user):
    # Vera may draft and review; she only acknowledged one of the warnings on Alice's draft.
    vera = make_user("vera", "analyst", "reviewer")
    acknowledgement = ready_draft.acknowledgements.first()
    acknowledgement.delete()
    workflow.acknowledge(ready_draft, acknowledgement.key, user=vera, note="Stands.")
    assert set(ready_draft.contributors.all()) == {alice, vera}
    workflow.submit(ready_draft, user=alice)
    with pytest.raises(PermissionDenied, match="You contributed"):
        workflow.approve(ready_draft, user=vera)


@pytest.fixture
def rerated(edition, ready_draft, alice, bob, erin):
    """The May 2024 edition published with DPRK lowered to High, and why."""
    save(ready_draft, alice, risk_level=level("High"), rationale="Fewer reported executions.")
    revision = pass_checks(ready_draft, alice)
    workflow.submit(revision, user=alice)
    workflow.approve(revision, user=bob)
    workflow.publish(edition, user=erin)
    run_jobs()
    return edition.assessments.get()


def rating_errors(revision):
    from assessments import checks

    revision = Revision.objects.with_content().get(pk=revision.pk)
    return [r.key for r in checks.check_revision(revision) if r.check == "rating.no_rationale"]


def test_a_correction_keeps_the_published_rating_rationale(rerated, alice):
    correction = workflow.start_correction(rerated, user=alice)
    assert correction.rationale == "Fewer reported executions."
    assert rating_errors(correction) == []
    # The first save of the correction, rating untouched, keeps it.
    assert save(correction, alice).rationale == "Fewer reported executions."


def test_the_next_editions_copy_does_not_carry_the_previous_rationale(rerated, erin):
    nxt = workflow.create_edition(rerated.outlook.region, date(2024, 11, 1), user=erin)
    copy = Revision.objects.get(assessment__outlook=nxt)
    # The rating is unchanged since the previous edition: there is nothing to explain.
    assert copy.rating_label == "High/Ongoing" and copy.rationale == ""
    assert rating_errors(copy) == []


# --- Acknowledging all warnings at once ------------------------------------------------


def _results(revision):
    from assessments import checks

    results = checks.check_revision(Revision.objects.with_content().get(pk=revision.pk))
    warnings = [r.key for r in results if r.severity == checks.Severity.WARNING]
    errors = [r.key for r in results if r.severity == checks.Severity.ERROR]
    return warnings, errors


def test_acknowledge_all_lets_the_warnings_sent_stand_with_one_note_each_audited(
    copied_draft, alice
):
    warnings, errors = _results(copied_draft)
    sent = warnings[:-1] + errors + ["numbers.grouping:finding:gone"]
    done = workflow.acknowledge_all(copied_draft, sent, user=alice, note="  All read.  ")
    assert [result.key for result in done] == warnings[:-1]
    stored = {a.key: a.note for a in copied_draft.acknowledgements.all()}
    # Neither an error, nor a key no longer produced, nor a warning not sent (unseen).
    assert stored == dict.fromkeys(warnings[:-1], "All read.")
    events = AuditEvent.objects.filter(action="acknowledge", revision=copied_draft)
    assert sorted(e.data["key"] for e in events) == sorted(warnings[:-1])
    assert alice in copied_draft.contributors.all()
    # Again: nothing more to acknowledge, nothing audited twice.
    assert workflow.acknowledge_all(copied_draft, sent, user=alice, note="Again.") == []
    assert events.count() == len(warnings) - 1


def test_acknowledge_all_refuses_an_empty_note_and_writes_nothing(copied_draft, alice):
    warnings, _ = _results(copied_draft)
    with pytest.raises(ValidationError, match="one note for all of them"):
        workflow.acknowledge_all(copied_draft, warnings, user=alice, note="  ")
    assert not copied_draft.acknowledgements.exists()
    assert not AuditEvent.objects.filter(action="acknowledge").exists()


def test_acknowledge_all_is_refused_to_a_reviewer_and_on_a_submitted_revision(
    ready_draft, alice, bob
):
    warnings, _ = _results(ready_draft)
    ready_draft.acknowledgements.all().delete()
    with pytest.raises(PermissionDenied):
        workflow.acknowledge_all(ready_draft, warnings, user=bob, note="Fine.")
    ready_draft.acknowledgements.create(key=warnings[0], user=alice)
    submitted = Revision.objects.get(pk=ready_draft.pk)
    submitted.state = State.SUBMITTED
    submitted.save(update_fields=["state"])
    with pytest.raises(PermissionDenied):
        workflow.acknowledge_all(submitted, warnings, user=alice, note="Fine.")
    assert ready_draft.acknowledgements.count() == 1
