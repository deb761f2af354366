"""Drafts, reviews and unpublished editions never reach a reader: not on a page, in the
feed, in search, in the open data or in a PDF (seeded with a marker, then looked for)."""

import subprocess
from datetime import date

import pytest

from assessments.models import Review, Revision
from assessments.sitemaps import SITEMAPS
from tests.builders import add_assessment, make_outlook, make_revision
from tests.html import parse

pytestmark = pytest.mark.django_db

MARKER = "zanzibarquux"


@pytest.fixture
def seeded(published_sample, bob):
    outlook = published_sample
    # A draft correction of a published entry.
    make_revision(
        outlook.assessments.get(),
        findings=(f"Draft finding {MARKER}.",),
        recommendations=((f"Addressee {MARKER}", f"Do {MARKER}."),),
        footnotes=((f"Source {MARKER}", ""),),
    )
    # A submitted revision, with a review comment, in the same published edition.
    assessment = add_assessment(outlook, "MM", with_revision=False)
    submitted = make_revision(
        assessment, findings=(f"Submitted {MARKER}.",), state=Revision.State.SUBMITTED
    )
    Review.objects.create(
        revision=submitted, reviewer=bob, decision="request_changes", comment=f"Fix {MARKER}"
    )
    # An unpublished edition, even one holding a revision marked published.
    draft_edition = make_outlook(period=date(2024, 5, 1), introduction=f"Introduction {MARKER}")
    add_assessment(draft_edition, "JP", findings=(f"Edition {MARKER}.",))
    add_assessment(
        draft_edition, "TH", findings=(f"Edition {MARKER}.",), state=Revision.State.PUBLISHED
    )
    return outlook, draft_edition


def public_urls(outlook, draft_edition):
    return [
        "/",
        "/outlooks/",
        "/outlooks/?region=asia-pacific",
        f"/outlooks/{outlook.slug}/",
        f"/outlooks/{outlook.slug}/kp/v1/",
        f"/outlooks/{outlook.slug}.json",
        "/countries/",
        "/countries/kp/",
        "/recommendations/",
        "/recommendations/the-un-security-council/",
        f"/search/?q={MARKER}",
        "/search/?q=draft",
        "/search/?q=edition",
        "/feed/",
        "/feed/regions/asia-pacific/",
        "/countries/kp/feed/",
        "/sitemap.xml",
        *(f"/sitemap-{section}.xml" for section in SITEMAPS),
        "/data/",
        "/data/ratings.csv",
    ]


def test_marker_never_appears_publicly(client, seeded):
    outlook, draft_edition = seeded
    assert_marker_not_public(client, public_urls(outlook, draft_edition))
    assert "Myanmar" not in client.get("/countries/").content.decode()


def assert_marker_not_public(client, urls):
    """Each public address answers, without the marker (a search for it finds nothing)."""
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode()
        if url.startswith(f"/search/?q={MARKER}"):
            # The page repeats the query itself; the results must hold nothing.
            results = parse(body).find("ol", cls="search-results")
            assert "0 results" in body and MARKER not in results.text
            continue
        assert MARKER not in body, url


def test_unpublished_things_are_not_found_by_url(client, seeded):
    outlook, draft_edition = seeded
    for url in (
        f"/outlooks/{draft_edition.slug}/",
        f"/outlooks/{draft_edition.slug}.pdf",
        f"/outlooks/{draft_edition.slug}.json",
        f"/outlooks/{draft_edition.slug}/th/v1/",
        f"/outlooks/{draft_edition.slug}/th.pdf",
        f"/outlooks/{outlook.slug}/kp/v2/",
        f"/outlooks/{outlook.slug}/mm/v1/",
        f"/outlooks/{outlook.slug}/mm.pdf",
        "/countries/mm/",
        "/countries/jp/",
        "/countries/th/",
        f"/recommendations/addressee-{MARKER}/",
    ):
        assert client.get(url).status_code == 404, url


def test_marker_never_appears_in_the_pdfs(client, seeded, tmp_path):
    outlook, _ = seeded
    for url in (f"/outlooks/{outlook.slug}.pdf", f"/outlooks/{outlook.slug}/kp.pdf"):
        path = tmp_path / "out.pdf"
        path.write_bytes(b"".join(client.get(url).streaming_content))
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Democratic People's Republic of Korea" in text
        assert MARKER not in text, url
        assert "Myanmar" not in text, url
