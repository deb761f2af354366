"""manage.py rebuild_search_index: write the search index again from the live revisions.

Publication keeps the index up to date (assessments.search_index); this is for what
publication cannot know: a country's names changed in the admin, or an index in doubt.
"""

from django.core.management.base import BaseCommand

from assessments.search_index import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the live published revisions."

    def handle(self, *args, **options):
        written = rebuild()
        self.stdout.write(f"Search index rebuilt: {written} entries.")
