"""The JSON interchange format of an outlook (the README's "Importing and exporting"),
as partners produce it and `export_outlook --format json` writes it.

A file is validated against the schema (schema.py) first; the first problem, in the
schema's order, is reported as `<place>: expected <what>`. Only the numbering of
footnotes, which a schema cannot express, is checked in code, on valid data.
"""

import json
import math

from django.core.exceptions import ValidationError

from ..content import EntryContent, FootnoteContent, OutlookContent, RecommendationGroup
from ..text_format import parse_period, validate_line, validate_text
from .errors import ImportFileError
from .schema import OUTLOOK_SCHEMA, VALIDATOR, publication_date
from .text_reader import strip_emphasis


def parse_json(text, *, path=None):
    """Parse the JSON interchange format (see the README)."""
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
    except ValueError as error:  # a number of more digits than Python converts (4,300)
        raise ImportFileError(
            f"invalid JSON: {error}; expected the interchange format", path=path
        ) from error
    problem = min(VALIDATOR.iter_errors(data), key=_reading_order, default=None)
    if problem is not None:
        raise ImportFileError(_describe(problem), path=path)
    return _outlook(data, path)


# --- A schema error in our words -------------------------------------------------------


CHARACTERS = {"line": validate_line, "text": validate_text}


def _describe(error):
    """`<place>: expected <the "expected" phrase of the schema node at fault>`, and for a
    rule on characters or length, what was found."""
    place = _place(error)
    schema = error.schema
    if error.validator == "required":
        schema = schema["properties"][place[-1]]
    message = f"{_where(place)}: expected {schema['expected']}"
    if "characters" in schema:
        try:
            CHARACTERS[schema["characters"]](error.instance)
        except ValidationError as found:
            code, position = found.params["code"], found.params["position"]
            message += f"; found U+{code:04X} at character {position}"
    elif error.validator == "maxLength":
        message += f"; it has {len(error.instance)}"
    return message


def _place(error):
    """The path to the value at fault; for a missing property, the property's path."""
    place = list(error.absolute_path)
    if error.validator == "required":
        # jsonschema gives one error per missing property without naming it in an
        # attribute: each is read as the first one missing, in the schema's order.
        required = [name for name in error.schema["properties"] if name in error.validator_value]
        place.append(next(name for name in required if name not in error.instance))
    return place


def _reading_order(error):
    """Sorts problems in the order of the schema's properties and of the file's list
    items. A value missing or of the wrong type comes before anything inside it; a rule
    on the whole value (a pattern, a length, "a text or a URL") after."""
    key = []
    schema = OUTLOOK_SCHEMA
    for step in _place(error):
        if isinstance(step, int):
            key.append(step)
            schema = schema["items"]
        else:
            key.append(list(schema["properties"]).index(step))
            schema = schema["properties"][step]
    rank = -1 if error.validator in ("type", "required") else math.inf
    return (*key, rank)


def _where(place):
    """A place in the notation of our messages: `outlook.period`, `assessments[0].risk`."""
    if not place:
        return "the top level"
    if len(place) == 1:
        return f"outlook.{place[0]}"
    where = place[0]
    for step in place[1:]:
        where += f"[{step}]" if isinstance(step, int) else f".{step}"
    return where


# --- Valid data as content ---------------------------------------------------------------


def _outlook(data, path):
    return OutlookContent(
        region=data["region"].strip(),
        title=data["title"].strip(),
        period=parse_period(data["period"]),
        introduction=_optional(data, "introduction"),
        published_on=publication_date(data["published_on"]) if data.get("published_on") else None,
        assessments=[
            _entry(entry, f"assessments[{i}]", path) for i, entry in enumerate(data["assessments"])
        ],
    )


def _optional(data, key):
    return (data.get(key) or "").strip()


def _entry(data, where, path):
    risk = data["risk"]
    return EntryContent(
        country=data["country"].strip(),
        short_name=_optional(data, "short_name"),
        risk_level=risk["level"].strip(),
        risk_status=risk["status"].strip(),
        rationale=_optional(risk, "rationale"),
        findings=[text.strip() for text in data.get("findings", []) if text.strip()],
        recommendations=[
            RecommendationGroup(
                strip_emphasis(group["addressee"].strip()),
                [item.strip() for item in group["items"]],
            )
            for group in data.get("recommendations", [])
        ],
        footnotes=_footnotes(data.get("footnotes", []), f"{where}.footnotes", path),
    )


def _footnotes(notes, where, path):
    """The footnotes, numbered 1, 2, 3… in each entry: the one rule the schema leaves."""
    footnotes = []
    for expected, note in enumerate(notes, start=1):
        if note["number"] != expected:
            raise ImportFileError(
                f"{where}[{expected - 1}]: footnote {note['number']} is out of order; "
                f"expected footnote {expected} (footnotes are numbered 1, 2, 3…)",
                path=path,
            )
        footnotes.append(FootnoteContent(expected, _optional(note, "text"), _optional(note, "url")))
    return footnotes
