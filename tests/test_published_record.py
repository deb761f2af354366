"""The published record in the database's eyes (migration 0008): whatever path a write
takes (the ORM, plain SQL; the admin has its own tests), what the public reads changes
only through a correction, a revision's state moves only along the workflow's
transitions, the audit log only grows, and who did what is kept."""

import importlib
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from assessments import workflow
from assessments.content import DraftContent
from assessments.models import (
    Addressee,
    Assessment,
    AuditEvent,
    Country,
    Finding,
    Outlook,
    Revision,
    RiskLevel,
    RiskStatus,
    Source,
)
from assessments.permissions import REVISION_ACTIONS, TRANSITIONS

from .builders import add_assessment, make_outlook, make_revision, publish_correction

pytestmark = pytest.mark.django_db

State = Revision.State


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(function, *args):
    """Assert that the database refuses what `function` writes."""
    with pytest.raises(IntegrityError), transaction.atomic():
        function(*args)
        # Foreign keys are checked at commit; check them now, before the savepoint ends.
        sql("SET CONSTRAINTS ALL IMMEDIATE")


def truncate(tables, *, test_flush):
    """TRUNCATE in this test's transaction, as a session with `outlook.test_flush` set so."""
    # TRUNCATE waits for no deferred check: run the foreign-key checks pending so far.
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("SELECT set_config('outlook.test_flush', %s, true)", [test_flush])
    sql(f"TRUNCATE {tables}")


def update(model, pk, **fields):
    return lambda: model.objects.filter(pk=pk).update(**fields)


@pytest.fixture
def entry(published_sample):
    """The DPRK entry of the published sample, with its live revision."""
    return Assessment.objects.select_related("published_revision").get(outlook=published_sample)


@pytest.fixture
def cited(entry):
    """A source a published footnote cites, with a URL (footnote 3 of the sample)."""
    return entry.published_revision.footnotes.get(number=3).source


# --- What a published entry cites -----------------------------------------------------

SOURCE_CHANGES = {
    "title": "A different report.",
    "url": "https://elsewhere.example/report",
    "document_symbol": "A/HRC/1/1",
    "issuer": "Someone else",
    "date": date(2001, 1, 1),
}


@pytest.mark.parametrize("field", list(SOURCE_CHANGES))
def test_a_cited_source_keeps_what_prints_through_the_orm(cited, field):
    setattr(cited, field, SOURCE_CHANGES[field])
    refused(cited.save)


def test_a_cited_source_keeps_its_url_through_sql(cited):
    refused(
        sql,
        "UPDATE assessments_source SET url = 'https://elsewhere.example/' WHERE id = %s",
        [cited.pk],
    )
    cited.refresh_from_db()
    assert cited.url == "https://undocs.org/A/C.3/74/L.26"


def test_a_source_cited_only_by_drafts_can_still_be_corrected(copied_draft):
    source = Source.objects.create(title="A draft's report, 2024.")
    copied_draft.footnotes.filter(number=1).update(source=source)
    source.url = "https://example.org/report"
    source.save()
    assert Source.objects.get(pk=source.pk).url == "https://example.org/report"


def test_an_addressee_of_a_published_recommendation_keeps_its_name_and_slug(entry):
    addressee = entry.published_revision.recommendations.first().addressee
    refused(update(Addressee, addressee.pk, name="The government of Japan"))
    refused(update(Addressee, addressee.pk, slug="the-government-of-japan"))


def test_an_addressee_nobody_published_can_be_renamed(entry):
    addressee = Addressee.objects.create(name="The UN Secretary-General")
    Addressee.objects.filter(pk=addressee.pk).update(name="The UN Secretary General")


@pytest.mark.parametrize("field, value", [("name", "Extreme"), ("rank", 9)])
def test_a_risk_level_in_use_keeps_its_name_and_rank(entry, field, value):
    refused(update(RiskLevel, entry.published_revision.risk_level_id, **{field: value}))


def test_a_risk_level_in_use_may_change_colour(entry):
    RiskLevel.objects.filter(pk=entry.published_revision.risk_level_id).update(colour="#000000")


def test_a_risk_level_and_status_in_use_may_be_described_again(entry):
    # What a tier means is explained to readers (the method page, the legends), not
    # printed by the entries rated with it: a clearer wording is not a new tier.
    revision = entry.published_revision
    RiskLevel.objects.filter(pk=revision.risk_level_id).update(description="Reworded.")
    RiskStatus.objects.filter(pk=revision.risk_status_id).update(description="Reworded.")
    assert RiskLevel.objects.get(pk=revision.risk_level_id).description == "Reworded."


def test_a_risk_status_in_use_keeps_its_name(entry):
    refused(update(RiskStatus, entry.published_revision.risk_status_id, name="Over"))


def test_a_country_with_a_published_entry_keeps_its_code(entry):
    refused(update(Country, entry.country_id, code="JP"))


# --- The entry and its edition ------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [("country", "JP"), ("position", 7), ("outlook", "another")],
)
def test_a_published_entry_keeps_its_country_edition_and_position(entry, field, value):
    if field == "country":
        value = Country.objects.get(code=value)
    elif field == "outlook":
        value = make_outlook(period=date(2025, 1, 1))
    refused(update(Assessment, entry.pk, **{field: value}))
    entry.refresh_from_db()
    assert entry.country.code == "KP"


def test_a_published_entry_is_not_unpublished(entry):
    refused(update(Assessment, entry.pk, published_revision=None))
    refused(sql, "UPDATE assessments_assessment SET published_revision_id = NULL")


def test_a_published_entry_cannot_be_deleted(entry):
    refused(sql, "DELETE FROM assessments_assessment WHERE id = %s", [entry.pk])


def test_a_published_entry_shows_only_a_later_published_revision_of_its_own(entry):
    original = entry.published_revision
    draft = make_revision(entry)
    refused(update(Assessment, entry.pk, published_revision=draft))
    other = add_assessment(make_outlook(published=True), "JP", state=State.PUBLISHED)
    refused(update(Assessment, entry.pk, published_revision=other.published_revision))
    # A correction: a later published revision of the same entry.
    Revision.objects.filter(pk=draft.pk).delete()
    correction = publish_correction(entry, note="Corrected a date.")
    assert Assessment.objects.get(pk=entry.pk).published_revision == correction
    refused(update(Assessment, entry.pk, published_revision=original))


PUBLISHED_OUTLOOK_CHANGES = {
    "title": "Another title",
    "introduction": "An introduction written after publication.",
    "state": Outlook.State.DRAFT,
    "slug": "another-slug",
    "period": date(2023, 12, 1),
    "published_at": datetime(2020, 1, 1, tzinfo=UTC),
    "published_on": date(2020, 1, 1),
}


@pytest.mark.parametrize("field", list(PUBLISHED_OUTLOOK_CHANGES))
def test_a_published_outlook_keeps_what_prints(published_sample, field):
    refused(update(Outlook, published_sample.pk, **{field: PUBLISHED_OUTLOOK_CHANGES[field]}))


def test_a_published_outlook_keeps_its_region_and_publisher(published_sample, erin):
    other = make_outlook(region="Elsewhere").region
    refused(update(Outlook, published_sample.pk, region=other))
    refused(update(Outlook, published_sample.pk, published_by=erin))


def test_a_published_outlook_cannot_be_deleted(published_sample):
    refused(sql, "DELETE FROM assessments_outlook WHERE id = %s", [published_sample.pk])


def test_a_draft_outlook_can_still_be_retitled(edition):
    Outlook.objects.filter(pk=edition.pk).update(title="Asia Pacific Outlook")


def test_importing_into_a_published_edition_leaves_its_introduction_alone(published_sample):
    region, period = published_sample.region, published_sample.period
    outlook = workflow.store_imported_edition(
        region, period, title="Ignored", introduction="Written later.", publish=True
    )
    outlook.refresh_from_db()
    assert outlook.introduction == ""


def test_content_tables_cannot_be_truncated_while_anything_is_published(entry):
    for table in ["assessments_finding", "assessments_source", "assessments_outlook"]:
        with pytest.raises(IntegrityError), transaction.atomic():
            # The test suite's own connections may flush (see the next test); this one
            # asks as any other session would.
            truncate(f"{table} CASCADE", test_flush="off")
    assert Finding.objects.filter(revision=entry.published_revision).count() == 4


def test_the_test_suite_can_still_flush_its_database(entry):
    """Transactional tests empty the database with Django's flush (TRUNCATE) after each
    test: the suite's connections pass outlook.test_flush (tests/conftest.py)."""
    tables = connection.introspection.django_table_names(only_existing=True)
    with transaction.atomic():
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        assert not Revision.objects.exists()
        transaction.set_rollback(True)
    assert Revision.objects.filter(pk=entry.published_revision_id).exists()


# --- A revision's state ---------------------------------------------------------------


@pytest.fixture
def approved(ready_draft, alice, bob):
    workflow.submit(ready_draft, user=alice)
    return workflow.approve(ready_draft, user=bob)


def test_an_approved_revision_cannot_go_back_to_draft_to_be_edited_and_approved_again(
    approved,
):
    finding = approved.findings.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        sql("UPDATE assessments_revision SET state = 'draft' WHERE id = %s", [approved.pk])
        sql("UPDATE assessments_finding SET text = 'Rewritten.' WHERE id = %s", [finding.pk])
        sql("UPDATE assessments_revision SET state = 'approved' WHERE id = %s", [approved.pk])
    approved.refresh_from_db()
    finding.refresh_from_db()
    assert approved.state == State.APPROVED
    assert finding.text != "Rewritten."


@pytest.mark.parametrize(
    "before, after",
    [
        (State.APPROVED, State.SUBMITTED),
        (State.APPROVED, State.CHANGES_REQUESTED),
        (State.SUBMITTED, State.PUBLISHED),
        (State.CHANGES_REQUESTED, State.APPROVED),
        (State.DRAFT, State.APPROVED),
        (State.DRAFT, State.CHANGES_REQUESTED),
        (State.WITHDRAWN, State.DRAFT),
    ],
)
def test_a_revision_state_moves_only_along_the_workflow(before, after):
    revision = make_revision(add_assessment(make_outlook(), "KP", with_revision=False))
    path = {
        State.DRAFT: [],
        State.SUBMITTED: [State.SUBMITTED],
        State.CHANGES_REQUESTED: [State.SUBMITTED, State.CHANGES_REQUESTED],
        State.APPROVED: [State.SUBMITTED, State.APPROVED],
        State.WITHDRAWN: [State.WITHDRAWN],
    }[before]
    for state in path:
        Revision.objects.filter(pk=revision.pk).update(state=state)
    refused(update(Revision, revision.pk, state=after))


def test_the_database_allows_the_workflows_transitions_and_two_more():
    migration = importlib.import_module("assessments.migrations.0008_published_record")
    allowed = set(migration.STATE_MOVES)
    workflow_moves = {
        (before, rule.target)
        for action, rule in TRANSITIONS.items()
        if action in REVISION_ACTIONS and rule.target is not None
        for before in rule.sources
    }
    assert workflow_moves <= allowed
    archive = {(State.DRAFT, State.PUBLISHED)}
    withdrawal = {(before, State.WITHDRAWN) for before in Revision.IN_PROGRESS}
    assert allowed - workflow_moves == archive | withdrawal


def test_a_revision_starts_as_a_draft():
    assessment = add_assessment(make_outlook(published=True), "KP", with_revision=False)
    refused(
        lambda: Revision.objects.create(
            assessment=assessment,
            number=1,
            state=State.PUBLISHED,
            risk_level=RiskLevel.objects.first(),
            risk_status=RiskStatus.objects.first(),
        )
    )


# --- The record of who did what ------------------------------------------------------------


def save_unchanged(draft, user):
    """`user` saves the draft as it is: an audit event, and a contributor."""
    content = DraftContent.from_revision(draft)
    return workflow.save_draft(draft, content, user=user, based_on_version=draft.version)


def test_the_audit_log_is_append_only(approved, bob):
    event = AuditEvent.objects.get(action="approve")
    refused(update(AuditEvent, event.pk, description="Approved by someone else"))
    refused(update(AuditEvent, event.pk, actor=None))
    refused(sql, "DELETE FROM assessments_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        truncate("assessments_auditevent", test_flush="off")
    assert AuditEvent.objects.get(pk=event.pk).actor == bob


def test_removing_a_draft_country_keeps_its_audit_events(edition, copied_draft, erin, alice):
    saved = save_unchanged(copied_draft, alice)
    event = AuditEvent.objects.get(action="save", revision=saved)
    workflow.remove_country(saved.assessment, user=erin)
    # The event outlives the draft it was about, which alone is forgotten.
    event.refresh_from_db()
    assert (event.actor, event.revision, event.outlook) == (alice, None, edition)
    assert event.data["content"]["findings"]


def test_a_review_is_not_rewritten(approved, rita):
    refused(lambda: approved.reviews.update(reviewer=rita))
    refused(lambda: approved.reviews.update(decision="request_changes"))


def test_the_contributors_of_a_published_revision_stay(entry, alice):
    revision = entry.published_revision
    sql(
        "INSERT INTO assessments_revision_contributors (revision_id, user_id) VALUES (%s, %s)",
        [revision.pk, alice.pk],
    )
    refused(
        sql, "DELETE FROM assessments_revision_contributors WHERE revision_id = %s", [revision.pk]
    )


def test_deleting_a_user_who_appears_in_the_record_is_refused(copied_draft, alice):
    save_unchanged(copied_draft, alice)
    with pytest.raises(ProtectedError), transaction.atomic():
        alice.delete()
    alice.groups.clear()  # her roles are not what keeps her
    refused(sql, "DELETE FROM auth_user WHERE id = %s", [alice.pk])
    assert copied_draft.contributors.get() == alice
    assert AuditEvent.objects.filter(action="save", actor=alice).exists()


def test_a_user_who_did_nothing_can_be_deleted(charlie):
    charlie.delete()
    assert not User.objects.filter(username="charlie").exists()


def test_a_stored_pdf_only_moves_from_its_pending_name_to_its_final_one(published_sample):
    from assessments.models import OutlookPdf

    record = OutlookPdf.objects.create(outlook=published_sample, file="pending/sample-x.pdf")
    OutlookPdf.objects.filter(pk=record.pk).update(file="pdf/sample/sample-1.pdf")
    refused(update(OutlookPdf, record.pk, file="pdf/sample/elsewhere.pdf"))
    refused(update(OutlookPdf, record.pk, file="pending/sample-x.pdf"))
    other = make_outlook(period=date(2024, 5, 1), published=True)
    pending = OutlookPdf.objects.create(outlook=published_sample, file="pending/sample-y.pdf")
    refused(update(OutlookPdf, pending.pk, outlook=other, file="pdf/other.pdf"))
