"""Names: the entry's country named in a form that is not one of its names (a misspelling
of a known name, or a form that is no name of it), and one name written two ways.

Where the country's name is written wrongly is worked out in the pre-pass
(`analysis.NameSlip`): the consistency check does not take those forms for the entry's own.
"""

import re

from .registry import register
from .results import Severity
from .text import NAME_CHUNK_RE, WORD_RE, fold
from .words import NAME_START_SKIP


@register("names")
def country_name(analysis, report):
    context = analysis.context
    for slip in analysis.name_slips:
        place = slip.piece.at(slip.start, slip.end)
        if slip.misspelt:
            report(
                Severity.WARNING,
                "names.misspelt",
                place,
                f'"{slip.written}" is a misspelling of "{slip.name}".',
                slip.name,
                slip.written,
            )
        else:
            report(
                Severity.WARNING,
                "names.unknown",
                place,
                f'"{slip.written}" is not a name of '
                f"{context.short_name or context.official_name}: "
                f"use its official name ({context.official_name}), its short name "
                f"({context.short_name}) or a known alias.",
                slip.name,
                slip.written,
            )


@register("names")
def inconsistent_name(analysis, report):
    """One name written two ways in the entry (People's / Peoples', Timor-Leste /
    Timor Leste): the first form read is taken as the entry's."""
    flagged = {(slip.piece.place, slip.start) for slip in analysis.name_slips}
    forms = {}
    for piece in analysis.named:
        for chunk in NAME_CHUNK_RE.finditer(piece.masked):
            written = chunk.group(0)
            offset = 0
            first = WORD_RE.match(written)
            if first and first.group(0).casefold() in NAME_START_SKIP:
                rest = written[first.end() :]
                offset = first.end() + len(rest) - len(rest.lstrip())
                written = rest.strip()
            written = re.sub(r"['’]s$", "", written)
            if len(WORD_RE.findall(written)) < 2 and len(written) < 6:
                continue
            squashed = re.sub(r"[\W_]+", "", written.casefold())
            folded = fold(written)
            start = chunk.start() + offset
            if (piece.place, start) in flagged:
                continue  # already reported as the country's name written wrongly
            earlier = forms.setdefault(squashed, (folded, written, piece.place.label))
            if earlier[0] == folded:
                continue
            flagged.add((piece.place, start))
            report(
                Severity.WARNING,
                "names.inconsistent",
                piece.at(start, start + len(written)),
                f'"{written}" is written "{earlier[1]}" in {earlier[2]}: write one name one way.',
                earlier[1],
                written,
            )
