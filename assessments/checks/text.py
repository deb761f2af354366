"""Reading the text as written: masking what is not prose (footnote calls, link targets,
web addresses, emphasis marks), splitting sentences, finding dates, folding for
comparison, and telling a sentence from a fragment.

Masking keeps every character at its position, so that a span found in the masked text
is the same span in the text the analyst wrote.
"""

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..text_format import MONTH_NUMBERS, MONTH_PATTERN, UN_SERIES, URL_RE
from .words import (
    ABBREVIATIONS,
    AUXILIARIES,
    DETERMINERS,
    IRREGULAR_VERBS,
    NOT_PAST_TENSE,
    PREPOSITIONS,
    SUBORDINATORS,
)

if TYPE_CHECKING:
    from .results import Place

# Footnote calls ([^1]), link targets, emphasis marks: not prose, masked out.
CALL_RE = re.compile(r"\[\^([^\]\s]*)\]")
# Bounded, and stopping at brackets: "[a](" repeated must not make this quadratic.
LINK_TARGET_RE = re.compile(r"\]\([^)\s\[\]]{0,2000}\)")
EMPHASIS_MARK_RE = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def fold(text):
    """The text as compared: case folded, straight apostrophes, single spaces."""
    return re.sub(r"\s+", " ", text.replace("’", "'").casefold()).strip()


def mask(text):
    """The text with footnote calls, link targets, URLs and emphasis marks blanked out,
    keeping every other character at its position so that spans map back to the text."""

    def blank(match):
        return " " * len(match.group(0))

    masked = CALL_RE.sub(blank, text)
    masked = LINK_TARGET_RE.sub(lambda m: "]" + " " * (len(m.group(0)) - 1), masked)
    masked = URL_RE.sub(blank, masked)
    return EMPHASIS_MARK_RE.sub(blank, masked)


# What the checks look for in the masked text: words, names as written, document symbols.
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
# A run of capitalised words, with the small words names have inside them: a name as written.
NAME_CHUNK_RE = re.compile(
    r"[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*"
    r"(?:[ \t]+(?:(?:of|the|and|de|la|du|des|del|da)[ \t]+)*[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*)*"
)
# Anything shaped like a UN document symbol, well formed or not (A/HRC/46/52, a/hrc//46).
SYMBOL_LIKE_RE = re.compile(rf"(?<![\w/.])(?i:{UN_SERIES})/[\w./-]*")

# A Markdown list item stands alone; a sentence ends at . ! or ? (and closing quotes).
LIST_MARKER_RE = re.compile(r"^(\s*)(?:[-*+•]|\d{1,2}[.)])\s+")
SENTENCE_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s|$)")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    list_item: bool = False


def split_sentences(masked):
    """Sentence spans of a (masked) text; each line of a Markdown list stands alone."""
    sentences = []
    offset = 0
    for line in masked.split("\n"):
        line_start = offset
        offset += len(line) + 1
        marker = LIST_MARKER_RE.match(line)
        list_item = bool(marker)
        start = marker.end() if marker else 0
        for match in SENTENCE_END_RE.finditer(line):
            if match.group(0).startswith(".") and len(match.group(0).rstrip("\"”’')]")) == 1:
                before = line[start : match.start()].split()
                token = before[-1].lstrip("\"“‘'([") if before else ""
                if token.casefold() in ABBREVIATIONS or re.fullmatch(
                    r"[A-Z]|(?:[A-Za-z]\.)+[A-Za-z]", token
                ):
                    continue
            _add_sentence(sentences, line, line_start, start, match.end(), list_item)
            start = match.end()
        _add_sentence(sentences, line, line_start, start, len(line), list_item)
    return sentences


def _add_sentence(sentences, line, line_start, start, end, list_item):
    chunk = line[start:end]
    stripped = chunk.strip()
    if not stripped or not re.search(r"\w", stripped):
        return
    lead = len(chunk) - len(chunk.lstrip())
    begin = line_start + start + lead
    sentences.append(Sentence(begin, begin + len(stripped), stripped, list_item))


@dataclass(frozen=True)
class Piece:
    """A piece of the entry's text the checks read: a finding, a recommendation, a
    footnote, an addressee or the heading; with its masked text and, for prose, its
    sentences."""

    place: "Place"
    text: str
    masked: str
    sentences: tuple[Sentence, ...] = ()

    @classmethod
    def read(cls, place, text, *, prose=False):
        """The piece at `place`; prose (findings, recommendations) is split into sentences."""
        masked = mask(text)
        return cls(place, text, masked, tuple(split_sentences(masked)) if prose else ())

    def at(self, start, end):
        return self.place.at(start, end)


YEAR_RE = re.compile(r"(?<![\w/.,-])(19\d{2}|20\d{2})(?![\w/]|[.,]\d)")
DATE_RE = re.compile(
    rf"(?:(?P<day>\d{{1,2}})\s+)?(?P<month>{MONTH_PATTERN})\s+(?P<year>(?:19|20)\d{{2}})\b"
    rf"|(?P<month2>{MONTH_PATTERN})\s+(?P<day2>\d{{1,2}}),\s+(?P<year2>(?:19|20)\d{{2}})\b"
)


def dates_in(text):
    """(start, end, year, month) of each date in a text; a bare year counts as its December,
    the latest it can mean."""
    taken = []
    for match in DATE_RE.finditer(text):
        month = match.group("month") or match.group("month2")
        year = int(match.group("year") or match.group("year2"))
        taken.append((match.start(), match.end()))
        yield match.start(), match.end(), year, MONTH_NUMBERS[month.casefold()]
    for match in YEAR_RE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        yield match.start(), match.end(), int(match.group(1)), 12


def runs(indices):
    """Sorted indices as runs of consecutive ones: [1, 2, 3, 7, 8] as [[1, 2, 3], [7, 8]]."""
    grouped = []
    for index in indices:
        if grouped and index == grouped[-1][-1] + 1:
            grouped[-1].append(index)
        else:
            grouped.append([index])
    return grouped


SUBORDINATE_RE = re.compile(
    r"\b(?:where|which|who|whom|whose|that|when|while|whereas|because|although|though|"
    r"unless|if|whether)\b[^,;:]*",
    re.IGNORECASE,
)


def _possible_verb(word, previous, last, after_preposition):
    lower = word.casefold().replace("’", "'")
    if lower in AUXILIARIES or lower in IRREGULAR_VERBS:
        return True
    if lower.endswith("ed") and len(lower) > 4 and lower not in NOT_PAST_TENSE:
        return True
    # A word in -s may be a verb ("continues"), unless a determiner makes it a noun ("the
    # camps") or it ends a phrase opened by a preposition ("In the prison camps").
    return (
        lower.endswith("s")
        and len(lower) > 3
        and not lower.endswith(("ss", "us", "is", "'s", "s'"))
        and word[0].islower()
        and previous.casefold() not in DETERMINERS
        and not (last and after_preposition)
    )


def lacks_main_verb(sentence):
    """True for a sentence that is only a fragment: a prepositional phrase standing alone
    ("In the prison camps where torture is commonplace.") or a subordinate clause with
    no main clause ("Because the government refused.").

    Only these shapes are judged: a verb cannot be told from a plural noun by its form
    ("These disputes deepen ..."), so a sentence starting with its subject is given the
    benefit of the doubt.
    """
    words = WORD_RE.findall(sentence)
    if len(words) < 3:
        return False
    first = words[0].casefold()
    if first in SUBORDINATORS:
        return "," not in sentence and ";" not in sentence
    if first not in PREPOSITIONS:
        return False
    main = WORD_RE.findall(SUBORDINATE_RE.sub(" ", sentence))
    if len(main) < 2:
        return False
    for i, word in enumerate(main):
        previous = main[i - 1] if i else ""
        if _possible_verb(word, previous, i == len(main) - 1, True):
            return False
    return True
