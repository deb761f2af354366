"""The recommendation tracker: what became of each recommendation across editions.

A recommendation's identity across editions is its lineage (Recommendation.lineage):
a new edition's copy of an entry keeps each recommendation's lineage, and so does the
analyst's draft (the editor carries it with the row); a recommendation written afresh
gets a new one. An archive's recommendations, imported without copies, are linked by
the importer instead (assessments.lineage, LineageMatch): a linked or confirmed match
makes a recommendation, and any later copy of it (a correction, the next edition's
draft), continue its predecessor's lineage.

Against the country's previous entry in the region (the latest earlier published
edition that has the country), each recommendation of a published entry is

- new: no recommendation of the previous entry has its lineage,
- repeated: one has, to the same addressee with the same text,
- revised: one has, with other words (or another addressee),

and each recommendation of the previous entry that has no continuation is dropped, with
the reason the analyst gave (DroppedRecommendation), or none recorded (or, when an
archive's reworded recommendation may continue it, that an analyst is to confirm it);
when the country is not in the region's next edition at all, its recommendations are
dropped with it.

TrackedRecommendation (one row a lineage) and TrackedStep (one a lineage and edition)
hold the result. They are derived, rebuilt for the countries a publication touches
(`record_published`, a step of assessments.derived) and from scratch by
`manage.py rebuild_tracker`; the public tracker reads them alone.
"""

from collections import defaultdict

from django.db import transaction

from .models import (
    Assessment,
    DroppedRecommendation,
    LineageMatch,
    Outlook,
    Recommendation,
    Revision,
    TrackedReason,
    TrackedRecommendation,
    TrackedStatus,
    TrackedStep,
)


def predecessors(assessment):
    """The recommendations of the country's previous entry in the region, which a
    revision of `assessment` continues or drops (with their addressees)."""
    # In one query: an import and every save of a draft ask.
    previous = Revision.objects.previous_entries(assessment).values("pk")[:1]
    return list(
        Recommendation.objects.filter(revision__in=previous)
        .select_related("addressee")
        .order_by("position")
    )


def same_words(a, b):
    return " ".join(a.split()) == " ".join(b.split())


def status_against(recommendation, prior):
    """New, repeated or revised: `recommendation` against the one it continues (`prior`,
    None for none)."""
    if prior is None:
        return TrackedStatus.NEW
    if prior.addressee_id == recommendation.addressee_id and same_words(
        prior.text, recommendation.text
    ):
        return TrackedStatus.REPEATED
    return TrackedStatus.REVISED


# --- Deriving --------------------------------------------------------------------------


def record_published(outlook, revisions):
    """The derived.STEPS step: follow again the countries whose entries were published,
    and those of the previous edition that this one leaves out, unless the tracker has
    them dropped here already."""
    countries = {revision.assessment.country_id for revision in revisions}
    previous = outlook.previous_edition()
    if previous is not None:
        present = set(outlook.assessments.values_list("country_id", flat=True))
        left_out = set(previous.assessments.values_list("country_id", flat=True)) - present
        # Only the first publication in the edition drops their recommendations; a later
        # one (an entry published on its own, a correction) changes nothing for them, and
        # deriving them again each time made a large edition's publications quadratic.
        countries |= set(
            TrackedRecommendation.objects.filter(
                region_id=outlook.region_id, country_id__in=left_out, last_outlook=previous
            )
            .exclude(dropped_in=outlook)
            .values_list("country_id", flat=True)
        )
    rebuild_countries(outlook.region_id, countries)


def rebuild():
    """Derive the whole tracker again from the published record."""
    with transaction.atomic():
        TrackedRecommendation.objects.all().delete()
        chains = defaultdict(set)
        for region_id, country_id in (
            Assessment.objects.live().values_list("outlook__region_id", "country_id").distinct()
        ):
            chains[region_id].add(country_id)
        for region_id, countries in sorted(chains.items()):
            rebuild_countries(region_id, countries)


def rebuild_country(region_id, country_id):
    """Derive the tracked recommendations of one country in one region's outlooks."""
    rebuild_countries(region_id, [country_id])


def rebuild_countries(region_id, country_ids):
    """Derive the tracked recommendations of `country_ids` in one region's outlooks, in
    a fixed number of queries however many countries and editions there are."""
    country_ids = sorted(set(country_ids))
    if not country_ids:
        return
    chains = TrackedRecommendation.objects.filter(region_id=region_id, country_id__in=country_ids)
    # The steps first, in one statement: then the cascade has nothing left to collect.
    TrackedStep.objects.filter(tracked__in=chains).delete()
    chains.delete()
    entries = list(
        Revision.objects.live_by_id()
        .filter(assessment__country_id__in=country_ids, assessment__outlook__region_id=region_id)
        .select_related("assessment__outlook")
        .order_by("assessment__outlook__period")
    )
    if not entries:
        return
    ids = [entry.pk for entry in entries]
    recommendations = defaultdict(list)
    for row in (
        Recommendation.objects.filter(revision_id__in=ids)
        .select_related("addressee")
        .order_by("revision_id", "position")
    ):
        recommendations[row.revision_id].append(row)
    # By lineage, from any revision of the entries: a correction of an archive's entry
    # (and the next edition's copy) keeps the lineages of the recommendations matched.
    matches = dict(
        LineageMatch.objects.filter(
            recommendation__revision__assessment_id__in=[entry.assessment_id for entry in entries],
            decision__in=LineageMatch.CONTINUES,
        ).values_list("recommendation__lineage", "predecessor__lineage")
    )
    # The archive's recommendations that a reworded one may continue, for an analyst to
    # confirm: the lineages of both.
    pending = dict(
        LineageMatch.objects.filter(
            recommendation__revision__assessment_id__in=[entry.assessment_id for entry in entries],
            decision=LineageMatch.Decision.TO_CONFIRM,
        ).values_list("predecessor__lineage", "recommendation__lineage")
    )
    reasons = defaultdict(dict)
    for row in DroppedRecommendation.objects.filter(revision_id__in=ids):
        reasons[row.revision_id][row.lineage] = row
    editions = list(Outlook.objects.published().filter(region_id=region_id).order_by("period"))
    by_country = defaultdict(list)
    for entry in entries:
        by_country[entry.assessment.country_id].append(entry)
    tracked, steps = [], []
    for country_id, its_entries in by_country.items():
        chain = _Chain()
        for entry in its_entries:
            chain.follow(entry, recommendations[entry.pk], matches, reasons[entry.pk], pending)
        last = its_entries[-1].assessment.outlook.period
        later = next((edition for edition in editions if edition.period > last), None)
        if later is not None:
            chain.country_left(later)
        chain.rows(region_id, country_id, tracked, steps)
    TrackedRecommendation.objects.bulk_create(tracked, batch_size=1000)
    TrackedStep.objects.bulk_create(steps, batch_size=1000)


class _Chain:
    """The steps of one country's recommendations, edition after edition."""

    def __init__(self):
        # A recommendation's own lineage: the tracked lineage it follows (another when
        # the recommendation, or the one it was copied from, was matched to an earlier).
        self.tracked = {}
        self.previous = {}  # lineage: recommendation, in the previous entry
        self.steps = defaultdict(list)  # lineage: [TrackedStep]

    def follow(self, entry, recommendations, matches, reasons, pending):
        outlook = entry.assessment.outlook
        current = {}
        for recommendation in recommendations:
            own = recommendation.lineage
            lineage = self.tracked.get(own) or self.tracked.get(matches.get(own))
            # A lineage has no gaps: it continues one of the previous entry, once.
            if lineage not in self.previous or lineage in current:
                lineage = own
            self.tracked[own] = lineage
            current[lineage] = recommendation
            prior = self.previous.get(lineage)
            self.steps[lineage].append(
                TrackedStep(
                    outlook=outlook,
                    period=outlook.period,
                    recommendation=recommendation,
                    status=status_against(recommendation, prior),
                )
            )
        # A supersession names the successor by its own lineage column; the tracker's
        # lineage of that recommendation may be an earlier one it was matched to.
        followed = {row.lineage: self.tracked[row.lineage] for row in recommendations}
        # A reason names the dropped recommendation by its own lineage too.
        reasons = {self.tracked.get(lineage, lineage): row for lineage, row in reasons.items()}
        own = {recommendation.lineage for recommendation in recommendations}
        maybe_continued = {
            self.tracked.get(lineage, lineage)
            for lineage, successor in pending.items()
            if successor in own
        }
        for lineage in self.previous:
            if lineage in current:
                continue
            given = reasons.get(lineage)
            if given is not None:
                reason = given.reason
            elif lineage in maybe_continued:
                reason = TrackedReason.TO_CONFIRM
            else:
                reason = TrackedReason.NOT_RECORDED
            self.steps[lineage].append(
                TrackedStep(
                    outlook=outlook,
                    period=outlook.period,
                    status=TrackedStatus.DROPPED,
                    reason=reason,
                    note=given.note if given else "",
                    superseded_by=followed.get(given.superseded_by) if given else None,
                )
            )
        self.previous = current

    def country_left(self, outlook):
        for lineage in self.previous:
            self.steps[lineage].append(
                TrackedStep(
                    outlook=outlook,
                    period=outlook.period,
                    status=TrackedStatus.DROPPED,
                    reason=TrackedReason.COUNTRY_LEFT,
                )
            )
        self.previous = {}

    def rows(self, region_id, country_id, tracked, steps):
        """Add the chain's TrackedRecommendations to `tracked`, their steps to `steps`."""
        for lineage, steps_of_lineage in self.steps.items():
            made = [step for step in steps_of_lineage if step.recommendation is not None]
            latest, last = made[-1].recommendation, steps_of_lineage[-1]
            dropped = last.status == TrackedStatus.DROPPED
            tracked.append(
                TrackedRecommendation(
                    lineage=lineage,
                    region_id=region_id,
                    country_id=country_id,
                    addressee=latest.addressee,
                    addressee_group=latest.addressee.group,
                    text=latest.text,
                    latest=latest,
                    first_outlook=steps_of_lineage[0].outlook,
                    first_period=steps_of_lineage[0].period,
                    last_outlook=made[-1].outlook,
                    last_period=made[-1].period,
                    editions=len(made),
                    status=last.status,
                    implementation=latest.implementation,
                    dropped_in=last.outlook if dropped else None,
                    reason=last.reason,
                    note=last.note,
                    superseded_by=last.superseded_by,
                )
            )
            for step in steps_of_lineage:
                step.tracked_id = lineage
            steps.extend(steps_of_lineage)
