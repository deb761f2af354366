"""The newsroom's plan: who is asked to write and review each entry, the due dates, the
edition board and the dashboard's "Assigned to me" (assessments.board, workflow.assign,
take and plan_edition)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import board, emails, workflow
from assessments.models import AuditEvent, Review, Revision
from tests.builders import add_assessment, make_outlook
from tests.html import parse
from tests.worker import run_jobs

pytestmark = pytest.mark.django_db
State = Revision.State


@pytest.fixture
def entry(edition):
    return edition.assessments.select_related("outlook", "country").get()


def test_an_editor_asks_an_analyst_and_a_reviewer_who_are_told_by_mail(entry, alice, bob, erin):
    workflow.plan_edition(
        entry.outlook, drafts_due=date(2024, 4, 10), reviews_due=date(2024, 4, 20), user=erin
    )
    workflow.assign(entry, analyst=alice, reviewer=bob, user=erin)
    entry.refresh_from_db()
    assert (entry.analyst, entry.reviewer) == (alice, bob)
    event = AuditEvent.objects.get(action="assign")
    assert event.actor == erin and "analyst alice, reviewer bob" in event.description
    run_jobs()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"alice@example.org", "bob@example.org"}
    assert by_address["alice@example.org"].subject == (
        "To write: DPRK in Asia Pacific Regional Outlook May 2024"
    )
    assert "Drafts are due on 10 April 2024." in by_address["alice@example.org"].body
    assert "Reviews are due on 20 April 2024." in by_address["bob@example.org"].body
    assert f"/editor/assessments/{entry.pk}/" in by_address["bob@example.org"].body


def test_assigning_the_same_people_again_mails_nobody(entry, alice, bob, erin):
    workflow.assign(entry, analyst=alice, reviewer=bob, user=erin)
    run_jobs()
    mail.outbox.clear()
    workflow.assign(entry, analyst=alice, reviewer=bob, user=erin)
    run_jobs()
    assert mail.outbox == []


def test_only_people_with_the_role_can_be_asked_and_never_one_for_both(
    entry, alice, bob, erin, make_user
):
    both = make_user("petra", "analyst", "reviewer")
    with pytest.raises(ValidationError) as refused:
        workflow.assign(entry, analyst=bob, reviewer=alice, user=erin)
    assert refused.value.message_dict == {
        "analyst": ["bob does not hold the analyst role."],
        "reviewer": ["alice does not hold the reviewer role."],
    }
    with pytest.raises(ValidationError, match="someone other than the analyst"):
        workflow.assign(entry, analyst=both, reviewer=both, user=erin)
    entry.refresh_from_db()
    assert (entry.analyst, entry.reviewer) == (None, None)
    assert not AuditEvent.objects.filter(action="assign").exists()


def test_an_analyst_takes_an_entry_nobody_writes_but_not_one_asked_of_another(
    entry, alice, bob, erin, make_user
):
    other = make_user("olga", "analyst")
    workflow.take(entry, user=alice)
    entry.refresh_from_db()
    assert entry.analyst == alice
    assert AuditEvent.objects.get(action="take").actor == alice
    with pytest.raises(PermissionDenied, match="alice is asked to write this entry"):
        workflow.take(entry, user=other)
    with pytest.raises(PermissionDenied, match="already asked to write"):
        workflow.take(entry, user=alice)


def test_the_reviewer_asked_cannot_take_the_entry_to_write(entry, erin, make_user):
    both = make_user("petra", "analyst", "reviewer")
    workflow.assign(entry, analyst=None, reviewer=both, user=erin)
    with pytest.raises(PermissionDenied, match="You are asked to review this entry"):
        workflow.take(entry, user=both)


def test_a_published_edition_has_nothing_to_assign_or_plan(published_sample, alice, erin):
    entry = published_sample.assessments.get()
    with pytest.raises(PermissionDenied, match="is published: nothing is due"):
        workflow.assign(entry, analyst=alice, reviewer=None, user=erin)
    with pytest.raises(PermissionDenied, match="is published: nothing is due"):
        workflow.take(entry, user=alice)
    with pytest.raises(PermissionDenied, match="is published: nothing is due"):
        workflow.plan_edition(published_sample, drafts_due=None, reviews_due=None, user=erin)


def test_reviews_cannot_be_due_before_drafts(edition, erin):
    with pytest.raises(ValidationError, match="Reviews cannot be due before the drafts"):
        workflow.plan_edition(
            edition, drafts_due=date(2024, 4, 10), reviews_due=date(2024, 4, 1), user=erin
        )


def test_assignment_is_who_is_asked_not_who_may(ready_draft, alice, bob, erin, make_user):
    """Another analyst may still save the draft, and is recorded as a contributor."""
    from assessments.content import DraftContent

    helper = make_user("olga", "analyst")
    workflow.assign(ready_draft.assessment, analyst=alice, reviewer=bob, user=erin)
    saved = workflow.save_draft(
        ready_draft,
        DraftContent.from_revision(ready_draft),
        user=helper,
        based_on_version=ready_draft.version,
    )
    assert helper in saved.contributors.all()


# --- Mail to the people asked ------------------------------------------------------------


def test_a_submitted_revision_is_mailed_to_the_reviewer_asked_only(
    ready_draft, alice, bob, rita, erin
):
    workflow.assign(ready_draft.assessment, analyst=alice, reviewer=rita, user=erin)
    submitted = workflow.submit(ready_draft, user=alice)
    mail.outbox.clear()
    emails.send_submitted(submitted)
    assert [message.to for message in mail.outbox] == [["rita@example.org"]]


def test_with_nobody_asked_to_review_every_reviewer_who_may_is_told(ready_draft, alice, bob, rita):
    submitted = workflow.submit(ready_draft, user=alice)
    emails.send_submitted(submitted)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bob@example.org",
        "rita@example.org",
    ]


def test_the_decision_reaches_the_analyst_asked_even_if_another_wrote_it(
    ready_draft, alice, bob, erin, make_user
):
    olga = make_user("olga", "analyst")
    workflow.assign(ready_draft.assessment, analyst=olga, reviewer=bob, user=erin)
    submitted = workflow.submit(ready_draft, user=alice)
    workflow.request_changes(submitted, user=bob, comment="Cite the 2024 report.")
    mail.outbox.clear()
    # As the mail's task reads it.
    emails.send_decision(Review.objects.select_related("revision").get(revision=submitted))
    assert [message.to for message in mail.outbox] == [
        ["alice@example.org"],
        ["olga@example.org"],
    ]


# --- The board ---------------------------------------------------------------------------


def edition_of(count, *, period=date(2024, 5, 1), drafts_due=None, reviews_due=None):
    outlook = make_outlook(period=period, drafts_due=drafts_due, reviews_due=reviews_due)
    for code in ["KP", "MM", "AF", "PH", "IN", "CN", "BD", "LK", "KH", "TH"][:count]:
        add_assessment(outlook, code)
    return outlook


def test_the_board_counts_down_to_each_entrys_due_date_by_what_it_waits_for(alice, bob, erin):
    today = date(2024, 4, 8)
    outlook = edition_of(3, drafts_due=today - timedelta(days=2), reviews_due=today + timedelta(5))
    first, second, third = outlook.assessments.order_by("position")
    Revision.objects.filter(assessment=second).update(state=State.SUBMITTED)
    Revision.objects.filter(assessment=third).update(state=State.SUBMITTED)
    Revision.objects.filter(assessment=third).update(state=State.APPROVED)
    rows = {row.assessment.pk: row for row in board.edition_board(outlook, today=today)}
    assert (rows[first.pk].days_left, rows[first.pk].overdue, rows[first.pk].days_late) == (
        -2,
        True,
        2,
    )
    assert (rows[second.pk].due, rows[second.pk].days_left) == (outlook.reviews_due, 5)
    assert (rows[third.pk].due, rows[third.pk].overdue) == (None, False)


def test_the_board_sorts_by_each_column(alice, bob, erin):
    outlook = edition_of(3, drafts_due=date(2024, 4, 1), reviews_due=date(2024, 4, 9))
    first, second, third = outlook.assessments.order_by("position")
    workflow.assign(second, analyst=alice, reviewer=None, user=erin)
    Revision.objects.filter(assessment=third).update(state=State.SUBMITTED)

    def order(sort):
        return [row.assessment.country.code.code for row in board.edition_board(outlook, sort)]

    assert order("position") == ["KP", "MM", "AF"]
    assert order("-position") == ["AF", "MM", "KP"]
    assert order("country") == ["AF", "KP", "MM"]  # Afghanistan, DPRK's official name, Myanmar
    assert order("analyst") == ["MM", "KP", "AF"]  # the unassigned last
    assert order("due") == ["KP", "MM", "AF"]
    assert order("state")[-1] == "AF"
    assert order("nonsense") == order("position")


def test_the_board_counts_errors_and_unacknowledged_warnings(ready_draft):
    from assessments import checks

    outlook = ready_draft.assessment.outlook
    [row] = board.edition_board(outlook)
    # Alice fixed every error and acknowledged every warning.
    assert (row.errors, row.warnings) == (0, 0)
    results = checks.check_revision(Revision.objects.with_content().get(pk=ready_draft.pk))
    warnings = [result for result in results if result.severity == checks.Severity.WARNING]
    assert warnings
    ready_draft.acknowledgements.all().delete()
    [row] = board.edition_board(outlook)
    assert (row.errors, row.warnings) == (0, len(warnings))


def test_the_boards_queries_do_not_grow_with_the_entries(erin):
    def queries(count, period):
        outlook = edition_of(count, period=period, drafts_due=date(2024, 4, 1))
        board.edition_board(outlook)  # the checks' findings, cached from now on
        with CaptureQueriesContext(connection) as captured:
            board.edition_board(outlook)
        return len(captured)

    assert queries(2, date(2024, 5, 1)) == queries(10, date(2024, 11, 1))


def test_the_boards_checks_run_once_per_saved_version(ready_draft, monkeypatch):
    from assessments import checks

    outlook = ready_draft.assessment.outlook
    runs = []
    real = checks.check_revision
    monkeypatch.setattr(checks, "check_revision", lambda *a, **k: runs.append(1) or real(*a, **k))
    board.edition_board(outlook)
    board.edition_board(outlook)
    assert len(runs) == 1
    Revision.objects.filter(pk=ready_draft.pk).update(version=ready_draft.version + 1)
    board.edition_board(outlook)
    assert len(runs) == 2


def test_the_dashboard_leads_with_what_is_assigned_to_me(client, entry, alice, bob, erin):
    workflow.plan_edition(
        entry.outlook,
        drafts_due=timezone.localdate() + timedelta(days=3),
        reviews_due=None,
        user=erin,
    )
    workflow.assign(entry, analyst=alice, reviewer=bob, user=erin)
    client.force_login(alice)
    page = parse(client.get(reverse("editor_dashboard")).content.decode())
    headings = [heading.words() for heading in page.find_all("h2")]
    assert headings[0] == "Assigned to me"
    section = page.find_all("section", **{"aria-labelledby": "assigned-title"})[0]
    assert "DPRK in Asia Pacific Regional Outlook May 2024 Write Draft" in section.words()
    assert "(3 days)" in section.words()
    client.force_login(bob)
    page = parse(client.get(reverse("editor_dashboard")).content.decode())
    section = page.find_all("section", **{"aria-labelledby": "assigned-title"})[0]
    assert "DPRK in Asia Pacific Regional Outlook May 2024 Review Draft" in section.words()


# --- The board's page --------------------------------------------------------------------


def test_an_editor_assigns_on_the_board_and_sees_it_there(client, entry, alice, bob, erin):
    client.force_login(erin)
    url = reverse("editor_assign", args=[entry.pk])
    response = client.post(url, {f"a{entry.pk}-analyst": alice.pk, f"a{entry.pk}-reviewer": bob.pk})
    assert response.status_code == 302
    page = client.get(reverse("editor_board", args=[entry.outlook_id])).content.decode()
    row = page[page.index(f'id="a{entry.pk}"') :]
    assert f'<option value="{alice.pk}" selected>alice</option>' in row


def test_a_refused_assignment_says_why_in_its_row(client, entry, alice, bob, erin):
    client.force_login(erin)
    url = reverse("editor_assign", args=[entry.pk])
    response = client.post(url, {f"a{entry.pk}-analyst": bob.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    entry.refresh_from_db()
    assert entry.analyst is None


def test_wrong_dates_are_refused_with_the_reason_on_the_board(client, edition, erin):
    client.force_login(erin)
    response = client.post(
        reverse("editor_plan_edition", args=[edition.pk]),
        {"drafts_due": "2024-04-10", "reviews_due": "2024-04-01"},
    )
    assert response.status_code == 400
    assert "Reviews cannot be due before the drafts they review." in response.content.decode()
    response = client.post(
        reverse("editor_plan_edition", args=[edition.pk]), {"drafts_due": "10 April"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    edition.refresh_from_db()
    assert edition.drafts_due is None


def test_an_analyst_takes_an_entry_from_the_board(client, entry, alice):
    client.force_login(alice)
    board_url = reverse("editor_board", args=[entry.outlook_id])
    assert reverse("editor_take", args=[entry.pk]) in client.get(board_url).content.decode()
    response = client.post(reverse("editor_take", args=[entry.pk]), {"from": "board"})
    assert response.url == f"{board_url}#a{entry.pk}"
    entry.refresh_from_db()
    assert entry.analyst == alice
    assert reverse("editor_take", args=[entry.pk]) not in client.get(board_url).content.decode()
