"""The editorial checks in the editor: beside the text as typed, on submission, on review."""

import re

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


# --- The panel beside the text: locations, acknowledging all, answers in place ----------


def test_a_location_links_to_its_field_with_the_span_as_the_browser_counts(
    client, alice, copied_draft
):
    client.force_login(alice)
    html = client.get(reverse("editor_edit", args=[copied_draft.pk])).content.decode()
    assert (
        '<a href="#id_finding-0-text" class="check-place" data-check-field="id_finding-0-text" '
        'data-check-start="915" data-check-end="923" data-check-text="200,0000">'
        "Finding 1, characters 916–923</a>"
    ) in html
    assert 'id="id_finding-0-text"' in html


def test_live_locations_follow_the_rows_as_the_page_ordered_them(client, alice, copied_draft):
    client.force_login(alice)
    data = entry_data(copied_draft)
    # The page moved the second finding up: the first finding is now row 1 of the form.
    data["finding-0-ORDER"], data["finding-1-ORDER"] = 2, 1
    html = client.post(reverse("editor_checks_live", args=[copied_draft.pk]), data)
    html = html.content.decode()
    assert 'data-check-field="id_finding-0-text" data-check-start="915"' in html
    assert "Finding 2, characters 916–923" in html


def test_reviewers_panel_has_no_locations_to_follow(client, alice, bob, copied_draft):
    ready = pass_checks(copied_draft, alice)
    workflow.submit(ready, user=alice)
    client.force_login(bob)
    html = client.get(reverse("editor_review", args=[ready.pk])).content.decode()
    assert "Footnote 1 is never cited" in html
    assert "check-place" not in html
    assert "Acknowledge all" not in html


def _warning_keys(revision):
    return [r.key for r in checks.check_revision(revision) if r.severity == checks.Severity.WARNING]


def test_acknowledge_all_with_one_note_answers_in_the_panel(client, alice, copied_draft):
    keys = _warning_keys(copied_draft)
    client.force_login(alice)
    response = client.post(
        reverse("editor_acknowledge_all", args=[copied_draft.pk]),
        {"key": keys, "note": "Old evidence is the latest there is."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{len(keys)} warnings acknowledged." in html
    assert html.count("Acknowledged by alice: “Old evidence is the latest there is.”") == len(keys)
    assert "Acknowledge all" not in html  # nothing left to acknowledge
    assert CheckAcknowledgement.objects.filter(revision=copied_draft).count() == len(keys)


def test_acknowledge_all_without_a_note_says_so_and_acknowledges_nothing(
    client, alice, copied_draft
):
    keys = _warning_keys(copied_draft)
    client.force_login(alice)
    url = reverse("editor_acknowledge_all", args=[copied_draft.pk])
    response = client.post(url, {"key": keys, "note": " "}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    message = "Nothing was acknowledged. Say in the note why these warnings stand"
    assert message in html
    assert html.index(message) > html.index('id="checks-panel"')  # in the panel
    # Without JavaScript: the edit page again, with the message.
    response = client.post(url, {"key": keys, "note": ""})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CheckAcknowledgement.objects.exists()


def test_acknowledging_a_warning_of_unsaved_text_answers_in_place(client, alice, copied_draft):
    findings = [{"text": f.text} for f in copied_draft.findings.all()]
    findings.append({"text": "Prisoners were held very very long."})
    typed = entry_data(copied_draft, finding=findings)
    client.force_login(alice)
    url = reverse("editor_checks_live", args=[copied_draft.pk])
    html = client.post(url, typed).content.decode()
    [key] = set(re.findall(r'name="key" value="(repetition\.word:[^"]+)"', html))
    response = client.post(
        reverse("editor_acknowledge", args=[copied_draft.pk]),
        {**typed, "key": key, "note": "Deliberate."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    # The panel still shows the text as typed, and says at the warning what to do.
    assert "Checked as typed, not yet saved." in html
    item = html[html.rindex(f'value="{key}"') - 1500 : html.rindex(f'value="{key}"')]
    assert "Not acknowledged: the saved draft does not have this warning" in item
    assert 'form="entry-form" name="then" value="edit">Save the draft now' in item
    assert not CheckAcknowledgement.objects.exists()
    # Said once, there: the next page does not say it again.
    page = client.get(reverse("editor_edit", args=[copied_draft.pk])).content.decode()
    assert "does not have this warning" not in page


def test_acknowledge_all_says_which_warnings_wait_for_a_save(client, alice, copied_draft):
    keys = _warning_keys(copied_draft)
    findings = [{"text": f.text} for f in copied_draft.findings.all()]
    findings.append({"text": "Prisoners were held very very long."})
    typed = entry_data(copied_draft, finding=findings)
    client.force_login(alice)
    html = client.post(reverse("editor_checks_live", args=[copied_draft.pk]), typed)
    [unsaved] = set(
        re.findall(r'name="key" value="(repetition\.word:[^"]+)"', html.content.decode())
    )
    response = client.post(
        reverse("editor_acknowledge_all", args=[copied_draft.pk]),
        {**typed, "key": [*keys, unsaved], "note": "All read."},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert f"{len(keys)} warnings acknowledged. 1 not: already acknowledged, or in text" in html
    assert "Checked as typed, not yet saved." in html
    # The one left is offered on its own (to acknowledge once saved), not "all" of one.
    assert html.count('name="key"') == 1
    assert "Acknowledge all" not in html
    assert CheckAcknowledgement.objects.filter(revision=copied_draft).count() == len(keys)
