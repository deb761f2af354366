"""The editorial checks in the editor: beside the text as typed, on submission, on review."""

from django.urls import reverse

from assessments import checks, workflow
from assessments.models import AuditEvent, CheckAcknowledgement, Revision

from .builders import entry_data, pass_checks

State = Revision.State


def test_edit_page_shows_the_checks_of_the_saved_draft(client, alice, copied_draft):
    client.force_login(alice)
    html = client.get(reverse("editor_edit", args=[copied_draft.pk])).content.decode()
    assert 'id="checks-panel"' in html
    assert "&quot;200,0000&quot; is not a well-formed number" in html
    assert "Finding 1, characters 916–923" in html
    assert "Footnote 4 is never cited in the text." in html


def test_live_checks_read_the_form_as_typed_without_saving(client, alice, copied_draft):
    client.force_login(alice)
    findings = [
        {"text": f.text.replace("200,0000", "200,000")} for f in copied_draft.findings.all()
    ]
    findings.append({"text": "The figure rose to 12,34 people.[^9]"})
    response = client.post(
        reverse("editor_checks_live", args=[copied_draft.pk]),
        entry_data(copied_draft, finding=findings),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Checked as typed, not yet saved." in html
    assert "200,0000" not in html
    assert "12,34" in html
    assert "Footnote 9 is cited here but does not exist" in html
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1  # nothing saved


def test_live_checks_wait_for_invalid_fields(client, alice, copied_draft):
    client.force_login(alice)
    data = entry_data(copied_draft)
    data["risk_level"] = "not-a-level"
    response = client.post(reverse("editor_checks_live", args=[copied_draft.pk]), data)
    assert response.status_code == 200
    assert "Some fields are not valid yet" in response.content.decode()


def test_errors_block_submission_and_are_listed(client, alice, copied_draft):
    client.force_login(alice)
    response = client.post(reverse("editor_submit", args=[copied_draft.pk]), follow=True)
    html = response.content.decode()
    assert "Finding 1, characters 916–923: &quot;200,0000&quot; is not a well-formed number" in html
    assert "must be fixed or acknowledged before submitting" in html
    copied_draft.refresh_from_db()
    assert copied_draft.state == State.DRAFT


def test_unacknowledged_warnings_block_submission(client, alice, copied_draft):
    fixed = pass_checks(copied_draft, alice)
    CheckAcknowledgement.objects.filter(revision=fixed).first().delete()
    client.force_login(alice)
    response = client.post(reverse("editor_submit", args=[fixed.pk]), follow=True)
    assert "1 warning from the checks must be fixed or acknowledged" in response.content.decode()
    fixed.refresh_from_db()
    assert fixed.state == State.DRAFT


def test_acknowledging_a_warning_records_who_and_why(client, alice, copied_draft):
    warning = next(
        r for r in checks.check_revision(copied_draft) if r.severity == checks.Severity.WARNING
    )
    client.force_login(alice)
    response = client.post(
        reverse("editor_acknowledge", args=[copied_draft.pk]),
        {"key": warning.key, "note": "The 2020 report is the latest."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Acknowledged by alice: “The 2020 report is the latest.”" in response.content.decode()
    acknowledgement = CheckAcknowledgement.objects.get(revision=copied_draft)
    assert (acknowledgement.key, acknowledgement.user) == (warning.key, alice)
    assert AuditEvent.objects.filter(action="acknowledge", revision=copied_draft).exists()


def test_a_warning_that_no_longer_stands_cannot_be_acknowledged(client, alice, copied_draft):
    client.force_login(alice)
    response = client.post(
        reverse("editor_acknowledge", args=[copied_draft.pk]), {"key": "numbers.grouping:x:y"}
    )
    assert response.status_code == 302
    assert not CheckAcknowledgement.objects.exists()


def test_errors_cannot_be_acknowledged(client, alice, copied_draft):
    error = next(
        r for r in checks.check_revision(copied_draft) if r.severity == checks.Severity.ERROR
    )
    client.force_login(alice)
    client.post(reverse("editor_acknowledge", args=[copied_draft.pk]), {"key": error.key})
    assert not CheckAcknowledgement.objects.exists()


def test_reviewer_sees_the_checks_with_the_analysts_acknowledgements(
    client, alice, bob, copied_draft
):
    ready = pass_checks(copied_draft, alice)
    workflow.submit(ready, user=alice)
    client.force_login(bob)
    html = client.get(reverse("editor_review", args=[ready.pk])).content.decode()
    assert "Footnote 1 is never cited in the text." in html
    assert "Acknowledged by alice: “Checked.”" in html
    assert 'name="key"' not in html  # a reviewer acknowledges nothing
    assert "is not a well-formed number" not in html


def test_checks_panel_query_count_does_not_grow_with_acknowledgements(
    client, alice, copied_draft, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("editor_checks", args=[copied_draft.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    pass_checks(copied_draft, alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
