"""Word-level differences between two versions of an entry, for reviewers.

Texts are compared as Markdown source, word by word (difflib on words and the
spaces between them), and shown as escaped HTML with <del> and <ins>. Against the
previous edition, each recommendation is also shown as new, repeated or revised, and each
of the previous edition's that the entry drops with the reason given
(`recommendation_changes`; the statuses are assessments.tracker's).
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import DropReason, TrackedStatus
from .tracker import status_against

TOKEN_RE = re.compile(r"\s+|[^\s]+")


def words(text):
    return TOKEN_RE.findall(text or "")


PARAGRAPH_RE = re.compile(r"(\n\s*\n)")


def word_diff(old, new):
    """HTML showing `new` against `old`: removed words in <del>, added in <ins>.

    Paragraphs are matched first and only changed ones are compared word by word:
    difflib's cost grows with the square of the tokens it compares, and a long entry
    compared whole took seconds on every load of the review page.
    """
    a, b = PARAGRAPH_RE.split(old or ""), PARAGRAPH_RE.split(new or "")
    if len(a) == 1 and len(b) == 1:
        return _token_diff(a[0], b[0])
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
        else:
            parts.append(_token_diff("".join(a[i1:i2]), "".join(b[j1:j2])))
    return mark_safe("".join(parts))


def _token_diff(old, new):
    a, b = words(old), words(new)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(parts))


@dataclass
class Section:
    title: str
    html: str
    changed: bool


def entry_sections(content):
    """An entry's content (assessments.content.EntryContent) as titled plain texts."""
    if content is None:
        return {}
    sections = {
        "Rating": f"{content.risk_level}/{content.risk_status}",
        "Rationale": content.rationale,
        "Findings": "\n\n".join(content.findings),
        "Recommendations": "\n\n".join(
            f"{group.addressee} should:\n" + "\n".join(f"- {item}" for item in group.items)
            for group in content.recommendations
        ),
        "Footnotes": "\n".join(
            f"{note.number}. {note.text}" + (f" {note.url}" if note.url else "")
            for note in content.footnotes
        ),
    }
    return sections


def diff_entries(old, new):
    """Sections of `new` compared with `old` (either may be None: everything is new)."""
    before, after = entry_sections(old), entry_sections(new)
    result = []
    for title in after or before:
        a, b = before.get(title, ""), after.get(title, "")
        if not a and not b:
            continue
        result.append(Section(title, word_diff(a, b), a != b))
    return result


@dataclass
class RecommendationChange:
    """A recommendation of the entry against the previous edition's, or one of those it
    drops."""

    status: str  # a TrackedStatus
    addressee: str
    html: str  # the text; a revised one's as a word diff against the previous edition's
    former_addressee: str = ""  # a revised one's, when it changed
    implementation: str = ""
    evidence: int | None = None
    reason: str = ""  # why a dropped one is dropped, "" when no reason is given
    successor: str = ""  # the text of the recommendation that supersedes it
    note: str = ""

    @property
    def status_label(self):
        return TrackedStatus(self.status).label


def recommendation_changes(revision, previous):
    """Each recommendation of `revision` (fetched with its content) as new, repeated or
    revised against `previous`, the country's previous entry (None: all new), then each of
    `previous` that `revision` does not make again, with its reason."""
    prior = {row.lineage: row for row in previous.recommendations.all()} if previous else {}
    current = list(revision.recommendations.all())
    changes = []
    for row in current:
        before = prior.get(row.lineage)
        status = status_against(row, before)
        revised = status == TrackedStatus.REVISED
        changes.append(
            RecommendationChange(
                status=status,
                addressee=row.addressee.name,
                html=word_diff(before.text, row.text) if revised else escape(row.text),
                former_addressee=before.addressee.name
                if revised and before.addressee_id != row.addressee_id
                else "",
                implementation=row.get_implementation_display() if row.implementation else "",
                evidence=row.evidence,
            )
        )
    made = {row.lineage: row for row in current}
    reasons = {row.lineage: row for row in revision.dropped.all()}
    for lineage, row in prior.items():
        if lineage in made:
            continue
        given = reasons.get(lineage)
        successor = made.get(given.superseded_by) if given else None
        changes.append(
            RecommendationChange(
                status=TrackedStatus.DROPPED,
                addressee=row.addressee.name,
                html=escape(row.text),
                reason=DropReason(given.reason).label if given else "",
                successor=successor.text if successor else "",
                note=given.note if given else "",
            )
        )
    return changes
