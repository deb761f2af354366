"""The editor area through the test client: forms, conflicts, bad input, pages."""

import re
import uuid
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from django.utils.html import escape

from assessments import workflow
from assessments.content import DraftContent, DroppedDraft, RecommendationDraft
from assessments.models import (
    AuditEvent,
    DroppedRecommendation,
    DropReason,
    Implementation,
    Outlook,
    Revision,
    Source,
    TrackedReason,
    TrackedRecommendation,
    TrackedStatus,
)

from .builders import entry_data, give_reason, level, pass_checks, remove_recommendation
from .html import parse
from .threads import run_in_threads
from .worker import run_jobs

State = Revision.State


def as_user(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in(client, copied_draft):
    response = client.get(reverse("editor_edit", args=[copied_draft.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_role_is_refused(client, charlie):
    assert as_user(client, charlie).get(reverse("editor_dashboard")).status_code == 403


def test_analyst_saves_a_draft_with_new_finding_source_and_recommendation(
    client, alice, copied_draft
):
    data = entry_data(
        copied_draft,
        finding=[{"text": "Executions continued in 2024.[^1]"}],
        recommendation=[{"addressee": "UN Member States", "text": "Monitor."}],
        footnote=[
            {
                "number": 1,
                "new_title": "Report of the Special Rapporteur, A/HRC/55/63",
                "new_symbol": "A/HRC/55/63",
                "new_date": "2024-03-01",
                "new_url": "https://example.org/report",
            }
        ],
        risk_level=level("High").pk,
        rationale="Fewer reported incidents.",
    )
    response = as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    assert response.status_code == 302
    copied_draft.refresh_from_db()
    assert copied_draft.version == 2
    assert copied_draft.risk_level.name == "High"
    assert [f.text for f in copied_draft.findings.all()] == ["Executions continued in 2024.[^1]"]
    source = copied_draft.footnotes.get().source
    assert source.document_symbol == "A/HRC/55/63" and source.date == date(2024, 3, 1)


def test_rating_change_without_rationale_is_a_form_error(client, alice, copied_draft):
    data = entry_data(copied_draft, risk_level=level("Low").pk, rationale="")
    response = as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    assert response.status_code == 400
    assert "but no rationale says why" in response.content.decode()
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"risk_level": ""}, "This field is required"),
        ({"risk_level": "9999"}, "Select a valid choice"),
        ({"version": "abc"}, "reload it and retry"),
        ({"finding": [{"text": ""}]}, "This field is required"),
        ({"footnote": [{"number": "one", "source": ""}]}, "Enter a whole number"),
        ({"footnote": [{"number": 1, "source": ""}]}, "Pick a source from the library"),
        ({"footnote": [{"number": 1, "source": "not-an-id"}]}, "not in the library"),
        ({"footnote": [{"number": 1, "new_url": "javascript:alert(1)"}]}, "Enter a valid URL"),
        ({"footnote": [{"number": 1, "new_title": "T", "new_date": "31/02/2024"}]}, "valid date"),
        (
            {"finding": [{"text": "See [^7]."}]},
            "Footnote 7 is cited here but does not exist",
        ),
        ({"recommendation": [{"addressee": "", "text": "Act."}]}, "This field is required"),
    ],
)
def test_bad_posts_get_form_errors_not_500(client, alice, copied_draft, overrides, message):
    data = entry_data(copied_draft, **overrides)
    response = as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1


def test_duplicate_footnote_numbers_are_refused(client, alice, copied_draft):
    source = Source.objects.first()
    data = entry_data(
        copied_draft,
        footnote=[{"number": 1, "source": source.pk}, {"number": 1, "source": source.pk}],
        finding=[{"text": "Text.[^1]"}],
    )
    response = as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    assert response.status_code == 400
    assert "Two footnotes are numbered 1." in response.content.decode()


def test_missing_management_form_is_an_error_not_500(client, alice, copied_draft):
    response = as_user(client, alice).post(
        reverse("editor_edit", args=[copied_draft.pk]), {"x": "1"}
    )
    assert response.status_code == 400


def test_script_in_markdown_is_sanitised_in_preview(client, alice, copied_draft):
    data = entry_data(
        copied_draft, finding=[{"text": "Hello <script>alert('x')</script> **world**"}]
    )
    as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    response = client.get(reverse("editor_preview", args=[copied_draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "<strong>world</strong>" in html


def test_live_preview_renders_the_unsaved_form_as_the_public_page_and_writes_nothing(
    client, alice, copied_draft
):
    from assessments.models import Addressee

    sources, addressees = Source.objects.count(), Addressee.objects.count()
    events = AuditEvent.objects.count()
    data = entry_data(
        copied_draft,
        finding=[
            {"text": "Executions went on in 2024.[^1] <script>alert('x')</script> **Really.**"}
        ],
        recommendation=[
            {"addressee": "The Regional Forum", "text": "Meet."},
            {"addressee": "The Regional Forum", "text": "Report."},
        ],
        footnote=[{"number": 1, "new_title": "A new report", "new_symbol": "A/HRC/55/63"}],
        risk_level=level("High").pk,
        rationale="Fewer reported incidents.",
    )
    response = as_user(client, alice).post(
        reverse("editor_preview_live", args=[copied_draft.pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Executions went on in 2024." in html and "<strong>Really.</strong>" in html
    assert "<script>alert" not in html
    assert "High" in html and "Very high" not in html
    assert html.count("<bdi>The Regional Forum</bdi> should:") == 1  # one heading for both
    assert "A new report" in html and "https://docs.un.org/en/A/HRC/55/63" in html
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1 and copied_draft.risk_level.name == "Very high"
    assert "Executions went on" not in "".join(f.text for f in copied_draft.findings.all())
    assert (Source.objects.count(), Addressee.objects.count()) == (sources, addressees)
    assert AuditEvent.objects.count() == events


def test_live_preview_of_an_invalid_form_says_so(client, alice, copied_draft):
    data = entry_data(copied_draft, risk_level="")
    response = as_user(client, alice).post(
        reverse("editor_preview_live", args=[copied_draft.pk]), data
    )
    assert response.status_code == 200
    assert "not valid yet" in response.content.decode()


def test_second_session_saving_same_draft_is_refused_and_keeps_its_text(
    client, alice, make_user, copied_draft
):
    dora = make_user("dora", "analyst")
    first = entry_data(copied_draft, finding=[{"text": "Alice's paragraph."}])
    second = entry_data(copied_draft, finding=[{"text": "Dora's paragraph."}])  # same base version
    assert (
        as_user(client, alice)
        .post(reverse("editor_edit", args=[copied_draft.pk]), first)
        .status_code
        == 302
    )
    response = as_user(client, dora).post(reverse("editor_edit", args=[copied_draft.pk]), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved: someone else saved this draft" in html
    assert "Dora&#x27;s paragraph." in html  # her text stays on screen
    assert "<del>Alice&#x27;s</del>" in html and "<ins>Dora&#x27;s</ins>" in html
    copied_draft.refresh_from_db()
    assert [f.text for f in copied_draft.findings.all()] == ["Alice's paragraph."]
    # The re-shown form carries the stored version: saving again is a deliberate replace.
    assert f'name="version" value="{copied_draft.version}"' in html


def test_save_after_someone_submitted_keeps_the_text_on_screen(
    client, alice, make_user, copied_draft
):
    """Dora opened the draft; Alice saved and submitted it; Dora's save is refused, her text
    stays on screen to copy, and the submitted revision is unchanged."""
    dora = make_user("dora", "analyst")
    data = entry_data(copied_draft, finding=[{"text": "Dora's unsaved wording."}])
    ready = pass_checks(copied_draft, alice)
    workflow.submit(ready, user=alice)
    response = as_user(client, dora).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: this revision was submitted for review after you opened it" in html
    assert "Dora&#x27;s unsaved wording." in html
    assert ">Save</button>" not in html
    copied_draft.refresh_from_db()
    assert copied_draft.state == State.SUBMITTED and copied_draft.version == ready.version
    assert "Dora" not in "".join(f.text for f in copied_draft.findings.all())


def test_save_and_submit_then_reviewer_requests_changes_then_approval(
    client, alice, bob, rita, ready_draft
):
    data = entry_data(ready_draft, then="submit")
    response = as_user(client, alice).post(reverse("editor_edit", args=[ready_draft.pk]), data)
    assert response.status_code == 302
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.SUBMITTED
    review = as_user(client, bob).get(reverse("editor_review", args=[ready_draft.pk]))
    assert review.status_code == 200
    assert "Changes since previous edition" in review.content.decode()
    empty = client.post(reverse("editor_request_changes", args=[ready_draft.pk]), {"comment": ""})
    assert empty.status_code == 400
    client.post(reverse("editor_request_changes", args=[ready_draft.pk]), {"comment": "Add 2024."})
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.CHANGES_REQUESTED
    page = as_user(client, alice).get(reverse("editor_edit", args=[ready_draft.pk]))
    assert "Add 2024." in page.content.decode()
    client.post(
        reverse("editor_edit", args=[ready_draft.pk]), entry_data(ready_draft, then="submit")
    )
    as_user(client, rita).post(
        reverse("editor_approve", args=[ready_draft.pk]), {"comment": "Good."}
    )
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.APPROVED


def test_review_page_shows_word_diff_against_previous_edition(client, alice, bob, copied_draft):
    first = copied_draft.findings.first().text
    changed = first.replace("The", "This", 1)
    data = entry_data(copied_draft, finding=[{"text": changed}], then="submit")
    as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    html = (
        as_user(client, bob).get(reverse("editor_review", args=[copied_draft.pk])).content.decode()
    )
    assert "<del>The</del><ins>This</ins>" in html


def test_publish_failure_in_view_reports_and_changes_nothing(client, erin, alice, bob, ready_draft):
    workflow.save_draft(
        ready_draft, _same(ready_draft), user=alice, based_on_version=ready_draft.version
    )
    workflow.submit(ready_draft, user=alice)
    workflow.approve(ready_draft, user=bob)
    outlook = ready_draft.assessment.outlook
    response = as_user(client, erin).post(reverse("editor_publish", args=[outlook.pk]))
    assert response.status_code == 302
    with mock.patch("assessments.pdf.store_pdfs", side_effect=OSError("disk full")):
        run_jobs()
    outlook.refresh_from_db()
    assert not outlook.is_published
    page = client.get(response.url).content.decode()
    assert "Publishing failed, and nothing was published" in page
    assert "Disk full" in page  # the reason
    assert "Publish edition" in page  # the editor may try again


def _same(revision):
    from .test_workflow import content_of

    return content_of(revision)


def test_editor_creates_edition_and_bad_month_is_a_form_error(client, erin, published_sample):
    as_user(client, erin)
    url = reverse("editor_outlook_new")
    bad = client.post(url, {"region": published_sample.region_id, "period": "May 2024"})
    assert bad.status_code == 200 and "YYYY-MM" in bad.content.decode()
    duplicate = client.post(url, {"region": published_sample.region_id, "period": "2023-11"})
    assert "already" in duplicate.content.decode()
    response = client.post(url, {"region": published_sample.region_id, "period": "2024-05"})
    outlook = Outlook.objects.get(period=date(2024, 5, 1))
    assert response.url == reverse("editor_outlook", args=[outlook.pk])
    assert outlook.assessments.count() == 1


def test_add_country_twice_is_a_form_error(client, erin, edition):
    as_user(client, erin)
    url = reverse("editor_add_country", args=[edition.pk])
    kp = edition.assessments.get().country_id
    assert client.post(url, {"country": kp}).status_code == 400
    assert client.post(url, {"country": "abc"}).status_code == 400


def test_source_search_finds_library_sources(client, alice, published_sample):
    as_user(client, alice)
    html = client.get(reverse("editor_source_search"), {"q": "A/HRC/46"}).content.decode()
    assert "data-pick-source" in html
    html = client.get(reverse("editor_source_search"), {"q": "zzzz-nothing"}).content.decode()
    assert "No source in the library matches" in html


def test_audit_log_lists_saves_for_editors(client, erin, alice, copied_draft):
    workflow.save_draft(
        copied_draft, _same(copied_draft), user=alice, based_on_version=copied_draft.version
    )
    html = as_user(client, erin).get(reverse("editor_audit")).content.decode()
    assert "Saved DPRK" in html
    assert AuditEvent.objects.filter(action="save").exists()


def test_audit_log_filters_by_person_and_words(client, erin, alice, bob, copied_draft):
    workflow.save_draft(
        copied_draft, _same(copied_draft), user=alice, based_on_version=copied_draft.version
    )
    client = as_user(client, erin)
    url = reverse("editor_audit")
    html = client.get(url, {"actor": alice.pk}).content.decode()
    assert "Saved DPRK" in html and "Created Asia Pacific" not in html
    html = client.get(url, {"actor": erin.pk}).content.decode()
    assert "Saved DPRK" not in html and "Created Asia Pacific" in html
    html = client.get(url, {"q": "dprk"}).content.decode()
    assert "Saved DPRK" in html and "Created Asia Pacific" not in html
    # Nonsense in the filters is no error, only no match.
    for params in ({"actor": "x"}, {"outlook": "9'9"}, {"q": "<script>"}, {"page": "-1"}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("</form>")[1]


def test_dashboard_queries_do_not_grow_with_drafts(
    client, alice, erin, bob, published_sample, django_assert_max_num_queries
):
    from .builders import add_assessment, make_outlook

    outlook = make_outlook(period=date(2024, 6, 1))
    for code in ["JP", "KR", "CN"]:
        add_assessment(outlook, code, user=alice)
    superuser = type(alice).objects.create_superuser("root", "root@example.org", "pw-123456")
    as_user(client, superuser)
    # One of them reads the session's second factor (django-otp's device, OTPMiddleware).
    with django_assert_max_num_queries(15):
        assert client.get(reverse("editor_dashboard")).status_code == 200
    for code in ["IN", "ID", "TH", "VN", "MM"]:
        add_assessment(outlook, code, user=alice)
    with django_assert_max_num_queries(15):
        client.get(reverse("editor_dashboard"))
    # The edition's page: its entries, publication job and embargoed previews, and the
    # session's second factor (OTPMiddleware).
    with django_assert_max_num_queries(13):
        assert client.get(reverse("editor_outlook", args=[outlook.pk])).status_code == 200


# --- Input the forms refuse: a message, nothing written -------------------------------


def first_warning(revision):
    from assessments import checks

    return next(r for r in checks.check_revision(revision) if r.severity == checks.Severity.WARNING)


@pytest.mark.parametrize(
    "note, message",
    [
        ("Checked\x00.", "unprintable character U+0000 at character 8"),
        ("x" * 5_001, "at most 5000 characters (it has 5001)"),
    ],
    ids=["nul", "too-long"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_an_acknowledgement_note_that_cannot_be_stored_is_refused_with_a_message(
    client, alice, copied_draft, note, message, htmx
):
    from assessments.models import CheckAcknowledgement

    events = AuditEvent.objects.count()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = as_user(client, alice).post(
        reverse("editor_acknowledge", args=[copied_draft.pk]),
        {"key": first_warning(copied_draft).key, "note": note},
        **headers,
    )
    # htmx swaps in only a 2xx answer: the panel comes back with the message above it.
    assert response.status_code == (200 if htmx else 400)
    html = response.content.decode()
    assert "Nothing was acknowledged. Note: " in html and message in html
    assert not CheckAcknowledgement.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_acknowledgement_note_is_no_longer_cut_short(client, alice, copied_draft):
    from assessments.models import CheckAcknowledgement

    note = "Checked. " * 400  # 3,600 characters, more than the 2,000 once kept
    as_user(client, alice).post(
        reverse("editor_acknowledge", args=[copied_draft.pk]),
        {"key": first_warning(copied_draft).key, "note": note},
    )
    assert CheckAcknowledgement.objects.get().note == note.strip()


@pytest.mark.parametrize("view", ["editor_request_changes", "editor_approve"])
@pytest.mark.parametrize(
    "comment, message",
    [("Add\x1b 2024.", "unprintable character U+001B"), ("x" * 20_001, "at most 20000")],
    ids=["escape", "too-long"],
)
def test_a_review_comment_that_cannot_be_stored_is_refused_at_the_comment(
    client, alice, bob, ready_draft, view, comment, message
):
    workflow.submit(ready_draft, user=alice)
    events = AuditEvent.objects.count()
    response = as_user(client, bob).post(reverse(view, args=[ready_draft.pk]), {"comment": comment})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Say what should change" not in html  # the comment's own problem, not a missing one
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.SUBMITTED and not ready_draft.reviews.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("name", ["rationale", "finding", "footnote"])
def test_a_megabyte_in_the_editor_is_refused_with_a_message_and_not_stored(
    client, alice, copied_draft, name
):
    megabyte = "x" * 1_000_000
    overrides = {
        "rationale": {"rationale": megabyte},
        "finding": {"finding": [{"text": megabyte}]},
        "footnote": {"footnote": [{"number": 1, "new_title": megabyte}]},
    }[name]
    data = entry_data(copied_draft, **overrides)
    response = as_user(client, alice).post(reverse("editor_edit", args=[copied_draft.pk]), data)
    assert response.status_code == 400
    assert "characters (it has 1000000)" in response.content.decode()
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1


ENTRY_VIEWS = ["editor_edit", "editor_checks_live", "editor_preview_live"]


@pytest.mark.parametrize("view", ENTRY_VIEWS)
def test_a_post_declaring_a_million_rows_is_refused_quickly(client, alice, copied_draft, view):
    import time

    data = entry_data(copied_draft)
    for prefix in ("finding", "recommendation", "footnote"):
        data[f"{prefix}-TOTAL_FORMS"] = 1_000_000
    started = time.monotonic()
    response = as_user(client, alice).post(reverse(view, args=[copied_draft.pk]), data)
    assert time.monotonic() - started < 5  # it took 16 s, building a thousand forms each
    assert response.status_code == (400 if view == "editor_edit" else 200)
    html = response.content.decode()
    if view == "editor_edit":
        assert "An entry holds at most 100 findings" in html
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1


@pytest.mark.parametrize("view", ENTRY_VIEWS)
@pytest.mark.parametrize("prefix", ["finding", "recommendation", "footnote"])
def test_a_post_one_row_short_is_refused_not_half_read(client, alice, copied_draft, view, prefix):
    data = entry_data(copied_draft)
    data[f"{prefix}-TOTAL_FORMS"] += 1
    data[f"{prefix}-INITIAL_FORMS"] += 1
    response = as_user(client, alice).post(reverse(view, args=[copied_draft.pk]), data)
    html = response.content.decode()
    if view == "editor_edit":
        assert response.status_code == 400
        assert "The page declared" in html and "but sent" in html
    else:
        assert response.status_code == 200
        assert "not valid yet" in html or "Some fields are not valid yet" in html
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1


def test_a_control_character_in_the_audit_log_filter_is_refused_with_a_message(client, erin):
    response = as_user(client, erin).get(reverse("editor_audit"), {"q": "Saved\x01 DPRK"})
    assert response.status_code == 400
    assert "Words: Remove the unprintable character U+0001" in response.content.decode()


def test_a_control_character_in_the_source_search_is_refused_with_a_message(client, alice):
    response = as_user(client, alice).get(reverse("editor_source_search"), {"q": "A/HRC\x1c46"})
    assert "Not searched. Remove the unprintable character U+001C" in response.content.decode()


def test_a_new_edition_with_a_control_character_in_its_title_is_refused(client, erin, db):
    from assessments.models import Region

    region = Region.objects.get()
    response = as_user(client, erin).post(
        reverse("editor_outlook_new"), {"region": region.pk, "period": "2024-06", "title": "A\x1cB"}
    )
    assert "unprintable character U+001C" in response.content.decode()
    assert not Outlook.objects.exists()


# --- Editors creating the same edition at the same moment -------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_editors_creating_one_edition_at_once_make_one_and_the_others_are_told(erin):
    from django.test import Client

    from assessments.models import Region

    region = Region.objects.get()

    def post(i):
        client = Client(raise_request_exception=False)
        client.force_login(erin)
        data = {"region": region.pk, "period": "2024-06"}
        response = client.post(reverse("editor_outlook_new"), data)
        return response.status_code, response.content.decode()

    results = run_in_threads(5, post)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 200, 200, 200, 302], statuses
    for status, html in results:
        if status == 200:
            assert "There is already a Asia Pacific outlook for June 2024." in html
    assert Outlook.objects.filter(period=date(2024, 6, 1)).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edition_created_while_another_is_being_inserted_is_refused_with_a_message(erin):
    """The other transaction's insert is not committed when this one checks: the unique
    constraint makes this insert wait for it, and then refuses it."""
    import time

    from django.core.exceptions import ValidationError
    from django.db import connection, transaction

    from assessments.models import Region

    region = Region.objects.get()
    period = date(2024, 6, 1)
    with transaction.atomic():
        Outlook.objects.create(
            region=region, period=period, title="Other", slug=Outlook.make_slug(region.name, period)
        )
        results = []
        import threading

        def create():
            try:
                results.append(workflow.create_edition(region, period, user=erin))
            except Exception as error:  # the test looks at it
                results.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=create)
        thread.start()
        # Commit only once the other insert waits on this one's row.
        with connection.cursor() as cursor:
            for _ in range(200):
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the second insert never waited for the first")
    thread.join(timeout=30)
    (result,) = results
    assert isinstance(result, ValidationError), result
    assert result.messages == ["There is already a Asia Pacific outlook for June 2024."]
    assert Outlook.objects.get(period=period).title == "Other"


def test_a_region_too_long_for_an_editions_address_is_refused_with_a_message(client, erin):
    from assessments.models import Region

    region = Region.objects.create(name="R" * 95)
    response = as_user(client, erin).post(
        reverse("editor_outlook_new"), {"region": region.pk, "period": "2024-06"}
    )
    assert "The region&#x27;s name is too long to make the edition&#x27;s web address" in (
        response.content.decode()
    )
    assert not Outlook.objects.filter(region=region).exists()


# --- The previous edition's recommendations: why one is dropped, how far one is acted on


def edit_url(revision):
    return reverse("editor_edit", args=[revision.pk])


def second_recommendation(revision):
    return Revision.objects.with_content().get(pk=revision.pk).recommendations.all()[1]


def test_the_edit_page_asks_why_a_recommendation_of_the_last_edition_is_dropped(
    client, alice, copied_draft
):
    dropped = second_recommendation(copied_draft)
    page = as_user(client, alice).get(edit_url(copied_draft)).content.decode()
    # Nothing dropped yet: the section is there for the page's script, hidden.
    assert "Dropped since the last edition" in page
    assert "data-dropped-section hidden" in page
    assert f'data-lineage="{dropped.lineage}"' in page  # the row the script watches

    data = remove_recommendation(entry_data(copied_draft), dropped.lineage)
    assert client.post(edit_url(copied_draft), data).status_code == 302
    page = client.get(edit_url(copied_draft)).content.decode()
    assert "data-dropped-section hidden" not in page
    section = page[page.index('id="dropped-title"') :]
    assert escape(dropped.text) in section
    assert "Why is it dropped?" in section


def test_a_dropped_recommendation_without_reason_stops_submission_with_a_message(
    client, alice, ready_draft
):
    dropped = second_recommendation(ready_draft)
    data = remove_recommendation(entry_data(ready_draft, then="submit"), dropped.lineage)
    response = as_user(client, alice).post(edit_url(ready_draft), data, follow=True)
    html = response.content.decode()
    assert "The previous edition&#x27;s recommendation to " in html
    assert "is dropped: say why." in html
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.DRAFT


def test_a_reason_given_in_the_editor_is_published_into_the_tracker(
    client, alice, bob, erin, ready_draft
):
    from .test_tracker import publish_through_workflow

    dropped = second_recommendation(ready_draft)
    data = remove_recommendation(entry_data(ready_draft), dropped.lineage)
    give_reason(data, dropped.lineage, DropReason.OTHER, note="Demo: overtaken by events.")
    assert as_user(client, alice).post(edit_url(ready_draft), data).status_code == 302
    row = DroppedRecommendation.objects.get(revision=ready_draft)
    assert (row.lineage, row.reason, row.note) == (
        dropped.lineage,
        DropReason.OTHER,
        "Demo: overtaken by events.",
    )
    page = client.get(edit_url(ready_draft)).content.decode()
    assert "Demo: overtaken by events." in page  # kept, and shown again

    publish_through_workflow(ready_draft.assessment.outlook, alice, bob, erin)
    tracked = TrackedRecommendation.objects.get(lineage=dropped.lineage)
    assert tracked.status == TrackedStatus.DROPPED
    assert (tracked.reason, tracked.note) == (TrackedReason.OTHER, "Demo: overtaken by events.")


@pytest.mark.parametrize(
    "forge, message",
    [
        (lambda data, lineage: data.update({"dropped-0-lineage": uuid.uuid4()}), "did not make"),
        (
            lambda data, lineage: give_reason(data, lineage, "forgotten"),
            "Select a valid choice",
        ),
        (
            lambda data, lineage: give_reason(data, lineage, "superseded", uuid.uuid4()),
            "no longer in the draft",
        ),
        (
            lambda data, lineage: data.update(
                {"recommendation-0-implementation": "implemented", "recommendation-0-evidence": 77}
            ),
            "This draft has no footnote 77",
        ),
        (
            lambda data, lineage: data.update({"recommendation-0-implementation": "done"}),
            "Select a valid choice",
        ),
    ],
)
def test_a_forged_post_about_dropped_or_assessed_recommendations_gets_a_message(
    client, alice, copied_draft, forge, message
):
    dropped = second_recommendation(copied_draft)
    data = remove_recommendation(entry_data(copied_draft), dropped.lineage)
    forge(data, dropped.lineage)
    response = as_user(client, alice).post(edit_url(copied_draft), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    copied_draft.refresh_from_db()
    assert copied_draft.version == 1


def test_an_implementation_assessment_is_saved_and_shown_to_the_reviewer(
    client, alice, bob, ready_draft
):
    data = entry_data(ready_draft, then="submit")
    data["recommendation-0-implementation"] = Implementation.PARTLY_IMPLEMENTED
    data["recommendation-0-evidence"] = 1
    response = as_user(client, alice).post(edit_url(ready_draft), data)
    assert response.status_code == 302
    saved = Revision.objects.get(pk=ready_draft.pk)
    assert saved.state == State.SUBMITTED
    first = saved.recommendations.first()
    assert (first.implementation, first.evidence) == (Implementation.PARTLY_IMPLEMENTED, 1)
    html = as_user(client, bob).get(reverse("editor_review", args=[ready_draft.pk])).content
    assert "Implementation since the last edition: partly implemented (evidence: footnote 1)" in (
        html.decode()
    )


def test_the_review_shows_recommendations_new_repeated_revised_and_dropped_with_why(
    client, alice, bob, ready_draft
):
    revision = Revision.objects.with_content().get(pk=ready_draft.pk)
    first, dropped = revision.recommendations.all()[:2]
    data = remove_recommendation(entry_data(ready_draft, then="submit"), dropped.lineage)
    data["recommendation-0-text"] = first.text.replace(".", " and torture.")
    give_reason(data, dropped.lineage, DropReason.SUPERSEDED, first.lineage)
    as_user(client, alice).post(edit_url(ready_draft), data)
    ready_draft.refresh_from_db()
    assert ready_draft.state == State.SUBMITTED
    html = as_user(client, bob).get(reverse("editor_review", args=[ready_draft.pk])).content
    html = html.decode()
    changes = html[html.index("Recommendations since") :]
    assert changes.count('data-status="revised"') == 1
    assert changes.count('data-status="dropped"') == 1
    assert 'data-status="repeated"' in changes and 'data-status="new"' not in changes
    assert "crimes against <del>humanity.</del><ins>humanity and torture.</ins>" in changes
    assert "Why: Superseded by another recommendation, by “Immediately cease" in changes
    detail = client.get(reverse("editor_revision", args=[ready_draft.pk])).content.decode()
    assert "Why: Superseded by another recommendation" in detail


def test_edit_page_queries_do_not_grow_with_recommendations(
    client, alice, copied_draft, django_assert_max_num_queries
):
    url = edit_url(copied_draft)
    as_user(client, alice).get(url)  # warm the caches of the first request
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    revision = Revision.objects.with_content().get(pk=copied_draft.pk)
    content = DraftContent.from_revision(revision)
    dropped = content.recommendations.pop(1)
    content.dropped = [DroppedDraft(dropped.lineage, DropReason.IMPLEMENTED)]
    content.recommendations[0].implementation = Implementation.IMPLEMENTED
    content.recommendations += [
        RecommendationDraft(f"Addressee {n}", f"Act on point {n}.") for n in range(30)
    ]
    workflow.save_draft(revision, content, user=alice, based_on_version=revision.version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "Act on point 29." in page.content.decode()


def test_the_add_country_list_sorts_names_as_people_read_them(client, erin, edition):
    as_user(client, erin)
    page = client.get(reverse("editor_outlook", args=[edition.pk])).content.decode()
    names = re.findall(r'<option value="\d+">([^<]+)</option>', page)

    def before(first, second):
        return names.index(first) < names.index(second)

    assert before("Réunion", "Rwanda") and before("Türkiye", "Tuvalu")
    assert before("Åland Islands", "Albania") and before("Austria", "Azerbaijan")
    assert before("Côte d&#x27;Ivoire", "Croatia")


def test_the_session_endpoint_says_signed_out_without_sending_to_sign_in(client, db):
    response = client.get(reverse("editor_session"))
    assert response.status_code == 200
    assert response.json() == {"signed_in": False}
    assert "no-store" in response["Cache-Control"]


def test_the_session_endpoint_gives_a_signed_in_analyst_a_token_the_save_accepts(
    alice, copied_draft
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    answer = client.get(reverse("editor_session")).json()
    assert answer["signed_in"] is True
    data = entry_data(copied_draft, finding=[{"text": "Typed before the session ended."}])
    data["csrfmiddlewaretoken"] = answer["csrf_token"]
    response = client.post(reverse("editor_edit", args=[copied_draft.pk]), data)
    assert response.status_code == 302
    assert Revision.objects.get(pk=copied_draft.pk).version == copied_draft.version + 1


def test_a_save_after_the_session_ended_goes_to_sign_in_and_saves_nothing(client, copied_draft):
    url = reverse("editor_edit", args=[copied_draft.pk])
    data = entry_data(copied_draft, finding=[{"text": "Typed before the session ended."}])
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert f"next={url}" in response.url.replace("%2F", "/")
    assert Revision.objects.get(pk=copied_draft.pk).version == copied_draft.version


def test_the_edit_page_names_the_revision_and_its_version_as_everywhere(
    client, alice, copied_draft
):
    page = as_user(client, alice).get(reverse("editor_edit", args=[copied_draft.pk]))
    text = parse(page.content.decode()).find("h1").words()
    assert text.endswith(f"Revision {copied_draft.number} · version {copied_draft.version}")
    assert f'data-draft-version="{copied_draft.version}"' in page.content.decode()


def test_every_editor_page_names_a_revision_and_its_versions_one_way(
    client, alice, bob, erin, copied_draft
):
    """One naming, "Revision 2 · version 5": never "v2", nor a version without its revision."""
    submitted = workflow.submit(pass_checks(copied_draft, alice), user=alice)
    assert submitted.version > 1
    pages = {
        erin: [
            reverse("editor_outlook", args=[submitted.assessment.outlook_id]),
            reverse("editor_board", args=[submitted.assessment.outlook_id]),
            reverse("editor_assessment", args=[submitted.assessment_id]),
            reverse("editor_revision", args=[submitted.pk]),
            reverse("editor_preview", args=[submitted.pk]),
            reverse("editor_audit"),
        ],
        bob: [reverse("editor_review", args=[submitted.pk])],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            words = parse(client.get(url).content.decode()).words()
            assert not re.search(r"\bv\d+\b", words), url
            loose = re.findall(r"(?<!\d · )\bversion \d+", words, flags=re.IGNORECASE)
            assert loose == [], url
            assert re.search(r"[Rr]evision \d+", words), url
    assert (
        f"DPRK revision 1 · version {submitted.version} in"
        in AuditEvent.objects.filter(action="submit").get().description
    )


def test_the_edit_page_with_its_action_bar_and_kept_text_offer_is_valid_html(
    tmp_path, client, alice, copied_draft
):
    from .test_html_validity import html_errors

    as_user(client, alice)
    url = reverse("editor_edit", args=[copied_draft.pk])
    bounced = client.post(url, {**entry_data(copied_draft), "risk_level": "999"})
    assert bounced.status_code == 400
    assert b"data-draft-unsaved" in bounced.content
    pages = {"edit": client.get(url).content, "bounced": bounced.content}
    for name, html in pages.items():
        assert b"{#" not in html, name  # A template comment is one line.
    # htmx's attributes (hx-post…) are not HTML's: the editor pages have them throughout.
    errors = html_errors(pages, tmp_path, allow_htmx=True)
    assert not errors, "\n".join(errors)
