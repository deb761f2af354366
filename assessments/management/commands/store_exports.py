"""manage.py store_exports: generate the stored exports (the ratings CSV, each published
edition's JSON) again, from the published record."""

from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import stored_exports
from assessments.caching import bump_generation
from assessments.models import Outlook, StoredExport


class Command(BaseCommand):
    help = (
        "Generate and store again the ratings CSV and the JSON of every published edition "
        "(publication does it for what it publishes; the site generates a missing one on "
        "its first request). The ones they supersede are deleted once they are stored."
    )

    def handle(self, *args, **options):
        outlooks = Outlook.objects.published().order_by("period", "region__name")
        count = 0
        for outlook in outlooks.iterator():
            # One transaction each: the file moves to its final name once it commits.
            with transaction.atomic():
                stored_exports.regenerate(StoredExport.Kind.EDITION_JSON, outlook)
            count += 1
        with transaction.atomic():
            stored_exports.regenerate(StoredExport.Kind.RATINGS_CSV)
            # The files may say more than the record (a new licence, the site's address):
            # the copies that readers and caches keep are to be fetched again.
            bump_generation()
        editions = f"{count} edition{'' if count == 1 else 's'}"
        self.stdout.write(f"Stored the ratings CSV and the JSON of {editions}.")
