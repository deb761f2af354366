"""Writing an edition out: the JSON interchange, Markdown in the shape of the sample, and
the open data (an edition's public JSON, the CSV of every published rating) as the
bytes that are stored and served (assessments.stored_exports)."""

import csv
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from .content import OutlookContent, revision_content
from .markdown import FOOTNOTE_CALL_RE
from .models import Revision, TrackedStep
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
    """The open data of a published edition: the interchange JSON of what readers see,
    with what names and places the edition and each entry (slug, addresses, revision
    numbers), the entries' corrections, the level ranks and the licence: the properties
    importing/schema.py marks "open_data_only", which an import ignores.

    The rationale for a change of rating is written for the reviewers; no public page
    shows it, so the open data leaves it out too.
    """
    revisions = current_revisions(outlook)
    corrections = published_corrections(outlook)
    dropped = dropped_recommendations(outlook)
    data = {}
    if outlook.region.is_demo:
        # Read by programs as well as people: fictional data says so in a field.
        data["demo"] = True
    data.update(
        region=outlook.region.name,
        title=outlook.title,
        period=f"{outlook.period:%Y-%m}",
        slug=outlook.slug,
        url=absolute_url(outlook.get_absolute_url()),
        published_on=outlook.published_on.isoformat() if outlook.published_on else None,
        licence=data_licence(),
        introduction=outlook.introduction,
        assessments=[
            public_entry(
                revision,
                corrections.get(revision.assessment_id, []),
                dropped.get(revision.assessment.country_id, []),
            )
            for revision in revisions
        ],
    )
    return data


def public_entry(revision, corrections, dropped):
    """One live entry in the open data (its interchange JSON, and more): each
    recommendation's lineage and status in the tracker, and the recommendations of the
    country's previous entry that this one drops (`dropped`, TrackedSteps), and why."""
    entry = revision_content(revision).to_json()
    groups = entry["recommendations"]
    for group, (_, items) in zip(groups, revision.recommendation_groups(), strict=True):
        group["tracked"] = [tracked_item(item) for item in items]
    return {
        "country": entry["country"],
        "short_name": entry["short_name"],
        "revision": revision.number,
        "url": absolute_url(revision.get_absolute_url()),
        "risk": {
            "level": revision.risk_level.name,
            "level_rank": revision.risk_level.rank,
            "status": revision.risk_status.name,
        },
        "corrections": corrections,
        "findings": entry["findings"],
        "recommendations": groups,
        "dropped": [
            {
                "lineage": str(step.tracked_id),
                "addressee": step.tracked.addressee.name,
                "text": step.tracked.text,
                "reason": step.reason,
                "note": step.note or None,
                "superseded_by": str(step.superseded_by) if step.superseded_by else None,
                "url": lineage_url(step.tracked_id),
            }
            for step in dropped
        ],
        "footnotes": entry["footnotes"],
    }


def tracked_item(recommendation):
    """A recommendation's place in the tracker, from its TrackedStep (with_content fetches
    it with the recommendation)."""
    step = getattr(recommendation, "tracked_step", None)
    # Every live recommendation has a step once the tracker has followed its country.
    lineage = step.tracked_id if step else recommendation.lineage
    return {
        "lineage": str(lineage),
        "status": step.status if step else None,
        "implementation": recommendation.implementation or None,
        "url": lineage_url(lineage),
    }


def dropped_recommendations(outlook):
    """{country id: [TrackedStep]}: the recommendations each entry of the edition drops,
    with the tracked recommendation (its last text and addressee). One query."""
    steps = (
        TrackedStep.objects.filter(outlook=outlook, recommendation__isnull=True)
        .select_related("tracked__addressee")
        .order_by("tracked__country_id", "tracked__latest_id")
    )
    dropped = {}
    for step in steps:
        dropped.setdefault(step.tracked.country_id, []).append(step)
    return dropped


_LINEAGE_PLACEHOLDER = uuid.UUID(int=0)


def lineage_url(lineage):
    """The absolute address of a tracked recommendation's page, made without resolving
    it again for every row of a long export."""
    path = reverse("tracked_recommendation", args=[_LINEAGE_PLACEHOLDER])
    return absolute_url(path.replace(str(_LINEAGE_PLACEHOLDER), str(lineage)))


def published_corrections(outlook):
    """{assessment id: its corrections}: each published version of an entry after its
    first, oldest first, as the open data lists them. One query."""
    versions = (
        Revision.objects.published()
        .filter(assessment__outlook=outlook)
        .select_related("assessment__outlook", "assessment__country")
        .order_by("assessment_id", "number")
    )
    corrections = {}
    for assessment_id, group in groupby(versions, key=attrgetter("assessment_id")):
        _first, *later = group
        corrections[assessment_id] = [
            {
                "revision": version.number,
                "published_on": version.published_on.isoformat() if version.published_on else None,
                "note": version.correction_note,
                "url": absolute_url(version.get_absolute_url()),
            }
            for version in later
        ]
    return corrections


def absolute_url(path):
    return settings.SITE_URL + path


def data_licence():
    """The licence of the open data (settings OUTLOOK_DATA_LICENCE): its name and URL."""
    licence = settings.OUTLOOK_DATA_LICENCE
    return {"name": licence["name"], "url": licence["url"]}


def public_json_bytes(outlook):
    """The edition's open data JSON as served: what JsonResponse made of to_public_json."""
    text = json.dumps(to_public_json(outlook), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return text.encode("utf-8")


# --- The ratings CSV -------------------------------------------------------------------

# The types of the columns as the data dictionary names them. Only a text cell is ever
# neutralised (below): a number or a date is written as it is.
TEXT, INTEGER, DATE, MONTH, URL, YES = "text", "integer", "date", "month", "URL", "yes"
TEXT_TYPES = {TEXT, URL}


@dataclass(frozen=True)
class Column:
    """A column of the ratings CSV: what the data dictionary says of it, and how the
    writer fills it from a live revision (`fields`, read with values_list, given to
    `value`)."""

    name: str
    type: str
    meaning: str
    example: str
    fields: tuple
    value: Callable = lambda field: field


def month(period):
    return f"{period:%Y-%m}"


def iso_date(day):
    return day.isoformat() if day else ""


@lru_cache(maxsize=1024)
def edition_path(slug):
    return reverse("outlook", args=[slug])


def revision_url(slug, code, number):
    # As Revision.get_absolute_url, without resolving the address again for every row.
    return absolute_url(f"{edition_path(slug)}{code.lower()}/v{number}/")


EDITION = "assessment__outlook__"
RATINGS_CSV = [
    Column(
        "country",
        TEXT,
        "The country's ISO 3166 alpha-2 code (`country` of the entry in the JSON).",
        "KP",
        ("assessment__country__code",),
    ),
    Column(
        "country_name",
        TEXT,
        "The country's official name.",
        "Democratic People's Republic of Korea",
        ("assessment__country__official_name",),
    ),
    Column("region", TEXT, "The edition's region.", "Asia Pacific", (f"{EDITION}region__name",)),
    Column(
        "edition",
        TEXT,
        "The edition's slug, which names it in addresses (`slug` in its JSON).",
        "asia-pacific-2023-11",
        (f"{EDITION}slug",),
    ),
    Column(
        "period", MONTH, "The edition's month, YYYY-MM.", "2023-11", (f"{EDITION}period",), month
    ),
    Column("level", TEXT, "The risk level's name.", "Very high", ("risk_level__name",)),
    Column(
        "level_rank",
        INTEGER,
        "The level's place on the risk framework's scale, 1 for the lowest: compare "
        "ratings by it, not by name.",
        "5",
        ("risk_level__rank",),
    ),
    Column("status", TEXT, "The risk status's name.", "Ongoing", ("risk_status__name",)),
    Column(
        "published_on",
        DATE,
        "The day readers got the edition, YYYY-MM-DD; empty for an archive that does not "
        "say. A correction does not change it.",
        "2023-11-15",
        (f"{EDITION}published_on",),
        iso_date,
    ),
    Column(
        "demo",
        YES,
        '"yes" for a demo edition\'s fictional rating (manage.py seed_demo), else empty.',
        "yes",
        (f"{EDITION}region__is_demo",),
        lambda is_demo: "yes" if is_demo else "",
    ),
    Column(
        "revision",
        INTEGER,
        "The number of the entry's version rated here, its latest correction's if it has "
        "one (`revision` of the entry in the JSON).",
        "1",
        ("number",),
    ),
    Column(
        "url",
        URL,
        "The page of that version of the entry (`url` of the entry in the JSON).",
        "https://outlook.example.org/outlooks/asia-pacific-2023-11/kp/v1/",
        (f"{EDITION}slug", "assessment__country__code", "number"),
        revision_url,
    ),
]

# A spreadsheet runs a cell that begins with one of these as a formula (OWASP's "CSV
# injection"): a text cell that does is written with an apostrophe first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text):
    """The text of a cell, made inert for spreadsheets."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_ratings_csv(out):
    """Every published rating as CSV (UTF-8 bytes written to the binary file `out`, no
    byte order mark): one row per country per edition, newest edition first."""
    fields = list(dict.fromkeys(field for column in RATINGS_CSV for field in column.fields))
    cells = [
        (
            column.value,
            [fields.index(field) for field in column.fields],
            column.type in TEXT_TYPES,
        )
        for column in RATINGS_CSV
    ]
    rows = (
        Revision.objects.live_by_id()  # every live revision: see its docstring
        .order_by(
            "-assessment__outlook__period",
            "assessment__outlook__region__name",
            "assessment__position",
        )
        .values_list(*fields)
        .iterator(chunk_size=2000)
    )
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([column.name for column in RATINGS_CSV])
    for row in rows:
        line = []
        for value, indexes, is_text in cells:
            cell = value(*(row[index] for index in indexes))
            line.append(neutralised(cell) if is_text else cell)
        writer.writerow(line)
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
