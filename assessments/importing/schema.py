"""The JSON interchange format as a JSON Schema (draft 2020-12).

Partners who produce files can validate them against OUTLOOK_SCHEMA
(`json.dumps(OUTLOOK_SCHEMA, indent=2)` gives it as a file); json_reader checks every
file against it before reading it.

Besides the standard keywords, each node carries an "expected" phrase, which
validators ignore and our messages quote: `outlook.period: expected a non-empty
string`. Where a node has a rule that needs a phrase of its own, the rule sits in an
"allOf" subschema with that phrase. Properties are listed in the order an export
writes them; of a file's problems, the first in that order is reported.
"""

from datetime import date

from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker, validators

from ..models import (
    NOTE_MAX_LENGTH,
    Addressee,
    Country,
    Finding,
    Outlook,
    Region,
    RiskLevel,
    Source,
)
from ..text_format import PERIOD_HELP, parse_period

# The limits of what a file may hold: the models' (the store checks text files by them).
REGION_MAX = Region._meta.get_field("name").max_length
REGION_SLUG_MAX = Region._meta.get_field("slug").max_length
EDITION_SLUG_MAX = Outlook._meta.get_field("slug").max_length
TITLE_MAX = Outlook._meta.get_field("title").max_length
TEXT_MAX = Finding._meta.get_field("text").max_length
NOTE_MAX = NOTE_MAX_LENGTH
ADDRESSEE_MAX = Addressee._meta.get_field("name").max_length
COUNTRY_MAX = Country._meta.get_field("official_name").max_length
SHORT_NAME_MAX = Country._meta.get_field("short_name").max_length
TERM_MAX = RiskLevel._meta.get_field("name").max_length
CITATION_MAX = Source._meta.get_field("title").max_length
SYMBOL_MAX = Source._meta.get_field("document_symbol").max_length
URL_MAX = Source._meta.get_field("url").max_length

# Characters no text may hold, as the models' validators say (text_format): control
# characters, which readers cannot see and which break the feed, the PDF and terminals
# (NUL cannot even be stored), and lone surrogates (\ud800), which are no characters and
# cannot be written as UTF-8. Texts of several lines may hold tab and line breaks. The
# "characters" key names the validator json_reader runs to say which character is where.
LINE_CHARACTERS = {
    "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]*$",
    "expected": "one line without control characters",
    "characters": "line",
}
TEXT_CHARACTERS = {
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\ud800-\\udfff]*$",
    "expected": "text without control characters but tab and line breaks",
    "characters": "text",
}


def at_most(length):
    return {"maxLength": length, "expected": f"at most {length} characters"}


def text(description, *, rules=(), characters=LINE_CHARACTERS):
    """A string with something in it besides white space."""
    return {
        "type": "string",
        "pattern": "\\S",
        "expected": "a non-empty string",
        "description": description,
        "allOf": [characters, *rules],
    }


def optional_text(description, *, rules=(), characters=LINE_CHARACTERS):
    """A string, possibly empty; null or no property at all read as empty."""
    return {
        "type": ["string", "null"],
        "expected": "a string or null",
        "description": description,
        "allOf": [characters, *rules],
    }


def filled(name):
    """The property is there, with something in it besides white space."""
    return {"required": [name], "properties": {name: {"type": "string", "pattern": "\\S"}}}


def texts(description):
    """A list of paragraphs or items, each as long as a finding may be."""
    return {
        "type": "array",
        "expected": "a list of strings",
        "description": description,
        "items": {
            "type": "string",
            "expected": "a string",
            "allOf": [TEXT_CHARACTERS, at_most(TEXT_MAX)],
        },
    }


def an_object(expected, description, *, required, properties):
    """An object; properties other than these are allowed and ignored."""
    return {
        "type": "object",
        "expected": expected,
        "description": description,
        "required": required,
        "properties": properties,
    }


RISK = an_object(
    'an object with "level" and "status"',
    "The rating: a level and a status of the risk framework, by name.",
    required=["level", "status"],
    properties={
        "level": text('e.g. "Very high"', rules=[at_most(TERM_MAX)]),
        "status": text('e.g. "Ongoing"', rules=[at_most(TERM_MAX)]),
        "rationale": optional_text(
            "Why the rating changed since the previous edition.",
            rules=[at_most(NOTE_MAX)],
            characters=TEXT_CHARACTERS,
        ),
    },
)

RECOMMENDATION_GROUP = an_object(
    'an object with "addressee" and "items"',
    "Recommendations to one addressee.",
    required=["addressee", "items"],
    properties={
        "addressee": text('e.g. "The UN Security Council"', rules=[at_most(ADDRESSEE_MAX)]),
        "items": texts("The recommendations, in Markdown."),
    },
)

FOOTNOTE = {
    **an_object(
        'an object with an integer "number"',
        "Numbered 1, 2, 3… in each entry; a text, a URL or both.",
        required=["number"],
        properties={
            "number": {"type": "integer", "expected": "an integer"},
            "text": optional_text(
                "The citation as printed, e.g. a report's title and symbol.",
                rules=[at_most(NOTE_MAX)],
                characters=TEXT_CHARACTERS,
            ),
            "url": optional_text("An http:// or https:// address.", rules=[at_most(URL_MAX)]),
        },
    ),
    "allOf": [{"anyOf": [filled("text"), filled("url")], "expected": 'a "text" or a "url"'}],
}

ENTRY = an_object(
    "an object",
    "One country's entry.",
    required=["country", "risk"],
    properties={
        "country": text(
            "ISO 3166 code, official name, short name or an alias.", rules=[at_most(COUNTRY_MAX)]
        ),
        "short_name": optional_text(
            'The name used in running text, e.g. "DPRK".', rules=[at_most(SHORT_NAME_MAX)]
        ),
        "risk": RISK,
        "findings": texts("Paragraphs in Markdown; footnote calls as [^1]."),
        "recommendations": {"type": "array", "expected": "a list", "items": RECOMMENDATION_GROUP},
        "footnotes": {"type": "array", "expected": "a list", "items": FOOTNOTE},
    },
)

EXAMPLE = {
    "region": "Asia Pacific",
    "title": "Asia Pacific Regional Outlook",
    "period": "2023-11",
    "introduction": "This edition covers *two* countries.",
    "assessments": [
        {
            "country": "KP",
            "short_name": "DPRK",
            "risk": {"level": "Very high", "status": "Ongoing"},
            "findings": ["The DPRK continues to commit widespread violations.[^1]"],
            "recommendations": [
                {
                    "addressee": "The government of the DPRK",
                    "items": ["Immediately cease committing crimes against humanity."],
                }
            ],
            "footnotes": [{"number": 1, "text": "A/HRC/46/52, 11 January 2021", "url": None}],
        },
        {
            "country": "Myanmar",
            "risk": {"level": "Very high", "status": "Imminent", "rationale": "Air strikes."},
            "findings": ["Air strikes on villages continue.[^1]"],
            "recommendations": [
                {"addressee": "UN Member States", "items": ["Stop the supply of aviation fuel."]}
            ],
            "footnotes": [{"number": 1, "url": "https://example.org/report"}],
        },
    ],
}

PUBLISHED_ON_HELP = 'a date such as "2023-11-15", not in the future'


def publication_date(value):
    """The ISO date `value`, if it is one and not in the future; else ValueError."""
    day = date.fromisoformat(value)
    if day > timezone.localdate():
        raise ValueError(f"{value} is in the future")
    return day


OUTLOOK_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Outlook interchange format",
    **an_object(
        'an object with "region", "title", "period" and "assessments"',
        "One edition of a regional outlook, or some of its country entries.",
        required=["region", "title", "period", "assessments"],
        properties={
            "region": text('e.g. "Asia Pacific"', rules=[at_most(REGION_MAX)]),
            "title": text('e.g. "Asia Pacific Regional Outlook"', rules=[at_most(TITLE_MAX)]),
            "period": text(
                'The edition\'s month: "2023-11" (or "November 2023").',
                # The rule is parse_period's, as in the editor's forms: see FORMATS below.
                rules=[{"format": "year-month", "expected": PERIOD_HELP}],
            ),
            "published_on": {
                "type": ["string", "null"],
                "expected": PUBLISHED_ON_HELP,
                "description": "The day the edition was published to its readers, for an "
                "archive; without it, the edition shows its period only.",
                "format": "publication-date",
            },
            "introduction": optional_text(
                "The edition's introduction, in Markdown.",
                rules=[at_most(TEXT_MAX)],
                characters=TEXT_CHARACTERS,
            ),
            "assessments": {
                "type": "array",
                "minItems": 1,
                "expected": "a non-empty list of country entries",
                "items": ENTRY,
            },
        },
    ),
    "examples": [EXAMPLE],
}


def _is_period(value):
    # A period that is no string is reported by "type"; "format" sees every value.
    return not isinstance(value, str) or parse_period(value)


FORMATS = FormatChecker(formats=())
FORMATS.checks("year-month", raises=ValueError)(_is_period)
FORMATS.checks("publication-date", raises=ValueError)(
    lambda value: not isinstance(value, str) or publication_date(value)
)


def _is_integer(checker, instance):
    # Python reads 1.0 in JSON as a float: a footnote numbered 1.0 is refused, as it always
    # was, where JSON Schema alone would take it for an integer.
    return isinstance(instance, int) and not isinstance(instance, bool)


OutlookValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)
VALIDATOR = OutlookValidator(OUTLOOK_SCHEMA, format_checker=FORMATS)
