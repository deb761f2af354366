"""Editor forms. They validate what was typed and turn it into domain terms; the
workflow functions do the rest.

Rules about an entry's content belong to the editorial checks (assessments.checks):
the entry editor does not write them again, it shows the checks' results at the fields
they are about, and refuses a save only for those listed in SAVE_BLOCKING.
"""

import uuid

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms.formsets import TOTAL_FORM_COUNT
from django.utils import timezone
from django.utils.text import Truncator

from . import checks
from .content import DraftContent, DroppedDraft, FootnoteDraft, NewSource, RecommendationDraft
from .models import (
    NOTE_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Addressee,
    CheckAcknowledgement,
    Country,
    DropReason,
    Implementation,
    LineageMatch,
    Region,
    ReviewComment,
    RiskLevel,
    RiskStatus,
    Source,
    reading_order,
)
from .permissions import ANALYST, REVIEWER, users_with_role
from .text_format import parse_period, validate_line, validate_text

# Results of the checks a draft cannot be saved with: duplicate footnote numbers (the
# database refuses them), a call of a footnote the entry does not have, and a change of
# rating without its rationale. Every other result is shown beside the text instead.
SAVE_BLOCKING = {"footnotes.duplicate_number", "footnotes.missing", "rating.no_rationale"}


class TextField(forms.CharField):
    """Text of several lines (Markdown, a note): tab and line breaks are kept, other control
    characters refused. They are looked for before the value is stripped, which would take
    some of them (U+001C to U+001F, U+0085) off its ends as white space, and before its
    length is checked: a regular expression finds them fast in a megabyte."""

    def to_python(self, value):
        if value not in self.empty_values:
            validate_text(str(value))
        return super().to_python(value)


class LineField(TextField):
    """One line of text (a title, a name): runs of spaces, tabs and line breaks are one
    space; other control characters are refused (not folded: Python's split() would count
    U+000B, U+001C to U+001F and U+0085 as white space)."""

    default_validators = [validate_line]

    def to_python(self, value):
        return " ".join(super().to_python(value).split())


class FieldsOnly:
    """A form that crispy renders as its fields only: the template writes the <form>
    element and its CSRF token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


def _textarea(rows):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


class RatingForm(FieldsOnly, forms.Form):
    """The entry's rating, and the notes that go with a change of it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    risk_level = forms.ModelChoiceField(RiskLevel.objects.all(), empty_label=None)
    risk_status = forms.ModelChoiceField(RiskStatus.objects.all(), empty_label=None)
    rationale = TextField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the rating differs from the previous edition. Required when it does.",
    )
    correction_note = TextField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown publicly with the corrected entry, with its date.",
    )

    def __init__(self, *args, previous_rating=None, correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        if correction:
            self.fields["correction_note"].required = True
        else:
            del self.fields["correction_note"]
        if previous_rating:
            level, status = previous_rating
            self.fields[
                "rationale"
            ].help_text = (
                f"The previous edition rated it {level}/{status}. Say why, if the rating differs."
            )


class RowFormSet(forms.BaseFormSet):
    """Rows that can be added, removed and reordered in the browser.

    A post declares how many rows it sends (TOTAL_FORMS), and the page always sends every
    row it declares (a removed row is sent hidden, marked for deletion). A post that
    declares more rows than it sends was cut short or made up: it is refused, whole, as
    is one declaring more than twice the rows an entry holds (`absolute_max`: room for
    rows added and removed again in the page). Forms are built only for the rows sent,
    so a post declaring a million rows costs no more than the rows it carries.
    """

    ordering_widget = forms.HiddenInput
    noun = "row"  # what a row is, for the messages: "finding"

    def rows(self):
        """The kept rows' cleaned data, in the order the user set."""
        return [form.cleaned_data for form in self.ordered_forms]

    def rows_sent(self):
        """The indexes of the rows the post has any field of."""
        if not hasattr(self, "_rows_sent"):
            self._rows_sent = set()
            start = f"{self.prefix}-"
            for key in self.data:
                index, dash, field = key.removeprefix(start).partition("-")
                # The page writes indexes in ASCII digits; six of them are more rows than
                # any post may declare (and int() of them stays cheap).
                row = index.isascii() and index.isdigit() and len(index) <= 6
                if key.startswith(start) and dash and field and row:
                    self._rows_sent.add(int(index))
        return self._rows_sent

    def total_form_count(self):
        declared = super().total_form_count()
        if not self.is_bound:
            return declared
        return min(declared, max(self.rows_sent(), default=-1) + 1)

    def clean(self):
        declared = self.management_form.cleaned_data[TOTAL_FORM_COUNT]
        sent = len([index for index in self.rows_sent() if index < declared])
        if sent < declared:
            raise ValidationError(
                f"The page declared {declared} {self.noun}s but sent {sent}: reload the "
                "page and make your change again.",
                code="missing_row",
            )


def row_formset(form, noun, limit):
    """The formset of an entry's `form` rows, `limit` of them at most, refused beyond
    that with a message saying so."""
    formset = type(
        f"{form.__name__}Rows",
        (RowFormSet,),
        {
            "noun": noun,
            "default_error_messages": {
                "too_many_forms": f"An entry holds at most %(num)d {noun}s: remove some."
            },
        },
    )
    return forms.formset_factory(
        form,
        formset=formset,
        extra=0,
        can_delete=True,
        can_order=True,
        max_num=limit,
        validate_max=True,
        absolute_max=2 * limit,
    )


class FindingForm(forms.Form):
    text = TextField(
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(4),
        label="Finding",
        help_text="Markdown; cite a footnote as [^1].",
    )


class RecommendationForm(forms.Form):
    addressee = LineField(
        max_length=200,
        widget=forms.TextInput(attrs={"list": "addressees", "class": "form-control"}),
        help_text="Pick from the list or type a new addressee.",
    )
    text = TextField(
        max_length=TEXT_MAX_LENGTH,
        widget=_textarea(2),
        label="Recommendation",
    )
    # Which earlier recommendation the row continues (Recommendation.lineage); empty for
    # a row added here. The workflow keeps only lineages the entry may continue.
    lineage = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Offered on a row that continues one of the previous edition (EntryForms refuses it
    # on any other).
    implementation = forms.ChoiceField(
        choices=[("", "Not assessed"), *Implementation.choices],
        required=False,
        label="Implementation since the last edition",
    )
    evidence = forms.IntegerField(
        min_value=1,
        max_value=999,
        required=False,
        label="Evidence: footnote",
        help_text="The number of the footnote that shows it.",
    )

    def clean_addressee(self):
        name = self.cleaned_data["addressee"]
        if name.endswith(" should:") or name.endswith(" should"):
            name = name.rsplit(" should", 1)[0]
        existing = Addressee.objects.filter(name__iexact=name).first()
        return existing.name if existing else name

    def clean(self):
        data = super().clean()
        if data.get("evidence") and not data.get("implementation"):
            self.add_error(
                "evidence",
                "A footnote is evidence of an implementation assessment: pick one, or "
                "clear the footnote number.",
            )
        return data


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
    pinpoint = LineField(max_length=200, required=False)
    new_title = TextField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        label="Title",
        widget=_textarea(2),
    )
    new_issuer = LineField(max_length=200, required=False, label="Issuer")
    new_symbol = LineField(max_length=100, required=False, label="UN document symbol")
    new_date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    # URLValidator lets control characters through in the path: refuse them as in a line.
    new_url = forms.URLField(
        max_length=500,
        required=False,
        label="URL",
        assume_scheme="https",
        validators=[validate_line],
    )

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


class DroppedForm(forms.Form):
    """Why a recommendation of the previous edition (its lineage) is not made again."""

    lineage = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        choices=[("", "Not given yet"), *DropReason.choices],
        required=False,
        label="Why is it dropped?",
    )
    superseded_by = forms.TypedChoiceField(
        coerce=uuid.UUID,
        empty_value=None,
        required=False,
        label="Replaced by",
        help_text="A recommendation added since the last save is offered once the draft is saved.",
        error_messages={
            "invalid_choice": "That recommendation is no longer in the draft: pick another."
        },
    )
    note = TextField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=_textarea(2),
        help_text="Required when the reason is “Other”.",
    )

    def __init__(self, *args, successors=(), continued=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.continued = continued
        self.fields["superseded_by"].choices = [("", "—"), *successors]

    def clean(self):
        data = super().clean()
        reason = data.get("reason")
        if reason != DropReason.SUPERSEDED:
            data["superseded_by"] = None
        if data.get("lineage") in self.continued:
            return data  # made again: what was typed for it is not read
        picked = data.get("superseded_by") or "superseded_by" in self.errors
        if reason == DropReason.SUPERSEDED and not picked:
            self.add_error(
                "superseded_by",
                "Pick the recommendation that replaces it. If you have just added it, "
                "save the draft first (leave the reason for now): it is offered once saved.",
            )
        if reason == DropReason.OTHER and not data.get("note"):
            self.add_error("note", "Say why in a note: it is required when the reason is Other.")
        return data


class DroppedFormSet(forms.BaseFormSet):
    """A DroppedForm for each recommendation of the previous edition, whether or not the
    draft makes it again: the page shows those it leaves out, and reveals another as its
    row is removed (static/js/editor.js). A form for any other lineage is refused."""

    def __init__(self, *args, priors, **kwargs):
        self.priors = priors
        super().__init__(*args, **kwargs)

    def clean(self):
        seen = set()
        for form in self.forms:
            lineage = form.cleaned_data.get("lineage")
            if lineage not in self.priors:
                raise ValidationError(
                    "The page sent a reason for a recommendation the previous edition did "
                    "not make: reload the page and give the reasons again.",
                    code="unknown_lineage",
                )
            if lineage in seen:
                raise ValidationError(
                    "The page sent two reasons for one dropped recommendation: reload the "
                    "page and give the reasons again.",
                    code="twice",
                )
            seen.add(lineage)


# What an entry really needs, with room to spare: the longest published entries have
# a dozen findings, some twenty recommendations and forty footnotes.
MAX_FINDINGS = 100
MAX_RECOMMENDATIONS = 200
MAX_FOOTNOTES = 200

FindingFormSet = row_formset(FindingForm, "finding", MAX_FINDINGS)
RecommendationFormSet = row_formset(RecommendationForm, "recommendation", MAX_RECOMMENDATIONS)
FootnoteFormSet = row_formset(FootnoteForm, "footnote", MAX_FOOTNOTES)
DroppedFormSets = forms.formset_factory(
    DroppedForm,
    formset=DroppedFormSet,
    extra=0,
    max_num=MAX_RECOMMENDATIONS,
    validate_max=True,
    absolute_max=2 * MAX_RECOMMENDATIONS,
)


def _lineage(value):
    """A row's lineage as the page sent it (or as stored), None if it is none."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


class EntryForms:
    """The assessment editor's forms together: rating, findings, recommendations, footnotes,
    and why the recommendations of the previous edition that the draft leaves out are
    dropped.

    `context` is the entry's CheckContext, with which its content is checked; its
    predecessors are the previous edition's recommendations.
    """

    def __init__(self, revision, data=None, *, context):
        self.revision = revision
        self.context = context
        self.check_errors = []  # results of the checks that belong to no one field
        self.priors = {prior.lineage: prior for prior in context.predecessors}
        self._valid = None
        rating = {"previous_rating": context.previous_rating}
        rating["correction"] = revision.in_published_edition
        if data is None:
            initial = self.initial(revision)
            self.rating = RatingForm(initial=initial["rating"], **rating)
            self.findings = FindingFormSet(initial=initial["findings"], prefix="finding")
            self.recommendations = RecommendationFormSet(
                initial=initial["recommendations"], prefix="recommendation"
            )
            self.footnotes = FootnoteFormSet(initial=initial["footnotes"], prefix="footnote")
        else:
            self.rating = RatingForm(data, **rating)
            self.findings = FindingFormSet(data, prefix="finding")
            self.recommendations = RecommendationFormSet(data, prefix="recommendation")
            self.footnotes = FootnoteFormSet(data, prefix="footnote")
        rows = self._rows_kept()
        # The previous edition's recommendations that a row (kept in the page) continues.
        self.continued = frozenset(lineage for lineage, _ in rows if lineage in self.priors)
        dropped = {
            "prefix": "dropped",
            "priors": self.priors,
            "form_kwargs": {"successors": self._successors(rows), "continued": self.continued},
        }
        if data is None:
            self.dropped = DroppedFormSets(initial=self.initial_dropped(revision), **dropped)
        else:
            self.dropped = DroppedFormSets(data, **dropped)

    def _rows_kept(self):
        """[(lineage, form)] of the recommendation rows the page keeps, as it sent them
        (or as stored): rows removed in the page are left out."""
        rows = []
        for form in self.recommendations.forms:
            if form["DELETE"].value():
                continue
            lineage = _lineage(form["lineage"].value())
            form.continues = lineage in self.priors  # it may carry an implementation
            rows.append((lineage, form))
        return rows

    def _successors(self, rows):
        """The choices of a superseded recommendation's successor: the rows that have a
        lineage the draft may keep (one added since the last save has none yet)."""
        allowed = set(self.priors) | {row.lineage for row in self.revision.recommendations.all()}
        choices = {}
        for lineage, form in rows:
            if lineage in allowed and lineage not in choices:
                addressee = " ".join(str(form["addressee"].value() or "").split())
                text = Truncator(" ".join(str(form["text"].value() or "").split())).words(10)
                choices[lineage] = f"{addressee}: {text}"
        return [(str(lineage), label) for lineage, label in choices.items()]

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
                {
                    "addressee": r.addressee.name,
                    "text": r.text,
                    "lineage": r.lineage,
                    "implementation": r.implementation,
                    "evidence": r.evidence,
                    "ORDER": i,
                }
                for i, r in enumerate(revision.recommendations.all(), 1)
            ],
            "footnotes": [
                {"number": n.number, "source": n.source, "pinpoint": n.pinpoint, "ORDER": i}
                for i, n in enumerate(revision.footnotes.all(), 1)
            ],
        }

    def initial_dropped(self, revision):
        """A form for each recommendation of the previous edition, with the reason stored."""
        stored = {row.lineage: row for row in revision.dropped.all()}
        initial = []
        for lineage in self.priors:
            row = stored.get(lineage)
            initial.append(
                {
                    "lineage": lineage,
                    "reason": row.reason if row else "",
                    "superseded_by": row.superseded_by if row else None,
                    "note": row.note if row else "",
                }
            )
        return initial

    def dropped_items(self):
        """[(form, prior recommendation, shown)] for the "Dropped since the last edition"
        section: a form is shown when no row continues its recommendation, or when it has
        something to say."""
        items = []
        for form in self.dropped.forms:
            prior = self.priors.get(_lineage(form["lineage"].value()))
            if prior is not None:
                shown = prior.lineage not in self.continued or bool(form.errors)
                items.append((form, prior, shown))
        return items

    def any_dropped_shown(self):
        return any(shown for _, _, shown in self.dropped_items())

    def all(self):
        return [self.rating, self.findings, self.recommendations, self.footnotes, self.dropped]

    def fields_valid(self):
        if self._valid is None:
            self._valid = all([form.is_valid() for form in self.all()]) and self._rows_valid()
        return self._valid

    def _rows_valid(self):
        """What a recommendation row cannot carry, given the rest of the entry: an
        implementation assessment of one the previous edition did not make, or evidence
        in a footnote the draft does not have."""
        numbers = {form.cleaned_data["number"] for form in self.footnotes.ordered_forms}
        valid = True
        for form in self.recommendations.ordered_forms:
            data = form.cleaned_data
            if data["implementation"] and data["lineage"] not in self.priors:
                form.add_error(
                    "implementation",
                    "Only a recommendation the previous edition made can be assessed: this "
                    "one is new in this edition.",
                )
                valid = False
            elif data["evidence"] and data["evidence"] not in numbers:
                form.add_error(
                    "evidence",
                    f"This draft has no footnote {data['evidence']}: give the number of the "
                    "footnote that shows it, or add that footnote.",
                )
                valid = False
        return valid

    def is_valid(self):
        """Whether the draft may be saved: every field is valid, and the checks find
        nothing of SAVE_BLOCKING, which is shown where it is."""
        if not self.fields_valid():
            return False
        entry = self.content().to_entry(self.revision.assessment.country)
        blocking = [
            result
            for result in checks.check_content(entry, self.context)
            if result.check in SAVE_BLOCKING
        ]
        for result in blocking:
            self._show(result)
        return not blocking

    def _show(self, result):
        """Put a result of the checks at the field it is about."""
        message = f"{result.message} {result.suggestion}".strip()
        place = result.place
        if place.part == checks.RATING:
            self.rating.add_error("rationale", message)
        elif place.part == checks.FINDING:
            self.findings.ordered_forms[place.index - 1].add_error("text", message)
        elif place.part == checks.RECOMMENDATION:
            self._recommendation_form(place.index, place.item).add_error("text", message)
        else:
            self.check_errors.append(message)

    def _recommendation_form(self, group, item):
        """The row of item `item` of addressee group `group`, as the checks count them:
        a group is a run of consecutive rows to one addressee."""
        groups = []
        for form in self.recommendations.ordered_forms:
            if not groups or groups[-1][0] != form.cleaned_data["addressee"]:
                groups.append((form.cleaned_data["addressee"], []))
            groups[-1][1].append(form)
        return groups[group - 1][1][item - 1]

    def checkable_content(self):
        """The content as typed, for the live checks and preview; None while a field is
        invalid. The checks' results do not stop it: reporting them is the checks' job."""
        return self.content() if self.fields_valid() else None

    def non_field_errors(self):
        errors = list(self.rating.non_field_errors())
        if self.rating.is_bound and "version" in self.rating.errors:
            errors.append("The page lost track of which version you edited: reload it and retry.")
        for formset in self.all()[1:]:
            errors.extend(formset.non_form_errors())
        return errors + self.check_errors

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
                RecommendationDraft(
                    row["addressee"],
                    row["text"].strip(),
                    row["lineage"],
                    row["implementation"],
                    row["evidence"] if row["implementation"] else None,
                )
                for row in self.recommendations.rows()
            ],
            dropped=[
                DroppedDraft(data["lineage"], data["reason"], data["superseded_by"], data["note"])
                for data in (form.cleaned_data for form in self.dropped.forms)
                if data["reason"] and data["lineage"] not in self.continued
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


class ReviewForm(FieldsOnly, forms.Form):
    comment = TextField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when you request changes; the analysts see it on their draft.",
    )


class CommentForm(forms.Form):
    """A reviewer's comment (workflow.add_comment): where, the words it is about, what."""

    place = forms.ChoiceField(label="Where")
    quote = TextField(
        required=False,
        max_length=QUOTE_MAX_LENGTH,
        label="The words it is about",
        help_text="Optional: select them in the entry, or type them.",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    text = TextField(
        max_length=NOTE_MAX_LENGTH,
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, revision, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = comment_places(revision)
        self.fields["place"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        anchor, _, position = data.get("place", "").partition("-")
        data["anchor"] = anchor
        data["position"] = int(position) if position else None
        return data


def comment_places(revision):
    """The parts of `revision` a comment can be on, as (value, label): "finding-2"."""
    Anchor = ReviewComment.Anchor

    def start(text):
        return Truncator(" ".join(text.split())).words(8)

    places = [
        (Anchor.ENTRY.value, Anchor.ENTRY.label),
        (Anchor.RATING.value, f"The rating: {revision.rating_label}"),
    ]
    for kind, rows in (
        (Anchor.FINDING, revision.findings.all()),
        (Anchor.RECOMMENDATION, revision.recommendations.all()),
        (Anchor.FOOTNOTE, revision.footnotes.all()),
    ):
        for row in rows:
            number = row.number if kind == Anchor.FOOTNOTE else row.position
            places.append((f"{kind.value}-{number}", f"{kind.label} {number}: {start(row.text)}"))
    return places


class ResolveCommentForm(forms.Form):
    reply = TextField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        label="Reply",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class AcknowledgeForm(forms.Form):
    """An analyst acknowledges a warning of the checks (`key`), with an optional note."""

    # No key is no warning: the view says that none stands, as for a key that is gone.
    key = LineField(
        max_length=CheckAcknowledgement._meta.get_field("key").max_length, required=False
    )
    note = TextField(required=False, max_length=NOTE_MAX_LENGTH, label="Note")


class AcknowledgeAllForm(forms.Form):
    """An analyst acknowledges every warning the panel showed (`key`, one per warning)
    with one note; the workflow refuses an empty note with its reason."""

    # More keys than any entry has warnings is no panel's post.
    MAX_KEYS = 500

    note = TextField(required=False, max_length=NOTE_MAX_LENGTH, label="Note")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.keys = []
        if data is not None:
            self.keys = data.getlist("key")

    def clean(self):
        data = super().clean()
        length = CheckAcknowledgement._meta.get_field("key").max_length
        if len(self.keys) > self.MAX_KEYS or any(len(key) > length for key in self.keys):
            raise ValidationError("The list of warnings sent is not one the panel shows.")
        data["keys"] = [" ".join(key.split()) for key in self.keys]
        return data


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


class EditionForm(FieldsOnly, forms.Form):
    region = forms.ModelChoiceField(Region.objects.all())
    period = MonthField(help_text="The edition's month, e.g. 2024-05.")
    title = LineField(
        max_length=200,
        required=False,
        help_text="Default: the region's name and “Regional Outlook”.",
    )
    introduction = TextField(
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AddCountryForm(forms.Form):
    country = forms.ModelChoiceField(Country.objects.none())

    def __init__(self, *args, outlook, **kwargs):
        super().__init__(*args, **kwargs)
        present = outlook.assessments.values("country_id")
        field = self.fields["country"]
        field.queryset = Country.objects.exclude(pk__in=present)
        # As people read the names (Åland with the A's, Réunion before Rwanda), not in
        # the order of their code points, which the database's C collation gives.
        countries = sorted(field.queryset, key=lambda country: reading_order(str(country)))
        field.choices = [("", field.empty_label)] + [
            (country.pk, str(country)) for country in countries
        ]
        self.outlook = outlook


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username

    @classmethod
    def asked(cls, label):
        """An optional choice of the person asked to be the entry's `label`."""
        return cls(
            None,
            required=False,
            empty_label=f"{label}: nobody yet",
            label=label,
            widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        )


class AssignForm(forms.Form):
    """Who an editor asks to write and to review an entry (workflow.assign)."""

    analyst = PersonChoiceField.asked("Writer")
    reviewer = PersonChoiceField.asked("Reviewer")

    def __init__(self, *args, assessment, **kwargs):
        kwargs.setdefault(
            "initial", {"analyst": assessment.analyst_id, "reviewer": assessment.reviewer_id}
        )
        kwargs.setdefault("prefix", f"a{assessment.pk}")
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.order_by("first_name", "last_name", "username")
        self.fields["analyst"].queryset = people.filter(pk__in=users_with_role(ANALYST))
        self.fields["reviewer"].queryset = people.filter(pk__in=users_with_role(REVIEWER))


class PlanEditionForm(forms.Form):
    """When a draft edition's drafts and reviews are due (workflow.plan_edition)."""

    drafts_due = forms.DateField(
        required=False,
        label="Drafts due",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    reviews_due = forms.DateField(
        required=False,
        label="Reviews due",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )


def _moment_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={"invalid": "Enter a date and a time, such as 2026-12-01 09:00."},
    )


class ScheduleForm(forms.Form):
    """When to publish an edition or a correction (workflow.publish, publish_correction),
    in the site's time zone; the workflow refuses a time that has passed."""

    at = _moment_field("Publish at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].help_text = f"Time zone: {timezone.get_current_timezone_name()}."


class EmbargoForm(forms.Form):
    """An embargoed preview's link (workflow.share_embargoed), in the site's time zone."""

    recipient = LineField(
        max_length=200,
        label="For",
        help_text="Name and organisation of the reader: shown on every page they open.",
    )
    embargoed_until = _moment_field("Embargoed until")
    expires_at = _moment_field("Link open until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields[
            "embargoed_until"
        ].help_text = f"Time zone: {zone}. Usually the publication time; shown on the page and PDF."
        self.fields["expires_at"].help_text = f"Time zone: {zone}. At most 90 days from now."


class SourceSearchForm(forms.Form):
    q = LineField(max_length=200, required=False, label="Search")


class AuditFilterForm(forms.Form):
    """The audit log's filters. An edition or a person that is no number is no match,
    not an error (a hand-edited URL); control characters and overlong values are
    refused before they reach a query."""

    outlook = LineField(max_length=20, required=False, label="Edition")
    action = LineField(max_length=50, required=False, label="Action")
    actor = LineField(max_length=20, required=False, label="Who")
    q = LineField(max_length=200, required=False, label="Words")


class MatchDecisionForm(forms.Form):
    """An analyst's decision on an archive's uncertain match (workflow.decide_match)."""

    decision = forms.ChoiceField(
        choices=[
            (LineageMatch.Decision.CONFIRMED, "Confirm: it continues the earlier one"),
            (LineageMatch.Decision.SPLIT, "Split: it is a new recommendation"),
        ]
    )


class TwoFactorCodeForm(forms.Form):
    """A code of two-factor sign-in (assessments.two_factor): 6 digits from an
    authenticator app or, where `recovery` allows it, a recovery code."""

    code = LineField(
        max_length=40,
        label="Code",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, recovery=True, focus=True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if focus:  # the page's one task; not where the field is one form among others
            field.widget.attrs["autofocus"] = True
        if recovery:
            field.help_text = (
                "The 6-digit code your authenticator app shows, or one of your recovery codes."
            )
        else:
            field.help_text = "The 6-digit code your authenticator app shows for Outlook."
            field.widget.attrs["inputmode"] = "numeric"


# --- Following by email (assessments.subscriptions) --------------------------------------


CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class FollowingForm(forms.Form):
    """What a reader follows: any regions, countries and addressees, at least one. The
    choices are those with something published (subscriptions.choices)."""

    regions = forms.MultipleChoiceField(required=False, widget=CHECKBOXES)
    countries = forms.MultipleChoiceField(required=False, widget=CHECKBOXES)
    addressees = forms.MultipleChoiceField(required=False, widget=CHECKBOXES)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["regions"].choices = [(r.slug, r.name) for r in choices.regions]
        self.fields["countries"].choices = [
            (c.code.code, c.official_name) for c in choices.countries
        ]
        self.fields["addressees"].choices = [(a.slug, a.name) for a in choices.addressees]

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("regions", "countries", "addressees")):
            raise ValidationError(
                "Choose at least one region, country or addressee to follow.", code="empty"
            )
        return data

    def grouped(self):
        """(field, legend, whether its list folds away) for the page."""
        return [
            (self["regions"], "Regions: every country of the region's outlook", False),
            (self["countries"], "Countries", True),
            (self["addressees"], "Recommendations to", True),
        ]

    @property
    def selection(self):
        from .subscriptions import Selection

        data = self.cleaned_data
        return Selection.of(data["countries"], data["regions"], data["addressees"])


class FollowForm(FollowingForm):
    """Asking to follow: an email address, and what it follows."""

    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="We send a link to this address: nothing is sent until you open it and confirm.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = ["email"]
