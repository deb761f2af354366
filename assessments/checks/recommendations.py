"""Recommendations: an addressee twice or with nothing under it, an empty recommendation,
the same recommendation twice, a recommendation that does not start with a verb, and one
of the previous edition dropped without a reason.
"""

import re

from django.utils.text import Truncator

from .entry import report_empty
from .registry import register
from .results import ADDRESSEE, DROPPED, Place, Severity
from .text import WORD_RE, fold
from .words import NOT_IMPERATIVE_FIRST, NOUN_SUFFIXES


@register("recommendations")
def addressee_twice(analysis, report):
    addressees = {}  # folded addressee -> number of its first group
    for g, group in enumerate(analysis.content.recommendations, 1):
        folded_addressee = fold(group.addressee)
        if folded_addressee in addressees:
            report(
                Severity.WARNING,
                "recommendations.addressee_twice",
                Place(ADDRESSEE, index=g, addressee=group.addressee),
                f"{group.addressee} is addressed twice, in groups "
                f"{addressees[folded_addressee]} and {g}.",
                "Merge the two groups.",
                group.addressee,
            )
        addressees.setdefault(folded_addressee, g)


@register("recommendations")
def empty_group(analysis, report):
    for g, group in enumerate(analysis.content.recommendations, 1):
        if not [item for item in group.items if item.strip()]:
            report(
                Severity.ERROR,
                "recommendations.empty_group",
                Place(ADDRESSEE, index=g, addressee=group.addressee),
                f'"{group.addressee} should:" has no recommendations under it.',
                "Add the recommendations, or delete the addressee.",
                group.addressee,
            )


@register("recommendations")
def empty_item(analysis, report):
    message = "This recommendation is empty."
    report_empty(report, analysis.items, "recommendations.empty_item", message)


@register("recommendations")
def duplicate(analysis, report):
    """The same recommendation twice: an error within a group, a warning across groups."""
    seen = {}  # folded text -> place of the first
    for piece in analysis.items:
        if not piece.text.strip():
            continue
        folded = fold(re.sub(r"[^\w\s']", " ", piece.masked))
        earlier = seen.get(folded)
        if earlier is None:
            seen[folded] = piece.place
            continue
        same_group = earlier.index == piece.place.index
        report(
            Severity.ERROR if same_group else Severity.WARNING,
            "recommendations.duplicate",
            piece.at(0, len(piece.text)),
            f"This recommendation repeats {earlier.label.split(',')[0]}"
            + f", item {earlier.item}.",
            "Delete one of them."
            if same_group
            else "Keep it for one addressee only, unless both must act.",
            piece.text,
        )


@register("recommendations")
def not_imperative(analysis, report):
    """A recommendation says what the addressee should do, starting with a verb."""
    for piece in analysis.items:
        if not piece.text.strip():
            continue
        words = list(WORD_RE.finditer(piece.masked))
        if not words:
            continue
        first = words[0]
        word = first.group(0)
        lower = word.casefold()
        if lower.endswith("ly") and len(words) > 1:  # "Immediately cease ..."
            first = words[1]
            word = first.group(0)
            lower = word.casefold()
        reason = ""
        if lower in NOT_IMPERATIVE_FIRST:
            reason = f'starts with "{word}"'
        elif word.isupper() and len(word) > 1:
            reason = f'starts with "{word}", a name'
        elif (lower.endswith(NOUN_SUFFIXES) and lower not in ("bring", "sing")) or (
            lower.endswith("ed") and lower not in ("need", "heed", "feed", "proceed", "exceed")
        ):
            reason = f'starts with "{word}", which is not a verb in the imperative'
        if reason:
            report(
                Severity.WARNING,
                "recommendations.not_imperative",
                piece.at(first.start(), first.end()),
                f"A recommendation says what the addressee should do, starting with a verb "
                f'("Ensure", "Release", "Ratify"); this one {reason}.',
                "Rewrite it to start with a verb.",
                word,
            )


@register("recommendations")
def dropped_without_reason(analysis, report):
    """A recommendation of the previous edition that the entry neither makes again nor says
    why it drops: the tracker would publish it as dropped for no recorded reason."""
    if not analysis.context.drop_reasons_required:
        return
    content = analysis.content
    accounted = set(content.lineages) | {item.lineage for item in content.dropped if item.reason}
    for position, prior in enumerate(analysis.context.predecessors, 1):
        if prior.lineage in accounted:
            continue
        quoted = Truncator(" ".join(prior.text.split())).words(12)
        report(
            Severity.ERROR,
            "recommendations.dropped_without_reason",
            Place(DROPPED, index=position, addressee=prior.addressee),
            f"The previous edition's recommendation to {prior.addressee}, “{quoted}”, is "
            "dropped: say why.",
            "Give the reason under “Dropped since the last edition”, or make the "
            "recommendation again.",
            prior.text,
        )
