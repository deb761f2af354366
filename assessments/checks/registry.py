"""The registry of checks: each family module registers its checks with `@register(family)`,
and `run` reads the entry once (`analysis.analyse`), runs every check in the families'
order, each in the order its module defines them, and sorts what they report.

A check is a function `check(analysis, report)`: it reads the analysis and calls
`report(severity, check, place, message, suggestion="", excerpt="")` for each result. Each
check gets a report of its own, so no check can read what another has found.
"""

from .analysis import analyse
from .results import (
    ADDRESSEE,
    DROPPED,
    FINDING,
    FOOTNOTE,
    HEADING,
    RATING,
    RECOMMENDATION,
    CheckResult,
)

# The families, one module each, in the order they run. Results are sorted at the end, but
# results that sort alike keep the order they were reported in, and the numbering of
# their keys (results.with_keys) follows it: this order is part of the keys.
FAMILIES = (
    "entry",
    "numbers",
    "repetition",
    "sentences",
    "names",
    "footnotes",
    "recommendations",
    "dates",
)

# Reading order of the parts: heading and rating, findings, recommendations, those of the
# previous edition dropped, footnotes, then the entry as a whole.
PART_ORDER = {
    HEADING: 0,
    RATING: 0,
    FINDING: 1,
    ADDRESSEE: 2,
    RECOMMENDATION: 2,
    DROPPED: 3,
    FOOTNOTE: 4,
}


def reading_order(result):
    """Sort key of results: errors first, then by where they are in the entry."""
    place = result.place
    return (
        result.severity.rank,
        PART_ORDER.get(place.part, 5),
        place.index or 0,
        place.item or 0,
        place.start or 0,
    )


class Report:
    """What one check reports; callable as `report(severity, check, place, message, ...)`."""

    def __init__(self):
        self.results = []

    def __call__(self, severity, check, place, message, suggestion="", excerpt=""):
        self.results.append(CheckResult(severity, check, place, message, suggestion, excerpt))


class Registry:
    """Checks by family, run in the families' order."""

    def __init__(self, families):
        self.families = tuple(families)
        self.checks = {family: [] for family in self.families}

    def register(self, family):
        """Decorator: add the function to the family's checks, after those already there."""
        if family not in self.checks:
            raise ValueError(f"{family!r} is not a family of checks: {', '.join(self.families)}")

        def add(check):
            self.checks[family].append(check)
            return check

        return add

    def ordered(self):
        """Every check, family by family."""
        return [check for family in self.families for check in self.checks[family]]

    def run(self, content, context):
        """Every check on the entry's content, results in reading order (without keys)."""
        analysis = analyse(content, context)
        results = []
        for check in self.ordered():
            report = Report()
            check(analysis, report)
            results.extend(report.results)
        return sorted(results, key=reading_order)


REGISTRY = Registry(FAMILIES)
register = REGISTRY.register
run = REGISTRY.run
