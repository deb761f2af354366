"""What `manage.py backup` and `manage.py restore` share: the archive and the database tools.

An archive is one tar file:

    database.pgdump   pg_dump's custom format (PostgreSQL), or
    database.sqlite3  a copy of the database file (SQLite, as `make run` uses)
    files/<name>      every stored file a row refers to (PDFs, exports), read through the
                      storage API, under its storage name
    manifest.json     what it holds: the database's vendor and migrations, how many rows
                      of the main tables, and each file's size and SHA-256

Everything in it is read in one snapshot of the database, so the files are exactly
those the dumped rows refer to. Django's dumpdata/loaddata is not a backup here: loading
published revisions again trips the immutability triggers (migration 0004), and it
carries no files.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError

from assessments.models import AuditEvent, Outlook, OutlookPdf, Review, Revision

FORMAT = "outlook-backup"
VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDORS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
FILES = "files/"


def pg_bindir():
    """Where pg_dump and pg_restore are: PG_BINDIR, else as scripts/with-postgres finds
    the server binaries (pg_config, then the newest /usr/lib/postgresql/*/bin), else PATH.
    """
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    else:
        if shutil.which("pg_config"):
            found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
            if found.returncode == 0:
                candidates.append(Path(found.stdout.strip()))
        versions = Path("/usr/lib/postgresql").glob("*/bin")
        candidates += sorted(versions, key=lambda path: _version(path.parent.name), reverse=True)
        if shutil.which("pg_dump"):
            candidates.append(Path(shutil.which("pg_dump")).parent)
    for directory in candidates:
        if (directory / "pg_dump").exists() and (directory / "pg_restore").exists():
            return directory
    raise CommandError(
        "pg_dump and pg_restore were not found. Install the PostgreSQL client "
        "(Debian: postgresql-client) or set PG_BINDIR to the directory that holds them."
    )


def _version(name):
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def pg_env(connection):
    """The environment that points pg_dump and pg_restore at Django's database; the
    password goes through the environment, not the command line."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def run_tool(command, *, env):
    """Run a PostgreSQL tool; its own message is the error if it fails."""
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")
    return result


def counts():
    """How many of the rows that matter the database holds: restore checks them."""
    return {
        "editions": Outlook.objects.count(),
        "revisions": Revision.objects.count(),
        "published revisions": Revision.objects.filter(state=Revision.State.PUBLISHED).count(),
        "published corrections": Revision.objects.published().exclude(correction_note="").count(),
        "reviews": Review.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "PDFs": OutlookPdf.objects.count(),
    }


def applied_migrations(connection):
    """The last applied migration of each app, as the database records them."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    latest = {}
    for app, name in recorder.migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def describe(numbers):
    return ", ".join(f"{value} {name}" for name, value in numbers.items())


def report(command, done, manifest, numbers, seconds, *, missing):
    """Say what a backup or a restore did, and which files it could not carry (`missing`
    says why)."""
    size = sum(entry["size"] for entry in manifest["files"])
    command.stdout.write(
        f"{done}: the {VENDORS[manifest['database']['vendor']]} database "
        f"({describe(numbers)}) and {len(manifest['files'])} stored files "
        f"({size / 1_000_000:.1f} MB), in {seconds:.1f} s."
    )
    for name in manifest["missing"]:
        command.stderr.write(f"{missing}: {name}")
