"""The editorial checks in the editor: beside the text as typed, on submission, on review."""

from datetime import date

import pytest
from django.urls import reverse

from assessments import checks, workflow
from assessments.models import AuditEvent, CheckAcknowledgement, Revision

from .builders import entry_data, pass_checks

State = Revision.State


@pytest.fixture
def draft(published_sample, erin):
    edition = workflow.create_edition(published_sample.region, date(2024, 5, 1), user=erin)
    return Revision.objects.with_content().get(assessment__outlook=edition)


def test_edit_page_shows_the_checks_of_the_saved_draft(client, alice, draft):
    client.force_login(alice)
    html = client.get(reverse("editor_edit", args=[draft.pk])).content.decode()
    assert 'id="checks-panel"' in html
    assert "&quot;200,0000&quot; is not a well-formed number" in html
    assert "Finding 1, characters 916–923" in html
    assert "Footnote 4 is never cited in the text." in html


def test_live_checks_read_the_form_as_typed_without_saving(client, alice, draft):
    client.force_login(alice)
    findings = [{"text": f.text.replace("200,0000", "200,000")} for f in draft.findings.all()]
    findings.append({"text": "The figure rose to 12,34 people.[^9]"})
    response = client.post(
        reverse("editor_checks_live", args=[draft.pk]), entry_data(draft, finding=findings)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Checked as typed, not yet saved." in html
    assert "200,0000" not in html
    assert "12,34" in html
    assert "Footnote 9 is cited here but does not exist" in html
    draft.refresh_from_db()
    assert draft.version == 1  # nothing saved


def test_live_checks_wait_for_invalid_fields(client, alice, draft):
    client.force_login(alice)
    data = entry_data(draft)
    data["risk_level"] = "not-a-level"
    response = client.post(reverse("editor_checks_live", args=[draft.pk]), data)
    assert response.status_code == 200
    assert "Some fields are not valid yet" in response.content.decode()


def test_errors_block_submission_and_are_listed(client, alice, draft):
    client.force_login(alice)
    response = client.post(reverse("editor_submit", args=[draft.pk]), follow=True)
    html = response.content.decode()
    assert "Finding 1, characters 916–923: &quot;200,0000&quot; is not a well-formed number" in html
    assert "must be fixed or acknowledged before submitting" in html
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_unacknowledged_warnings_block_submission(client, alice, draft):
    fixed = pass_checks(draft, alice)
    CheckAcknowledgement.objects.filter(revision=fixed).first().delete()
    client.force_login(alice)
    response = client.post(reverse("editor_submit", args=[fixed.pk]), follow=True)
    assert "1 warning from the checks must be fixed or acknowledged" in response.content.decode()
    fixed.refresh_from_db()
    assert fixed.state == State.DRAFT


def test_acknowledging_a_warning_records_who_and_why(client, alice, draft):
    warning = next(r for r in checks.check_revision(draft) if r.is_warning)
    client.force_login(alice)
    response = client.post(
        reverse("editor_acknowledge", args=[draft.pk]),
        {"key": warning.key, "note": "The 2020 report is the latest."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Acknowledged by alice: “The 2020 report is the latest.”" in response.content.decode()
    acknowledgement = CheckAcknowledgement.objects.get(revision=draft)
    assert (acknowledgement.key, acknowledgement.user) == (warning.key, alice)
    assert AuditEvent.objects.filter(action="acknowledge", revision=draft).exists()


def test_a_warning_that_no_longer_stands_cannot_be_acknowledged(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("editor_acknowledge", args=[draft.pk]), {"key": "numbers.grouping:x:y"}
    )
    assert response.status_code == 302
    assert not CheckAcknowledgement.objects.exists()


def test_errors_cannot_be_acknowledged(client, alice, draft):
    error = next(r for r in checks.check_revision(draft) if r.is_error)
    client.force_login(alice)
    client.post(reverse("editor_acknowledge", args=[draft.pk]), {"key": error.key})
    assert not CheckAcknowledgement.objects.exists()


def test_reviewer_sees_the_checks_with_the_analysts_acknowledgements(client, alice, bob, draft):
    ready = pass_checks(draft, alice)
    workflow.submit(ready, user=alice)
    client.force_login(bob)
    html = client.get(reverse("editor_review", args=[ready.pk])).content.decode()
    assert "Footnote 1 is never cited in the text." in html
    assert "Acknowledged by alice: “Checked.”" in html
    assert 'name="key"' not in html  # a reviewer acknowledges nothing
    assert "is not a well-formed number" not in html


def test_checks_panel_query_count_does_not_grow_with_acknowledgements(
    client, alice, draft, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("editor_checks", args=[draft.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    pass_checks(draft, alice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
