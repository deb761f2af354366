"""Notification emails: who is told what. Recipients come from the permission gate."""

import logging
from unittest import mock

import pytest
from django.core import mail

from assessments import emails, workflow
from assessments.models import Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(django_user_model):
    """A superuser in no group: holds every editorial role."""
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "pass-12345")


@pytest.fixture
def submitted(ready_draft, alice):
    return workflow.submit(ready_draft, user=alice)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_submitted_mail_goes_to_every_reviewer_who_may_approve(submitted, bob, rita, boss):
    emails.send_submitted(submitted)
    assert recipients() == ["bob@example.org", "boss@example.org", "rita@example.org"]


def test_submitted_mail_skips_a_reviewer_who_contributed(submitted, bob, rita, make_user):
    both = make_user("petra", "analyst", "reviewer")
    submitted.contributors.add(both)
    emails.send_submitted(Revision.objects.get(pk=submitted.pk))
    assert recipients() == ["bob@example.org", "rita@example.org"]


def test_inactive_users_and_users_without_address_get_nothing(submitted, bob, rita):
    rita.is_active = False
    rita.save()
    bob.email = ""
    bob.save()
    emails.send_submitted(submitted)
    assert mail.outbox == []


def test_decision_mail_goes_to_the_analysts_with_the_link_to_act(submitted, alice, bob):
    workflow.request_changes(submitted, user=bob, comment="Cite the 2024 report.")
    emails.send_decision(submitted.reviews.get())
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject.startswith("Changes requested: DPRK")
    assert f"/editor/revisions/{submitted.pk}/edit/" in message.body


def test_published_mail_goes_to_the_whole_team_superusers_included(
    published_sample, alice, bob, erin, charlie, boss
):
    emails.send_published(published_sample)
    assert recipients() == [
        "alice@example.org",
        "bob@example.org",
        "boss@example.org",
        "erin@example.org",
    ]
    assert mail.outbox[0].subject == f"Published: {published_sample.full_title}"


def test_correction_mail_goes_to_its_analysts_and_the_editors(
    published_sample, alice, erin, bob, boss
):
    revision = workflow.start_correction(published_sample.assessments.get(), user=alice)
    revision.contributors.add(alice)
    emails.send_correction_published(revision)
    assert recipients() == ["alice@example.org", "boss@example.org", "erin@example.org"]


def test_a_title_with_a_line_break_still_makes_a_one_line_subject(published_sample, alice):
    published_sample.title = "Asia Pacific\nRegional Outlook"
    emails.send_published(published_sample)
    assert "\n" not in mail.outbox[0].subject


def test_a_failing_mail_server_is_logged_not_raised(published_sample, alice, caplog):
    with (
        mock.patch("assessments.emails.send_mass_mail", side_effect=OSError("refused")),
        caplog.at_level(logging.ERROR, logger="assessments.emails"),
    ):
        emails.send_published(published_sample)
    assert "Could not send published mail" in caplog.text
