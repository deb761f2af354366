"""Small builders for test data: an outlook with as many entries as a test needs."""

import json
import uuid
from datetime import date

from django.db import transaction
from django.utils import timezone

from assessments import derived, tracker
from assessments.caching import bump_generation
from assessments.importing import import_file
from assessments.models import (
    Addressee,
    Assessment,
    Country,
    Outlook,
    Recommendation,
    Region,
    Revision,
    RiskLevel,
    RiskStatus,
    Source,
)


def level(name="High"):
    return RiskLevel.objects.get(name=name)


def status(name="Ongoing"):
    return RiskStatus.objects.get(name=name)


def make_outlook(*, period=date(2024, 5, 1), region="Asia Pacific", published=False, **fields):
    region = Region.objects.get_or_create(name=region)[0]
    fields.setdefault("title", f"{region.name} Regional Outlook")
    if published:
        # What a publication does (assessments.derived): no public page cached before stays.
        bump_generation()
    return Outlook.objects.create(
        region=region,
        period=period,
        slug=Outlook.make_slug(region.name, period),
        state=Outlook.State.PUBLISHED if published else Outlook.State.DRAFT,
        published_at=timezone.now() if published else None,
        **fields,
    )


# The states a draft goes through to reach these.
STEPS_TO = {
    Revision.State.DRAFT: [],
    Revision.State.APPROVED: [Revision.State.SUBMITTED, Revision.State.APPROVED],
    Revision.State.CHANGES_REQUESTED: [
        Revision.State.SUBMITTED,
        Revision.State.CHANGES_REQUESTED,
    ],
}


def recommendation(addressee, text, lineage=None):
    """An unsaved Recommendation to the addressee of that name; one of `lineage` continues
    the recommendation of the same lineage in the country's previous edition."""
    row = Recommendation(addressee=Addressee.objects.get_or_create(name=addressee)[0], text=text)
    if lineage is not None:
        row.lineage = lineage
    return row


def make_revision(
    assessment,
    *,
    risk="High",
    risk_status="Ongoing",
    findings=("The situation remains serious.[^1]",),
    # (addressee, text) pairs, or (addressee, text, lineage) to continue a lineage.
    recommendations=(("The UN Security Council", "Adopt a resolution."),),
    footnotes=(("Report of the Special Rapporteur, 1 March 2024, A/HRC/55/1.", ""),),
    state=Revision.State.DRAFT,
    user=None,
    derive=True,
):
    """A revision with content; a published one becomes the assessment's live revision.
    A recommendation is (addressee, text), or (addressee, text, lineage) to continue one.
    `derive=False` leaves what publication derives to the caller (`derive_published`)."""
    revision = Revision.objects.create(
        assessment=assessment,
        number=assessment.next_revision_number(),
        risk_level=level(risk),
        risk_status=status(risk_status),
        created_by=user,
    )
    revision.add_content(
        findings,
        [recommendation(*item) for item in recommendations],
        [
            (number, Source.objects.create(title=title, url=url), "")
            for number, (title, url) in enumerate(footnotes, 1)
        ],
    )
    # The database lets a state move only along the workflow's transitions (migration 0008).
    for step in STEPS_TO.get(state, [state]):
        revision.state = step
        if step == Revision.State.PUBLISHED:
            revision.published_at = timezone.now()
        revision.save()
    if state == Revision.State.PUBLISHED:
        assessment.published_revision = revision
        assessment.save(update_fields=["published_revision"])
        if assessment.outlook.is_published and derive:
            # What the workflow's publication derives (the search index...) comes with it.
            with transaction.atomic():  # as a publication's own transaction
                derived.record_published(assessment.outlook, [revision])
        else:
            bump_generation()
    return revision


def add_assessment(outlook, country_code, **revision_fields):
    country = Country.objects.get(code=country_code)
    position = outlook.assessments.count() + 1
    assessment = Assessment.objects.create(outlook=outlook, country=country, position=position)
    if revision_fields.pop("with_revision", True):
        make_revision(assessment, **revision_fields)
    return assessment


def derive_published(outlook):
    """What a publication derives (search index, tracker, stored JSON...) for every live
    entry of `outlook`, at once: for entries added with `derive=False`."""
    with transaction.atomic():
        derived.record_published(
            outlook, Revision.objects.live().filter(assessment__outlook=outlook)
        )


def publish_entry(
    country_code, *, period=date(2024, 5, 1), region="Asia Pacific", **revision_fields
):
    """A published edition of one country, its entry published; returns the edition."""
    outlook = make_outlook(period=period, region=region, published=True)
    add_assessment(outlook, country_code, state=Revision.State.PUBLISHED, **revision_fields)
    return outlook


def publish_correction(assessment, *, note="", **revision_fields):
    """A new revision of a published entry, published as its correction with `note`."""
    correction = make_revision(assessment, **revision_fields)
    Revision.objects.filter(pk=correction.pk).update(
        state=Revision.State.PUBLISHED, published_at=timezone.now(), correction_note=note
    )
    assessment.published_revision = correction
    assessment.save()
    with transaction.atomic():
        derived.record_published(assessment.outlook, [correction])
    return correction


def import_json(tmp_path, data, **options):
    """Write `data` to edition.json in `tmp_path` and import it; returns import_file's result."""
    path = tmp_path / "edition.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return import_file(path, **options)


ASIA_PACIFIC_CODES = [
    "AF", "AU", "BD", "BT", "BN", "KH", "CN", "FJ", "IN", "ID", "JP", "KI", "KP", "KR",
    "LA", "MY", "MV", "MH", "FM", "MN", "MM", "NR", "NP", "NZ", "PK", "PW", "PG", "PH",
    "WS", "SG", "SB", "LK", "TH", "TL", "TO", "TV", "VU", "VN",
]  # fmt: skip


def make_published_edition(count, *, period=date(2024, 5, 1)):
    """A published edition of `count` countries (Asia Pacific first, then any others)."""
    outlook = make_outlook(period=period, published=True)
    codes = ASIA_PACIFIC_CODES + list(
        Country.objects.exclude(code__in=ASIA_PACIFIC_CODES).values_list("code", flat=True)
    )
    for code in codes[:count]:
        add_assessment(outlook, code, state=Revision.State.PUBLISHED)
    return outlook


def make_dated_edition(codes, *, published_on, period=date(2024, 5, 1)):
    """An edition whose entries were published with it, on `published_on`: as a
    publication does, the edition is published once its entries are (make_outlook's
    would be older than its entries, whose dates would read as corrections')."""
    outlook = make_outlook(period=period)
    for code in codes:
        add_assessment(outlook, code, state=Revision.State.PUBLISHED)
    Outlook.objects.filter(pk=outlook.pk).update(
        state=Outlook.State.PUBLISHED, published_at=timezone.now(), published_on=published_on
    )
    bump_generation()
    outlook.refresh_from_db()
    return outlook


def pass_checks(revision, user):
    """What an analyst does before submitting a copy of the sample: fix the one error
    the editorial checks find in it (the malformed "200,0000") and acknowledge every
    warning. Returns the revision as saved."""
    from assessments import checks, workflow
    from assessments.content import DraftContent

    revision = Revision.objects.with_content().get(pk=revision.pk)
    content = DraftContent.from_revision(revision)
    content.findings = [text.replace("200,0000", "200,000") for text in content.findings]
    revision = workflow.save_draft(revision, content, user=user, based_on_version=revision.version)
    for result in checks.check_revision(revision):
        assert result.severity != checks.Severity.ERROR, str(result)
        if result.severity == checks.Severity.WARNING:
            workflow.acknowledge(revision, result.key, user=user, note="Checked.")
    return Revision.objects.with_content().get(pk=revision.pk)


def entry_data(revision, **overrides):
    """The POST the editor form sends for a revision as stored, with `overrides`."""
    revision = Revision.objects.with_content().get(pk=revision.pk)
    dropped = {row.lineage: row for row in revision.dropped.all()}
    data = {
        "version": revision.version,
        "risk_level": revision.risk_level_id,
        "risk_status": revision.risk_status_id,
        "rationale": revision.rationale,
    }
    rows = {
        "finding": [{"text": f.text} for f in revision.findings.all()],
        "recommendation": [
            {
                "addressee": r.addressee.name,
                "text": r.text,
                "lineage": r.lineage,
                "implementation": r.implementation,
                "evidence": r.evidence or "",
            }
            for r in revision.recommendations.all()
        ],
        "footnote": [
            {"number": n.number, "source": n.source_id, "pinpoint": n.pinpoint}
            for n in revision.footnotes.all()
        ],
        # As the page sends it: a form for each recommendation of the previous edition.
        "dropped": [
            {
                "lineage": prior.lineage,
                "reason": stored.reason if stored else "",
                "superseded_by": (stored.superseded_by or "") if stored else "",
                "note": stored.note if stored else "",
            }
            for prior in tracker.predecessors(revision.assessment)
            for stored in [dropped.get(prior.lineage)]
        ],
    }
    rows.update({k: v for k, v in overrides.items() if k in rows})
    for prefix, items in rows.items():
        data[f"{prefix}-TOTAL_FORMS"] = len(items)
        data[f"{prefix}-INITIAL_FORMS"] = len(items)
        for i, item in enumerate(items):
            data[f"{prefix}-{i}-ORDER"] = i + 1
            for key, value in item.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update({k: v for k, v in overrides.items() if k not in rows})
    return data


def _row_of(data, prefix, lineage):
    """The index of the row of entry_data's `data` under `prefix` that has `lineage`."""
    for i in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if str(data.get(f"{prefix}-{i}-lineage")) == str(lineage):
            return i
    raise KeyError(lineage)


def remove_recommendation(data, lineage):
    """entry_data's `data` as the page sends it once the row continuing `lineage` is
    removed: still sent, marked for deletion."""
    data[f"recommendation-{_row_of(data, 'recommendation', lineage)}-DELETE"] = "on"
    return data


def give_reason(data, lineage, reason, superseded_by="", note=""):
    """entry_data's `data` with why the previous edition's `lineage` is dropped."""
    i = _row_of(data, "dropped", lineage)
    data[f"dropped-{i}-reason"] = reason
    data[f"dropped-{i}-superseded_by"] = str(superseded_by or "")
    data[f"dropped-{i}-note"] = note
    return data


def publish_history(editions, *, country="KP", kept=2, first=date(2020, 1, 1), lineages=None):
    """`editions` published editions of one country's entry, a month apart from `first`:
    each repeats `kept` recommendations, revises one, and drops the one it added the
    edition before for a new one (so every status is in each edition but the first).
    Returns the lineages of the kept and revised ones: given back as `lineages`, a later
    history continues them."""
    lineages = lineages or [uuid.uuid4() for _ in range(kept + 1)]
    for number in range(editions):
        period = date(
            first.year + (first.month - 1 + number) // 12, (first.month - 1 + number) % 12 + 1, 1
        )
        outlook = make_outlook(period=period, published=True)
        items = [
            ("The UN Security Council", f"Keep recommending {index}.", lineages[index])
            for index in range(kept)
        ]
        items.append(
            ("The government of the DPRK", f"Revised in edition {number}.", lineages[kept])
        )
        items.append(("UN Member States", f"Added in edition {number}."))
        add_assessment(outlook, country, recommendations=items, state=Revision.State.PUBLISHED)
    return lineages
