"""manage.py rebuild_tracker: derive the recommendation tracker again from the record.

Publication keeps it up to date (assessments.tracker); this is for a database that
predates it, or after archives were linked (`link_recommendations`).
"""

from django.core.management.base import BaseCommand

from assessments.models import TrackedRecommendation
from assessments.tracker import rebuild


class Command(BaseCommand):
    help = "Rebuild the recommendation tracker from the live published revisions."

    def handle(self, *args, **options):
        rebuild()
        count = TrackedRecommendation.objects.count()
        self.stdout.write(f"Recommendation tracker rebuilt: {count} recommendations followed.")
