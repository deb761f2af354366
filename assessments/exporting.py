"""Writing an edition out: the JSON interchange, Markdown in the shape of the sample, and
the open data (an edition's public JSON, the CSV of every published rating) as the
bytes that are stored and served (assessments.stored_exports)."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
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
        published_on=outlook.published_on,
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
    if outlook.region.is_demo:
        # Read by programs as well as people: fictional data says so in a field.
        data = {"demo": True, **data}
    return data


def public_json_bytes(outlook):
    """The edition's open data JSON as served: what JsonResponse made of to_public_json."""
    text = json.dumps(to_public_json(outlook), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return text.encode("utf-8")


RATINGS_CSV_HEADER = [
    "country",
    "country_name",
    "region",
    "edition",
    "period",
    "level",
    "level_rank",
    "status",
    # The day readers got the edition (empty for an archive that does not say); a
    # correction does not change it.
    "published_on",
    # "yes" for a demo edition's fictional rating (manage.py seed_demo), else empty.
    "demo",
]


def write_ratings_csv(out):
    """Every published rating as CSV (UTF-8 bytes written to the binary file `out`): one
    row per country per edition, newest edition first."""
    rows = (
        Revision.objects.live_by_id()  # every live revision: see its docstring
        .order_by(
            "-assessment__outlook__period",
            "assessment__outlook__region__name",
            "assessment__position",
        )
        .values_list(
            "assessment__country__code",
            "assessment__country__official_name",
            "assessment__outlook__region__name",
            "assessment__outlook__slug",
            "assessment__outlook__period",
            "risk_level__name",
            "risk_level__rank",
            "risk_status__name",
            "assessment__outlook__published_on",
            "assessment__outlook__region__is_demo",
        )
        .iterator(chunk_size=2000)
    )
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(RATINGS_CSV_HEADER)
    for code, name, region, slug, period, level, rank, status, published_on, demo in rows:
        writer.writerow(
            [
                code,
                name,
                region,
                slug,
                f"{period:%Y-%m}",
                level,
                rank,
                status,
                published_on.isoformat() if published_on else "",
                "yes" if demo else "",
            ]
        )
    text.flush()
    text.detach()  # leave `out` open for the caller


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
