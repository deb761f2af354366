"""manage.py link_recommendations: link the recommendations of archives already in the
database to those of each country's previous edition, as the importer now does when it
imports them (assessments.lineage), then rebuild the recommendation tracker."""

from dataclasses import asdict

from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import caching, lineage, stored_exports, tracker, workflow
from assessments.models import Assessment, LineageMatch, StoredExport


class Command(BaseCommand):
    help = (
        "Link the recommendations of imported archives to their predecessors in each "
        "country's previous edition, leaving uncertain ones for an analyst to confirm, "
        "and rebuild the recommendation tracker. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            linking, matches = lineage.link_archives()
            tracker.rebuild()
            store_linked_editions(matches)
            workflow.audit(
                None,
                "link_recommendations",
                f"Linked the recommendations of archives: {linking}",
                linking=asdict(linking),
            )
            # The public tracker's pages show the links.
            caching.bump_generation()
        waiting = LineageMatch.objects.filter(decision=LineageMatch.Decision.TO_CONFIRM).count()
        self.stdout.write(f"Recommendations of archives: {linking}.")
        self.stdout.write(f"Matches waiting for an analyst in the editor: {waiting}.")


def store_linked_editions(matches):
    """Store again, once each, the JSON of every edition with a new match and of the
    editions after it with the country: their recommendations' statuses and lineages
    changed."""
    earliest = {}
    for assessment in (
        Assessment.objects.filter(revisions__recommendations__match__in=matches)
        .select_related("outlook")
        .distinct()
    ):
        key = (assessment.outlook.region_id, assessment.country_id)
        if key not in earliest or assessment.outlook.period < earliest[key].period:
            earliest[key] = assessment.outlook
    editions = {}
    for (_, country_id), outlook in earliest.items():
        editions[outlook.pk] = outlook
        editions.update(
            (later.pk, later) for later in stored_exports.editions_following(outlook, [country_id])
        )
    # One country's chain after another would store a shared later edition many times.
    for outlook in editions.values():
        stored_exports.regenerate(StoredExport.Kind.EDITION_JSON, outlook)
