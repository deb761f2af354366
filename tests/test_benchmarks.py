"""The benchmark's data set builder keeps working: a tiny data set, built as the full one is."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import dataset  # noqa: E402
import serve  # noqa: E402

from assessments import search  # noqa: E402
from assessments.models import Addressee, Country, Outlook, Revision, Source  # noqa: E402


@pytest.mark.django_db
def test_the_builder_makes_published_editions_of_the_given_scale():
    scale = dataset.Scale(regions=2, editions_per_region=3, countries=3)
    dataset.build(scale, processes=1, world=4)

    editions = Outlook.objects.published()
    world = editions.get(region__name=dataset.WORLD_REGION)
    assert editions.exclude(pk=world.pk).count() == scale.editions == 6
    assert world.assessments.count() == 4
    published = Revision.objects.published().exclude(assessment__outlook=world)
    assert published.count() == scale.entries == 18
    # Each region its own countries, each with one rating per edition.
    countries = Country.objects.filter(assessments__revisions__in=published).distinct()
    assert countries.count() == scale.regions * scale.countries
    # Entries of a real one's size, citing the shared addressees and the sources made.
    revision = published.with_content().first()
    findings = list(revision.findings.all())
    assert len(findings) == 3
    assert all(len(f.text.split()) >= 150 for f in findings)
    assert revision.recommendations.count() == 4
    assert 2 <= len({r.addressee_id for r in revision.recommendations.all()}) <= 3
    assert revision.footnotes.count() == 5
    assert Addressee.objects.filter(name__in=dataset.ADDRESSEES).count() == len(dataset.ADDRESSEES)
    assert Source.objects.exclude(document_symbol="").exists()
    assert Source.objects.exclude(url="").exists()
    # The words the benchmark searches for: one common, one rare (the 8th entry has it).
    assert search.search(dataset.COMMON_WORD)
    assert search.search(dataset.RARE_WORD)


def test_the_period_of_an_edition_runs_monthly_across_years():
    assert [dataset.month(i).isoformat() for i in (0, 11, 12, 239)] == [
        "2006-01-01",
        "2006-12-01",
        "2007-01-01",
        "2025-12-01",
    ]


def test_a_conditional_get_sends_the_validator_the_first_answer_gave():
    etag = serve.Probe(200, 10, 0.1, {"ETag": '"abc"', "Last-Modified": "x"})
    dated = serve.Probe(200, 10, 0.1, {"Last-Modified": "Sat, 28 Nov 2026 10:00:00 GMT"})
    assert serve.conditional_headers(etag) == {"If-None-Match": '"abc"'}
    assert serve.conditional_headers(dated) == {
        "If-Modified-Since": "Sat, 28 Nov 2026 10:00:00 GMT"
    }
    assert serve.conditional_headers(serve.Probe(200, 10, 0.1, {})) is None
