"""What the public sees of an edition: live revisions, corrections, changes of rating."""

from datetime import date

import pytest

from assessments.editions import (
    LOWERED,
    NEW,
    RAISED,
    UNCHANGED,
    edition_revisions,
    rating_changes,
    running_header,
)
from assessments.models import Country, Revision

from .builders import add_assessment, make_outlook, make_revision

pytestmark = pytest.mark.django_db

State = Revision.State


def test_the_live_revision_is_the_published_one_the_entry_points_to():
    outlook = make_outlook(published=True)
    assessment = add_assessment(outlook, "KP", state=State.PUBLISHED)
    first = assessment.published_revision
    correction = make_revision(assessment, findings=("Corrected.",), state=State.PUBLISHED)
    make_revision(assessment, findings=("A draft of the next correction.",))
    assert list(Revision.objects.live()) == [correction]
    # Both published versions stay published (readable at their own URL).
    assert set(Revision.objects.published()) == {first, correction}


def test_nothing_of_a_draft_edition_is_live_or_published():
    outlook = make_outlook()
    add_assessment(outlook, "KP", state=State.PUBLISHED)
    assert not Revision.objects.live().exists()
    assert not Revision.objects.published().exists()


def test_edition_revisions_follow_the_editions_order_and_flag_corrections():
    outlook = make_outlook(published=True)
    for code in ("MM", "KP", "AF"):
        add_assessment(outlook, code, state=State.PUBLISHED)
    corrected = outlook.assessments.get(country__code="KP")
    make_revision(corrected, findings=("Corrected.",), state=State.PUBLISHED)
    revisions = list(edition_revisions(outlook))
    assert [r.assessment.country.code.code for r in revisions] == ["MM", "KP", "AF"]
    assert [r.is_correction for r in revisions] == [False, True, False]


def test_rating_changes_since_the_previous_published_edition():
    before = make_outlook(period=date(2024, 1, 1), published=True)
    for code, risk in (("KP", "High"), ("MM", "High"), ("AF", "Moderate")):
        add_assessment(before, code, risk=risk, state=State.PUBLISHED)
    make_outlook(period=date(2024, 3, 1))  # a draft in between is no previous edition
    now = make_outlook(period=date(2024, 5, 1), published=True)
    for code, risk in (("KP", "Very high"), ("MM", "Moderate"), ("AF", "Moderate"), ("JP", "Low")):
        add_assessment(now, code, risk=risk, state=State.PUBLISHED)
    changes = rating_changes(now, edition_revisions(now))
    by_code = {
        Country.objects.get(pk=country_id).code.code: change
        for country_id, change in changes.items()
    }
    assert {code: change.change for code, change in by_code.items()} == {
        "KP": RAISED,
        "MM": LOWERED,
        "AF": UNCHANGED,
        "JP": NEW,
    }
    assert by_code["KP"].previous == "High/Ongoing"
    assert by_code["KP"].label == "Raised"


def test_a_first_edition_has_no_changes():
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", state=State.PUBLISHED)
    assert rating_changes(outlook, edition_revisions(outlook)) is None


def test_running_header_is_the_short_name_then_the_full_title(published_sample):
    country = Country.objects.get(code="KP")
    # Without the invisible isolates around the stored names (test_public_output).
    assert running_header(published_sample, country).replace("\u2068", "").replace(
        "\u2069", ""
    ) == ("DPRK Asia Pacific Regional Outlook November 2023")
