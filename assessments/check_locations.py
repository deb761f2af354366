"""Where a result of the checks is in the editor's form: the field to go to and the span to
select in it, counted as the browser counts a field's value.

The checks count characters of the text as the server holds it: a Python string, stripped,
with the line breaks the browser sent (CR LF). A textarea's value has LF line breaks and
is indexed in UTF-16 code units, so a span is converted here; the script
(static/js/editor.js) adds the field's leading white space, which the server stripped, and
checks that the span still holds the text before selecting it.
"""

from dataclasses import dataclass, field

from . import checks


@dataclass(frozen=True)
class Location:
    field: str  # the id of the input or textarea
    start: int | None = None  # into the field's stripped value, in the browser's terms
    end: int | None = None
    text: str = ""  # what the span holds, as the browser holds it


@dataclass
class FormFields:
    """The ids of the editor's fields, in the order the checks count the rows."""

    findings: list[str] = field(default_factory=list)
    # (addressee id, text id) of each recommendation row
    recommendations: list[tuple[str, str]] = field(default_factory=list)
    footnotes: dict[int, str] = field(default_factory=dict)  # number: its pinpoint's id
    rationale: str = "id_rationale"

    @classmethod
    def of_saved(cls, revision):
        """The fields as the edit page renders them from the stored revision."""
        return cls(
            findings=[f"id_finding-{i}-text" for i, _ in enumerate(revision.findings.all())],
            recommendations=[
                (f"id_recommendation-{i}-addressee", f"id_recommendation-{i}-text")
                for i, _ in enumerate(revision.recommendations.all())
            ],
            footnotes={
                note.number: f"id_footnote-{i}-pinpoint"
                for i, note in enumerate(revision.footnotes.all())
            },
        )

    @classmethod
    def of_typed(cls, forms):
        """The fields of the editor's forms as posted (valid: their content was checked)."""
        return cls(
            findings=[form["text"].auto_id for form in forms.findings.ordered_forms],
            recommendations=[
                (form["addressee"].auto_id, form["text"].auto_id)
                for form in forms.recommendations.ordered_forms
            ],
            footnotes={
                form.cleaned_data["number"]: form["pinpoint"].auto_id
                for form in forms.footnotes.ordered_forms
            },
        )


def locate(results, content, fields):
    """[Location or None] for each result: where it is in the form whose `fields` hold
    `content` (EntryContent, as checked)."""
    return [_location(result.place, content, fields) for result in results]


def _location(place, content, fields):
    groups = content.recommendations
    if place.part == checks.FINDING and 0 < place.index <= len(content.findings):
        return _span(_at(fields.findings, place.index), content.findings[place.index - 1], place)
    if place.part == checks.RECOMMENDATION and 0 < place.index <= len(groups):
        group = groups[place.index - 1]
        if 0 < place.item <= len(group.items):
            row = sum(len(g.items) for g in groups[: place.index - 1]) + place.item
            ids = _at(fields.recommendations, row)
            return _span(ids and ids[1], group.items[place.item - 1], place)
    if place.part == checks.ADDRESSEE and 0 < place.index <= len(groups):
        row = sum(len(g.items) for g in groups[: place.index - 1]) + 1
        ids = _at(fields.recommendations, row)
        return _span(ids and ids[0], groups[place.index - 1].addressee, place)
    if place.part == checks.FOOTNOTE and place.index in fields.footnotes:
        # A footnote's text is its source's citation, not a field: go to the row.
        return Location(fields.footnotes[place.index])
    if place.part == checks.RATING:
        return Location(fields.rationale)
    return None


def _at(ids, number):
    return ids[number - 1] if 0 < number <= len(ids) else None


def _span(field_id, text, place):
    if not field_id:
        return None
    if place.start is None or place.end is None:
        return Location(field_id)
    before = _as_browser(text[: place.start])
    span = _as_browser(text[place.start : place.end])
    start = _utf16_length(before)
    return Location(field_id, start, start + _utf16_length(span), span)


def _as_browser(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16_length(text):
    return len(text.encode("utf-16-le")) // 2
