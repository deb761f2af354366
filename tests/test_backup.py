"""manage.py backup and restore: the database and the stored PDFs, in one archive.

The proof is a copy: back up a database with a published edition, a correction,
reviews and the audit log, restore it into a second database on the same server and a
second media directory, and serve the public pages and PDFs from both through Django's
test Client in child processes: the responses must be byte-identical.
"""

import io
import json
import subprocess
import tarfile
import threading
import time
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from assessments import workflow
from assessments.management.commands._backups import pg_bindir
from assessments.models import AuditEvent, OutlookPdf, Review, Revision, StoredExport

from .processes import manage, run_python
from .test_workflow import approved_correction
from .worker import run_jobs

COPY = "outlook_restored"

# Serves `urls` with Django's test Client against the database and MEDIA_ROOT of the
# environment, writing each response to OUT/<n>.body, and the data itself to
# OUT/data.json: every row of the app and of auth (a many-to-many list sorted, as it
# has no order), and where every sequence stands.
SERVE = """
import json, sys
from pathlib import Path

import django
from django.conf import settings

# As the test suite: static files without collectstatic's manifest.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
django.setup()
from django.apps import apps
from django.core import serializers
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
out = Path(sys.argv[1])
client = Client()
for number, url in enumerate(sys.argv[2:]):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    (out / f"{number}.status").write_text(str(response.status_code))
    (out / f"{number}.body").write_bytes(body)
data = {}
models = apps.get_app_config("assessments").get_models()
for model in [*models, *apps.get_app_config("auth").get_models()]:
    rows = json.loads(serializers.serialize("json", model.objects.order_by("pk")))
    for row in rows:
        row["fields"] = {
            name: sorted(value) if isinstance(value, list) else value
            for name, value in row["fields"].items()
        }
    data[model._meta.label] = rows
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
    else:
        cursor.execute("SELECT name, seq FROM sqlite_sequence ORDER BY 1")
    data["sequences"] = cursor.fetchall()
(out / "data.json").write_text(json.dumps(data, indent=1, sort_keys=True, default=str))
"""


def serve(urls, out, *, media_root, database=None, url=None):
    out.mkdir()
    run_python(SERVE, out, *urls, media_root=media_root, database=database, url=url)
    return [
        (int((out / f"{n}.status").read_text()), (out / f"{n}.body").read_bytes())
        for n in range(len(urls))
    ], (out / "data.json").read_text()


def pg(command, *args):
    db = connection.settings_dict
    subprocess.run(
        [str(pg_bindir() / command), "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
        + list(args),
        check=True,
        capture_output=True,
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def second_database():
    """An empty database on the test's server, as `createdb` makes it."""
    pg("dropdb", "--if-exists", COPY)
    pg("createdb", COPY)
    yield COPY
    pg("dropdb", "--if-exists", "--force", COPY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_copy_serves_the_same_pages_and_pdfs(
    client, media, tmp_path, second_database, published_sample, edition, erin, alice, bob
):
    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    workflow.publish_correction(correction, user=erin)
    run_jobs()
    sample, slug = published_sample.slug, edition.slug
    pdfs = [f"/outlooks/{slug}.pdf", f"/outlooks/{slug}/kp.pdf", f"/outlooks/{sample}.pdf"]
    pages = [
        f"/outlooks/{slug}/",
        f"/outlooks/{slug}/kp/v1/",  # the entry as it was before the correction
        "/countries/kp/",
        "/feed/",
        f"/outlooks/{slug}.json",
        "/data/ratings.csv",
        "/outlooks/",
        f"/outlooks/{slug}/preview.png",
    ]
    # Every PDF rendered and stored before the backup (the sample's on first request), so
    # that both sides serve stored files rather than render anew.
    for url in pdfs:
        assert client.get(url).status_code == 200
    # The edition and its country, as published and as corrected, and the sample.
    assert OutlookPdf.objects.count() == 5
    assert Revision.objects.filter(state=Revision.State.PUBLISHED).count() == 3
    assert Review.objects.count() == 2
    assert AuditEvent.objects.filter(action="publish_correction").exists()

    archive = tmp_path / "outlook.backup"
    started = time.monotonic()
    call_command("backup", str(archive), stdout=(backed_up := io.StringIO()))
    backup_seconds = time.monotonic() - started
    # The stored exports (the JSON of both editions, the ratings CSV, the preview image
    # that the correction rendered again) are in the archive.
    with tarfile.open(archive) as tar:
        archived = set(tar.getnames())
    exports = [f"files/{name}" for name in StoredExport.objects.values_list("file", flat=True)]
    assert len(exports) == 4 and set(exports) <= archived

    copy_media = tmp_path / "media-restored"
    started = time.monotonic()
    restored = manage("restore", archive, media_root=copy_media, database=second_database)
    restore_seconds = time.monotonic() - started
    assert "Restored" in restored.stdout

    urls = pages + pdfs
    original, original_data = serve(urls, tmp_path / "original", media_root=media)
    copy, copy_data = serve(urls, tmp_path / "copy", media_root=copy_media, database=COPY)
    for url, (status, body), (copy_status, copy_body) in zip(urls, original, copy, strict=True):
        assert status == 200, url
        assert (copy_status, copy_body) == (status, body), url
    for url, (_, body) in zip(pdfs, original[len(pages) :], strict=True):
        assert body.startswith(b"%PDF"), url
    assert b"Corrected a date." in original[0][1]  # the edition page shows the correction
    # Every row (dates, reviews, the audit log, revisions superseded), and the sequences,
    # so that the copy goes on numbering where the original stands.
    assert copy_data == original_data
    data = json.loads(original_data)
    assert len(data["assessments.AuditEvent"]) == AuditEvent.objects.count() > 10

    print(
        f"\nbackup/restore: archive {archive.stat().st_size / 1024:.0f} KiB "
        f"({OutlookPdf.objects.count()} PDFs), backup {backup_seconds:.2f} s, "
        f"restore {restore_seconds:.2f} s (a child process, Django start-up included)\n"
        f"{backed_up.getvalue()}{restored.stdout}"
    )

    # The copy is no longer empty: a second restore is refused and changes nothing ...
    again = manage("restore", archive, media_root=copy_media, database=second_database, check=False)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    # ... unless told: --force replaces its contents with the archive's.
    manage("restore", archive, "--force", media_root=copy_media, database=second_database)
    _, forced_data = serve([], tmp_path / "forced", media_root=copy_media, database=COPY)
    assert forced_data == original_data

    # An archive with a damaged file changes nothing, even with --force.
    damaged = tmp_path / "damaged.backup"
    with tarfile.open(archive) as tar, tarfile.open(damaged, "w") as out:
        for info in tar.getmembers():
            content = tar.extractfile(info).read()
            if info.name.startswith("files/pdf/"):
                content = content.replace(b"%%EOF", b"%%EOX")
            out.addfile(info, io.BytesIO(content))
    stored = {path: path.read_bytes() for path in media.rglob("*") if path.is_file()}
    with pytest.raises(CommandError, match="is damaged"):
        call_command("restore", str(damaged), "--force")
    assert {path: path.read_bytes() for path in media.rglob("*") if path.is_file()} == stored
    assert OutlookPdf.objects.count() == 5


def test_backup_refuses_to_overwrite_an_archive(db, media, tmp_path):
    archive = tmp_path / "outlook.backup"
    archive.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(archive))
    assert archive.read_bytes() == b"an older backup"


def test_restore_refuses_a_file_that_is_not_a_backup(db, media, tmp_path):
    archive = tmp_path / "outlook.backup"
    with tarfile.open(archive, "w") as tar:
        tar.add(__file__, arcname="not-a-backup.py")
    with pytest.raises(CommandError, match="not an Outlook backup"):
        call_command("restore", str(archive))


def test_backup_and_restore_on_sqlite(tmp_path, sample_path):
    """`make run` uses SQLite: the archive holds a copy of its database file."""
    archive = tmp_path / "outlook.backup"
    original, copy = tmp_path / "original", tmp_path / "copy"
    for where in (original, copy):
        where.mkdir()

    def on(where):
        return {"media_root": where / "media", "url": f"sqlite:///{where / 'db.sqlite3'}"}

    manage("migrate", "-v0", **on(original))
    manage("import_outlook", sample_path, "--publish", **on(original))
    slug = "asia-pacific-2023-11"
    urls = [f"/outlooks/{slug}/", "/countries/kp/", f"/outlooks/{slug}.pdf"]
    serve(urls[-1:], tmp_path / "rendered", **on(original))  # the PDF, stored

    manage("backup", archive, **on(original))
    restored = manage("restore", archive, **on(copy))
    assert "SQLite" in restored.stdout

    served, data = serve(urls, tmp_path / "original-served", **on(original))
    copy_served, copy_data = serve(urls, tmp_path / "copy-served", **on(copy))
    assert [status for status, _ in served] == [200, 200, 200]
    assert copy_served == served
    assert copy_data == data
    again = manage("restore", archive, **on(copy), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pdf_moved_to_its_final_name_during_the_backup_is_in_the_archive(
    media, tmp_path, published_sample
):
    from assessments import pdf, stored_files
    from assessments.management.commands import _backups

    with mock.patch.object(stored_files, "promote"):  # its process stopped after the commit
        record = pdf.latest_pdf(published_sample)
    pending = record.file.name
    data = record.file.open("rb").read()
    real_counts = _backups.counts

    def counts_then_moved():
        # In the backup's snapshot the row still names its pending file; meanwhile,
        # another process moves it to its final name and deletes the pending copy.
        numbers = real_counts()
        moving = threading.Thread(target=lambda: (pdf.promote(record), connection.close()))
        moving.start()
        moving.join()
        return numbers

    archive = tmp_path / "outlook.backup"
    with mock.patch.object(_backups, "counts", counts_then_moved):
        call_command("backup", str(archive), stdout=io.StringIO())
    record.refresh_from_db()
    assert record.file.name != pending and not record.file.storage.exists(pending)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert manifest["missing"] == []
        assert tar.extractfile(f"files/{pending}").read() == data
