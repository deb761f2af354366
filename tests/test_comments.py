"""Review comments (ReviewComment): a reviewer's comment on a part of a submitted revision,
resolved by an analyst, reopened by a reviewer; open ones hold an approval back until the
reviewer says why; part of the audit, never public."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments import board, workflow
from assessments.models import AuditEvent, ReviewComment, Revision
from tests.html import parse

pytestmark = pytest.mark.django_db
Anchor = ReviewComment.Anchor


@pytest.fixture
def submitted(ready_draft, alice):
    return workflow.submit(ready_draft, user=alice)


def comment_on(revision, user, anchor=Anchor.FINDING, position=1, text="Which report says so?"):
    return workflow.add_comment(
        revision,
        anchor=anchor,
        position=position,
        quote="  the words  ",
        text=text,
        user=user,
    )


def test_a_reviewer_comments_on_a_finding_with_the_words_it_is_about(submitted, bob):
    comment = comment_on(submitted, bob)
    assert (comment.place, comment.quote, comment.is_open) == ("Finding 1", "the words", True)
    event = AuditEvent.objects.get(action="comment")
    assert event.actor == bob and event.data["text"] == "Which report says so?"
    assert "Commented on Finding 1 of DPRK" in event.description


def test_a_comment_on_the_rating_or_the_whole_entry_has_no_number(submitted, bob):
    assert comment_on(submitted, bob, Anchor.RATING, position=4).position is None
    assert comment_on(submitted, bob, Anchor.ENTRY).place == "The entry as a whole"


def test_a_comment_on_a_row_the_revision_does_not_have_is_refused(submitted, bob):
    with pytest.raises(ValidationError, match="This revision has no footnote 99"):
        comment_on(submitted, bob, Anchor.FOOTNOTE, position=99)
    assert not ReviewComment.objects.exists()


def test_only_a_reviewer_comments_and_only_on_a_submitted_revision(ready_draft, submitted, alice):
    with pytest.raises(PermissionDenied, match="needs the reviewer role"):
        comment_on(submitted, alice)


def test_no_comment_on_a_draft(ready_draft, bob):
    with pytest.raises(PermissionDenied, match="comments are made while it is submitted"):
        comment_on(ready_draft, bob)


def test_the_analyst_resolves_while_the_revision_is_back_with_them(submitted, alice, bob):
    comment = comment_on(submitted, bob)
    with pytest.raises(PermissionDenied, match="its comments are resolved while it is a draft"):
        workflow.resolve_comment(comment, reply="Done.", user=alice)
    workflow.request_changes(submitted, user=bob, comment="See my comment.")
    with pytest.raises(PermissionDenied, match="needs the analyst role"):
        workflow.resolve_comment(comment, user=bob)
    resolved = workflow.resolve_comment(comment, reply="Cited A/HRC/55/1.", user=alice)
    assert (resolved.state, resolved.resolved_by, resolved.reply) == (
        ReviewComment.State.RESOLVED,
        alice,
        "Cited A/HRC/55/1.",
    )
    assert AuditEvent.objects.get(action="resolve_comment").data["reply"] == "Cited A/HRC/55/1."
    with pytest.raises(PermissionDenied, match="already resolved"):
        workflow.resolve_comment(comment, user=alice)


def test_the_reviewer_reopens_a_resolved_comment_until_the_revision_is_approved(
    submitted, alice, bob
):
    comment = comment_on(submitted, bob)
    workflow.request_changes(submitted, user=bob, comment="See my comment.")
    workflow.resolve_comment(comment, user=alice)
    resubmitted = workflow.submit(Revision.objects.get(pk=submitted.pk), user=alice)
    reopened = workflow.reopen_comment(comment, user=bob)
    assert reopened.is_open
    assert AuditEvent.objects.filter(action="reopen_comment", actor=bob).count() == 1
    workflow.request_changes(resubmitted, user=bob, comment="Still.")
    workflow.resolve_comment(comment, user=alice)
    approved = workflow.approve(workflow.submit(resubmitted, user=alice), user=bob)
    assert approved.state == Revision.State.APPROVED
    with pytest.raises(PermissionDenied, match="This revision is approved: its comments"):
        workflow.reopen_comment(comment, user=bob)


def test_open_comments_hold_an_approval_back_until_the_reviewer_says_why(submitted, bob, rita):
    comment_on(submitted, bob)
    comment_on(submitted, bob, Anchor.RATING)
    with pytest.raises(ValidationError, match="2 review comments are still open: say why"):
        workflow.approve(submitted, user=rita)
    assert Revision.objects.get(pk=submitted.pk).state == Revision.State.SUBMITTED
    workflow.approve(submitted, user=rita, comment="Minor points: fix them in the next edition.")
    event = AuditEvent.objects.get(action="approve")
    assert event.data["comment"] == "Minor points: fix them in the next edition."


def test_comments_are_never_public(client, submitted, bob, erin):
    comment_on(submitted, bob, text="A reviewer's private remark.")
    workflow.approve(submitted, user=bob, comment="Approved despite the remark.")
    outlook = submitted.assessment.outlook
    workflow.publish(outlook, user=erin)
    from tests.worker import run_jobs

    run_jobs()
    for url in (
        outlook.get_absolute_url(),
        f"/outlooks/{outlook.slug}.json",
        "/search/?q=remark",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"private remark" not in body, url
        assert b"Approved despite" not in body, url


# --- Pages --------------------------------------------------------------------------------


def test_a_reviewer_adds_a_comment_from_the_review_page(client, submitted, bob):
    client.force_login(bob)
    page = client.get(reverse("editor_review", args=[submitted.pk])).content.decode()
    assert '<option value="finding-1">Finding 1:' in page
    response = client.post(
        reverse("editor_add_comment", args=[submitted.pk]),
        {"place": "recommendation-2", "quote": "", "text": "Name the body."},
    )
    assert response.status_code == 302
    comment = ReviewComment.objects.get()
    assert (comment.anchor, comment.position) == (Anchor.RECOMMENDATION, 2)


def test_a_comment_form_with_mistakes_says_what_is_wrong(client, submitted, bob):
    client.force_login(bob)
    response = client.post(
        reverse("editor_add_comment", args=[submitted.pk]),
        {"place": "finding-99", "text": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice" in page and "This field is required." in page
    assert not ReviewComment.objects.exists()


def test_the_analyst_sees_each_comment_beside_its_row_and_resolves_it(
    client, submitted, alice, bob
):
    comment_on(submitted, bob, Anchor.FINDING, 1, text="Which report says so?")
    workflow.request_changes(submitted, user=bob, comment="See my comment.")
    client.force_login(alice)
    page = parse(client.get(reverse("editor_edit", args=[submitted.pk])).content)
    findings = page.find("ol", **{"data-formset": "finding"})
    first_row = findings.find("li")
    assert "Which report says so?" in first_row.find(cls="row-comments").words()
    panel = page.find("section", id="comments-panel")
    assert "1 open" in panel.words()
    comment = ReviewComment.objects.get()
    response = client.post(
        reverse("editor_resolve_comment", args=[comment.pk]),
        {"reply": "Cited it."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Resolved by alice: “Cited it.”" in parse(response.content).words()
    page = parse(client.get(reverse("editor_edit", args=[submitted.pk])).content)
    assert page.find(cls="row-comments") is None


def test_the_board_counts_each_entrys_open_comments(submitted, bob):
    comment_on(submitted, bob)
    comment_on(submitted, bob, Anchor.ENTRY)
    [row] = board.edition_board(submitted.assessment.outlook)
    assert row.open_comments == 2
