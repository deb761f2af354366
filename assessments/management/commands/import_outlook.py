"""manage.py import_outlook FILE...: outlooks from the text format or JSON, each file
in one transaction."""

from django.core.management.base import BaseCommand, CommandError

from assessments.importing import ImportFileError, import_file
from assessments.importing.schema import PUBLISHED_ON_HELP, publication_date


class Command(BaseCommand):
    help = (
        "Import outlook files in the published text format or the JSON interchange format. "
        "Each file is imported in one transaction: all of it, or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Store the edition as already published (an archive of past outlooks).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace entries the edition already holds instead of refusing them.",
        )
        parser.add_argument(
            "--published-on",
            metavar="YYYY-MM-DD",
            help="With --publish: the day the edition was published to its readers, for "
            "a file that does not say (the text format); without it, the edition shows "
            "its period only.",
        )

    def handle(self, *args, files, publish, replace, published_on=None, **options):
        if published_on is not None:
            if not publish:
                raise CommandError("--published-on needs --publish: a draft is not published.")
            try:
                published_on = publication_date(published_on)
            except ValueError:
                raise CommandError(f"--published-on: expected {PUBLISHED_ON_HELP}") from None
        failed = 0
        for path in files:
            try:
                result = import_file(
                    path, publish=publish, replace=replace, published_on=published_on
                )
            except ImportFileError as error:
                failed += 1
                self.stderr.write(self.style.ERROR(f"Error: {error}"))
                self.stderr.write(f"Nothing was imported from {path}.")
                continue
            outlook = result.outlook
            state = "published" if outlook.is_published else "draft"
            self.stdout.write(
                self.style.SUCCESS(f"{path}: {outlook.full_title} ({outlook.slug}, {state})")
            )
            for assessment in result.created:
                self.stdout.write(
                    f"  added {assessment.country.short_name} ({assessment.country.code.code})"
                )
            for assessment in result.replaced:
                self.stdout.write(
                    f"  replaced {assessment.country.short_name} ({assessment.country.code.code})"
                )
            self.stdout.write(f"  recommendations: {result.linking}")
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) could not be imported.")
