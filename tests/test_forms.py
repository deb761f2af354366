"""Editor forms: what they refuse themselves, and the checks' results they show at the
fields those are about."""

from datetime import date

import pytest

from assessments.checks import CheckContext
from assessments.forms import EditionForm, EntryForms, FootnoteForm, RecommendationForm
from assessments.models import Addressee, Region

from .builders import entry_data, level

pytestmark = pytest.mark.django_db


def entry_forms(revision, **overrides):
    context = CheckContext.for_assessment(revision.assessment)
    return EntryForms(revision, entry_data(revision, **overrides), context=context)


@pytest.mark.parametrize("typed", ["2024-05", " 2024-5 "])
def test_the_edition_month_is_typed_as_year_and_month(typed):
    form = EditionForm({"region": Region.objects.get().pk, "period": typed, "title": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period"] == date(2024, 5, 1)


@pytest.mark.parametrize("typed", ["May 2024", "2024-13", "1899-01", "24-05"])
def test_anything_else_is_not_a_month(typed):
    form = EditionForm({"region": Region.objects.get().pk, "period": typed})
    assert form.errors["period"] == ["Give the month as YYYY-MM, e.g. 2024-05."]


def test_an_edition_title_is_one_line():
    form = EditionForm(
        {"region": Region.objects.get().pk, "period": "2024-05", "title": "Asia\n Outlook"}
    )
    assert form.is_valid() and form.cleaned_data["title"] == "Asia Outlook"


def test_an_addressee_is_read_without_should_and_as_the_library_spells_it():
    Addressee.objects.create(name="The UN Security Council")
    form = RecommendationForm({"addressee": "the UN  security council should:", "text": "Act."})
    assert form.is_valid() and form.cleaned_data["addressee"] == "The UN Security Council"


def test_a_footnote_needs_a_source():
    form = FootnoteForm({"number": 1, "pinpoint": "para. 3"})
    assert not form.is_valid()
    assert "Pick a source from the library" in str(form.non_field_errors())


def test_the_rationale_field_says_what_the_previous_edition_rated(copied_draft):
    forms = entry_forms(copied_draft)
    help_text = forms.rating.fields["rationale"].help_text
    assert help_text.startswith("The previous edition rated it Very high/Ongoing.")


def test_a_change_of_rating_without_rationale_is_shown_at_the_rationale(copied_draft):
    forms = entry_forms(copied_draft, risk_level=level("Low").pk, rationale="")
    assert not forms.is_valid()
    (error,) = forms.rating.errors["rationale"]
    assert "changes from Very high/Ongoing in the previous edition to Low/Ongoing" in error


def test_a_call_of_a_missing_footnote_is_shown_at_its_row(copied_draft):
    recommendations = [
        {"addressee": "The UN Security Council", "text": "Act."},
        {"addressee": "UN Member States", "text": "Report."},
        {"addressee": "UN Member States", "text": "Fund it.[^8]"},
    ]
    forms = entry_forms(
        copied_draft,
        finding=[{"text": "Grave.[^1]"}, {"text": "Open.[^7]"}],
        recommendation=recommendations,
    )
    assert not forms.is_valid()
    first, second = forms.findings.forms
    assert not first.errors
    assert second.errors["text"][0].startswith("Footnote 7 is cited here but does not exist")
    rows = forms.recommendations.forms
    assert [bool(row.errors) for row in rows] == [False, False, True]


def test_duplicate_footnote_numbers_are_an_error_of_the_whole_form(copied_draft):
    note = copied_draft.footnotes.first()
    footnotes = [{"number": 1, "source": note.source_id}, {"number": 1, "source": note.source_id}]
    forms = entry_forms(copied_draft, footnote=footnotes, finding=[{"text": "Grave.[^1]"}])
    assert not forms.is_valid()
    assert any("Two footnotes are numbered 1." in error for error in forms.non_field_errors())


def test_other_results_of_the_checks_do_not_stop_a_save(copied_draft):
    forms = entry_forms(copied_draft)  # the sample's malformed "200,0000" is in it
    assert forms.is_valid(), forms.non_field_errors()


def test_the_live_checks_get_the_content_even_when_a_save_would_be_refused(copied_draft):
    forms = entry_forms(copied_draft, finding=[{"text": "Open.[^7]"}])
    assert forms.checkable_content().findings == ["Open.[^7]"]
    assert entry_forms(copied_draft, risk_level="").checkable_content() is None


def test_a_correction_needs_its_public_note(published_sample, alice):
    from assessments import workflow

    correction = workflow.start_correction(published_sample.assessments.get(), user=alice)
    forms = entry_forms(correction, correction_note="")
    assert not forms.is_valid()
    assert "correction_note" in forms.rating.errors


def test_a_draft_of_a_new_edition_has_no_correction_note(copied_draft):
    assert "correction_note" not in entry_forms(copied_draft).rating.fields
