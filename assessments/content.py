"""An entry's content as plain data: what the importer reads, the exporter writes,
the checks inspect and the editor saves. Independent of the database.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from .text_format import URL_RE


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

    def to_json(self):
        data = {
            "region": self.region,
            "title": self.title,
            "period": f"{self.period:%Y-%m}",
        }
        if self.introduction:
            data["introduction"] = self.introduction
        data["assessments"] = [entry.to_json() for entry in self.assessments]
        return data


def citation(title, pinpoint=""):
    """A footnote's text as printed: the source's citation, then the pinpoint."""
    return ", ".join(part for part in (title, pinpoint) if part)


def split_citation(text):
    """Split a footnote as printed into (text, url): the URL leaves the text."""
    match = URL_RE.search(text)
    if not match:
        return text.strip(), ""
    url = match.group(0)
    rest = (text[: match.start()] + text[match.end() :]).strip()
    rest = re.sub(r"[\s,;:]+$", "", rest)
    return rest, url


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
    )
