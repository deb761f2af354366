"""Scheduled publication: an editor schedules an edition or a correction for a time; a
worker of the queue publishes it then, once, or the editor cancels it before it starts.

The clock "reaching" the time is the schedule moved into the past (the job's and its
task's), as the queue's own tables would read once the time has come.
"""

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import jobs, pdf, workflow
from assessments.models import AuditEvent, Country, PublicationJob, Revision

from .test_jobs import published_once, ready_edition
from .worker import run_jobs, worker_process

Job = PublicationJob
State = Revision.State


def time_comes(job):
    """The scheduled time has come: move the job's time, and its task's, into the past."""
    past = timezone.now() - timedelta(seconds=1)
    Job.objects.filter(pk=job.pk).update(scheduled_for=past)
    DBTaskResult.objects.filter(task_path="assessments.tasks.publish").update(run_after=past)


def in_an_hour():
    return timezone.now() + timedelta(hours=1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def test_a_scheduled_edition_waits_for_its_time_then_a_worker_publishes_it(erin):
    outlook = ready_edition(2)
    at = in_an_hour()
    job = workflow.publish(outlook, user=erin, at=at)
    assert job.is_scheduled and job.scheduled_for == at
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY" and task.run_after == at
    event = AuditEvent.objects.get(action="schedule_publication")
    assert event.actor == erin and "to be published on" in event.description

    assert run_jobs() == 0  # not before its time
    outlook.refresh_from_db()
    job.refresh_from_db()
    assert not outlook.is_published and job.is_scheduled

    time_comes(job)
    mail.outbox.clear()
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1
    assert published_once(outlook)
    published = [m for m in mail.outbox if m.subject.startswith("Published:")]
    assert published and "published as scheduled by erin" in published[0].body


def test_a_job_run_before_its_time_stays_scheduled(erin):
    """A task taken early (a backend that does not wait) publishes nothing."""
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin, at=in_an_hour())
    jobs.run(job.pk)
    job.refresh_from_db()
    outlook.refresh_from_db()
    assert job.is_scheduled and job.attempts == 0 and not outlook.is_published


@pytest.mark.parametrize(
    "offset, message",
    [
        (timedelta(minutes=-1), "Choose a time in the future"),
        (timedelta(days=400), "Choose a time within a year"),
    ],
)
def test_a_time_passed_or_over_a_year_away_is_refused(erin, offset, message):
    outlook = ready_edition(1)
    with pytest.raises(ValidationError, match=message):
        workflow.publish(outlook, user=erin, at=timezone.now() + offset)
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


def test_the_schedule_form_says_what_is_wrong_on_the_page(client, erin):
    outlook = ready_edition(1)
    client.force_login(erin)
    url = reverse("editor_publish", args=[outlook.pk])
    page = client.post(url, {"at": "tomorrow at nine"}, follow=True).content.decode()
    assert "Publish at: Enter a date and a time, such as 2026-12-01 09:00." in page
    page = client.post(url, {"at": "2001-01-01T09:00"}, follow=True).content.decode()
    assert "Choose a time in the future: 1 January 2001 at 09:00 (UTC) has passed." in page
    assert not Job.objects.exists()


def test_the_editor_schedules_through_the_page_and_sees_the_countdown(client, erin):
    outlook = ready_edition(1)
    client.force_login(erin)
    at = timezone.localtime() + timedelta(days=2, hours=3, minutes=30)
    response = client.post(
        reverse("editor_publish", args=[outlook.pk]),
        {"at": at.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    page = response.content.decode()
    assert "scheduled for" in page and "you can cancel it on this page" in page
    assert "Scheduled" in page and "in 2\xa0days, 3\xa0hours" in page
    assert 'data-countdown="' in page and "Cancel the schedule" in page
    assert 'hx-trigger="every 10s"' in page
    # While it is scheduled, the edition's countries are fixed, and said so.
    response = client.post(
        reverse("editor_add_country", args=[outlook.pk]),
        {"country": Country.objects.get(code="TH").pk},
    )
    assert response.status_code == 403
    assert "is scheduled to be published on" in response.content.decode()


def test_a_scheduled_publication_is_cancelled_until_it_starts(client, erin, rita):
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin, at=in_an_hour())
    # A reviewer may not cancel it; the job stays scheduled.
    with pytest.raises(PermissionDenied, match="editor role"):
        workflow.cancel_publication(job, user=rita)
    client.force_login(erin)
    response = client.post(reverse("editor_cancel_publication", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert "The scheduled publication is cancelled: nothing was published." in page
    assert "Cancelled" in page and "cancelled by erin" in page
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED and job.cancelled_by == erin
    assert not DBTaskResult.objects.filter(id=job.task_id).exists()
    assert AuditEvent.objects.filter(action="cancel_publication", actor=erin).count() == 1
    time_comes(job)
    run_jobs()
    outlook.refresh_from_db()
    assert not outlook.is_published
    # Cancelled twice: said so, nothing changes.
    page = client.post(
        reverse("editor_cancel_publication", args=[job.pk]), follow=True
    ).content.decode()
    assert "This publication is cancelled: there is nothing to cancel." in page
    # The edition can be changed, and published, again.
    workflow.add_country(outlook, Country.objects.get(code="TH"), user=erin)


def test_a_publication_that_has_started_cannot_be_cancelled(erin):
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin, at=in_an_hour())
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)
    with pytest.raises(PermissionDenied, match="has started: it can no longer be cancelled"):
        workflow.cancel_publication(job, user=erin)


def test_a_publication_asked_for_at_once_cannot_be_cancelled(erin):
    now = workflow.publish(ready_edition(1), user=erin)
    with pytest.raises(PermissionDenied, match="asked for at once"):
        workflow.cancel_publication(now, user=erin)


def test_a_scheduled_correction_is_published_at_its_time(edition, erin, alice, bob):
    from .test_workflow import approved_correction

    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    job = workflow.publish_correction(correction, user=erin, at=in_an_hour())
    with pytest.raises(PermissionDenied, match="This correction is scheduled to be published"):
        workflow.publish_correction(correction, user=erin)
    run_jobs()
    correction.refresh_from_db()
    assert correction.state == State.APPROVED
    time_comes(job)
    mail.outbox.clear()
    run_jobs()
    correction.refresh_from_db()
    assert correction.state == State.PUBLISHED
    notice = next(m for m in mail.outbox if m.subject.startswith("Correction published"))
    assert "published as scheduled by erin" in notice.body


def test_a_scheduled_publication_that_fails_mails_the_editor_why(erin, alice):
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin, at=in_an_hour())
    time_comes(job)
    mail.outbox.clear()
    with mock.patch.object(pdf, "html_to_pdf", side_effect=pdf.PdfRenderError("out of memory")):
        run_jobs()
    job.refresh_from_db()
    outlook.refresh_from_db()
    assert job.state == Job.State.FAILED and not outlook.is_published
    run_jobs()  # the mail's own task
    failed = [m for m in mail.outbox if m.subject.startswith("Not published:")]
    assert [m.to for m in failed] == [[erin.email]]
    assert "which you scheduled for" in failed[0].body
    assert "Why: The PDF could not be rendered: out of memory" in failed[0].body


def test_a_scheduled_job_whose_task_was_lost_is_queued_again_for_its_time(erin, settings):
    outlook = ready_edition(1)
    at = in_an_hour()
    job = workflow.publish(outlook, user=erin, at=at)
    DBTaskResult.objects.all().delete()
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert jobs.recover() == [job]
    job.refresh_from_db()
    # Not due: not an attempt, and its new task waits for the same time.
    assert job.is_scheduled and job.attempts == 0
    assert DBTaskResult.objects.get(id=job.task_id).run_after == at


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_racing_for_a_due_scheduled_publication_publish_it_once(erin, media):
    """Two worker processes, and the job's task on the queue twice (as a restarted
    scheduler might leave it): each worker takes one task when the time comes; the job's
    row lock lets one publish, and the other finds it no longer queued."""
    from assessments import tasks

    outlook = ready_edition(2)
    # Time enough for both workers to start before it is due.
    job = workflow.publish(outlook, user=erin, at=timezone.now() + timedelta(seconds=8))
    with transaction.atomic():
        jobs.enqueue(tasks.publish.using(run_after=job.scheduled_for), job.pk)
    assert DBTaskResult.objects.filter(task_path="assessments.tasks.publish").count() == 2
    with worker_process(media_root=media) as first, worker_process(media_root=media) as second:
        deadline = time.monotonic() + 120
        while Job.objects.get(pk=job.pk).state != Job.State.SUCCEEDED:
            assert time.monotonic() < deadline, "not published in time"
            assert first.poll() is None and second.poll() is None
            time.sleep(0.2)
        # Both tasks ran, on two workers.
        while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            assert time.monotonic() < deadline
            time.sleep(0.2)
    workers = {
        tuple(ids)
        for ids in DBTaskResult.objects.filter(task_path="assessments.tasks.publish").values_list(
            "worker_ids", flat=True
        )
    }
    job.refresh_from_db()
    assert job.attempts == 1 and job.started_at >= job.scheduled_for
    assert published_once(outlook)
    assert len(workers) == 2, workers


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancelling_while_a_worker_claims_the_job_ends_one_way_or_the_other(erin, media):
    """Cancel and a worker's claim take the job's row lock in turn: either it is
    cancelled and nothing is published, or it started and the cancel is refused."""
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin, at=in_an_hour())
    time_comes(job)
    outcome = {}

    def cancel():
        try:
            workflow.cancel_publication(job, user=erin)
            outcome["cancel"] = "done"
        except PermissionDenied as refusal:
            outcome["cancel"] = str(refusal)

    canceller = threading.Thread(target=cancel)
    canceller.start()
    run_jobs()
    canceller.join(60)
    job.refresh_from_db()
    outlook.refresh_from_db()
    if outcome["cancel"] == "done":
        assert job.state == Job.State.CANCELLED and not outlook.is_published
    else:
        assert "has started" in outcome["cancel"] or "succeeded" in outcome["cancel"]
        assert job.state == Job.State.SUCCEEDED and published_once(outlook)
