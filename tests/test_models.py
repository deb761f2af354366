"""The rules the database enforces itself, below any form or workflow function."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from assessments.models import (
    Addressee,
    Assessment,
    Country,
    Finding,
    Footnote,
    Outlook,
    Recommendation,
    Revision,
    RiskLevel,
    Source,
    find_country,
)

from .builders import add_assessment, make_outlook, make_revision

pytestmark = pytest.mark.django_db


def raises_integrity_error(function):
    with pytest.raises(IntegrityError), transaction.atomic():
        function()


def test_risk_framework_is_seeded_as_data():
    levels = list(RiskLevel.objects.values_list("name", "rank"))
    assert levels == [("Very low", 1), ("Low", 2), ("Moderate", 3), ("High", 4), ("Very high", 5)]
    assert all(level.colour.startswith("#") for level in RiskLevel.objects.all())


def test_countries_are_seeded_with_official_and_short_names():
    dprk = Country.objects.get(code="KP")
    assert dprk.official_name == "Democratic People's Republic of Korea"
    assert dprk.short_name == "DPRK"
    assert dprk.region.name == "Asia Pacific"
    countries = Country.objects.all()
    assert find_country(countries, "Democratic Peoples' Republic of Korea") == dprk
    assert find_country(countries, "North Korea") == dprk
    assert find_country(countries, "Atlantis") is None
    assert Country.objects.count() > 240


def assert_second_entry_refused(code, position):
    """Assert that an outlook with a DPRK entry at position 1 refuses `code` at `position`."""
    outlook = make_outlook()
    add_assessment(outlook, "KP")
    country = Country.objects.get(code=code)
    raises_integrity_error(
        lambda: Assessment.objects.create(outlook=outlook, country=country, position=position)
    )


def test_one_assessment_per_country_per_outlook():
    assert_second_entry_refused("KP", position=9)


def test_assessment_positions_are_unique_within_an_outlook():
    assert_second_entry_refused("MM", position=1)


def test_one_outlook_per_region_and_period():
    outlook = make_outlook()
    raises_integrity_error(
        lambda: Outlook.objects.create(
            region=outlook.region, period=outlook.period, title="Again", slug="again"
        )
    )


def test_footnote_numbers_are_unique_per_revision():
    revision = make_revision(add_assessment(make_outlook(), "KP", with_revision=False))
    source = Source.objects.create(title="Another")
    raises_integrity_error(
        lambda: Footnote.objects.create(revision=revision, number=1, source=source)
    )


def test_finding_and_recommendation_positions_are_unique_per_revision():
    revision = make_revision(add_assessment(make_outlook(), "KP", with_revision=False))
    raises_integrity_error(lambda: Finding.objects.create(revision=revision, position=1, text="x"))
    addressee = Addressee.objects.get(name="The UN Security Council")
    raises_integrity_error(
        lambda: Recommendation.objects.create(
            revision=revision, addressee=addressee, position=1, text="x"
        )
    )


def test_at_most_one_revision_in_progress_per_assessment():
    assessment = add_assessment(make_outlook(), "KP")
    raises_integrity_error(lambda: make_revision(assessment))


def test_a_published_revision_content_cannot_change():
    assessment = add_assessment(make_outlook(published=True), "KP", state=Revision.State.PUBLISHED)
    revision = assessment.published_revision
    revision.risk_level = RiskLevel.objects.get(name="Low")
    raises_integrity_error(lambda: revision.save())
    revision.refresh_from_db()
    revision.state = Revision.State.DRAFT
    raises_integrity_error(lambda: revision.save())


@pytest.mark.parametrize("state", [Revision.State.SUBMITTED, Revision.State.APPROVED])
def test_submitted_and_approved_revisions_are_immutable(state):
    revision = make_revision(add_assessment(make_outlook(), "KP", with_revision=False), state=state)
    raises_integrity_error(lambda: Finding.objects.create(revision=revision, position=5, text="x"))
    raises_integrity_error(lambda: revision.findings.update(text="changed"))
    raises_integrity_error(lambda: Revision.objects.filter(pk=revision.pk).update(rationale="x"))
    # The state itself may move on: that is what the workflow does.
    Revision.objects.filter(pk=revision.pk).update(state=Revision.State.APPROVED)


def test_a_published_revision_and_its_rows_cannot_be_deleted():
    assessment = add_assessment(make_outlook(published=True), "KP", state=Revision.State.PUBLISHED)
    revision = assessment.published_revision
    raises_integrity_error(lambda: revision.findings.all().delete())
    raises_integrity_error(lambda: Revision.objects.filter(pk=revision.pk).delete())


def test_a_draft_revision_is_freely_editable():
    revision = make_revision(add_assessment(make_outlook(), "KP", with_revision=False))
    revision.rationale = "New evidence."
    revision.save()
    revision.findings.update(text="Changed.")
    Finding.objects.create(revision=revision, position=2, text="Added.")
    revision.findings.filter(position=2).delete()
    assert revision.findings.get().text == "Changed."


def test_a_published_outlook_must_have_a_publication_date():
    raises_integrity_error(
        lambda: (
            make_outlook(period=date(2020, 1, 1), state="published", published_at=None)
            if False
            else Outlook.objects.create(
                region=make_outlook().region,
                period=date(2020, 1, 1),
                title="t",
                slug="t",
                state=Outlook.State.PUBLISHED,
            )
        )
    )


def test_period_label_and_slug():
    outlook = make_outlook(period=date(2023, 11, 1))
    assert outlook.period_label == "November 2023"
    assert outlook.full_title == "Asia Pacific Regional Outlook November 2023"
    assert Outlook.make_slug("Asia Pacific", date(2023, 11, 1)) == "asia-pacific-2023-11"


def test_previous_edition_is_the_latest_published_one_before():
    older = make_outlook(period=date(2023, 5, 1), published=True)
    make_outlook(period=date(2023, 8, 1))  # a draft never counts
    current = make_outlook(period=date(2023, 11, 1))
    assert current.previous_edition() == older
    assert older.previous_edition() is None


def test_a_source_links_only_to_the_web():
    assert Source(url="javascript:alert(1)").link == ""
    assert Source(url="https://example.org/r").link == "https://example.org/r"
    assert Source(document_symbol="A/HRC/46/52").link == "https://docs.un.org/en/A/HRC/46/52"


def test_addressees_get_distinct_slugs_whatever_their_script():
    names = ["Правительство КНДР", "日本政府", "UN Member States", "UN Member-States."]
    slugs = [Addressee.objects.create(name=name).slug for name in names]
    assert slugs == ["addressee", "addressee-2", "un-member-states", "un-member-states-2"]


@pytest.mark.django_db
def test_a_country_s_normalised_names_follow_a_change_of_its_names():
    # Kept on the instance for the importer's checks, never past a change of name.
    country = Country.objects.get(code="VN")
    assert "viet nam" in country.normalized_names()
    assert "annam" not in country.normalized_names()
    country.aliases = [*country.aliases, "Annam"]
    assert "annam" in country.normalized_names()
    country.short_name = "Vietnam Republic"
    assert "vietnam republic" in country.normalized_names()
