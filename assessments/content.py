"""An entry's content in the shapes the code passes around, and the conversions
between them.

- `EntryContent` and `OutlookContent`: plain data, names and texts only, as the
  importer reads a file, the exporter writes one, the checks and the diffs read an
  entry. `revision_content()` gives a stored revision's.
- `DraftContent`: what an analyst saves, in domain terms (risk level and status rows,
  library sources or new ones), as the editor form or the importer produces it and
  `workflow.save_draft()` writes it. It converts from a stored revision, to
  EntryContent, and to an unsaved revision for previews.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from .models import (
    Addressee,
    DroppedRecommendation,
    Finding,
    Footnote,
    Recommendation,
    RiskLevel,
    RiskStatus,
    Source,
)
from .text_format import citation


@dataclass
class FootnoteContent:
    number: int
    text: str = ""
    url: str = ""


@dataclass
class RecommendationGroup:
    addressee: str
    items: list[str] = field(default_factory=list)


@dataclass
class EntryContent:
    """One country's entry: rating, findings, recommendations and footnotes."""

    country: str  # ISO 3166 alpha-2 code once resolved; the name as written before.
    short_name: str = ""
    risk_level: str = ""
    risk_status: str = ""
    rationale: str = ""
    findings: list[str] = field(default_factory=list)
    recommendations: list[RecommendationGroup] = field(default_factory=list)
    footnotes: list[FootnoteContent] = field(default_factory=list)
    line: int | None = None  # where the entry starts in a text file, for messages
    # What the tracker's check reads (not part of the interchange format): the lineages
    # of the entry's recommendations (None for one not saved yet), and why it drops those
    # of the previous edition it does not make again (DroppedDraft).
    lineages: list = field(default_factory=list)
    dropped: list = field(default_factory=list)

    def to_json(self):
        data = {
            "country": self.country,
            "short_name": self.short_name,
            "risk": {"level": self.risk_level, "status": self.risk_status},
            "findings": list(self.findings),
            "recommendations": [
                {"addressee": group.addressee, "items": list(group.items)}
                for group in self.recommendations
            ],
            "footnotes": [
                {"number": note.number, "text": note.text, "url": note.url or None}
                for note in self.footnotes
            ],
        }
        if self.rationale:
            data["risk"]["rationale"] = self.rationale
        return data


@dataclass
class OutlookContent:
    region: str
    title: str
    period: date
    introduction: str = ""
    assessments: list[EntryContent] = field(default_factory=list)
    # The day readers got the edition (an archive's), if the file says.
    published_on: date | None = None

    def to_json(self):
        data = {
            "region": self.region,
            "title": self.title,
            "period": f"{self.period:%Y-%m}",
        }
        if self.published_on:
            data["published_on"] = self.published_on.isoformat()
        if self.introduction:
            data["introduction"] = self.introduction
        data["assessments"] = [entry.to_json() for entry in self.assessments]
        return data


def revision_content(revision):
    """The content of a stored revision (use `Revision.objects.with_content()`)."""
    assessment = revision.assessment
    groups = []
    for addressee, items in revision.recommendation_groups():
        groups.append(RecommendationGroup(addressee.name, [item.text for item in items]))
    return EntryContent(
        country=assessment.country.code.code,
        short_name=assessment.country.short_name,
        risk_level=revision.risk_level.name,
        risk_status=revision.risk_status.name,
        rationale=revision.rationale,
        findings=[finding.text for finding in revision.findings.all()],
        recommendations=groups,
        footnotes=[
            FootnoteContent(note.number, note.text, note.source.url)
            for note in revision.footnotes.all()
        ],
        lineages=[item.lineage for item in revision.recommendations.all()],
        dropped=[DroppedDraft.from_row(row) for row in revision.dropped.all()],
    )


# --- What an analyst saves ----------------------------------------------------------


@dataclass
class NewSource:
    """A source typed into a footnote that is not in the library yet."""

    title: str = ""
    issuer: str = ""
    document_symbol: str = ""
    date: object = None
    url: str = ""


@dataclass
class FootnoteDraft:
    number: int
    source: Source | NewSource
    pinpoint: str = ""

    @property
    def text(self):
        return citation(self.source.title, self.pinpoint)


@dataclass
class RecommendationDraft:
    """A recommendation as an analyst saves it. `lineage` is the recommendation it
    continues (Recommendation.lineage: kept from the copy the draft started from), None
    for one written afresh; `evidence` is the number of the footnote that supports the
    implementation assessment."""

    addressee: str
    text: str
    lineage: uuid.UUID | None = None
    implementation: str = ""
    evidence: int | None = None

    @classmethod
    def from_row(cls, row):
        return cls(row.addressee.name, row.text, row.lineage, row.implementation, row.evidence)


@dataclass
class DroppedDraft:
    """Why a recommendation of the previous edition (its lineage) is not made again."""

    lineage: uuid.UUID
    reason: str
    superseded_by: uuid.UUID | None = None
    note: str = ""

    @classmethod
    def from_row(cls, row):
        return cls(row.lineage, row.reason, row.superseded_by, row.note)

    def row(self):
        return DroppedRecommendation(
            lineage=self.lineage,
            reason=self.reason,
            superseded_by=self.superseded_by,
            note=self.note,
        )


@dataclass
class DraftContent:
    """An entry's content in domain terms: what the editor form or the importer gives
    `workflow.save_draft()` and `workflow.store_imported()`."""

    risk_level: RiskLevel
    risk_status: RiskStatus
    rationale: str = ""
    correction_note: str = ""
    findings: list[str] = field(default_factory=list)
    # An addressee is picked from the list or created by name.
    recommendations: list[RecommendationDraft] = field(default_factory=list)
    footnotes: list[FootnoteDraft] = field(default_factory=list)
    dropped: list[DroppedDraft] = field(default_factory=list)

    @classmethod
    def from_revision(cls, revision):
        """A stored revision's content (fetch it with `Revision.objects.with_content()`)."""
        return cls(
            risk_level=revision.risk_level,
            risk_status=revision.risk_status,
            rationale=revision.rationale,
            correction_note=revision.correction_note,
            findings=[finding.text for finding in revision.findings.all()],
            recommendations=[
                RecommendationDraft.from_row(row) for row in revision.recommendations.all()
            ],
            footnotes=[
                FootnoteDraft(note.number, note.source, note.pinpoint)
                for note in revision.footnotes.all()
            ],
            dropped=[DroppedDraft.from_row(row) for row in revision.dropped.all()],
        )

    def to_entry(self, country):
        """As plain EntryContent, for the checks and to compare with a stored revision."""
        groups = []
        for item in self.recommendations:
            if not groups or groups[-1].addressee != item.addressee:
                groups.append(RecommendationGroup(item.addressee))
            groups[-1].items.append(item.text)
        return EntryContent(
            country=country.code.code,
            short_name=country.short_name,
            risk_level=self.risk_level.name,
            risk_status=self.risk_status.name,
            rationale=self.rationale,
            findings=list(self.findings),
            recommendations=groups,
            footnotes=[
                FootnoteContent(note.number, note.text, note.source.url) for note in self.footnotes
            ],
            lineages=[item.lineage for item in self.recommendations],
            dropped=list(self.dropped),
        )

    def preview(self, revision):
        """`revision` as it would be with this content, nothing written: for the public
        entry template, which reads it as it reads a stored revision."""
        names = {item.addressee for item in self.recommendations}
        # One instance per name, so that consecutive items group under one heading.
        addressees = {a.name: a for a in Addressee.objects.filter(name__in=names)}
        recommendations = [
            Recommendation(
                addressee=addressees.setdefault(item.addressee, Addressee(name=item.addressee)),
                position=position,
                text=item.text,
                lineage=item.lineage or uuid.uuid4(),
                implementation=item.implementation,
                evidence=item.evidence,
            )
            for position, item in enumerate(self.recommendations, 1)
        ]
        footnotes = [
            Footnote(
                number=note.number,
                source=Source(**vars(note.source))
                if isinstance(note.source, NewSource)
                else note.source,
                pinpoint=note.pinpoint,
            )
            for note in self.footnotes
        ]
        return RevisionPreview(
            assessment=revision.assessment,
            number=revision.number,
            state=revision.state,
            risk_level=self.risk_level,
            risk_status=self.risk_status,
            rationale=self.rationale,
            correction_note=self.correction_note,
            findings=_Rows(
                Finding(position=i, text=text) for i, text in enumerate(self.findings, 1)
            ),
            recommendations=_Rows(recommendations),
            footnotes=_Rows(footnotes),
        )


class _Rows(list):
    """A list of rows that answers `.all()`, as a revision's related rows do."""

    def all(self):
        return self


@dataclass
class RevisionPreview:
    """An unsaved revision: what the public entry template needs of one."""

    assessment: object
    number: int
    state: str
    risk_level: RiskLevel
    risk_status: RiskStatus
    rationale: str
    correction_note: str
    findings: _Rows
    recommendations: _Rows
    footnotes: _Rows
    is_correction: bool = False
    published_at: object = None

    def recommendation_groups(self):
        return [
            (addressee, list(items))
            for addressee, items in groupby(self.recommendations, key=lambda r: r.addressee)
        ]
