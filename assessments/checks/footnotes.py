"""Footnotes: calls of footnotes that do not exist, footnotes never cited, numbering with
gaps or doubles, footnotes cited out of order, and sources a reader cannot find: empty,
with neither URL nor UN document symbol, with a malformed URL or symbol, or a web address
without https://.
"""

import re
from dataclasses import replace

from django.core.exceptions import ValidationError

from ..text_format import URL_RE, validate_url
from .registry import register
from .results import FOOTNOTE, Place, Severity
from .text import CALL_RE, SYMBOL_LIKE_RE

MAX_FOOTNOTE_DIGITS = 4
SYMBOL_SEGMENT_RE = re.compile(
    r"(?:[A-Z0-9]+(?:\.[A-Z0-9]+)*|(?:Rev|Add|Corr|Amend|Sub|Misc)\.\d+)(?:\s*\(\d{4}\))?"
)
BARE_WWW_RE = re.compile(r"(?<![/\w.])www\.[A-Za-z0-9-]+\.[^\s,;)]+")


def _calls(analysis):
    """(piece, match, number) of each footnote call in the prose, in reading order; the
    number is None for a call that is not a footnote number ([^x])."""
    for piece in analysis.prose:
        for match in CALL_RE.finditer(piece.text):
            label = match.group(1)
            is_number = label.isascii() and label.isdigit() and len(label) <= MAX_FOOTNOTE_DIGITS
            yield piece, match, int(label) if is_number else None


def _first_citations(analysis):
    """{number: place of its first call} of the footnotes that exist, in the order cited."""
    known = {note.number for note in analysis.content.footnotes}
    cited = {}
    for piece, match, number in _calls(analysis):
        if number in known and number not in cited:
            cited[number] = piece.at(match.start(), match.end())
    return cited


@register("footnotes")
def bad_call(analysis, report):
    known = {note.number for note in analysis.content.footnotes}
    for piece, match, number in _calls(analysis):
        place = piece.at(match.start(), match.end())
        if number is None:
            report(
                Severity.ERROR,
                "footnotes.bad_call",
                place,
                f'"{match.group(0)}" is not a footnote call: footnotes are cited by '
                "number, as [^1].",
                excerpt=match.group(0),
            )
        elif number not in known:
            have = ", ".join(str(n) for n in sorted(known)) or "none"
            report(
                Severity.ERROR,
                "footnotes.missing",
                place,
                f"Footnote {number} is cited here but does not exist "
                f"(the entry's footnotes: {have}).",
                "Add the footnote, or correct the number.",
                match.group(0),
            )


@register("footnotes")
def uncited(analysis, report):
    cited = _first_citations(analysis)
    for note in analysis.content.footnotes:
        if note.number not in cited:
            report(
                Severity.WARNING,
                "footnotes.uncited",
                Place(FOOTNOTE, index=note.number),
                f"Footnote {note.number} is never cited in the text.",
                f"Cite it as [^{note.number}] where the text relies on it, or delete it.",
                f"{note.text} {note.url}",
            )


@register("footnotes")
def numbering(analysis, report):
    """Footnotes numbered 1, 2, 3…: no number twice, none missing."""
    notes = analysis.content.footnotes
    seen = set()
    for i, note in enumerate(notes):
        if note.number in seen:
            report(
                Severity.ERROR,
                "footnotes.duplicate_number",
                Place(FOOTNOTE, index=note.number),
                f"Two footnotes are numbered {note.number}.",
                "Renumber the footnotes 1, 2, 3…",
                f"{note.number}",
            )
        seen.add(note.number)
        expected = notes[i - 1].number + 1 if i else 1
        if note.number > expected:
            missing = (
                f"footnote {expected} is missing"
                if note.number == expected + 1
                else f"footnotes {expected}–{note.number - 1} are missing"
            )
            report(
                Severity.ERROR,
                "footnotes.gap",
                Place(FOOTNOTE, index=note.number),
                f"Footnote {note.number} follows "
                + (f"footnote {notes[i - 1].number}" if i else "no footnote")
                + f": {missing}.",
                "Renumber the footnotes 1, 2, 3…",
                f"{note.number}",
            )


@register("footnotes")
def citation_order(analysis, report):
    cited = _first_citations(analysis)
    order = list(cited)
    if order != sorted(order):
        first_wrong = next(n for a, n in zip(order, order[1:], strict=False) if n < a)
        report(
            Severity.NOTE,
            "footnotes.order",
            cited[first_wrong],
            f"Footnote {first_wrong} is first cited after a higher-numbered footnote: "
            "readers expect footnotes in the order they are cited.",
            excerpt=f"{order}",
        )


@register("footnotes")
def footnote_source(analysis, report):
    """Each footnote's source: written, findable (a URL or a document symbol), and with
    well-formed addresses and symbols."""
    for piece, note in zip(analysis.footnotes, analysis.content.footnotes, strict=True):
        if not note.text.strip() and not note.url.strip():
            report(
                Severity.ERROR,
                "footnotes.empty",
                piece.place,
                f"Footnote {note.number} is empty.",
                "Write the citation, or delete the footnote.",
            )
            continue
        urls_in_text = URL_RE.findall(note.text)
        symbols = _document_symbols(piece, report)
        if not note.url.strip() and not urls_in_text and not symbols:
            report(
                Severity.WARNING,
                "footnotes.untraceable",
                piece.place,
                f"Footnote {note.number} has neither a URL nor a UN document symbol: "
                "a reader cannot find the source.",
                "Add the URL or the document symbol (e.g. A/HRC/46/52).",
                note.text,
            )
        if note.url.strip():
            try:
                validate_url(note.url.strip())
            except ValidationError:
                report(
                    Severity.ERROR,
                    "footnotes.bad_url",
                    replace(piece.place, field="url"),
                    f'Footnote {note.number}\'s URL "{note.url}" is not a valid web address.',
                    "Write the full address, starting with https://.",
                    note.url,
                )
        for match in URL_RE.finditer(note.text):
            address = match.group(0)
            try:
                validate_url(address)
            except ValidationError:
                report(
                    Severity.ERROR,
                    "footnotes.bad_url",
                    piece.at(match.start(), match.end()),
                    f'"{address}" is not a valid web address.',
                    excerpt=address,
                )
        _bare_web_addresses(piece, report)


@register("footnotes")
def sources_in_prose(analysis, report):
    """Document symbols and web addresses written in the running text."""
    for piece in analysis.prose:
        _document_symbols(piece, report)
        _bare_web_addresses(piece, report)


def _document_symbols(piece, report):
    """Report malformed UN document symbols; return the well-formed ones."""
    good = []
    for match in SYMBOL_LIKE_RE.finditer(piece.masked):
        symbol = match.group(0).rstrip(".-")
        if not re.search(r"\d", symbol):
            continue  # "and/or", "S/he": not a symbol
        segments = symbol.split("/")
        valid = (
            segments[0] == segments[0].upper()
            and len(segments) >= 3
            and all(SYMBOL_SEGMENT_RE.fullmatch(segment) for segment in segments[1:])
        )
        if valid:
            good.append(symbol)
            continue
        suggestion = ""
        fixed = "/".join(s for s in symbol.upper().split("/") if s)
        fixed = re.sub(r"\b(REV|ADD|CORR)\.", lambda m: m.group(1).capitalize() + ".", fixed)
        if fixed != symbol and len(fixed.split("/")) >= 3:
            suggestion = fixed
        report(
            Severity.WARNING,
            "footnotes.bad_symbol",
            piece.at(match.start(), match.start() + len(symbol)),
            f'"{symbol}" is not a well-formed UN document symbol (such as A/HRC/46/52): '
            "check it against the UN Official Document System.",
            suggestion,
            symbol,
        )
    return good


def _bare_web_addresses(piece, report):
    for match in BARE_WWW_RE.finditer(piece.masked):
        report(
            Severity.WARNING,
            "footnotes.bad_url",
            piece.at(match.start(), match.end()),
            f'"{match.group(0)}" has no https:// in front: it will not be a link.',
            "https://" + match.group(0),
            match.group(0),
        )
