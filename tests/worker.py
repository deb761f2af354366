"""The queue in tests: run its tasks in this process, or start a real worker process.

`run_jobs()` is what a worker does, in the test's own connection (so it sees the test's
uncommitted data): django-tasks-db's own worker loop in batch mode, until the queue is
empty. Publishing is asked for (workflow.publish) and then carried out by it.
"""

import subprocess
import sys
from contextlib import contextmanager
from unittest import mock

from django_tasks_db.management.commands import db_worker

from .processes import BASE_DIR, django_env


def run_jobs():
    """Run every task waiting on the queue, and those they enqueue; returns how many ran."""
    worker = db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    # The worker closes "old" connections between tasks, as a request does; in a test the
    # connection holds the test's transaction (Django's test client skips it too).
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
    return worker._run_tasks


@contextmanager
def worker_process(*, media_root, env=None):
    """A real `manage.py worker` against the test database, for tests whose data is
    committed (transaction=True); stopped at the end."""
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "worker",
            "--queue-name=*",
            "--interval=0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=BASE_DIR,
        env={**django_env(media_root=media_root), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
