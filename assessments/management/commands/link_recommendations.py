"""manage.py link_recommendations: link the recommendations of archives already in the
database to those of each country's previous edition, as the importer now does when it
imports them (assessments.lineage), then rebuild the recommendation tracker."""

from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import caching, lineage, tracker
from assessments.models import LineageMatch


class Command(BaseCommand):
    help = (
        "Link the recommendations of imported archives to their predecessors in each "
        "country's previous edition, leaving uncertain ones for an analyst to confirm, "
        "and rebuild the recommendation tracker. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            linking = lineage.link_archives()
            tracker.rebuild()
            # The public tracker's pages show the links.
            caching.bump_generation()
        waiting = LineageMatch.objects.filter(decision=LineageMatch.Decision.TO_CONFIRM).count()
        self.stdout.write(f"Recommendations of archives: {linking}.")
        self.stdout.write(f"Matches waiting for an analyst in the editor: {waiting}.")
