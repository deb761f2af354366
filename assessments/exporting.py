"""Writing an edition out: the JSON interchange, and Markdown in the shape of the sample."""

from django.db.models import OuterRef, Subquery

from .content import OutlookContent, revision_content
from .markdown import FOOTNOTE_CALL_RE
from .models import Revision
from .text_format import superscript


def outlook_content(outlook):
    """The edition's content: each assessment's published revision (its latest in a draft
    edition)."""
    revisions = current_revisions(outlook)
    return OutlookContent(
        region=outlook.region.name,
        title=outlook.title,
        period=outlook.period,
        introduction=outlook.introduction,
        assessments=[revision_content(revision) for revision in revisions],
    )


def current_revisions(outlook):
    """Per assessment, the published revision; in a draft edition, the latest revision."""
    if outlook.is_published:
        revisions = Revision.objects.live()
    else:
        latest = Revision.objects.filter(assessment=OuterRef("assessment")).order_by("-number")
        revisions = Revision.objects.filter(id=Subquery(latest.values("id")[:1]))
    return (
        revisions.with_content()
        .filter(assessment__outlook=outlook)
        .order_by("assessment__position")
    )


def to_json(outlook):
    """The interchange JSON, with the reviewers' rating rationales (for re-import)."""
    return outlook_content(outlook).to_json()


def to_public_json(outlook):
    """The interchange JSON of a published edition as open data: what readers see.

    The rationale for a change of rating is written for the reviewers; no public page
    shows it, so the open data leaves it out too.
    """
    data = to_json(outlook)
    for entry in data["assessments"]:
        entry["risk"].pop("rationale", None)
    return data


def to_markdown(outlook):
    """The edition as text that reads like the published outlook, and imports back."""
    content = outlook_content(outlook)
    country_names = dict(outlook.assessments.values_list("country__code", "country__official_name"))
    blocks = []
    for entry in content.assessments:
        header = f"{entry.short_name} {content.title} {outlook.period_label}"
        blocks.append(header)
        blocks.append(
            f"{country_names[entry.country]} Risk: {entry.risk_level}/{entry.risk_status}"
        )
        for finding in entry.findings:
            blocks.append(superscript_calls(finding))
        if entry.recommendations:
            blocks.append("Recommendations")
            for group in entry.recommendations:
                lines = [f"{group.addressee} should:", ""]
                lines += [f"- {superscript_calls(item)}" for item in group.items]
                blocks.append("\n".join(lines))
        for note in entry.footnotes:
            text = ", ".join(part for part in (note.text, note.url) if part)
            blocks.append(f"{superscript(note.number)} {text}")
    return "\n\n".join(blocks) + "\n"


def superscript_calls(text):
    return FOOTNOTE_CALL_RE.sub(lambda m: superscript(m.group(1)), text)
