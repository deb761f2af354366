"""Numbers: digits grouped wrongly after a comma, long numbers without grouping, shares over
100%, and the same figure given different values in two places.
"""

import re

from ..text_format import MONTH_NUMBERS, MONTH_PATTERN
from .registry import register
from .results import Severity
from .text import WORD_RE, YEAR_RE
from .words import FIGURE_KEY_STOP, IDENTIFIER_WORDS

GROUPED_NUMBER_RE = re.compile(r"(?<![\w/.,])\d+(?:,\d+)+(?![\w/]|,\d)")
LONG_NUMBER_RE = re.compile(r"(?<![\w/.,])\d{5,}(?![\w/,.]\d|[\w/])")
PERCENT_RE = re.compile(r"(?<![\w/.,])(\d+(?:,\d{3})*(?:\.\d+)?)\s?(%|per ?cent\b)", re.IGNORECASE)
CHANGE_WORDS_RE = re.compile(
    r"\b(?:increase[sd]?|rise|rose|risen|rising|grew|grown|growth|up|inflation|higher|more|"
    r"doubled|tripled|surged?|jump(?:ed)?|exceed(?:ed|s)?)\b",
    re.IGNORECASE,
)
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
FIGURE_RE = re.compile(
    r"(?<![\w/.,$£€])(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s+(?P<scale>thousand|million|billion)\b)?"
    r"(?:\s?(?P<percent>%|per ?cent\b))?",
    re.IGNORECASE,
)
MAX_SUGGESTED_DIGITS = 30


def _grouped(digits):
    """A run of digits grouped by thousands; none for a run too long to be a figure."""
    if len(digits) > MAX_SUGGESTED_DIGITS:
        return ""
    return f"{int(digits):,}"


@register("numbers")
def malformed_grouping(analysis, report):
    for piece in analysis.prose:
        for match in GROUPED_NUMBER_RE.finditer(piece.masked):
            groups = match.group(0).split(",")
            if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
                continue
            written = match.group(0)
            digits = "".join(groups)
            suggestion = _grouped(digits)
            if suggestion and len(groups[-1]) == 4 and len(groups) >= 2:
                suggestion = f"{_grouped(digits[:-1])} or {suggestion}"
            report(
                Severity.ERROR,
                "numbers.grouping",
                piece.at(match.start(), match.end()),
                f'"{written}" is not a well-formed number: after a comma, digits come '
                "in groups of three.",
                suggestion,
                written,
            )


@register("numbers")
def ungrouped_number(analysis, report):
    for piece in analysis.prose:
        for match in LONG_NUMBER_RE.finditer(piece.masked):
            number = match.group(0)
            if re.fullmatch(r"(?:19|20)\d{2}", number):
                continue
            report(
                Severity.NOTE,
                "numbers.ungrouped",
                piece.at(match.start(), match.end()),
                f'"{number}" is easier to read with its digits grouped.',
                _grouped(number),
                number,
            )


@register("numbers")
def share_over_a_whole(analysis, report):
    for piece in analysis.prose:
        masked = piece.masked
        for match in PERCENT_RE.finditer(masked):
            value = float(match.group(1).replace(",", ""))
            if value <= 100:
                continue
            sentence_start = max(masked.rfind(".", 0, match.start()), 0)
            if CHANGE_WORDS_RE.search(masked, sentence_start, match.start()):
                continue  # "inflation rose by 150%" is a change, not a share
            report(
                Severity.WARNING,
                "numbers.percent",
                piece.at(match.start(), match.end()),
                f'"{match.group(0)}" is more than a whole: a share cannot exceed 100%.',
                excerpt=match.group(0),
            )


@register("numbers")
def inconsistent_figures(analysis, report):
    """The same figure (a number and what it counts) given twice with different values."""
    figures = {}  # key -> (value, written, place label, years of its sentence, sentence)
    for piece in analysis.prose:
        masked = piece.masked
        for sentence in piece.sentences:
            years = frozenset(YEAR_RE.findall(sentence.text))
            for match in FIGURE_RE.finditer(sentence.text):
                number = match.group("number")
                start, end = sentence.start + match.start(), sentence.start + match.end()
                bare = not match.group("scale") and not match.group("percent")
                is_year = re.fullmatch(r"(?:19|20)\d{2}", number)
                is_list_marker = len(number) <= 2 and start and masked[start - 1] == "("
                if bare and (is_year or is_list_marker):
                    continue
                before = WORD_RE.findall(masked[max(0, start - 20) : start])
                if before and before[-1].casefold() in IDENTIFIER_WORDS | set(MONTH_NUMBERS):
                    continue
                after = masked[end : end + 60]
                if re.match(rf"\s*(?:{MONTH_PATTERN})\b", after) or re.match(r"[.,]\d", after):
                    continue
                key_words = []
                for word in re.finditer(r"[^\s]+", after):
                    token = word.group(0)
                    clean = re.sub(r"[^\w'-]", "", token).casefold()
                    if clean in FIGURE_KEY_STOP or not clean:
                        break
                    if clean not in ("of", "the", "a", "an"):
                        key_words.append(clean)
                    if re.search(r"[,.;:!?)\"”]$", token) or len(key_words) == 3:
                        break
                if not key_words:
                    continue
                unit = "%" if match.group("percent") else ""
                key = (unit, tuple(key_words))
                try:
                    value = float(number.replace(",", ""))
                except ValueError:
                    continue
                value *= SCALES.get((match.group("scale") or "").casefold(), 1)
                written = match.group(0).strip()
                previous = figures.get(key)
                if previous is None:
                    figures[key] = (value, written, piece.place.label, years, sentence)
                    continue
                old_value, old_written, old_label, old_years, old_sentence = previous
                # A figure in the same sentence, or of other years, is a comparison or a series.
                if (
                    old_value == value
                    or old_sentence is sentence
                    or (old_years and years and old_years != years)
                ):
                    continue
                what = " ".join(key_words)
                report(
                    Severity.WARNING,
                    "numbers.inconsistent",
                    piece.at(start, end),
                    f'"{written} {what}" here, but "{old_written} {what}" in {old_label}: '
                    "the same figure should have one value.",
                    f"Use one figure, {old_written} or {written}, in both places.",
                    f"{written} {what}",
                )
