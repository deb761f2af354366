"""The JSON interchange format as a JSON Schema (draft 2020-12).

Partners who produce files can validate them against OUTLOOK_SCHEMA
(`json.dumps(OUTLOOK_SCHEMA, indent=2)` gives it as a file); json_reader checks every
file against it before reading it.

Besides the standard keywords, each node carries an "expected" phrase, which
validators ignore and our messages quote: `outlook.period: expected a non-empty
string`. Where a node has a rule that needs a phrase of its own, the rule sits in an
"allOf" subschema with that phrase. Properties are listed in the order an export
writes them; of a file's problems, the first in that order is reported.

The open data's JSON of an edition (exporting.to_public_json) is this format with a
few properties more, which say where the edition and its entries are and what they
are (slug, addresses, revision numbers, corrections, level ranks, the licence): they
are marked "open_data_only", and an import checks their type and ignores them, so
that an edition downloaded from the site imports as it is. The rating's rationale
is marked "interchange_only": the open data leaves it out. The data dictionary
(assessments.open_data) is generated from these nodes' "description" and "examples".
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


def text(description, example, *, rules=(), characters=LINE_CHARACTERS):
    """A string with something in it besides white space."""
    return {
        "type": "string",
        "pattern": "\\S",
        "expected": "a non-empty string",
        "description": description,
        "examples": [example],
        "allOf": [characters, *rules],
    }


def optional_text(description, example, *, rules=(), characters=LINE_CHARACTERS):
    """A string, possibly empty; null or no property at all read as empty."""
    return {
        "type": ["string", "null"],
        "expected": "a string or null",
        "description": description,
        "examples": [example],
        "allOf": [characters, *rules],
    }


def filled(name):
    """The property is there, with something in it besides white space."""
    return {"required": [name], "properties": {name: {"type": "string", "pattern": "\\S"}}}


def texts(description, example):
    """A list of paragraphs or items, each as long as a finding may be."""
    return {
        "type": "array",
        "expected": "a list of strings",
        "description": description,
        "examples": [[example]],
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


EXPECTED = {"integer": "an integer", "string": "a string", "boolean": "true or false"}


def value(kind, description, example, **keywords):
    """A property of a JSON type (or a list of them), e.g. value("integer", "…", 5)."""
    kinds = [kind] if isinstance(kind, str) else kind
    return {
        "type": kind,
        "expected": " or ".join(EXPECTED.get(name, name) for name in kinds),
        "description": description,
        "examples": [example],
        **keywords,
    }


def written(node):
    """A property the open data writes and an import ignores, once its type is right."""
    return {**node, "open_data_only": True}


# The examples' site (the data dictionary shows them as they are).
EXAMPLE_SITE = "https://outlook.example.org"
EXAMPLE_EDITION = f"{EXAMPLE_SITE}/outlooks/asia-pacific-2023-11/"

RISK = an_object(
    'an object with "level" and "status"',
    "The rating: a level and a status of the risk framework, by name.",
    required=["level", "status"],
    properties={
        "level": text("The risk level's name.", "Very high", rules=[at_most(TERM_MAX)]),
        "level_rank": written(
            value(
                "integer",
                "The level's place on the risk framework's scale, 1 for the lowest: "
                "compare ratings by it, not by name (`level_rank` in the ratings CSV).",
                5,
            )
        ),
        "status": text("The risk status's name.", "Ongoing", rules=[at_most(TERM_MAX)]),
        "rationale": {
            **optional_text(
                "Why the rating changed since the previous edition, for the reviewers.",
                "Mass executions were reported in March.",
                rules=[at_most(NOTE_MAX)],
                characters=TEXT_CHARACTERS,
            ),
            "interchange_only": True,
        },
    },
)

EXAMPLE_LINEAGE = "0b6c3f0e-5f0a-4a8e-9d43-2f1f7c1f6a15"
EXAMPLE_SUCCESSOR = "5d1e2c3b-7a6f-4e1d-8c2b-1a0f9e8d7c6b"


def lineage(description, example=EXAMPLE_LINEAGE):
    return value("string", description, example)


def tracker_page(example=EXAMPLE_LINEAGE):
    return value(
        "string",
        "Its page in the recommendation tracker: its history, edition after edition.",
        f"{EXAMPLE_SITE}/recommendations/{example}/",
        format="uri",
    )


TRACKED = an_object(
    "an object",
    "What the recommendation tracker says of one item, in the same place in the list.",
    required=[],
    properties={
        "lineage": lineage(
            "The recommendation's stable id across editions (a UUID): the same in every "
            "edition that makes it, and `lineage` in the tracker's CSV and JSON."
        ),
        "status": value(
            ["string", "null"],
            'Against the country\'s previous entry: "new", "repeated" (the same words to '
            'the same addressee) or "revised".',
            "repeated",
        ),
        "implementation": value(
            ["string", "null"],
            "For one made before, how far it has been acted on in the analysts' judgement: "
            '"not_implemented", "partly_implemented" or "implemented"; null if not assessed.',
            "partly_implemented",
        ),
        "url": tracker_page(),
    },
)

RECOMMENDATION_GROUP = an_object(
    'an object with "addressee" and "items"',
    "Recommendations to one addressee.",
    required=["addressee", "items"],
    properties={
        "addressee": text(
            "Who the recommendations are addressed to.",
            "The UN Security Council",
            rules=[at_most(ADDRESSEE_MAX)],
        ),
        "items": texts(
            "The recommendations, in Markdown.",
            "Refer the situation to the International Criminal Court.",
        ),
        "tracked": written(
            {
                "type": "array",
                "expected": "a list",
                "description": "Each item's place in the recommendation tracker, in the "
                "order of `items`.",
                "items": TRACKED,
            }
        ),
    },
)

DROPPED = an_object(
    "an object",
    "A recommendation of the country's previous entry that this entry does not make again.",
    required=[],
    properties={
        "lineage": lineage("Its stable id (`lineage` of the recommendation it was)."),
        "addressee": value("string", "Whom it was addressed to.", "UN Member States"),
        "text": value(
            "string",
            "Its words as last made, in Markdown.",
            "Appoint a Special Envoy on Human Rights in North Korea.",
        ),
        "reason": value(
            "string",
            'Why it was dropped: "implemented", "partly_implemented", "superseded" (by '
            '`superseded_by`), "no_longer_relevant", "other" (see `note`), "not_recorded" '
            '(no reason given), "country_left" (the country left the outlook) or "to_confirm" '
            "(an archive's reworded recommendation may continue it; an analyst is to "
            "confirm).",
            "implemented",
        ),
        "note": value(
            ["string", "null"],
            "The analysts' note on why, if any.",
            "The envoy was appointed in March.",
        ),
        "superseded_by": value(
            ["string", "null"],
            "When superseded, the `lineage` of the recommendation of this entry that "
            "replaces it; else null.",
            EXAMPLE_SUCCESSOR,
        ),
        "url": tracker_page(),
    },
)

FOOTNOTE = {
    **an_object(
        'an object with an integer "number"',
        "Numbered 1, 2, 3… in each entry; a text, a URL or both.",
        required=["number"],
        properties={
            "number": value("integer", "The footnote's number: [^1] in the text calls it.", 1),
            "text": optional_text(
                "The citation as printed, e.g. a report's title and symbol.",
                "A/HRC/46/52, 11 January 2021",
                rules=[at_most(NOTE_MAX)],
                characters=TEXT_CHARACTERS,
            ),
            "url": optional_text(
                "An http:// or https:// address; null if none.",
                "https://undocs.org/A/HRC/46/52",
                rules=[at_most(URL_MAX)],
            ),
        },
    ),
    "allOf": [{"anyOf": [filled("text"), filled("url")], "expected": 'a "text" or a "url"'}],
}

CORRECTION = an_object(
    "an object",
    "A correction of the entry published after the edition: a later version of it.",
    required=[],
    properties={
        "revision": value("integer", "The corrected version's revision number.", 2),
        "published_on": value(
            ["string", "null"],
            "The day the correction was published.",
            "2024-01-15",
            format="date",
        ),
        "note": value(
            "string",
            "What the correction changed, as the page shows it with the entry.",
            "Corrected the date of the report cited in footnote 3.",
        ),
        "url": value(
            "string", "The corrected version's page.", f"{EXAMPLE_EDITION}kp/v2/", format="uri"
        ),
    },
)

ENTRY = an_object(
    "an object",
    "One country's entry.",
    required=["country", "risk"],
    properties={
        "country": text(
            "The country's ISO 3166 alpha-2 code (an import also reads its official name, "
            "short name or an alias).",
            "KP",
            rules=[at_most(COUNTRY_MAX)],
        ),
        "short_name": optional_text(
            "The name used in running text.", "DPRK", rules=[at_most(SHORT_NAME_MAX)]
        ),
        "revision": written(
            value(
                "integer",
                "The number of the entry's version shown: with the edition's slug and the "
                "country it names this version, as `revision` in the ratings CSV does.",
                1,
            )
        ),
        "url": written(
            value(
                "string",
                "The page of this version of the entry; a correction gets a page of its own.",
                f"{EXAMPLE_EDITION}kp/v1/",
                format="uri",
            )
        ),
        "risk": RISK,
        "corrections": written(
            {
                "type": "array",
                "expected": "a list",
                "description": "The corrections published since the edition, oldest first "
                "(the last one is the version shown); empty for an entry as first published.",
                "items": CORRECTION,
            }
        ),
        "findings": texts(
            "Paragraphs in Markdown; footnote calls as [^1].",
            "The DPRK continues to commit widespread violations.[^1]",
        ),
        "recommendations": {
            "type": "array",
            "expected": "a list",
            "description": "The recommendations, grouped by addressee in the order written.",
            "items": RECOMMENDATION_GROUP,
        },
        "dropped": written(
            {
                "type": "array",
                "expected": "a list",
                "description": "The recommendations of the country's previous entry that "
                "this one no longer makes, and why; empty for a country's first entry.",
                "items": DROPPED,
            }
        ),
        "footnotes": {
            "type": "array",
            "expected": "a list",
            "description": "The sources the findings and recommendations cite.",
            "items": FOOTNOTE,
        },
    },
)

LICENCE = written(
    an_object(
        "an object",
        "The licence under which anyone may reuse the data (settings OUTLOOK_DATA_LICENCE).",
        required=[],
        properties={
            "name": value("string", "The licence's name.", "CC BY 4.0"),
            "url": value(
                "string",
                "The licence's text.",
                "https://creativecommons.org/licenses/by/4.0/",
                format="uri",
            ),
        },
    )
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
            "demo": written(
                value(
                    "boolean",
                    "Present, and true, only in a demo edition (manage.py seed_demo): its "
                    "content is fictional.",
                    True,
                )
            ),
            "region": text("The region's name.", "Asia Pacific", rules=[at_most(REGION_MAX)]),
            "title": text(
                "The edition's title, without its period.",
                "Asia Pacific Regional Outlook",
                rules=[at_most(TITLE_MAX)],
            ),
            "period": text(
                'The edition\'s month: "2023-11" (an import also reads "November 2023").',
                "2023-11",
                # The rule is parse_period's, as in the editor's forms: see FORMATS below.
                rules=[{"format": "year-month", "expected": PERIOD_HELP}],
            ),
            "slug": written(
                value(
                    "string",
                    "The edition's name in addresses, which never changes (`edition` in the "
                    "ratings CSV).",
                    "asia-pacific-2023-11",
                )
            ),
            "url": written(value("string", "The edition's page.", EXAMPLE_EDITION, format="uri")),
            "published_on": {
                "type": ["string", "null"],
                "expected": PUBLISHED_ON_HELP,
                "description": "The day the edition was published to its readers; null (or, "
                "in a file to import, absent) for an archive that does not say, which shows "
                "its period only. A correction does not change it.",
                "examples": ["2023-11-15"],
                "format": "publication-date",
            },
            "licence": LICENCE,
            "introduction": optional_text(
                "The edition's introduction, in Markdown; empty if it has none.",
                "This edition covers *two* countries.",
                rules=[at_most(TEXT_MAX)],
                characters=TEXT_CHARACTERS,
            ),
            "assessments": {
                "type": "array",
                "minItems": 1,
                "expected": "a non-empty list of country entries",
                "description": "The edition's country entries, in its order.",
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
