"""Work done by the queue's workers: publications (PublicationJob) and mail.

The queue is django-tasks with its database backend (django-tasks-db): a table of the
site's own database, read by `manage.py worker` processes. A publication goes like this:

- the editor's request (workflow.publish or publish_correction) asks the permission gate,
  checks the edition, and creates a PublicationJob and its task in one transaction: it
  returns at once, and the request is refused at once when it would be (a second request
  while one waits or runs is refused by the gate, and by a unique constraint);
- a worker runs the task (`run`): it claims the job under its row lock, then the
  workflow renders the PDFs and publishes in one transaction that also marks the job
  succeeded (workflow.carry_out_publication / carry_out_correction), so the public sees
  the whole edition or none of it, and a job is never done twice: a retried job that
  finds its edition published ends without doing anything;
- while it runs, a thread of its own writes the job's progress and a heartbeat on a
  connection of its own, so the editor's page can show them before the commit;
- a job that raises is recorded failed with its reason, shown on the editor's page;
  nothing was published, and the editor may ask again;
- a job whose worker died (its heartbeat has stopped) or whose task was lost is started
  again by `recover`, up to PUBLICATION_MAX_ATTEMPTS; every worker runs it when it
  starts and then periodically (`manage.py worker`), and `manage.py recover_jobs` runs it
  once. django-tasks-db does not do this itself: a task whose worker died stays RUNNING.
"""

import logging
import threading
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from . import tasks
from .models import PublicationJob

logger = logging.getLogger(__name__)
Job = PublicationJob


def enqueue(task, *args):
    """Queue `task(*args)` to run once the current transaction has committed.

    The database backend writes the task's row in this very transaction, so the task
    exists if and only if the change that asked for it committed, whatever becomes of
    this process after the commit. Any other backend is called on commit. Returns the
    task's result when it is already enqueued, else None.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        return task.enqueue(*args)
    transaction.on_commit(partial(task.enqueue, *args), robust=True)
    return None


# --- Requests (in the editor's transaction) -------------------------------------------


def request(outlook, *, kind, user, revision=None, at=None):
    """A queued job for a publication the caller has allowed, and its task; with `at`,
    a job scheduled for then, whose task no worker takes before that time."""
    try:
        # A savepoint: where rows are not locked (SQLite), two requests at the same
        # instant meet the unique constraint, and the second is refused as the gate would.
        with transaction.atomic():
            job = Job.objects.create(
                outlook=outlook, revision=revision, kind=kind, requested_by=user, scheduled_for=at
            )
    except IntegrityError:
        raise PermissionDenied(under_way_reason(outlook)) from None
    _enqueue_job(job)
    return job


def under_way_reason(outlook):
    return f"A publication of {outlook.full_title} is already under way."


def _enqueue_job(job):
    task = tasks.publish
    if not job.is_due():
        task = task.using(run_after=job.scheduled_for)
    result = enqueue(task, job.pk)
    if result is not None:
        Job.objects.filter(pk=job.pk).update(task_id=result.id)
        job.task_id = result.id


# --- Running (in a worker) ---------------------------------------------------------------


def run(job_id):
    """Carry out a job (the task's body): claim it, publish, or record why it failed."""
    from . import workflow

    job = _claim(job_id)
    if job is None:
        return
    carry_out = {
        Job.Kind.PUBLISH: workflow.carry_out_publication,
        Job.Kind.CORRECTION: workflow.carry_out_correction,
    }[job.kind]
    try:
        with Progress(job) as progress:
            carry_out(job, progress=progress)
    except Exception as error:
        logger.exception("Publication job %s failed", job.pk)
        failed = Job.objects.filter(
            pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts
        ).update(state=Job.State.FAILED, error=failure_reason(error), finished_at=timezone.now())
        if failed:
            _tell_failed(job)
        raise


def _tell_failed(job):
    # An editor who scheduled a publication is not watching the page when it fails.
    if job.scheduled_for is not None:
        enqueue(tasks.mail_publication_failed, job.pk)


def cancel(job, user):
    """Cancel a scheduled job for `user` (the gate has allowed it, on the locked row): its
    task, if still waiting, goes too; a worker that takes it anyway finds it cancelled."""
    job.state = Job.State.CANCELLED
    job.cancelled_by = user
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "cancelled_by", "finished_at"])
    if job.task_id and isinstance(tasks.publish.get_backend(), DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id=job.task_id, status="READY").delete()


def _claim(job_id):
    """Mark a queued job running, under its row lock; None if it is not queued (done,
    failed, or claimed by another worker: a task enqueued twice runs once)."""
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("outlook", "revision", "requested_by")
            .filter(pk=job_id)
            .first()
        )
        now = timezone.now()
        # Not yet due: a task run early (a backend that does not wait) leaves it queued;
        # `recover` queues it again, for its time, once that task has gone.
        if job is None or job.state != Job.State.QUEUED or not job.is_due(now):
            return None
        job.state = Job.State.RUNNING
        job.attempts += 1
        job.started_at = job.heartbeat_at = now
        job.progress, job.step, job.steps = "Started.", 0, 0
        job.save(
            update_fields=[
                "state",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress",
                "step",
                "steps",
            ]
        )
    return job


def succeed(job, summary, progress):
    """Mark the job succeeded, all its steps done: called inside the transaction that
    publishes, so that the job is succeeded if and only if the publication committed."""
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.SUCCEEDED,
        progress=summary[:200],
        step=progress.steps,
        steps=progress.steps,
        error="",
        finished_at=timezone.now(),
    )


def failure_reason(error):
    """What the editor reads about a failed publication."""
    from .pdf import PdfRenderError

    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PdfRenderError):
        return f"The PDF could not be rendered: {error}"
    text = str(error).strip() or type(error).__name__
    return f"{text[0].upper()}{text[1:]}"[:2000]


class Progress:
    """What a running job reports, `progress(text, step, steps)`, and its heartbeat.

    The publication's transaction stays open while the PDFs render, so what it wrote
    would show only at its commit: a thread writes the progress, and a heartbeat every
    PUBLICATION_HEARTBEAT_SECONDS, on a connection of its own (each thread has one).
    Not on SQLite, whose one writer at a time is the publication itself: there the page
    shows the job running until it ends.
    """

    def __init__(self, job):
        self.job = job
        self._lock = threading.Lock()
        self._pending = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        self.steps = 0

    def __call__(self, text, step=None, steps=None):
        values = {"progress": text[:200]}
        if step is not None:
            values["step"] = step
        if steps is not None:
            values["steps"] = self.steps = steps
        with self._lock:
            self._pending.update(values)
        self._wake.set()

    def __enter__(self):
        if connection.vendor != "sqlite":
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        return False

    def _beat(self):
        job = self.job
        try:
            while True:
                self._wake.clear()
                with self._lock:
                    values, self._pending = self._pending, {}
                # Only this attempt's own row: another worker may have taken it over.
                Job.objects.filter(
                    pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts
                ).update(heartbeat_at=timezone.now(), **values)
                if self._stop.is_set():
                    return
                self._wake.wait(settings.PUBLICATION_HEARTBEAT_SECONDS)
        except Exception:
            logger.exception("Could not record the progress of publication job %s", job.pk)
        finally:
            connection.close()


# --- Recovery -------------------------------------------------------------------------


def recover(now=None):
    """Start again the jobs whose worker died (running, heartbeat older than
    PUBLICATION_STALE_SECONDS) or whose task was lost (queued that long, its task no
    longer waiting); past PUBLICATION_MAX_ATTEMPTS, mark them failed. Returns them.

    Several workers may run this at once: each takes the rows no other holds.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.PUBLICATION_STALE_SECONDS)
    recovered = []
    with transaction.atomic():
        dead = Job.objects.select_for_update(skip_locked=True).filter(
            state=Job.State.RUNNING, heartbeat_at__lt=stale
        )
        for job in dead:
            _start_again(job, now, "its worker stopped")
            recovered.append(job)
        waiting = Job.objects.select_for_update(skip_locked=True).filter(
            Q(heartbeat_at__lt=stale) | Q(heartbeat_at=None, created_at__lt=stale),
            state=Job.State.QUEUED,
        )
        for job in waiting:
            if not _task_waiting(job):
                _start_again(job, now, "its task was lost")
                recovered.append(job)
    return recovered


def _task_waiting(job):
    """Whether the job's task still waits on the queue for a worker."""
    if not job.task_id:
        return False
    try:
        result = tasks.publish.get_result(job.task_id)
    except Exception:  # gone (pruned), or a backend that cannot tell
        return False
    return result.status == "READY"


def _start_again(job, now, why):
    _close_dead_task(job, why)
    if job.attempts >= settings.PUBLICATION_MAX_ATTEMPTS:
        logger.error("Publication job %s failed: %s, %s times", job.pk, why, job.attempts)
        job.state = Job.State.FAILED
        job.error = (
            f"The publication was tried {job.attempts} times and {why} each time; "
            "nothing was published. Publish again, and tell the site's operator if it "
            "happens again."
        )
        job.finished_at = now
        job.save(update_fields=["state", "error", "finished_at"])
        _tell_failed(job)
        return
    logger.warning("Publication job %s: %s; queued again", job.pk, why)
    job.state = Job.State.QUEUED
    # A job that never started counts as an attempt too, so that a task that cannot
    # even start is not queued again for ever.
    if why == "its task was lost" and job.is_due(now):
        job.attempts += 1
    job.progress = f"Queued again: {why} (attempt {job.attempts})."
    job.heartbeat_at = now
    job.save(update_fields=["state", "attempts", "progress", "heartbeat_at"])
    _enqueue_job(job)


def _close_dead_task(job, why):
    """django-tasks-db leaves a dead worker's task RUNNING for ever: close it as failed."""
    if not job.task_id or not isinstance(tasks.publish.get_backend(), DatabaseBackend):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="assessments.jobs.WorkerStopped",
        traceback=f"Publication job {job.pk}: {why}.",
    )
