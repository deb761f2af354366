"""Sentences: a sentence that starts without a capital (the broken end of the one before),
a fragment with no main clause, a finding without a full stop at its end, a word written
twice in a row, and brackets or quotation marks left open.
"""

import re

from .registry import register
from .results import Severity
from .text import WORD_RE, lacks_main_verb

# Words English may write twice in a row: "What it had had no effect."
GRAMMATICAL_DOUBLES = ("had", "that", "is")


def _first_letter_lowercase(sentence):
    """The sentence's first letter, when it is lowercase outside a list item."""
    first = re.search(r"[A-Za-z]", sentence.text)
    if first and first.group(0).islower() and not sentence.list_item:
        return first
    return None


@register("sentences")
def no_capital(analysis, report):
    for piece in analysis.prose:
        for sentence in piece.sentences:
            first = _first_letter_lowercase(sentence)
            if first is None:
                continue
            word = WORD_RE.match(piece.masked, sentence.start + first.start())
            report(
                Severity.WARNING,
                "sentences.capital",
                piece.at(sentence.start, sentence.end),
                "This sentence does not start with a capital letter: is it the broken "
                "end of the sentence before?",
                excerpt=sentence.text,
                suggestion=(word.group(0).capitalize() if word else ""),
            )


@register("sentences")
def fragment(analysis, report):
    """A sentence of a finding without a main clause, unless it is reported as repeated."""
    for piece in analysis.findings:
        for sentence in piece.sentences:
            # A sentence without a capital is reported as that, a list item is no sentence.
            if (
                _first_letter_lowercase(sentence) is None
                and not sentence.list_item
                and lacks_main_verb(sentence.text)
                and not analysis.repetition.repeats(piece, sentence)
            ):
                report(
                    Severity.WARNING,
                    "sentences.fragment",
                    piece.at(sentence.start, sentence.end),
                    "This is not a full sentence: it has no main clause with a verb.",
                    "Complete the sentence, or join it to the one before.",
                    sentence.text,
                )


@register("sentences")
def unfinished_finding(analysis, report):
    for piece in analysis.findings:
        stripped = piece.masked.rstrip()
        if stripped and not re.search(r"[.!?:][\"”’')\]]*$", stripped):
            end = len(stripped)
            report(
                Severity.WARNING,
                "sentences.unfinished",
                piece.at(max(0, end - 20), end),
                "The finding ends without a full stop: is text missing?",
                excerpt=stripped[-40:],
            )


# Reported as "repetition.word", a name the keys of acknowledged warnings are made from;
# it runs here, after the checks above, so that results that sort alike keep their order.
@register("sentences")
def doubled_word(analysis, report):
    for piece in analysis.prose:
        for match in re.finditer(r"\b([A-Za-z]+)\s+\1\b", piece.masked, re.IGNORECASE):
            word, doubled = match.group(1), match.group(0)
            if word.casefold() not in GRAMMATICAL_DOUBLES:
                report(
                    Severity.WARNING,
                    "repetition.word",
                    piece.at(match.start(), match.end()),
                    f'"{word}" is written twice in a row.',
                    word,
                    doubled,
                )


@register("sentences")
def unbalanced_brackets(analysis, report):
    for piece in analysis.prose:
        masked = piece.masked
        unmatched = []  # (position, message, excerpt): closing brackets as read, then opening
        stack = []
        for i, char in enumerate(masked):
            if char in "([":
                stack.append(i)
            elif char in ")]" and stack:
                stack.pop()
            elif char in ")]":
                message = "A closing bracket has no opening bracket."
                unmatched.append((i, message, masked[max(0, i - 20) : i + 1]))
        unmatched += [(i, "An opening bracket is never closed.", masked[i : i + 20]) for i in stack]
        for i, message, excerpt in unmatched:
            report(
                Severity.WARNING, "sentences.brackets", piece.at(i, i + 1), message, excerpt=excerpt
            )


@register("sentences")
def unbalanced_quotes(analysis, report):
    for piece in analysis.prose:
        masked = piece.masked
        straight = [m.start() for m in re.finditer(r'"', masked)]
        opening = masked.count("“")
        closing = masked.count("”")
        if len(straight) % 2 or opening != closing:
            where = straight[-1] if len(straight) % 2 else masked.find("“")
            where = max(where, 0)
            report(
                Severity.WARNING,
                "sentences.quotes",
                piece.at(where, where + 1),
                "A quotation is opened but not closed (or closed but not opened).",
                excerpt=masked[where : where + 30],
            )
