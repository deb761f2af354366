"""The Django admin is usable by a superuser for every model, and changes nothing the
workflow governs: what it makes is read here, and the published record stays as printed."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from assessments import workflow
from assessments.content import DraftContent
from assessments.models import AuditEvent, Outlook, OutlookPdf, Revision, Source

from .builders import add_assessment, make_outlook

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "assessments"]


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    client.force_login(user)
    return client


def test_every_domain_model_is_in_the_admin():
    from django.apps import apps

    registered = {model.__name__ for model in MODELS}
    all_models = {model.__name__ for model in apps.get_app_config("assessments").get_models()}
    assert all_models == registered


# What a superuser may add by hand: reference data and the libraries. Everything else
# is made by the workflow (an edition, its entries, revisions and their rows, PDFs,
# reviews, acknowledgements, the audit log), which checks permissions and records it.
ADDABLE = {"Region", "Country", "RiskLevel", "RiskStatus", "Addressee", "Source"}


@pytest.mark.parametrize("model", MODELS, ids=[model.__name__ for model in MODELS])
def test_changelist_search_and_add_pages_load(superuser_client, published_sample, model):
    info = (model._meta.app_label, model._meta.model_name)
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    assert superuser_client.get(changelist).status_code == 200
    if admin.site._registry[model].search_fields:
        assert superuser_client.get(changelist, {"q": "Korea"}).status_code == 200
    add = superuser_client.get(reverse("admin:{}_{}_add".format(*info)))
    assert add.status_code == (200 if model.__name__ in ADDABLE else 403)


def test_revision_change_page_shows_its_content(superuser_client, published_sample):
    revision = published_sample.assessments.get().published_revision
    response = superuser_client.get(
        reverse("admin:assessments_revision_change", args=[revision.pk])
    )
    assert response.status_code == 200
    assert "Immediately cease committing crimes against humanity." in response.content.decode()


def test_admin_is_closed_to_non_staff(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:assessments_outlook_changelist"))
    assert response.status_code == 302


def test_a_published_revision_is_read_only_in_the_admin(superuser_client, published_sample):
    revision = published_sample.assessments.get().published_revision
    url = reverse("admin:assessments_revision_change", args=[revision.pk])
    html = superuser_client.get(url).content.decode()
    assert 'name="risk_level"' not in html
    assert 'name="findings-0-text"' not in html
    response = superuser_client.post(url, {"rationale": "Changed behind the workflow."})
    assert response.status_code < 500
    revision.refresh_from_db()
    assert revision.rationale == ""


def test_published_content_cannot_be_deleted_from_the_admin(superuser_client, published_sample):
    revision = published_sample.assessments.get().published_revision
    finding = revision.findings.first()
    for name, pk in [
        ("outlook", published_sample.pk),
        ("revision", revision.pk),
        ("finding", finding.pk),
    ]:
        url = reverse(f"admin:assessments_{name}_delete", args=[pk])
        assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert revision.findings.count() == 4


def test_workflow_states_are_not_edited_in_the_admin(superuser_client, published_sample):
    revision = published_sample.assessments.get().published_revision
    html = superuser_client.get(
        reverse("admin:assessments_outlook_change", args=[published_sample.pk])
    ).content.decode()
    assert 'name="state"' not in html
    assert revision.state == "published"


def admin_url(obj, view):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


# --- What the workflow governs is read here, never changed ------------------------------

# One of each: the published sample, and its next edition's DPRK revision submitted by
# Alice and approved by Bob (a review, acknowledgements, audit events), and a stored PDF.
READ_ONLY = [
    "Outlook",
    "Assessment",
    "Revision",
    "Finding",
    "Recommendation",
    "Footnote",
    "Review",
    "CheckAcknowledgement",
    "AuditEvent",
    "OutlookPdf",
]


@pytest.fixture
def record(published_sample, ready_draft, alice, bob):
    workflow.submit(ready_draft, user=alice)
    workflow.approve(ready_draft, user=bob)
    OutlookPdf.objects.create(outlook=published_sample, file="pdf/sample.pdf")
    return published_sample


@pytest.mark.parametrize("name", READ_ONLY)
def test_what_the_workflow_governs_is_read_only_in_the_admin(superuser_client, record, name):
    model = apps.get_model("assessments", name)
    obj = model.objects.filter(pk=record.pk).first() if name == "Outlook" else model.objects.last()
    page = superuser_client.get(admin_url(obj, "change"))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(admin_url(obj, "change"), {}).status_code == 403
    assert superuser_client.post(admin_url(obj, "delete"), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_superuser_cannot_edit_a_drafts_rows_in_the_admin(superuser_client, copied_draft):
    url = admin_url(copied_draft, "change")
    html = superuser_client.get(url).content.decode()
    assert 'name="findings-0-text"' not in html
    data = {
        "findings-TOTAL_FORMS": 1,
        "findings-INITIAL_FORMS": 1,
        "findings-0-id": copied_draft.findings.first().pk,
        "findings-0-revision": copied_draft.pk,
        "findings-0-position": 1,
        "findings-0-text": "Written in the admin.",
    }
    assert superuser_client.post(url, data).status_code == 403
    copied_draft.refresh_from_db()
    assert copied_draft.findings.first().text != "Written in the admin."
    assert copied_draft.version == 1
    assert not copied_draft.contributors.exists()


def test_an_audit_event_cannot_be_forged_in_the_admin(superuser_client, record):
    before = AuditEvent.objects.count()
    add = reverse("admin:assessments_auditevent_add")
    forged = {"action": "approve", "description": "Approved by Rita", "data": "{}"}
    assert superuser_client.post(add, forged).status_code == 403
    assert AuditEvent.objects.count() == before


def test_a_draft_edition_keeps_its_place_and_countries_in_the_admin(superuser_client, edition):
    url = admin_url(edition, "change")
    html = superuser_client.get(url).content.decode()
    assert 'name="title"' in html
    for field in ["region", "period", "slug", "state", "assessments-0-country"]:
        assert f'name="{field}"' not in html
    data = {
        "title": "Asia Pacific Outlook",
        "introduction": "",
        "assessments-TOTAL_FORMS": 1,
        "assessments-INITIAL_FORMS": 1,
        "assessments-0-id": edition.assessments.get().pk,
        "assessments-0-outlook": edition.pk,
    }
    assert superuser_client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert edition.title == "Asia Pacific Outlook"


def test_deleting_a_draft_edition_in_the_admin_is_in_the_audit_log(superuser_client, edition):
    response = superuser_client.post(admin_url(edition, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Outlook.objects.filter(pk=edition.pk).exists()
    event = AuditEvent.objects.get(action="delete_edition")
    assert event.actor.username == "root"
    assert event.description == "Deleted the draft edition Asia Pacific Regional Outlook May 2024"


# --- The published record's references ------------------------------------------------


def cited_source(outlook):
    revision = outlook.assessments.get().published_revision
    return revision.footnotes.get(number=3).source


# A reference the published sample uses, and the fields of it that print.
IN_THE_RECORD = {
    "Source": (cited_source, ["title", "url", "document_symbol", "issuer", "date"]),
    "Addressee": (
        lambda outlook: (
            outlook.assessments.get().published_revision.recommendations.first().addressee
        ),
        ["name", "slug"],
    ),
    "RiskLevel": (
        lambda outlook: outlook.assessments.get().published_revision.risk_level,
        ["name", "rank"],
    ),
    "RiskStatus": (
        lambda outlook: outlook.assessments.get().published_revision.risk_status,
        ["name"],
    ),
    "Country": (lambda outlook: outlook.assessments.get().country, ["code"]),
}


@pytest.mark.parametrize("name", list(IN_THE_RECORD))
def test_what_a_published_entry_uses_is_frozen_in_the_admin_and_says_so(
    superuser_client, published_sample, name
):
    find, frozen = IN_THE_RECORD[name]
    obj = find(published_sample)
    response = superuser_client.get(admin_url(obj, "change"))
    html = response.content.decode()
    for field in frozen:
        assert f'name="{field}"' not in html
    assert "is used by an entry under review or published" in html


@pytest.mark.parametrize("name", ["RiskLevel", "RiskStatus"])
def test_a_risk_tier_in_use_is_described_in_the_admin(superuser_client, published_sample, name):
    tier = IN_THE_RECORD[name][0](published_sample)
    url = admin_url(tier, "change")
    assert 'name="description"' in superuser_client.get(url).content.decode()
    # The form sends the fields it shows: its printed ones are read-only, so not among them.
    fields = {"colour": tier.colour} if name == "RiskLevel" else {"position": tier.position}
    response = superuser_client.post(url, {**fields, "description": "What it means, reworded."})
    assert response.status_code == 302
    tier.refresh_from_db()
    assert tier.description == "What it means, reworded."


def test_a_cited_sources_url_stays_when_the_admin_form_sends_another(
    superuser_client, published_sample
):
    source = cited_source(published_sample)
    url = admin_url(source, "change")
    data = {"title": "Changed", "url": "https://elsewhere.example/", "issuer": "", "date": ""}
    assert superuser_client.post(url, {**data, "document_symbol": ""}).status_code == 302
    source.refresh_from_db()
    assert (source.title, source.url) == (
        "See A/C.3/74/L.26, United Nations General Assembly, 31 October 2019",
        "https://undocs.org/A/C.3/74/L.26",
    )


def test_a_source_nothing_published_cites_is_edited_in_the_admin(superuser_client, db):
    source = Source.objects.create(title="A report, 2024.")
    data = {"title": "A report, 2024.", "url": "https://example.org/r", "issuer": ""}
    response = superuser_client.post(
        admin_url(source, "change"), {**data, "document_symbol": "", "date": ""}
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.url == "https://example.org/r"


def test_a_write_the_database_refuses_is_reported_not_a_server_error(superuser_client, db):
    # A draft edition holding a revision marked published by SQL, which no entry shows:
    # the admin offers to delete the edition, and the database refuses (migration 0004).
    outlook = make_outlook()
    revision = add_assessment(outlook, "KP").revisions.get()
    Revision.objects.filter(pk=revision.pk).update(state=Revision.State.PUBLISHED)
    response = superuser_client.post(admin_url(outlook, "delete"), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    message = f"The database refused this change: revision {revision.pk} is published"
    assert message in response.content.decode()
    assert Outlook.objects.filter(pk=outlook.pk).exists()


# --- Users: deactivated, not deleted ---------------------------------------------------


@pytest.fixture
def alice_saved(copied_draft, alice):
    content = DraftContent.from_revision(copied_draft)
    workflow.save_draft(copied_draft, content, user=alice, based_on_version=1)
    return alice


def test_a_user_in_the_record_is_not_deleted_in_the_admin_but_may_be_deactivated(
    superuser_client, alice_saved
):
    url = admin_url(alice_saved, "delete")
    page = superuser_client.get(url, follow=True).content.decode()
    assert "Deactivate" in page
    response = superuser_client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert User.objects.filter(pk=alice_saved.pk).exists()
    bulk = {"action": "delete_selected", "_selected_action": [alice_saved.pk], "post": "yes"}
    superuser_client.post(reverse("admin:auth_user_changelist"), bulk)
    assert User.objects.filter(pk=alice_saved.pk).exists()
    deactivate = {"action": "deactivate", "_selected_action": [alice_saved.pk]}
    superuser_client.post(reverse("admin:auth_user_changelist"), deactivate)
    alice_saved.refresh_from_db()
    assert not alice_saved.is_active
    assert AuditEvent.objects.filter(actor=alice_saved).exists()


def test_a_user_who_did_nothing_can_be_deleted_in_the_admin(superuser_client, charlie):
    superuser_client.post(admin_url(charlie, "delete"), {"post": "yes"})
    assert not User.objects.filter(pk=charlie.pk).exists()
