"""Citations of editions and entries (assessments.citing)."""

from datetime import date

import pytest

from assessments.citing import edition_citation, entry_citation
from assessments.models import Revision
from tests.builders import make_dated_edition, make_outlook, publish_correction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def publisher(settings):
    settings.SITE_URL = "https://outlooks.example.org"
    settings.OUTLOOK_PUBLISHER = {**settings.OUTLOOK_PUBLISHER, "name": "Centre for Outlooks."}


def test_an_undated_archive_is_cited_by_its_title_and_period_alone():
    outlook = make_outlook(period=date(2023, 11, 1), published=True)
    assert edition_citation(outlook) == (
        "Centre for Outlooks. Asia Pacific Regional Outlook November 2023. "
        "https://outlooks.example.org/outlooks/asia-pacific-2023-11/"
    )


def test_a_correction_is_cited_by_its_version_and_its_own_date():
    outlook = make_dated_edition(["KP"], published_on=date(2024, 5, 20))
    assessment = outlook.assessments.get()
    first = Revision.objects.get(assessment=assessment)
    correction = publish_correction(assessment, note="A figure corrected.")
    correction.refresh_from_db()
    assert entry_citation(first) == (
        "Centre for Outlooks. “Democratic People's Republic of Korea.” In Asia Pacific "
        "Regional Outlook May 2024, version 1. Published 20 May 2024. "
        "https://outlooks.example.org/outlooks/asia-pacific-2024-05/kp/v1/"
    )
    day = correction.published_on
    assert entry_citation(correction).endswith(
        f"version 2. Published {day.day} {day:%B %Y}. "
        "https://outlooks.example.org/outlooks/asia-pacific-2024-05/kp/v2/"
    )


def test_a_demo_edition_is_cited_as_fictional():
    outlook = make_outlook(region="Demo Asia Pacific", published=True)
    outlook.region.is_demo = True
    outlook.region.save()
    assert edition_citation(outlook).startswith(
        "Demo data, fictional: Centre for Outlooks. Demo Asia Pacific Regional Outlook"
    )
