"""Published revisions' Markdown rendered once, at publication (assessments.rendered_text),
and the public pages reading it: the same HTML byte for byte, no query more."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import rendered_text, workflow
from assessments.caching import bump_generation
from assessments.markdown import RENDERER_VERSION, render_markdown
from assessments.models import RenderedText, Revision
from tests.builders import add_assessment, make_published_edition
from tests.test_workflow import approve_all, approved_correction
from tests.worker import run_jobs

pytestmark = pytest.mark.django_db


def page_of(client, outlook):
    response = client.get(f"/outlooks/{outlook.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_publication_stores_each_revisions_html(client, edition, erin, alice, bob):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    run_jobs()
    revision = Revision.objects.live().get(assessment__outlook=edition)
    stored = RenderedText.objects.get(revision=revision)
    assert stored.renderer_version == RENDERER_VERSION
    assert stored.anchor == "kp-"
    findings = list(revision.findings.all())
    assert set(stored.findings) == {str(finding.position) for finding in findings}
    assert stored.findings[str(findings[0].position)] == str(
        render_markdown(findings[0].text, anchor="kp-")
    )
    items = list(revision.recommendations.all())
    assert stored.recommendations[str(items[0].position)] == str(
        render_markdown(items[0].text, anchor="kp-", inline=True)
    )


def test_a_correction_stores_its_html(client, edition, erin, alice, bob):
    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    workflow.publish_correction(correction, user=erin)
    run_jobs()
    assert RenderedText.objects.filter(revision=correction).exists()


def test_pages_read_the_stored_html(client, db):
    outlook = make_published_edition(1)
    revision = Revision.objects.live().get(assessment__outlook=outlook)
    rendered_text.store([revision])
    stored = RenderedText.objects.get(revision=revision)
    stored.findings = {key: "<p>From the table.</p>" for key in stored.findings}
    stored.save()
    bump_generation()
    assert "<p>From the table.</p>" in page_of(client, outlook)


def test_stored_and_rendered_pages_are_the_same(client, published_sample):
    # The sample's archive import stored its HTML; without it, the page renders the text.
    assert RenderedText.objects.exists()
    stored = page_of(client, published_sample)
    RenderedText.objects.all().delete()
    bump_generation()
    assert page_of(client, published_sample) == stored


def test_html_of_another_renderer_version_is_not_used(client, db):
    outlook = make_published_edition(1)
    revision = Revision.objects.live().get(assessment__outlook=outlook)
    rendered_text.store([revision])
    RenderedText.objects.update(
        renderer_version=RENDERER_VERSION + 1, findings={"1": "<p>Old renderer.</p>"}
    )
    bump_generation()
    assert "Old renderer." not in page_of(client, outlook)
    assert rendered_text.fill_missing() == 1
    assert RenderedText.objects.get().renderer_version == RENDERER_VERSION
    assert rendered_text.fill_missing() == 0


def test_edition_page_queries_do_not_grow_with_stored_countries(client, db):
    outlook = make_published_edition(1)
    rendered_text.fill_missing()
    with CaptureQueriesContext(connection) as one:
        page_of(client, outlook)
    for code in ["AU", "BD", "BT", "BN", "KH", "CN"]:
        add_assessment(outlook, code, state=Revision.State.PUBLISHED)
    # Published as the workflow publishes (tests/builders.py): rendered then, not now.
    assert rendered_text.fill_missing() == 0
    assert RenderedText.objects.filter(revision__assessment__outlook=outlook).count() == 7
    with CaptureQueriesContext(connection) as seven:
        page = page_of(client, outlook)
    assert page.count('class="entry"') == 7
    assert len(seven) == len(one)
