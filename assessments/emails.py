"""Notification emails, one function per message.

The templates are plain text (autoescape off: an "&" stays an "&"). The workflow
queues a task per message (assessments.tasks) in the transaction of its change, and a
worker calls these once it has committed, so a message is sent only for a change that
was saved. A mail server that fails is logged, never shown to the user as an error: the
change itself has been made.
"""

import logging

from django.conf import settings
from django.core.mail import get_connection, send_mass_mail
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse

from .models import PublicationJob
from .permissions import (
    EDITOR,
    REVIEWER,
    Permissions,
    editorial_team,
    scheduled_time,
    users_with_role,
)

logger = logging.getLogger(__name__)


def _recipients(users):
    return sorted({user.email for user in users if user.email and user.is_active})


def _send(name, context, recipients):
    if not recipients:
        return
    subject, body = render(name, context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [to]) for to in recipients]
    try:
        send_mass_mail(messages, connection=get_connection())
    except Exception:
        logger.exception("Could not send %s mail to %s", name, recipients)


def render(name, context):
    """(subject, body) of the mail `name`, from its two templates."""
    context = {**context, "site_url": settings.SITE_URL}
    # A subject is one line: a line break in a title would make the mail unsendable.
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    return subject, render_to_string(f"emails/{name}_body.txt", context)


def _link(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def send_assigned(assessment, role, user):
    """Tell an analyst or a reviewer that an editor asked them to write or review an
    entry, and by when."""
    outlook = assessment.outlook
    due = outlook.reviews_due if role == "reviewer" else outlook.drafts_due
    _send(
        "assigned",
        {
            "assessment": assessment,
            "role": role,
            "due": due,
            "link": _link("editor_assessment", assessment.pk),
        },
        _recipients([user]),
    )


def send_submitted(revision):
    """Tell the reviewer asked to review the entry that a revision awaits them, or, when
    nobody is asked (or they may not approve it), every reviewer who may approve it."""
    prefetch_related_objects([revision], "contributors", "assessment__reviewer")
    asked = revision.assessment.reviewer
    if asked is not None and Permissions(asked).can_approve(revision):
        reviewers = [asked]
    else:
        reviewers = [
            user for user in users_with_role(REVIEWER) if Permissions(user).can_approve(revision)
        ]
    _send(
        "submitted",
        {"revision": revision, "link": _link("editor_review", revision.pk)},
        _recipients(reviewers),
    )


def send_decision(review):
    """Tell a revision's analysts (and the analyst asked to write the entry) what the
    reviewer decided (and, if changes are requested, where to make them)."""
    revision = review.revision
    page = "editor_revision" if review.decision == "approve" else "editor_edit"
    asked = revision.assessment.analyst
    _send(
        "decision",
        {"review": review, "revision": revision, "link": _link(page, revision.pk)},
        _recipients([*revision.contributors.all(), *([asked] if asked else [])]),
    )


def send_published(outlook):
    """Tell the editorial team an edition is out (and, if it was scheduled, by whom)."""
    jobs = outlook.publication_jobs.filter(kind=PublicationJob.Kind.PUBLISH)
    _send(
        "published",
        {
            "outlook": outlook,
            "schedule": _schedule(jobs),
            "link": settings.SITE_URL + outlook.get_absolute_url(),
        },
        _recipients(editorial_team()),
    )


def send_correction_published(revision):
    """Tell a correction's analysts and the editors that it is public."""
    users = [*revision.contributors.all(), *users_with_role(EDITOR)]
    _send(
        "correction_published",
        {
            "revision": revision,
            "schedule": _schedule(revision.publication_jobs.all()),
            "link": settings.SITE_URL + revision.get_absolute_url(),
        },
        _recipients(users),
    )


def _schedule(jobs):
    """Who scheduled the publication that succeeded, and for when; None if asked at once."""
    job = (
        jobs.filter(state=PublicationJob.State.SUCCEEDED, scheduled_for__isnull=False)
        .select_related("requested_by")
        .first()
    )
    if job is None:
        return None
    return {"requested_by": job.requested_by, "time": scheduled_time(job.scheduled_for)}


def send_publication_failed(job):
    """Tell the editor who scheduled a publication that it failed, and why."""
    page = (
        _link("editor_revision", job.revision_id)
        if job.revision_id
        else _link("editor_outlook", job.outlook_id)
    )
    _send(
        "publication_failed",
        {"job": job, "time": scheduled_time(job.scheduled_for), "link": page},
        _recipients([job.requested_by]),
    )
