"""What a check reports: its severity, its place in the entry and its key.

The key is stored with an analyst's acknowledgement of a warning (`CheckAcknowledgement`),
so the way it is made must not change: a changed key would un-acknowledge the warning.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from enum import StrEnum

from .text import fold


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self):
        return SEVERITY_RANK[self]


SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}

# Parts of an entry a result can point at.
HEADING = "heading"  # the country's name as written in the entry's heading (imported text)
RATING = "rating"
FINDING = "finding"
ADDRESSEE = "addressee"
RECOMMENDATION = "recommendation"
FOOTNOTE = "footnote"
DROPPED = "dropped"  # a recommendation of the previous edition that the entry leaves out
ENTRY = "entry"


@dataclass(frozen=True)
class Place:
    """Where a result is: which part of the entry and, when known, the character span."""

    part: str
    # finding N, recommendation group N, footnote number N, the previous edition's
    # recommendation N (DROPPED)
    index: int | None = None
    item: int | None = None  # the item within a recommendation group
    start: int | None = None  # a Python slice of the part's text: text[start:end]
    end: int | None = None
    field: str = "text"  # "url" for a footnote's URL
    addressee: str = ""

    @property
    def label(self):
        if self.part == HEADING:
            where = "Country name in the heading"
        elif self.part == RATING:
            where = "Rating"
        elif self.part == FINDING:
            where = f"Finding {self.index}"
        elif self.part == ADDRESSEE:
            where = f"Recommendations to {self.addressee or f'group {self.index}'}"
        elif self.part == RECOMMENDATION:
            where = (
                f"Recommendations to {self.addressee or f'group {self.index}'}, item {self.item}"
            )
        elif self.part == FOOTNOTE:
            where = f"Footnote {self.index}" + (" URL" if self.field == "url" else "")
        elif self.part == DROPPED:
            where = f"Dropped since the last edition: to {self.addressee}"
        else:
            where = "Entry"
        if self.start is not None and self.end is not None:
            # People count characters from 1; the span is start+1 to end inclusive.
            where += f", characters {self.start + 1}–{self.end}"
        return where

    def at(self, start, end):
        return replace(self, start=start, end=end)


@dataclass(frozen=True)
class CheckResult:
    severity: Severity
    check: str  # which check, e.g. "numbers.grouping"
    place: Place
    message: str
    suggestion: str = ""
    excerpt: str = ""  # the text the result is about
    # Stable across saves (it does not depend on character positions), so that an
    # acknowledgement made on one save still matches after the text around it changes.
    key: str = ""

    @property
    def place_label(self):
        return self.place.label

    def __str__(self):
        text = f"{self.severity}: {self.place_label}: {self.message}"
        if self.suggestion:
            text += f" Suggested: {self.suggestion}"
        return text


def with_keys(results):
    """The results, in their order, each with its key: the check, the part and the excerpt,
    numbered when the same basis comes again."""
    seen = defaultdict(int)
    keyed = []
    for result in results:
        part = result.place.part + (":url" if result.place.field == "url" else "")
        basis = f"{result.check}|{part}|{fold(result.excerpt)}"
        seen[basis] += 1
        digest = hashlib.sha1(f"{basis}|{seen[basis]}".encode()).hexdigest()[:12]
        keyed.append(replace(result, key=f"{result.check}:{part}:{digest}"))
    return keyed
