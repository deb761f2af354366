"""The entry as a whole: it has findings, none of them empty, and a rating; a rating that
changes from the previous edition's comes with a rationale.
"""

from .registry import register
from .results import ENTRY, RATING, Place, Severity


@register("entry")
def no_findings(analysis, report):
    if not any(text.strip() for text in analysis.content.findings):
        report(Severity.ERROR, "entry.no_findings", Place(ENTRY), "The entry has no findings.")


def report_empty(report, pieces, check, message):
    """An error for each piece with nothing written in it (a finding, a recommendation)."""
    for piece in pieces:
        if not piece.text.strip():
            report(Severity.ERROR, check, piece.place, message, "Delete it.")


@register("entry")
def empty_finding(analysis, report):
    report_empty(report, analysis.findings, "entry.empty_finding", "This finding is empty.")


def _rated(content):
    return bool(content.risk_level and content.risk_status)


@register("entry")
def missing_rating(analysis, report):
    if not _rated(analysis.content):
        report(
            Severity.ERROR,
            "rating.missing",
            Place(RATING),
            "The entry has no rating: choose a risk level and a risk status.",
        )


@register("entry")
def rating_change_without_rationale(analysis, report):
    content, context = analysis.content, analysis.context
    if not _rated(content) or context.previous_rating is None:
        return  # nothing to compare: missing_rating reports a missing rating
    previous = tuple(context.previous_rating)
    current = (content.risk_level, content.risk_status)
    changed = tuple(p.casefold() for p in previous) != tuple(c.casefold() for c in current)
    if changed and not content.rationale.strip():
        report(
            Severity.ERROR,
            "rating.no_rationale",
            Place(RATING),
            f"The rating changes from {previous[0]}/{previous[1]} in the previous edition to "
            f"{current[0]}/{current[1]}, but no rationale says why.",
            "Write the rationale for the change of rating.",
            excerpt=f"{previous[0]}/{previous[1]}>{current[0]}/{current[1]}",
        )
