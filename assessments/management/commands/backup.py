"""manage.py backup FILE: the database and the stored files (PDFs, exports), together in
one archive file.

The archive is a tar file: pg_dump's custom format on PostgreSQL, a copy of the
database file on SQLite, and every stored file a row refers to, all read in one
snapshot of the database. `manage.py restore FILE` restores it.
"""

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from assessments import stored_files

from . import _backups as backups


@contextlib.contextmanager
def read_transaction():
    """The transaction everything is read in. On SQLite a deferred one: the settings make
    its transactions IMMEDIATE (the write lock first, for the queue's worker beside the
    server), and SQLite's backup of a connection holding the write lock waits for ever."""
    if connection.vendor != "sqlite":
        with transaction.atomic():
            yield
        return
    connection.ensure_connection()
    mode = connection.transaction_mode
    connection.transaction_mode = "DEFERRED"
    try:
        with transaction.atomic():
            yield
    finally:
        connection.transaction_mode = mode


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The archive to write.")
        parser.add_argument("--force", action="store_true", help="Replace FILE if it exists.")

    def handle(self, *args, file, force, **options):
        target = Path(file).absolute()
        if target.exists() and not force:
            raise CommandError(f"{target} already exists; give --force to replace it.")
        if not target.parent.is_dir():
            raise CommandError(f"There is no directory {target.parent}.")
        vendor = connection.vendor
        if vendor not in backups.DUMPS:
            raise CommandError(f"Backing up a {vendor} database is not supported.")
        if connection.in_atomic_block:
            raise CommandError("Run the backup outside a transaction: it takes its own snapshot.")
        started = time.monotonic()
        # Written beside FILE and moved into place whole: FILE is never half an archive.
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".outlook-backup-") as work:
            work = Path(work)
            partial = work / "archive.tar"
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                manifest = self.write_archive(tar, work)
            with open(partial, "rb+") as written:
                os.fsync(written.fileno())
            os.replace(partial, target)
        backups.report(
            self,
            f"Backed up to {target} ({target.stat().st_size / 1_000_000:.1f} MB)",
            manifest,
            manifest["counts"],
            time.monotonic() - started,
            missing="Missing from storage, so not in the archive",
        )

    def write_archive(self, tar, work):
        """Everything read in one transaction: on PostgreSQL a repeatable-read snapshot
        that pg_dump shares, on SQLite the read lock the copy is made under."""
        vendor = connection.vendor
        dump = work / backups.DUMPS[vendor]
        with read_transaction():
            if vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot()")
                    [snapshot] = cursor.fetchone()
            numbers = backups.counts()
            migrations = backups.applied_migrations(connection)
            if vendor == "postgresql":
                backups.run_tool(
                    [
                        str(backups.pg_bindir() / "pg_dump"),
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={dump}",
                    ],
                    env=backups.pg_env(connection),
                )
            else:
                copy = sqlite3.connect(dump)
                try:
                    connection.connection.backup(copy)
                finally:
                    copy.close()
            tar.add(dump, arcname=backups.DUMPS[vendor])
            files, missing = self.add_files(tar)
        manifest = {
            "format": backups.FORMAT,
            "version": backups.VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": vendor, "migrations": migrations},
            "counts": numbers,
            "files": files,
            "missing": missing,
        }
        add_bytes(tar, backups.MANIFEST, json.dumps(manifest, indent=1).encode())
        return manifest

    def add_files(self, tar):
        """Every stored file a row of this snapshot refers to, read through the storage API."""
        files, missing, seen = [], [], set()
        for kind in stored_files.kinds():
            storage = kind.storage()
            for record in kind.model.objects.select_related(*kind.related).order_by("pk"):
                name = record.file.name
                if name in seen:
                    continue
                seen.add(name)
                try:
                    data = read(storage, name)
                except FileNotFoundError:
                    data = None
                if data is None and name.startswith(f"{stored_files.PENDING}/"):
                    # Moved to its final name since the snapshot (stored_files.promote):
                    # the same bytes, kept under the name the snapshot's row has.
                    with contextlib.suppress(FileNotFoundError):
                        data = read(storage, kind.final_name(record))
                if data is None:
                    missing.append(name)
                    continue
                add_bytes(tar, backups.FILES + name, data)
                files.append(
                    {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                )
        return files, missing


def read(storage, name):
    with storage.open(name, "rb") as stored:
        return stored.read()


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))
