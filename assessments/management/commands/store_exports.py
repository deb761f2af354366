"""manage.py store_exports: generate the stored exports (the ratings CSV, each published
edition's JSON and preview image) again, from the published record."""

from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import stored_exports
from assessments.caching import bump_generation
from assessments.models import Outlook, StoredExport

Kind = StoredExport.Kind


class Command(BaseCommand):
    help = (
        "Generate and store again the ratings CSV and the JSON and preview image of every "
        "published edition (publication does it for what it publishes; the site generates "
        "a missing one on its first request). The ones they supersede are deleted once "
        "they are stored."
    )

    def handle(self, *args, **options):
        outlooks = Outlook.objects.published().select_related("region")
        count = 0
        for outlook in outlooks.order_by("period", "region__name").iterator():
            # One transaction each: the files move to their final names once it commits.
            with transaction.atomic():
                stored_exports.regenerate(Kind.EDITION_JSON, outlook)
                stored_exports.regenerate(Kind.EDITION_PREVIEW, outlook)
            count += 1
        with transaction.atomic():
            stored_exports.regenerate(Kind.RATINGS_CSV)
            # The files may say more than the record (a new licence, the site's address):
            # the copies that readers and caches keep are to be fetched again.
            bump_generation()
        editions = f"{count} edition{'' if count == 1 else 's'}"
        self.stdout.write(f"Stored the ratings CSV, and the JSON and preview image of {editions}.")
