"""The conventions of a published outlook's text, shared by the reader (importing), the
writer (exporting), the editorial checks, the forms and the models: month names and
periods, superscript footnote numbers, web addresses and UN document symbols.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH_PATTERN = "|".join(MONTHS)
MONTH_NUMBERS = {name.casefold(): number for number, name in enumerate(MONTHS, 1)}

# The earliest period an edition can have: earlier is a typing slip, not an archive.
FIRST_YEAR = 1900
PERIOD_HELP = "YYYY-MM such as 2023-11"


CITED_DATE_RE = re.compile(
    rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{MONTH_PATTERN})\s+(?P<year>\d{{4}})\b"
)


def month_label(period):
    """`November 2023` for any day of that month."""
    return f"{MONTHS[period.month - 1]} {period.year}"


def parse_period(text, *, month_names=True):
    """`2023-11`, or with `month_names` also `November 2023`, as the first day of that
    month. Raises ValueError, whose message says what was expected.
    """
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if match:
        year, month = int(match[1]), int(match[2])
    else:
        match = re.fullmatch(rf"({MONTH_PATTERN})\s+(\d{{4}})", text, re.IGNORECASE)
        if not match or not month_names:
            raise ValueError(f"{text!r} is not a month; expected {PERIOD_HELP}")
        year, month = int(match[2]), MONTH_NUMBERS[match[1].casefold()]
    if not 1 <= month <= 12 or year < FIRST_YEAR:
        raise ValueError(f"{text!r} is not a month; expected {PERIOD_HELP}")
    return date(year, month, 1)


# Footnote numbers are printed as superscript digits in the running text and at the
# start of each note.
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")
TO_SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)


def superscript(number):
    return str(number).translate(TO_SUPERSCRIPT)


def from_superscript(digits):
    return int(digits.translate(FROM_SUPERSCRIPT))


# A web address in running text, without the punctuation that ends a sentence after it.
URL_RE = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)\]]")

# Links are followed by readers: nothing but the web (no javascript:, data: or file:).
validate_url = URLValidator(schemes=["http", "https"])


def is_web_address(url):
    try:
        validate_url(url)
    except ValidationError:
        return False
    return True


# The series of UN documents the outlooks cite: General Assembly, Security Council,
# ECOSOC, Secretariat, the treaty bodies, UNEP and UNCTAD.
UN_SERIES = "A|S|E|ST|CCPR|CERD|CEDAW|CRC|CAT|CRPD|CMW|UNEP|TD"
UN_SYMBOL_RE = re.compile(rf"\b(?:{UN_SERIES})/[A-Z0-9.]+(?:/[A-Za-z0-9.]+)*")


# --- Footnotes as printed -------------------------------------------------------------


def citation(title, pinpoint=""):
    """A footnote's text as printed: the source's citation, then the pinpoint."""
    return ", ".join(part for part in (title, pinpoint) if part)


def split_citation(text):
    """Split a footnote as printed into (text, url): the URL leaves the text."""
    match = URL_RE.search(text)
    if not match:
        return text.strip(), ""
    url = match.group(0)
    rest = (text[: match.start()] + text[match.end() :]).strip()
    rest = re.sub(r"[\s,;:]+$", "", rest)
    return rest, url


def cited_date(text):
    """The first full date written in a citation ("11 January 2021"), or None."""
    match = CITED_DATE_RE.search(text)
    if not match:
        return None
    try:
        return date(int(match["year"]), MONTH_NUMBERS[match["month"].casefold()], int(match["day"]))
    except ValueError:
        return None


# --- Characters a text may hold ------------------------------------------------------------

# Control characters (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F) are nothing
# a reader can see; they break the feed's XML, the PDF and the terminal, and no analyst
# means to type them. A text keeps tab and line breaks; a line (a title, a name) none. A
# lone surrogate (category Cs) is no character at all and cannot be stored. Regular
# expressions find them in C, fast in a megabyte of text.
_CONTROLS_BUT_TEXT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATES = "\ud800-\udfff"
UNPRINTABLE_IN_TEXT_RE = re.compile(f"[{_CONTROLS_BUT_TEXT}{_SURROGATES}]")
UNPRINTABLE_IN_LINE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{_SURROGATES}]")
# What output drops from rows saved before the forms and the importer refused them.
CONTROL_CHARACTERS_RE = re.compile(f"[{_CONTROLS_BUT_TEXT}]")


def _refuse_unprintable(pattern, value):
    found = pattern.search(value or "")
    if found:
        raise ValidationError(
            "Remove the unprintable character U+%(code)04X at character %(position)s "
            "(a control character, invisible to readers).",
            code="control_character",
            params={"code": ord(found.group()), "position": found.start() + 1},
        )


def validate_text(value):
    """Text of several lines: no control character but tab and line breaks."""
    _refuse_unprintable(UNPRINTABLE_IN_TEXT_RE, value)


def validate_line(value):
    """One line (a title, a name): no control character at all."""
    _refuse_unprintable(UNPRINTABLE_IN_LINE_RE, value)


def without_control_characters(text):
    return CONTROL_CHARACTERS_RE.sub("", text)


# FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: the text between them takes its own
# direction, and a direction override in it (U+202E, RIGHT-TO-LEFT OVERRIDE) ends there
# instead of turning round everything after it on the line.
FSI, PDI = "\u2068", "\u2069"


def isolate(text):
    """Stored text in a bidi isolate, where markup cannot go (the PDF's running header);
    in HTML, <bdi> does the same."""
    return f"{FSI}{text}{PDI}"
