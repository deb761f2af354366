"""manage.py sweep_files: finish moving stored files (PDFs, exports) to their final
names, remove stray files."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments import stored_files
from assessments.stored_files import stored_names


class Command(BaseCommand):
    help = (
        "Tidy the stored files (PDFs, exports). A row still on its pending file (its "
        "process stopped after the commit) has it moved to its final name; a stored "
        "file no row refers to (left by a publication that failed or was killed before "
        "its commit) is removed once it is older than --older-than hours, so that a "
        "publication still in progress, whose row is not committed yet, keeps its file. "
        "Safe to run at any time, e.g. daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            metavar="HOURS",
            help="Remove a file no row refers to only if it is older than this "
            "(default 24; more than a publication can take).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done, do nothing."
        )

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than cannot be negative.")
        kinds = stored_files.kinds()
        would = "would be " if dry_run else ""

        moved = failed = 0
        for kind in kinds:
            for record in kind.model.objects.filter(file__startswith=f"{stored_files.PENDING}/"):
                self.stdout.write(f"{record.file.name}: {would}moved to its final name")
                if dry_run:
                    continue
                if stored_files.promote(kind, record):
                    moved += 1
                else:
                    failed += 1
                    self.stderr.write(f"{record.file.name}: could not be moved (see the log)")

        # Read after the moves: a row's name changes when its file is moved.
        referenced = set()
        for kind in kinds:
            referenced.update(kind.model.objects.values_list("file", flat=True))
        cutoff = timezone.now() - timedelta(hours=older_than)
        removed = young = 0
        # Every kind's files are in the default storage, under pending/ or their directory.
        storage = kinds[0].storage()
        directories = [stored_files.PENDING, *(kind.directory for kind in kinds)]
        for name in stored_names(storage, directories):
            if name in referenced:
                continue
            if storage.get_modified_time(name) > cutoff:
                young += 1
                continue
            self.stdout.write(f"{name}: no row refers to it, {would}removed")
            if not dry_run:
                storage.delete(name)
            removed += 1

        self.stdout.write(
            f"{_count(moved, 'file')} moved to the final name, "
            f"{_count(removed, 'stray file')} {would}removed, "
            f"{_count(young, 'file')} no row refers to kept as younger than {older_than:g} h."
        )
        if failed:
            raise CommandError(f"{_count(failed, 'file')} could not be moved to the final name.")


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"
