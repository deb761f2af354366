"""manage.py restore FILE: the database and the stored files (PDFs, exports) from an
archive of `backup`.

Restores into the database of DATABASE_URL and the configured storage (MEDIA_ROOT, or
the bucket of STORAGE_BUCKET), through the storage API. The database must be empty (on
PostgreSQL, made with createdb and not migrated) unless --force is given. Every file of
the archive is checked first: nothing is changed if one is damaged.
"""

import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from assessments import pdf

from . import _backups as backups


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The archive to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore into a database that is not empty, replacing what the archive "
            "holds (pg_restore --clean; on SQLite the whole file), and replace stored "
            "files of the same name.",
        )

    def handle(self, *args, file, force, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        started = time.monotonic()
        if not tarfile.is_tarfile(path):
            raise CommandError(f"{path} is not an Outlook backup (not a tar file).")
        with (
            tarfile.open(path, "r:") as tar,
            tempfile.TemporaryDirectory(prefix="outlook-restore-") as work,
        ):
            manifest = read_manifest(tar, path)
            vendor = manifest["database"]["vendor"]
            if vendor != connection.vendor:
                kind = backups.VENDORS
                raise CommandError(
                    f"{path} holds a {kind.get(vendor, vendor)} database, and this site uses "
                    f"{kind.get(connection.vendor, connection.vendor)}: restore it into the "
                    "same kind of database."
                )
            # Everything is checked before anything is changed.
            verify_files(tar, manifest)
            self.check_database_is_empty(force)
            to_write = self.files_to_write(manifest, force)
            dump = Path(work) / backups.DUMPS[vendor]
            with open(dump, "wb") as out:
                shutil.copyfileobj(member(tar, backups.DUMPS[vendor]), out)

            # Files first: if the database then fails, they are only files no row
            # refers to, and they are deleted here (or by sweep_files).
            written = self.write_files(tar, to_write)
            try:
                connection.close()  # no session of ours in the way of the restore
                if vendor == "postgresql":
                    self.restore_postgresql(dump, force)
                else:
                    self.restore_sqlite(dump)
            except BaseException:
                storage = pdf.pdf_storage()
                for name in written:
                    storage.delete(name)
                raise
        restored = backups.counts()
        if restored != manifest["counts"]:
            raise CommandError(
                f"The restored database holds {backups.describe(restored)}; the archive said "
                f"{backups.describe(manifest['counts'])}."
            )
        backups.report(
            self,
            f"Restored from {path} (made at {manifest['created_at']})",
            manifest,
            restored,
            time.monotonic() - started,
            missing="Missing when the backup was made, so not restored",
        )

    def check_database_is_empty(self, force):
        tables = connection.introspection.table_names()
        if tables and not force:
            name = connection.settings_dict["NAME"]
            raise CommandError(
                f"The database {name} is not empty ({len(tables)} tables). Restore into a "
                "new database (on PostgreSQL, made with createdb and not migrated), or "
                "give --force to replace its contents with the archive's."
            )

    def files_to_write(self, manifest, force):
        """The archive's files that storage does not hold already, the same."""
        storage = pdf.pdf_storage()
        to_write, different = [], []
        for entry in manifest["files"]:
            name = entry["name"]
            if storage.exists(name):
                with storage.open(name, "rb") as stored:
                    if hashlib.sha256(stored.read()).hexdigest() == entry["sha256"]:
                        continue
                different.append(name)
            to_write.append(name)
        if different and not force:
            raise CommandError(
                f"Storage already holds {len(different)} file(s) of the archive's names with "
                f"other content (such as {different[0]}); give --force to replace them."
            )
        return to_write

    def write_files(self, tar, names):
        storage = pdf.pdf_storage()
        written = []
        try:
            for name in names:
                storage.delete(name)  # --force: a different file of the same name
                saved = storage.save(name, ContentFile(member(tar, backups.FILES + name).read()))
                written.append(saved)
                if saved != name:
                    raise CommandError(f"Storage saved {name} as {saved}.")
        except BaseException:
            for name in written:
                storage.delete(name)
            raise
        return written

    def restore_postgresql(self, dump, force):
        command = [
            str(backups.pg_bindir() / "pg_restore"),
            "--exit-on-error",
            "--single-transaction",  # all or nothing
            "--no-owner",  # owned by whoever restores, as DATABASE_URL says
            "--no-privileges",
            f"--dbname={connection.settings_dict['NAME']}",
        ]
        if force:
            command += ["--clean", "--if-exists"]
        backups.run_tool([*command, str(dump)], env=backups.pg_env(connection))

    def restore_sqlite(self, dump):
        # SQLite's backup API replaces the whole database file's content, in one go.
        source = sqlite3.connect(dump)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()


def member(tar, name):
    try:
        return tar.extractfile(name)
    except KeyError as error:
        raise CommandError(f"The archive has no {name}: it is damaged.") from error


def read_manifest(tar, path):
    try:
        manifest = json.loads(tar.extractfile(backups.MANIFEST).read())
    except (KeyError, ValueError) as error:
        raise CommandError(f"{path} is not an Outlook backup (no manifest).") from error
    if manifest.get("format") != backups.FORMAT:
        raise CommandError(f"{path} is not an Outlook backup.")
    if manifest.get("version") != backups.VERSION:
        raise CommandError(
            f"{path} is a backup of version {manifest.get('version')}; this code reads "
            f"version {backups.VERSION}."
        )
    return manifest


def verify_files(tar, manifest):
    """Every file whole: its size and SHA-256 as the backup recorded them."""
    for entry in manifest["files"]:
        data = member(tar, backups.FILES + entry["name"]).read()
        if len(data) != entry["size"] or hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise CommandError(f"The archive's copy of {entry['name']} is damaged.")
