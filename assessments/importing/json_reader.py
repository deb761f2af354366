"""The JSON interchange format of an outlook (DESIGN.md), as partners produce it and
`export_outlook --format json` writes it.
"""

import json

from ..content import EntryContent, FootnoteContent, OutlookContent, RecommendationGroup
from ..models import Finding, Outlook, Region
from ..text_format import PERIOD_HELP, parse_period
from .errors import ImportFileError
from .text_reader import strip_emphasis

REGION_MAX = Region._meta.get_field("name").max_length
TITLE_MAX = Outlook._meta.get_field("title").max_length
TEXT_MAX = Finding._meta.get_field("text").max_length


def parse_json(text, *, path=None):
    """Parse the JSON interchange format of DESIGN.md."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"invalid JSON: {error.msg} (column {error.colno})", path=path, line=error.lineno
        ) from error
    except RecursionError as error:
        raise ImportFileError(
            "the JSON is nested too deeply; expected the interchange format", path=path
        ) from error
    reader = _JsonReader(path)
    return reader.outlook(data)


class _JsonReader:
    def __init__(self, path):
        self.path = path

    def fail(self, where, expected):
        return ImportFileError(f"{where}: expected {expected}", path=self.path)

    def string(self, data, key, where, *, required=True, max_length=None):
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}.{key}", "a non-empty string")
        return self.text(value, f"{where}.{key}", max_length=max_length)

    def text(self, value, where, *, max_length=TEXT_MAX):
        # A NUL escaped in JSON (\u0000) is no text a database or a reader can use.
        if "\x00" in value:
            raise self.fail(where, "text without NUL characters")
        if max_length and len(value) > max_length:
            raise self.fail(where, f"at most {max_length} characters")
        return value.strip()

    def strings(self, value, where):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(where, "a list of strings")
        return [self.text(item, f"{where}[{i}]") for i, item in enumerate(value)]

    def outlook(self, data):
        if not isinstance(data, dict):
            raise self.fail(
                "the top level", 'an object with "region", "title", "period" and "assessments"'
            )
        period_text = self.string(data, "period", "outlook")
        try:
            period = parse_period(period_text)
        except ValueError as error:
            raise self.fail("outlook.period", PERIOD_HELP) from error
        entries = data.get("assessments")
        if not isinstance(entries, list) or not entries:
            raise self.fail("outlook.assessments", "a non-empty list of country entries")
        return OutlookContent(
            region=self.string(data, "region", "outlook", max_length=REGION_MAX),
            title=self.string(data, "title", "outlook", max_length=TITLE_MAX),
            period=period,
            introduction=self.string(data, "introduction", "outlook", required=False),
            assessments=[self.entry(item, f"assessments[{i}]") for i, item in enumerate(entries)],
        )

    def entry(self, data, where):
        if not isinstance(data, dict):
            raise self.fail(where, "an object")
        risk = data.get("risk")
        if not isinstance(risk, dict):
            raise self.fail(f"{where}.risk", 'an object with "level" and "status"')
        findings = self.strings(data.get("findings", []), f"{where}.findings")
        groups = []
        recommendations = data.get("recommendations", [])
        if not isinstance(recommendations, list):
            raise self.fail(f"{where}.recommendations", "a list")
        for i, group in enumerate(recommendations):
            group_where = f"{where}.recommendations[{i}]"
            if not isinstance(group, dict):
                raise self.fail(group_where, 'an object with "addressee" and "items"')
            items = self.strings(group.get("items"), f"{group_where}.items")
            groups.append(
                RecommendationGroup(
                    strip_emphasis(self.string(group, "addressee", group_where)),
                    items,
                )
            )
        notes = []
        footnotes = data.get("footnotes", [])
        if not isinstance(footnotes, list):
            raise self.fail(f"{where}.footnotes", "a list")
        for i, note in enumerate(footnotes):
            note_where = f"{where}.footnotes[{i}]"
            if not isinstance(note, dict) or not isinstance(note.get("number"), int):
                raise self.fail(note_where, 'an object with an integer "number"')
            if note["number"] != i + 1:
                raise ImportFileError(
                    f"{note_where}: footnote {note['number']} is out of order; "
                    f"expected footnote {i + 1} (footnotes are numbered 1, 2, 3…)",
                    path=self.path,
                )
            text = self.string(note, "text", note_where, required=False)
            url = self.string(note, "url", note_where, required=False)
            if not text and not url:
                raise self.fail(note_where, 'a "text" or a "url"')
            notes.append(FootnoteContent(note["number"], text, url))
        return EntryContent(
            country=self.string(data, "country", where),
            short_name=self.string(data, "short_name", where, required=False),
            risk_level=self.string(risk, "level", f"{where}.risk"),
            risk_status=self.string(risk, "status", f"{where}.risk"),
            rationale=self.string(risk, "rationale", f"{where}.risk", required=False),
            findings=[f for f in findings if f],
            recommendations=groups,
            footnotes=notes,
        )
