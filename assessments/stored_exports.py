"""The open data downloads, generated at publication and stored: the ratings CSV and
each edition's JSON (StoredExport rows; the latest of a kind is served), and each
edition's preview image (assessments.preview), stored the same way.

`store_exports` is a publication step (assessments.derived): inside the transaction
that publishes an edition or a correction, it writes the edition's JSON again, through
the storage API, as assessments.stored_files stores any file (pending name, moved to its
final name after the commit). The ratings CSV holds every published rating, so writing
it costs as much as all of them together (seconds at 48,000 entries): the step queues
it (`store_ratings_csv`, a task of the queue) instead, once for any number of
publications in a row (an archive import of years of editions would otherwise write it
once per edition); until the task has run, a request finds the stored CSV older than
the publication and writes it itself. Once a new export is on its final name, the ones
it supersedes are deleted, rows and files: an export is derived, never part of the
record.

An export is generated on its first request when there is none (data published before
exports were stored), when a publication is newer than it (a row written without
going through publication) or when its file is lost; `manage.py store_exports`
generates them all again.

The preview image costs a render (about a second): the publication job renders it
beside the PDFs (`store_preview`), not this step, so that an archive imported as
published, or a test's publication, does not wait for one image per edition; the
first request for it renders it then, as for a PDF.

Exports but the image (a PNG, compressed already) are stored gzipped (`.gz`): sent as
they are to a reader who accepts gzip (nearly every one), decompressed while streaming
to another (`open_latest` says which).
A CSV of every rating shrinks about eightfold, and is compressed once, not per request.

Generating locks first (the edition's row for its JSON, one advisory lock for the CSV),
so that of two publications at once the second generates after the first commits and
reads it: the latest export is never one that misses a committed publication.
"""

import gzip
import tempfile

from django.core.files import File
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery

from . import stored_files
from .exporting import public_json_bytes, write_ratings_csv
from .models import Outlook, Revision, StoredExport
from .preview import render_preview

Kind = StoredExport.Kind
FINAL = "exports"
RATINGS_CSV_NAME = "outlook-ratings.csv"
# The same file for spreadsheets, with a byte order mark (public_views.ratings_csv_excel).
RATINGS_CSV_EXCEL_NAME = "outlook-ratings-excel.csv"
# Held by whoever generates the ratings CSV until its transaction ends (PostgreSQL).
RATINGS_CSV_LOCK = 0x6F75746C6F6F6B  # "outlook"
# The CSV is written to a temporary file, in memory up to this size, on disk beyond.
SPOOL_BYTES = 8 * 1024 * 1024
# The suffix of a stored (gzipped) export; exports stored before had none.
COMPRESSED = ".gz"


def final_name(record):
    """Where a committed export ends: named by its row, so only that row can have it."""
    if record.kind == Kind.RATINGS_CSV:
        return f"{FINAL}/ratings/outlook-ratings-{record.pk}.csv{COMPRESSED}"
    slug = record.outlook.slug
    if record.kind == Kind.EDITION_PREVIEW:
        return f"{FINAL}/{slug}/{slug}-preview-{record.pk}.png"
    return f"{FINAL}/{slug}/{slug}-{record.pk}.json{COMPRESSED}"


def delete_superseded(record):
    """Delete the exports of `record`'s kind (and edition) older than it, rows and files."""
    storage = EXPORTS.storage()
    with transaction.atomic():
        older = StoredExport.objects.select_for_update().filter(
            Q(created_at__lt=record.created_at) | Q(created_at=record.created_at, pk__lt=record.pk),
            kind=record.kind,
            outlook_id=record.outlook_id,
        )
        names = [export.file.name for export in older]
        older.delete()
        # A reader who read an old row just before finds the latest one instead
        # (see open_latest).
        for name in names:
            transaction.on_commit(lambda name=name: stored_files.delete_quietly(storage, name))


EXPORTS = stored_files.FileKind(
    StoredExport,
    FINAL,
    final_name,
    noun="export",
    related=("outlook",),
    after_promote=delete_superseded,
)


def store_exports(outlook, revisions):
    """Publication step: store the JSON of the edition again (and of the region's later
    editions with its countries), and queue the ratings CSV's."""
    store_edition_json(outlook, {revision.assessment.country_id for revision in revisions})
    queue_ratings_csv()


def store_edition_json(outlook, country_ids):
    """Store the JSON of `outlook` again, and of the region's later published editions
    that have any of `country_ids`: each recommendation's status and tracked lineage there
    follow from the editions before (a correction of an earlier edition, an analyst's
    decision on an archive's match change them)."""
    regenerate(Kind.EDITION_JSON, outlook)
    for edition in editions_following(outlook, country_ids):
        regenerate(Kind.EDITION_JSON, edition)


def editions_following(outlook, country_ids):
    """The region's published editions after `outlook` that have any of `country_ids`."""
    return (
        Outlook.objects.published()
        .filter(
            region_id=outlook.region_id,
            period__gt=outlook.period,
            assessments__country_id__in=country_ids,
        )
        .distinct()
        .order_by("period")
    )


def store_preview(outlook):
    """Render and store the edition's preview image again (the publication job's step)."""
    regenerate(Kind.EDITION_PREVIEW, outlook)


def queue_ratings_csv():
    """Queue storing the ratings CSV again, unless it is queued already (not yet started)."""
    from django_tasks_db.models import DBTaskResult

    from . import jobs, tasks

    waiting = DBTaskResult.objects.filter(
        task_path=tasks.store_ratings_csv.module_path, status="READY"
    )
    if not waiting.exists():
        jobs.enqueue(tasks.store_ratings_csv)


def store_ratings_csv():
    """Store the ratings CSV, unless the stored one is already newer than every publication."""
    with transaction.atomic():
        return latest_export(Kind.RATINGS_CSV)


def regenerate(kind, outlook=None):
    """Generate the export and store it, in the caller's transaction (which must be one)."""
    _lock(kind, outlook)
    return _generate(kind, outlook)


def latest_export(kind, outlook=None):
    """The stored export to serve (the ratings CSV, or a published edition's JSON or image),
    generated and stored first if there is none or a publication is newer than it.
    Raises StorageWriteError, having kept nothing, when it cannot be stored."""
    record = _current(kind, outlook)
    if record is None:
        with transaction.atomic():
            _lock(kind, outlook)
            # Another request may have generated it while this one waited for the lock.
            record = _current(kind, outlook) or _generate(kind, outlook)
    return record


def open_latest(kind, outlook=None, *, record=None):
    """(file, gzipped) of the latest export, open for reading: its bytes, and whether
    they are gzipped. Generated again if its file is lost. `record`: the latest export,
    if the caller has just read it (latest_export)."""
    file = _open_latest(kind, outlook, record)
    return file, file.name.endswith(COMPRESSED)


def _open_latest(kind, outlook, record=None):
    record = record or latest_export(kind, outlook)
    try:
        return record.file.open("rb")
    except FileNotFoundError:
        pass
    # Moved to its final name since we read the row (stored_files.promote), or
    # superseded and deleted: the row read again names the file.
    again = latest_export(kind, outlook)
    try:
        return again.file.open("rb")
    except FileNotFoundError:
        if again.pk != record.pk:
            raise
    # The same row, and no file (a restore without it): make a new one, which supersedes it.
    with transaction.atomic():
        record = regenerate(kind, outlook)
    return record.file.open("rb")


def read_export(record):
    """The export's bytes as readers get them (decompressed)."""
    with record.file.open("rb") as file:
        data = file.read()
    return gzip.decompress(data) if record.file.name.endswith(COMPRESSED) else data


def _current(kind, outlook):
    """The latest export of the kind, unless a revision it shows was published after it."""
    # Published revisions only (a revision is published only in a published edition),
    # newest first: for the CSV, an index scan of revision_published_at.
    published = Revision.objects.filter(state=Revision.State.PUBLISHED, published_at__isnull=False)
    if outlook is not None:
        published = published.filter(assessment__outlook=OuterRef("outlook"))
    newest = published.order_by("-published_at").values("published_at")[:1]
    record = (
        StoredExport.objects.filter(kind=kind, outlook=outlook)
        .annotate(newest=Subquery(newest))
        .first()
    )
    if record is None or (record.newest and record.created_at < record.newest):
        return None
    return record


def _lock(kind, outlook):
    if outlook is not None:
        # NO KEY, as the publication's own lock on the row (workflow.carry_out_publication):
        # a stronger lock would make a job's row, which refers to the edition, wait.
        Outlook.objects.select_for_update(no_key=True).filter(pk=outlook.pk).first()
    elif connection.vendor == "postgresql":
        # SQLite (make run) has one writer at a time anyway.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RATINGS_CSV_LOCK])


def _generate(kind, outlook):
    """Generate the export and store it, in the caller's transaction."""
    record = StoredExport(kind=kind, outlook=outlook)
    if kind == Kind.EDITION_JSON:
        # mtime 0: the same edition gives the same bytes.
        data = gzip.compress(public_json_bytes(outlook), mtime=0)
        return stored_files.store(
            EXPORTS, record, data, pending_name=f"{outlook.slug}.json{COMPRESSED}"
        )
    if kind == Kind.EDITION_PREVIEW:
        return stored_files.store(
            EXPORTS, record, render_preview(outlook), pending_name=f"{outlook.slug}-preview.png"
        )
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with gzip.GzipFile(fileobj=spool, mode="wb", mtime=0) as compressed:
            write_ratings_csv(compressed)
        spool.seek(0)
        return stored_files.store(
            EXPORTS, record, File(spool), pending_name=f"{RATINGS_CSV_NAME}{COMPRESSED}"
        )
