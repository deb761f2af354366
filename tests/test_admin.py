"""The Django admin is usable by a superuser for every model."""

import pytest
from django.contrib import admin
from django.urls import reverse

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
