"""Editor forms: what they refuse themselves, and the checks' results they show at the
fields those are about."""

import uuid
from datetime import date

import pytest

from assessments.checks import CheckContext
from assessments.content import DroppedDraft
from assessments.forms import (
    AcknowledgeForm,
    EditionForm,
    EntryForms,
    FootnoteForm,
    RecommendationForm,
    ReviewForm,
)
from assessments.models import Addressee, DropReason, Implementation, Region

from .builders import entry_data, give_reason, level, remove_recommendation

pytestmark = pytest.mark.django_db


def entry_forms(revision, **overrides):
    return forms_for(revision, entry_data(revision, **overrides))


def forms_for(revision, data):
    return EntryForms(revision, data, context=CheckContext.for_assessment(revision.assessment))


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


# --- Characters and lengths: every field a user types into ----------------------------

# Control characters a keyboard, a paste or a script can put in a field. Those that
# Python counts as white space (\x0b, \x1c, \x85) must not slip through as spaces.
CONTROL_CHARACTERS = ["\x00", "\x01", "\x0b", "\x1b", "\x1c", "\x7f", "\x85"]


def entry_field(revision, name, value):
    """entry_data with `value` in the field `name`: rating fields, or the first row's."""
    rows = {
        "finding": {"text": "Grave.[^1]"},
        "recommendation": {"addressee": "UN Member States", "text": "Act."},
        "footnote": {"number": 1, "source": revision.footnotes.first().source_id},
    }
    prefix, _, field = name.partition("-")
    if prefix in rows:
        row = rows[prefix] | {field: value}
        if field.startswith("new_"):
            row.pop("source")
            row.setdefault("new_title", "A report")
        return {prefix: [row]}
    return {name: value}


ENTRY_TEXT_FIELDS = [
    "rationale",
    "correction_note",
    "finding-text",
    "recommendation-addressee",
    "recommendation-text",
    "footnote-pinpoint",
    "footnote-new_title",
    "footnote-new_issuer",
    "footnote-new_symbol",
    "footnote-new_url",
]


def entry_field_errors(forms, name):
    prefix, _, field = name.partition("-")
    if not field:
        return forms.rating.errors.get(prefix, [])
    formset = {"finding": forms.findings, "recommendation": forms.recommendations}.get(
        prefix, forms.footnotes
    )
    return formset.forms[0].errors.get(field, [])


@pytest.fixture
def correction(published_sample, alice):
    """A correction draft: the only kind of draft whose form has a correction note."""
    from assessments import workflow

    return workflow.start_correction(published_sample.assessments.get(), user=alice)


@pytest.mark.parametrize("name", ENTRY_TEXT_FIELDS)
def test_a_control_character_in_any_entry_field_is_refused_at_that_field(correction, name):
    for character in CONTROL_CHARACTERS:
        value = f"https://example.org/a{character}b" if name.endswith("url") else f"A{character}b"
        overrides = entry_field(correction, name, value)
        if name != "correction_note":
            overrides["correction_note"] = "Corrected."
        forms = entry_forms(correction, **overrides)
        assert not forms.is_valid()
        errors = entry_field_errors(forms, name)
        code = f"U+{ord(character):04X}"
        assert any(f"unprintable character {code}" in error for error in errors), errors


ONE_MEGABYTE = "x" * 1_000_000


@pytest.mark.parametrize(
    "name, limit",
    [
        ("rationale", 5_000),
        ("correction_note", 5_000),
        ("finding-text", 20_000),
        ("recommendation-text", 20_000),
        ("footnote-new_title", 5_000),
    ],
)
def test_a_megabyte_in_an_entry_text_is_refused_at_that_field_with_the_limit(
    correction, name, limit
):
    overrides = entry_field(correction, name, ONE_MEGABYTE)
    if name != "correction_note":
        overrides["correction_note"] = "Corrected."
    forms = entry_forms(correction, **overrides)
    assert not forms.is_valid()
    (error,) = entry_field_errors(forms, name)
    assert f"at most {limit} characters (it has 1000000)" in error


def test_tab_and_line_breaks_stay_in_texts_and_fold_into_spaces_in_lines(copied_draft):
    forms = entry_forms(
        copied_draft,
        finding=[{"text": "Grave.[^1]\r\n\r\n\tIndented."}],
        recommendation=[{"addressee": "UN\tMember\r\nStates", "text": "Act."}],
    )
    assert forms.is_valid(), forms.non_field_errors()
    content = forms.content()
    assert content.findings == ["Grave.[^1]\r\n\r\n\tIndented."]
    typed = [(row.addressee, row.text) for row in content.recommendations]
    assert typed == [("UN Member States", "Act.")]


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=ascii)
@pytest.mark.parametrize("field", ["title", "introduction"])
def test_a_control_character_in_a_new_edition_is_refused(field, character):
    data = {"region": Region.objects.get().pk, "period": "2024-05", field: f"A{character}b"}
    form = EditionForm(data)
    assert not form.is_valid()
    assert f"U+{ord(character):04X}" in form.errors[field][0]


@pytest.mark.parametrize("value", ["A\x1bb", "x" * 20_001])
def test_a_review_comment_with_a_control_character_or_too_long_is_refused(value):
    form = ReviewForm({"comment": value})
    assert not form.is_valid()
    assert form.errors["comment"]


@pytest.mark.parametrize(
    "note, message",
    [
        ("Checked\x00.", "unprintable character U+0000 at character 8"),
        ("Checked\x1c.", "unprintable character U+001C at character 8"),
        ("x" * 5_001, "at most 5000 characters (it has 5001)"),
    ],
    ids=["nul", "separator", "too-long"],
)
def test_an_acknowledgement_note_with_a_control_character_or_too_long_is_refused(note, message):
    form = AcknowledgeForm({"key": "numbers.grouping:finding:1", "note": note})
    assert not form.is_valid()
    assert message in form.errors["note"][0]


def test_an_acknowledgement_keeps_a_note_of_several_lines():
    form = AcknowledgeForm({"key": "numbers.grouping:finding:1", "note": " Checked.\r\nStands. "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"key": "numbers.grouping:finding:1", "note": "Checked.\r\nStands."}


# --- Rows: as many as an entry needs, and all of them sent ------------------------------


@pytest.mark.parametrize(
    "prefix, limit", [("finding", 100), ("recommendation", 200), ("footnote", 200)]
)
def test_more_rows_than_an_entry_holds_are_refused_with_the_limit(copied_draft, prefix, limit):
    data = entry_data(copied_draft)
    data[f"{prefix}-TOTAL_FORMS"] = 1_000_000
    forms = EntryForms(
        copied_draft, data, context=CheckContext.for_assessment(copied_draft.assessment)
    )
    assert not forms.is_valid()
    formset = {"finding": forms.findings, "recommendation": forms.recommendations}.get(
        prefix, forms.footnotes
    )
    # Forms are built for the rows sent, whatever the post declares.
    assert len(formset.forms) == len(formset.rows_sent())
    assert any(f"at most {limit}" in error for error in forms.non_field_errors())


@pytest.mark.parametrize("prefix", ["finding", "recommendation", "footnote"])
@pytest.mark.parametrize("initial", [False, True], ids=["new-row", "initial-row"])
def test_a_row_the_post_declares_but_does_not_send_is_an_error(copied_draft, prefix, initial):
    data = entry_data(copied_draft)
    data[f"{prefix}-TOTAL_FORMS"] += 1
    if initial:
        data[f"{prefix}-INITIAL_FORMS"] += 1
    forms = EntryForms(
        copied_draft, data, context=CheckContext.for_assessment(copied_draft.assessment)
    )
    assert not forms.is_valid()
    assert forms.checkable_content() is None
    declared = data[f"{prefix}-TOTAL_FORMS"]
    message = f"The page declared {declared} {prefix}s but sent {declared - 1}"
    assert any(message in error for error in forms.non_field_errors())


# --- The previous edition's recommendations: dropped with a reason, assessed -----------


def dropping(revision, index=1, **reason):
    """The editor's post for `revision` with its recommendation `index` (a copy of the
    previous edition's) removed, and `reason` (give_reason's fields) if given."""
    lineage = revision.recommendations.all()[index].lineage
    data = remove_recommendation(entry_data(revision), lineage)
    if reason:
        give_reason(data, lineage, **reason)
    return forms_for(revision, data), lineage


def test_a_removed_recommendation_is_dropped_with_the_reason_given(copied_draft):
    forms, lineage = dropping(copied_draft, reason=DropReason.IMPLEMENTED, note="Done in 2024.")
    assert forms.is_valid(), forms.non_field_errors()
    content = forms.content()
    assert lineage not in [item.lineage for item in content.recommendations]
    assert content.dropped == [DroppedDraft(lineage, DropReason.IMPLEMENTED, None, "Done in 2024.")]


def test_a_removed_recommendation_may_be_saved_before_its_reason_is_given(copied_draft):
    forms, lineage = dropping(copied_draft)
    assert forms.is_valid(), forms.non_field_errors()
    assert forms.content().dropped == []
    assert [prior.lineage for _, prior, shown in forms.dropped_items() if shown] == [lineage]


def test_superseded_needs_the_recommendation_that_replaces_it(copied_draft):
    forms, _ = dropping(copied_draft, reason=DropReason.SUPERSEDED)
    assert not forms.is_valid()
    (form,) = [form for form, _, shown in forms.dropped_items() if shown]
    assert "Pick the recommendation that replaces it" in form.errors["superseded_by"][0]
    assert "save the draft first" in form.errors["superseded_by"][0]


def test_superseded_names_a_recommendation_the_draft_keeps(copied_draft):
    successor = copied_draft.recommendations.all()[0].lineage
    forms, lineage = dropping(copied_draft, reason=DropReason.SUPERSEDED, superseded_by=successor)
    assert forms.is_valid(), forms.non_field_errors()
    assert forms.content().dropped == [DroppedDraft(lineage, DropReason.SUPERSEDED, successor, "")]
    # The one removed cannot replace itself: the page does not offer it.
    forms, lineage = dropping(copied_draft, reason=DropReason.SUPERSEDED, superseded_by=lineage)
    assert not forms.is_valid()
    (form,) = [form for form, _, shown in forms.dropped_items() if shown]
    assert form.errors["superseded_by"] == [
        "That recommendation is no longer in the draft: pick another."
    ]


def test_other_needs_a_note(copied_draft):
    forms, _ = dropping(copied_draft, reason=DropReason.OTHER)
    assert not forms.is_valid()
    (form,) = [form for form, _, shown in forms.dropped_items() if shown]
    assert form.errors["note"] == ["Say why in a note: it is required when the reason is Other."]


def test_a_reason_for_a_recommendation_the_draft_makes_again_is_not_read(copied_draft):
    lineage = copied_draft.recommendations.all()[1].lineage
    data = give_reason(entry_data(copied_draft), lineage, DropReason.OTHER)  # no note
    forms = forms_for(copied_draft, data)
    assert forms.is_valid(), forms.non_field_errors()
    assert forms.content().dropped == []


@pytest.mark.parametrize(
    "forge, message",
    [
        (
            lambda data: data.update({"dropped-0-lineage": str(uuid.uuid4())}),
            "a recommendation the previous edition did not make",
        ),
        (
            lambda data: data.update({"dropped-0-lineage": "not-a-lineage"}),
            "a recommendation the previous edition did not make",
        ),
        (
            lambda data: data.update({"dropped-1-lineage": data["dropped-0-lineage"]}),
            "two reasons for one dropped recommendation",
        ),
        (
            lambda data: data.pop("dropped-TOTAL_FORMS"),
            "ManagementForm data is missing",
        ),
    ],
)
def test_a_forged_reason_is_refused_with_a_message(copied_draft, forge, message):
    data = entry_data(copied_draft)
    forge(data)
    forms = forms_for(copied_draft, data)
    assert not forms.is_valid()
    assert message in " ".join(forms.non_field_errors())


def test_a_reason_that_is_none_of_the_reasons_is_refused(copied_draft):
    forms, _ = dropping(copied_draft, reason="forgotten")
    assert not forms.is_valid()
    (form,) = [form for form, _, shown in forms.dropped_items() if shown]
    assert "Select a valid choice" in form.errors["reason"][0]


def assessing(revision, index=0, **fields):
    """The editor's post with recommendation `index` given `fields` (implementation, evidence)."""
    rows = entry_data(revision)
    for key, value in fields.items():
        rows[f"recommendation-{index}-{key}"] = value
    return forms_for(revision, rows)


def test_a_recommendation_made_before_is_assessed_with_a_footnote_as_evidence(copied_draft):
    forms = assessing(copied_draft, implementation=Implementation.PARTLY_IMPLEMENTED, evidence=2)
    assert forms.is_valid(), forms.non_field_errors()
    first = forms.content().recommendations[0]
    assert (first.implementation, first.evidence) == (Implementation.PARTLY_IMPLEMENTED, 2)


def test_evidence_must_be_a_footnote_of_the_draft(copied_draft):
    forms = assessing(copied_draft, implementation=Implementation.IMPLEMENTED, evidence=99)
    assert not forms.is_valid()
    row = forms.recommendations.forms[0]
    assert row.errors["evidence"] == [
        "This draft has no footnote 99: give the number of the footnote that shows it, or "
        "add that footnote."
    ]


def test_evidence_goes_with_an_implementation_assessment(copied_draft):
    forms = assessing(copied_draft, evidence=1)
    assert not forms.is_valid()
    assert "clear the footnote number" in forms.recommendations.forms[0].errors["evidence"][0]


def test_a_new_recommendation_is_not_assessed(copied_draft):
    data = entry_data(
        copied_draft,
        recommendation=[
            {"addressee": "UN Member States", "text": "Act.", "implementation": "implemented"}
        ],
    )
    forms = forms_for(copied_draft, data)
    assert not forms.is_valid()
    assert (
        "this one is new in this edition"
        in forms.recommendations.forms[0].errors["implementation"][0]
    )
