"""Editor forms. They validate and turn what was typed into domain terms; the
workflow functions do the rest.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from .content import DraftContent, FootnoteDraft, NewSource
from .markdown import footnote_calls
from .models import Addressee, Country, Region, RiskLevel, RiskStatus, Source
from .text_format import parse_period


def _textarea(rows):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class RatingForm(forms.Form):
    """The entry's rating, and the notes that go with a change of it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    risk_level = forms.ModelChoiceField(RiskLevel.objects.all(), empty_label=None)
    risk_status = forms.ModelChoiceField(RiskStatus.objects.all(), empty_label=None)
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the rating differs from the previous edition. Required when it does.",
    )
    correction_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown publicly with the corrected entry, with its date.",
    )

    def __init__(self, *args, previous=None, correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous
        self.correction = correction
        if correction:
            self.fields["correction_note"].required = True
        else:
            del self.fields["correction_note"]
        if previous:
            self.fields["rationale"].help_text = (
                f"The previous edition rated it {previous.rating_label}. "
                "Say why, if the rating differs."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        level, status = data.get("risk_level"), data.get("risk_status")
        previous = self.previous
        if (
            previous
            and level
            and status
            and (level.pk, status.pk) != (previous.risk_level_id, previous.risk_status_id)
            and not data.get("rationale", "").strip()
        ):
            self.add_error(
                "rationale",
                f"The rating changed from {previous.rating_label} to {level}/{status}: "
                "give the rationale.",
            )
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows that can be added, removed and reordered in the browser."""

    ordering_widget = forms.HiddenInput

    def rows(self):
        """The kept rows' cleaned data, in the order the user set."""
        return [form.cleaned_data for form in self.ordered_forms]


class FindingForm(forms.Form):
    text = forms.CharField(
        widget=_textarea(4),
        label="Finding",
        help_text="Markdown; cite a footnote as [^1].",
    )


class RecommendationForm(forms.Form):
    addressee = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"list": "addressees", "class": "form-control"}),
        help_text="Pick from the list or type a new addressee.",
    )
    text = forms.CharField(widget=_textarea(2), label="Recommendation")

    def clean_addressee(self):
        name = " ".join(self.cleaned_data["addressee"].split())
        if name.endswith(" should:") or name.endswith(" should"):
            name = name.rsplit(" should", 1)[0]
        existing = Addressee.objects.filter(name__iexact=name).first()
        return existing.name if existing else name


class FootnoteForm(forms.Form):
    number = forms.IntegerField(min_value=1, max_value=999)
    source = forms.ModelChoiceField(
        Source.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That source is not in the library: search for it again, "
            "or add it as a new source."
        },
    )
    pinpoint = forms.CharField(max_length=200, required=False)
    new_title = forms.CharField(required=False, label="Title", widget=_textarea(2))
    new_issuer = forms.CharField(max_length=200, required=False, label="Issuer")
    new_symbol = forms.CharField(max_length=100, required=False, label="UN document symbol")
    new_date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    new_url = forms.URLField(max_length=500, required=False, label="URL", assume_scheme="https")

    def clean(self):
        data = super().clean()
        chosen = data.get("source") or data.get("new_title") or data.get("new_url")
        if not chosen and not self.errors:
            raise ValidationError(
                "Pick a source from the library, or give a new source's title or URL."
            )
        return data

    def source_value(self):
        data = self.cleaned_data
        if data.get("source"):
            return data["source"]
        return NewSource(
            title=data.get("new_title", "").strip(),
            issuer=data.get("new_issuer", "").strip(),
            document_symbol=data.get("new_symbol", "").strip(),
            date=data.get("new_date"),
            url=data.get("new_url", ""),
        )

    def chosen_source(self):
        """The library source this row points to, for showing its title."""
        if self.is_bound:
            value = self["source"].value()
            if value:
                return Source.objects.filter(pk=value).first() if str(value).isdigit() else None
            return None
        return self.initial.get("source")


class FootnoteFormSet(RowFormSet):
    def clean(self):
        if any(self.errors):
            return
        numbers = [f.cleaned_data["number"] for f in self.forms if f not in self.deleted_forms]
        duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
        if duplicates:
            raise ValidationError(
                "Footnote numbers must be unique: "
                + ", ".join(str(n) for n in duplicates)
                + " appear more than once."
            )


FindingFormSet = forms.formset_factory(
    FindingForm, formset=RowFormSet, extra=0, can_delete=True, can_order=True
)
RecommendationFormSet = forms.formset_factory(
    RecommendationForm, formset=RowFormSet, extra=0, can_delete=True, can_order=True
)
FootnoteFormSet = forms.formset_factory(
    FootnoteForm, formset=FootnoteFormSet, extra=0, can_delete=True, can_order=True
)


class EntryForms:
    """The assessment editor's forms together: rating, findings, recommendations, footnotes."""

    def __init__(self, revision, data=None, *, previous=None):
        self.revision = revision
        correction = revision.in_published_edition
        if data is None:
            initial = self.initial(revision)
            self.rating = RatingForm(
                initial=initial["rating"], previous=previous, correction=correction
            )
            self.findings = FindingFormSet(initial=initial["findings"], prefix="finding")
            self.recommendations = RecommendationFormSet(
                initial=initial["recommendations"], prefix="recommendation"
            )
            self.footnotes = FootnoteFormSet(initial=initial["footnotes"], prefix="footnote")
        else:
            self.rating = RatingForm(data, previous=previous, correction=correction)
            self.findings = FindingFormSet(data, prefix="finding")
            self.recommendations = RecommendationFormSet(data, prefix="recommendation")
            self.footnotes = FootnoteFormSet(data, prefix="footnote")

    @staticmethod
    def initial(revision):
        return {
            "rating": {
                "version": revision.version,
                "risk_level": revision.risk_level_id,
                "risk_status": revision.risk_status_id,
                "rationale": revision.rationale,
                "correction_note": revision.correction_note,
            },
            "findings": [
                {"text": f.text, "ORDER": i} for i, f in enumerate(revision.findings.all(), 1)
            ],
            "recommendations": [
                {"addressee": r.addressee.name, "text": r.text, "ORDER": i}
                for i, r in enumerate(revision.recommendations.all(), 1)
            ],
            "footnotes": [
                {"number": n.number, "source": n.source, "pinpoint": n.pinpoint, "ORDER": i}
                for i, n in enumerate(revision.footnotes.all(), 1)
            ],
        }

    def all(self):
        return [self.rating, self.findings, self.recommendations, self.footnotes]

    def is_valid(self):
        valid = all([form.is_valid() for form in self.all()])
        return self._check_footnote_calls() and valid

    def _check_footnote_calls(self):
        """Every footnote a text cites must be in the footnote list."""
        if not self.footnotes.is_valid():
            return True  # its own errors say what to fix first
        numbers = {f.cleaned_data["number"] for f in self.footnotes.ordered_forms}
        ok = True
        for formset in (self.findings, self.recommendations):
            for form in formset.forms:
                if not form.is_valid() or form in formset.deleted_forms:
                    continue
                missing = [n for n in footnote_calls(form.cleaned_data["text"]) if n not in numbers]
                if missing:
                    form.add_error(
                        "text",
                        "Cites footnote "
                        + ", ".join(f"[^{n}]" for n in dict.fromkeys(missing))
                        + ", which is not in the footnotes below.",
                    )
                    ok = False
        return ok

    def checkable_content(self):
        """The content as typed, for the live checks; None while a field is invalid.

        Unlike is_valid(), a citation of a missing footnote does not stop the
        checks: reporting it is one of their jobs.
        """
        if not all([form.is_valid() for form in self.all()]):
            return None
        return self.content()

    def non_field_errors(self):
        errors = list(self.rating.non_field_errors())
        if self.rating.is_bound and "version" in self.rating.errors:
            errors.append("The page lost track of which version you edited: reload it and retry.")
        for formset in self.all()[1:]:
            errors.extend(formset.non_form_errors())
        return errors

    @property
    def version(self):
        return self.rating.cleaned_data["version"]

    def content(self):
        rating = self.rating.cleaned_data
        return DraftContent(
            risk_level=rating["risk_level"],
            risk_status=rating["risk_status"],
            rationale=rating["rationale"].strip(),
            correction_note=rating.get("correction_note", "").strip(),
            findings=[row["text"].strip() for row in self.findings.rows()],
            recommendations=[
                (row["addressee"], row["text"].strip()) for row in self.recommendations.rows()
            ],
            footnotes=sorted(
                (
                    FootnoteDraft(
                        number=form.cleaned_data["number"],
                        source=form.source_value(),
                        pinpoint=form.cleaned_data["pinpoint"].strip(),
                    )
                    for form in self.footnotes.ordered_forms
                ),
                key=lambda note: note.number,
            ),
        )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when you request changes; the analysts see it on their draft.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_period(value, month_names=False)
        except ValueError as error:
            raise ValidationError("Give the month as YYYY-MM, e.g. 2024-05.") from error


class EditionForm(forms.Form):
    region = forms.ModelChoiceField(Region.objects.all())
    period = MonthField(help_text="The edition's month, e.g. 2024-05.")
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Default: the region's name and “Regional Outlook”.",
    )
    introduction = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_title(self):
        # A title is one line: it heads pages, PDFs and email subjects.
        return " ".join(self.cleaned_data["title"].split())


class AddCountryForm(forms.Form):
    country = forms.ModelChoiceField(Country.objects.none())

    def __init__(self, *args, outlook, **kwargs):
        super().__init__(*args, **kwargs)
        present = outlook.assessments.values("country_id")
        self.fields["country"].queryset = Country.objects.exclude(pk__in=present)
        self.outlook = outlook


class SourceSearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False)
