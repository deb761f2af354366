"""The tasks of the queue: thin entry points that take ids and do their work elsewhere.

django-tasks is the backport of Django 6's `django.tasks`: on Django 6 the import below
becomes `from django.tasks import task`, and nothing else changes. Tasks are enqueued
through `assessments.jobs.enqueue`, in the transaction of the change that asks for them.
"""

from django_tasks import task


@task
def publish(job_id):
    """Carry out a PublicationJob (an edition's publication or a correction's)."""
    from . import jobs

    jobs.run(job_id)


# One task per mail event; each reads its object afresh when it runs.


@task
def mail_submitted(revision_id):
    from . import emails
    from .models import Revision

    emails.send_submitted(Revision.objects.get(pk=revision_id))


@task
def mail_assigned(assessment_id, role, user_id):
    from django.contrib.auth import get_user_model

    from . import emails
    from .models import Assessment

    assessment = Assessment.objects.select_related("outlook", "country").get(pk=assessment_id)
    emails.send_assigned(assessment, role, get_user_model().objects.get(pk=user_id))


@task
def mail_decision(review_id):
    from . import emails
    from .models import Review

    emails.send_decision(Review.objects.select_related("revision").get(pk=review_id))


@task
def mail_published(outlook_id):
    from . import emails
    from .models import Outlook

    emails.send_published(Outlook.objects.get(pk=outlook_id))


@task
def mail_correction_published(revision_id):
    from . import emails
    from .models import Revision

    emails.send_correction_published(Revision.objects.get(pk=revision_id))


@task
def mail_publication_failed(job_id):
    from . import emails
    from .models import PublicationJob

    emails.send_publication_failed(
        PublicationJob.objects.select_related("outlook", "revision", "requested_by").get(pk=job_id)
    )


@task
def store_ratings_csv():
    """Store the ratings CSV again after publications (stored_exports.queue_ratings_csv)."""
    from . import stored_exports

    stored_exports.store_ratings_csv()


@task
def send_announcement(announcement_id):
    """Mail subscribers about a publication (assessments.announcements)."""
    from . import announcements

    announcements.send(announcement_id)
