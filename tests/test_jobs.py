"""Publication as a background job: the request, the worker, progress, failures, retries,
and mail through the same queue.

Everything is real: PostgreSQL, the queue's tables (django-tasks-db), its worker loop,
worker processes and the PDF renderer. Faults are injected by patching (a renderer that
raises or waits) or by killing a worker process.
"""

import threading
import time
from datetime import date, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import jobs, pdf, workflow
from assessments.models import (
    AuditEvent,
    Country,
    Outlook,
    OutlookPdf,
    PublicationJob,
    Revision,
)
from assessments.permissions import Permissions

from .builders import ASIA_PACIFIC_CODES, add_assessment, make_outlook
from .processes import manage, run_python
from .test_workflow import approve_all
from .worker import run_jobs

State = Revision.State
Job = PublicationJob


def ready_edition(count):
    """A draft edition of `count` countries, each with an approved revision."""
    outlook = make_outlook(period=date(2024, 5, 1))
    for code in ASIA_PACIFIC_CODES[:count]:
        add_assessment(outlook, code, state=State.APPROVED)
    return outlook


def published_once(outlook):
    """The edition is published, by one publication: one audit event, one set of PDFs."""
    outlook.refresh_from_db()
    countries = outlook.assessments.count()
    return (
        outlook.is_published
        and AuditEvent.objects.filter(action="publish", outlook=outlook).count() == 1
        and OutlookPdf.objects.filter(outlook=outlook).count() == 1 + countries
        and not Revision.objects.filter(assessment__outlook=outlook, state=State.APPROVED).exists()
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


# --- The request ------------------------------------------------------------------------


def test_the_request_returns_at_once_and_renders_nothing(erin):
    outlook = ready_edition(40)
    with mock.patch.object(pdf, "render_in_child", side_effect=AssertionError("a render")):
        started = time.perf_counter()
        job = workflow.publish(outlook, user=erin)
        elapsed = time.perf_counter() - started
    assert elapsed < 1, elapsed
    assert job.state == Job.State.QUEUED and job.requested_by == erin and job.attempts == 0
    outlook.refresh_from_db()
    assert not outlook.is_published and not OutlookPdf.objects.exists()
    # Its task is on the queue, written in the request's transaction.
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY" and task.task_path == "assessments.tasks.publish"
    assert AuditEvent.objects.filter(action="request_publication", actor=erin).exists()


def test_the_worker_renders_every_pdf_then_publishes(erin):
    outlook = ready_edition(3)
    job = workflow.publish(outlook, user=erin)
    mail.outbox.clear()
    # The publication, then its mail to the team, its mail to subscribers, the ratings CSV.
    assert run_jobs() == 4
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1 and not job.error
    assert (job.step, job.steps) == (4, 4)  # the edition's PDF and each country's
    assert job.progress == f"Published {outlook.full_title}."
    assert job.finished_at >= job.started_at >= job.created_at
    assert published_once(outlook)
    codes = set(OutlookPdf.objects.values_list("country__code", flat=True))
    assert codes == {None, *ASIA_PACIFIC_CODES[:3]}
    assert [m.subject for m in mail.outbox] == [f"Published: {outlook.full_title}"]


def test_a_second_request_while_one_is_under_way_is_refused(client, erin):
    outlook = ready_edition(1)
    workflow.publish(outlook, user=erin)
    with pytest.raises(PermissionDenied, match="already under way"):
        workflow.publish(outlook, user=erin)
    # The page says so (a double click), rather than an error page.
    client.force_login(erin)
    response = client.post(reverse("editor_publish", args=[outlook.pk]), follow=True)
    assert "already under way" in response.content.decode()
    # What it publishes stays as it was asked for.
    answer = Permissions(erin).can_change_countries(outlook)
    assert not answer and "already under way" in answer.reason
    with pytest.raises(PermissionDenied):
        workflow.add_country(outlook, Country.objects.get(code="JP"), user=erin)
    # Two requests at the same instant: the database lets one through.
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(outlook=outlook, kind=Job.Kind.PUBLISH, requested_by=erin)
    assert Job.objects.count() == 1
    run_jobs()
    with pytest.raises(PermissionDenied, match="already published"):
        workflow.publish(outlook, user=erin)


@pytest.mark.parametrize("change", ["role", "deactivated"])
def test_a_job_asks_the_gate_again_when_it_runs(erin, change):
    # The worker acts for the editor who asked: one who lost the role meanwhile (or whose
    # account was closed) publishes nothing.
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin)
    if change == "role":
        erin.groups.clear()
    else:
        erin.is_active = False
        erin.save()
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "needs the editor role" in job.error
    outlook.refresh_from_db()
    assert not outlook.is_published and not OutlookPdf.objects.exists()


def test_a_failing_render_leaves_the_edition_unpublished_with_the_reason_shown(client, erin):
    outlook = ready_edition(2)
    client.force_login(erin)
    client.post(reverse("editor_publish", args=[outlook.pk]))
    boom = pdf.PdfRenderError("the renderer ran out of memory")
    with mock.patch.object(pdf, "html_to_pdf", side_effect=boom):
        run_jobs()
    job = Job.objects.get()
    assert job.state == Job.State.FAILED
    assert job.error == "The PDF could not be rendered: the renderer ran out of memory"
    outlook.refresh_from_db()
    assert not outlook.is_published and not OutlookPdf.objects.exists()
    assert not AuditEvent.objects.filter(action="publish").exists()
    page = client.get(reverse("editor_outlook", args=[outlook.pk])).content.decode()
    assert "Publishing failed, and nothing was published." in page
    assert "the renderer ran out of memory" in page
    # The editor tries again, and it works.
    job = workflow.publish(outlook, user=erin)
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and published_once(outlook)


# --- Progress -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_and_heartbeat_show_while_the_publication_runs(client, erin, media, settings):
    """The publication's transaction is open while the PDFs render: the editor still sees
    its progress, and the public nothing until it commits."""
    settings.PUBLICATION_HEARTBEAT_SECONDS = 0.1
    outlook = ready_edition(2)
    job = workflow.publish(outlook, user=erin)
    release, real = threading.Event(), pdf.html_to_pdf
    renders = []

    def slow(html):
        renders.append(html)
        if len(renders) == 2:
            assert release.wait(60)
        return real(html)

    worker = threading.Thread(target=run_jobs)
    with mock.patch.object(pdf, "html_to_pdf", side_effect=slow):
        worker.start()
        try:
            deadline = time.monotonic() + 60
            while not Job.objects.filter(pk=job.pk, step=2).exists():
                assert time.monotonic() < deadline
                time.sleep(0.05)
            job.refresh_from_db()
            assert job.state == Job.State.RUNNING and (job.step, job.steps) == (2, 3)
            first_beat = job.heartbeat_at
            time.sleep(0.5)
            job.refresh_from_db()
            assert job.heartbeat_at > first_beat  # alive, though the render takes long
            assert not Outlook.objects.published().exists()  # nothing public yet
            client.force_login(erin)
            status = client.get(reverse("editor_publication", args=[outlook.pk]))
            assert status.status_code == 200  # htmx goes on asking
            text = status.content.decode()
            first_country = outlook.assessments.get(position=1).country.short_name
            assert f"Rendering PDF 2 of 3: {first_country}" in text
            assert '<progress class="w-100" max="3" value="2"' in text
            page = client.get(reverse("editor_outlook", args=[outlook.pk])).content.decode()
            assert 'hx-trigger="every 2s"' in page and ">Refresh</a>" in page
        finally:
            release.set()
            worker.join(120)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and published_once(outlook)
    status = client.get(reverse("editor_publication", args=[outlook.pk]))
    assert status.status_code == 286 and status["HX-Refresh"] == "true"  # stop; reload
    page = client.get(reverse("editor_outlook", args=[outlook.pk])).content.decode()
    assert "hx-trigger" not in page and f"Published {outlook.full_title}." in page


# --- Retries ----------------------------------------------------------------------------


def stale(job):
    """What a dead worker's job looks like: running, its heartbeat long silent."""
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.PUBLICATION_STALE_SECONDS + 1)
    )


def test_a_job_whose_worker_died_is_started_again_and_publishes_once(erin):
    outlook = ready_edition(2)
    job = workflow.publish(outlook, user=erin)
    first_task = job.task_id
    assert jobs._claim(job.pk) is not None  # a worker took it, and died
    DBTaskResult.objects.filter(id=first_task).update(status="RUNNING")
    assert jobs.recover() == []  # its heartbeat is fresh: it may be working
    stale(job)
    assert jobs.recover() == [job]
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.attempts == 1 and job.task_id != first_task
    assert "its worker stopped" in job.progress
    assert DBTaskResult.objects.get(id=first_task).status == "FAILED"  # closed, not left
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    assert published_once(outlook)


def test_a_job_that_keeps_dying_fails_with_the_reason(client, erin, settings):
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin)
    for _ in range(settings.PUBLICATION_MAX_ATTEMPTS):
        assert jobs._claim(job.pk) is not None
        stale(job)
        jobs.recover()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.attempts == settings.PUBLICATION_MAX_ATTEMPTS
    assert "its worker stopped each time" in job.error
    client.force_login(erin)
    page = client.get(reverse("editor_outlook", args=[outlook.pk])).content.decode()
    assert "its worker stopped each time" in page
    outlook.refresh_from_db()
    assert not outlook.is_published
    run_jobs()  # the tasks left on the queue find the job failed, and do nothing
    outlook.refresh_from_db()
    assert not outlook.is_published


def test_a_job_whose_task_was_lost_is_queued_again(erin):
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin)
    # Its task failed before the job could be claimed (a worker's database went away).
    DBTaskResult.objects.filter(id=job.task_id).update(status="FAILED")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert jobs.recover() == [job]
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and published_once(outlook)


def test_a_task_run_twice_publishes_once(erin):
    from assessments import tasks

    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin)
    with transaction.atomic():
        jobs.enqueue(tasks.publish, job.pk)  # a second task for the same job
    # Two publication tasks, the mail to the team and to subscribers, the ratings CSV.
    assert run_jobs() == 5
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1
    assert published_once(outlook)


def test_a_retried_job_that_finds_its_edition_published_does_nothing(erin):
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin)
    run_jobs()
    # Started again after its publication committed (its worker looked dead, say).
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    jobs._enqueue_job(job)
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    assert job.progress.endswith("was already published: nothing to do.")
    assert published_once(outlook)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_on_one_job_publish_once(erin, media, settings):
    """A worker taken for dead while it still runs: the job is started again on another
    worker, which waits for the first's row lock on the edition, then finds it published."""
    settings.PUBLICATION_HEARTBEAT_SECONDS = 60  # no beat between stale() and recover()
    outlook = ready_edition(1)
    job = workflow.publish(outlook, user=erin)
    release, real = threading.Event(), pdf.html_to_pdf

    def slow(html):
        assert release.wait(60)
        return real(html)

    first = threading.Thread(target=jobs.run, args=(job.pk,))
    second = threading.Thread(target=run_jobs)
    with mock.patch.object(pdf, "html_to_pdf", side_effect=slow):
        first.start()
        try:
            deadline = time.monotonic() + 60
            while not Job.objects.filter(pk=job.pk, step=1).exists():
                assert time.monotonic() < deadline
                time.sleep(0.05)
            stale(job)
            assert jobs.recover() == [job]
            second.start()
            while not Job.objects.filter(pk=job.pk, attempts=2, state="running").exists():
                assert time.monotonic() < deadline
                time.sleep(0.05)
            time.sleep(0.5)  # the second now waits for the edition's row lock
        finally:
            release.set()
            first.join(120)
            if second.ident is not None:
                second.join(120)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.progress.endswith("was already published: nothing to do.")
    assert published_once(outlook)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_process_is_replaced_and_the_edition_published_once(erin, media):
    outlook = ready_edition(2)
    job = workflow.publish(outlook, user=erin)
    # A real worker process, killed (SIGKILL) while it renders the second PDF.
    killed = run_python(
        "import os, signal, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "from assessments import pdf\n"
        "real, renders = pdf.html_to_pdf, []\n"
        "def render(html):\n"
        "    renders.append(html)\n"
        "    if len(renders) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(html)\n"
        "pdf.html_to_pdf = render\n"
        "call_command('worker', '--batch', '--no-reload', '--no-startup-delay',"
        " '--queue-name=*')\n",
        media_root=media,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.attempts == 1
    outlook.refresh_from_db()
    assert not outlook.is_published and not OutlookPdf.objects.exists()
    assert DBTaskResult.objects.get(id=job.task_id).status == "RUNNING"  # left so by the queue
    # A new worker, started once the dead one's heartbeat is stale, starts the job again.
    time.sleep(1.5)
    manage(
        "worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--queue-name=*",
        media_root=media,
        extra={"PUBLICATION_STALE_SECONDS": "1"},
    )
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    assert published_once(outlook)


# --- Mail -------------------------------------------------------------------------------


def test_mail_is_a_task_queued_with_its_change(ready_draft, alice, bob, rita):
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.submit(ready_draft, user=alice)
        raise RuntimeError("the change rolls back")
    assert not DBTaskResult.objects.exists()  # no mail for what did not happen
    workflow.submit(ready_draft, user=alice)
    task = DBTaskResult.objects.get()
    assert task.task_path == "assessments.tasks.mail_submitted" and task.status == "READY"
    assert mail.outbox == []
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "rita@example.org"]


def test_a_correction_is_a_job_too(edition, erin, alice, bob):
    from .test_workflow import approved_correction

    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    job = workflow.publish_correction(correction, user=erin)
    assert job.kind == Job.Kind.CORRECTION and job.revision == correction
    with pytest.raises(PermissionDenied, match="already under way"):
        workflow.publish_correction(correction, user=erin)
    mail.outbox.clear()
    run_jobs()
    job.refresh_from_db()
    correction.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and (job.step, job.steps) == (2, 2)
    assert correction.state == State.PUBLISHED
    assert edition.assessments.get().published_revision == correction
    assert any(m.subject.startswith("Correction published") for m in mail.outbox)


def test_approve_all_then_publish_through_the_view(client, edition, erin, alice, bob):
    approve_all(edition, alice, bob)
    client.force_login(erin)
    response = client.post(reverse("editor_publish", args=[edition.pk]), follow=True)
    page = response.content.decode()
    assert f"Publication of {edition.full_title} queued" in page
    assert "Queued" in page and 'hx-trigger="every 2s"' in page
    run_jobs()
    page = client.get(reverse("editor_outlook", args=[edition.pk])).content.decode()
    assert f"Published {edition.full_title}." in page
