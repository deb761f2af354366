"""`manage.py worker`: a worker of the queue, which also starts again dead publications.

It is django-tasks-db's `db_worker` (same options), plus the recovery that django-tasks-db
lacks: when it starts and then every PUBLICATION_STALE_SECONDS / 2, it starts again the
publication jobs whose worker died or whose task was lost (assessments.jobs.recover),
and the subscriber mail a dead worker left (assessments.announcements.recover).
"""

import logging
import threading

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from assessments import announcements, jobs

logger = logging.getLogger(__name__)


def recover_quietly():
    try:
        for job in jobs.recover():
            logger.warning("Publication job %s recovered: %s", job.pk, job.get_state_display())
        announcements.recover()
    except Exception:  # the next round tries again
        logger.exception("Could not recover publication jobs or announcements")
    finally:
        connection.close()


def recover_periodically(stop):
    while not stop.wait(max(1, settings.PUBLICATION_STALE_SECONDS / 2)):
        recover_quietly()


class Command(DbWorkerCommand):
    help = (
        "Run a worker of the queue (django-tasks-db's db_worker, same options) that also "
        "starts again the publications whose worker died."
    )

    def handle(self, *args, **options):
        recover_quietly()
        stop = threading.Event()
        # A daemon thread with a connection of its own: it ends with the worker.
        threading.Thread(target=recover_periodically, args=(stop,), daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
