"""Stored PDFs on S3-compatible object storage (django-storages), against a real S3 server.

The same code as on local files (tests/test_files.py): the file written under a pending
name inside the publishing transaction, copied to its final name only after the commit,
the pending object deleted, and sweep_files finishing what a stopped process left. The
server is moto's standalone server, started by the suite (conftest.s3_server).
"""

import gzip
import io
import tarfile
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from assessments import pdf, workflow
from assessments.models import OutlookPdf, StoredExport

from .conftest import s3_client
from .processes import manage, run_python, s3_env
from .test_backup import COPY, second_database  # noqa: F401 (a fixture)
from .test_files import final_name, served
from .test_workflow import approve_all
from .worker import run_jobs


def objects(s3_server, bucket, suffix=""):
    """The names of every object in the bucket (ending in `suffix`), asked of the server."""
    listed = s3_client(s3_server).list_objects_v2(Bucket=bucket)
    return sorted(
        entry["Key"] for entry in listed.get("Contents", []) if entry["Key"].endswith(suffix)
    )


def test_a_publication_stores_its_pdf_in_the_bucket_visible_by_its_final_name_after_commit(
    client, s3_server, s3_storage, edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    assert pdf.pdf_storage().__class__.__name__ == "S3Storage"
    approve_all(edition, alice, bob)
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.publish(edition, user=erin)
        run_jobs()
    # Before the commit: only the pending object, which no committed row names.
    # The edition's PDF and KP's, rendered by the publication.
    record = OutlookPdf.objects.select_related("outlook").get(country=None)
    country = OutlookPdf.objects.select_related("outlook").get(country__isnull=False)
    assert record.file.name.startswith("pending/") and country.file.name.startswith("pending/")
    assert objects(s3_server, s3_storage, ".pdf") == sorted([record.file.name, country.file.name])
    data = s3_client(s3_server).get_object(Bucket=s3_storage, Key=record.file.name)["Body"]
    data = data.read()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")

    # After the commit: copied to the final name, the pending object deleted.
    with django_capture_on_commit_callbacks(execute=True):  # promote's own, after its commit
        for callback in callbacks:
            callback()
    record.refresh_from_db()
    country.refresh_from_db()
    assert record.file.name == final_name(record)
    assert country.file.name == final_name(country, "-kp")
    assert objects(s3_server, s3_storage, ".pdf") == sorted([record.file.name, country.file.name])
    assert served(client, f"/outlooks/{edition.slug}.pdf") == data


def test_sweep_files_on_s3_finishes_moves_and_removes_stray_objects(
    client, s3_server, s3_storage, published_sample, django_capture_on_commit_callbacks
):
    slug = published_sample.slug
    country = published_sample.assessments.get().country
    # Committed, but its process died before the move to the final name.
    left_pending = pdf.latest_pdf(published_sample, country)
    assert left_pending.file.name.startswith("pending/")
    stray = f"pending/{slug}-0123456789abcdef.pdf"  # a killed publication's
    assert default_storage.save(stray, ContentFile(b"%PDF-1.7 stray")) == stray

    # Objects cannot be backdated: a young stray file is kept, as a publication in
    # progress must be, and --older-than 0 takes it.
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_files", stdout=out)
    left_pending.refresh_from_db()
    assert left_pending.file.name == final_name(left_pending, "-kp")
    assert objects(s3_server, s3_storage, ".pdf") == sorted([left_pending.file.name, stray])
    call_command("sweep_files", "--older-than", "0", stdout=out)
    assert objects(s3_server, s3_storage, ".pdf") == [left_pending.file.name]
    assert served(client, f"/outlooks/{slug}/kp.pdf").startswith(b"%PDF")


def test_a_reader_who_read_the_row_just_before_the_move_on_s3_still_gets_the_pdf(
    client, s3_storage, published_sample, django_capture_on_commit_callbacks
):
    """S3 checks an object on open and fetches it on the first read; the pending object
    deleted in between must send the reader back to the row, not into a server error."""
    record = pdf.latest_pdf(published_sample)  # committed, not moved yet
    data = record.file.open("rb").read()
    record.file.close()
    real_open = default_storage.open
    moved = []

    def open_then_moved(name, mode="rb"):
        file = real_open(name, mode)  # the object is there now...
        if name.startswith("pending/") and not moved:
            moved.append(name)  # ...and moved away before its bytes are read
            with django_capture_on_commit_callbacks(execute=True):
                assert pdf.promote(OutlookPdf.objects.get(pk=record.pk))
        return file

    with mock.patch.object(default_storage, "open", open_then_moved):
        assert served(client, f"/outlooks/{published_sample.slug}.pdf") == data
    assert moved == [record.file.name]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("second_database")
def test_backup_and_restore_carry_the_objects_of_the_bucket_through_the_storage_api(
    client, tmp_path, s3_server, s3_storage, edition, erin, alice, bob
):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    run_jobs()  # committed: its PDFs under their final names
    assert served(client, f"/outlooks/{edition.slug}/kp.pdf").startswith(b"%PDF")
    stored = objects(s3_server, s3_storage)
    # The edition's PDF and KP's, and the open data stored at publication (stored_exports).
    assert len(objects(s3_server, s3_storage, ".pdf")) == 2
    assert len(stored) == 2 + StoredExport.objects.count()

    archive = tmp_path / "outlook.backup"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        assert sorted(name for name in tar.getnames() if name.startswith("files/")) == [
            f"files/{name}" for name in stored
        ]

    # Restored into another database and another bucket, by a site configured for it.
    copy_bucket = f"{s3_storage}-copy"
    s3_client(s3_server).create_bucket(Bucket=copy_bucket)
    unused = tmp_path / "no-local-files"
    restored = manage(
        "restore",
        archive,
        media_root=unused,
        database=COPY,
        extra=s3_env(s3_server, copy_bucket),
    )
    assert "Restored" in restored.stdout
    assert objects(s3_server, copy_bucket) == stored
    for name in stored:
        assert read(s3_server, copy_bucket, name) == read(s3_server, s3_storage, name)
    assert not unused.exists()


def read(s3_server, bucket, name):
    return s3_client(s3_server).get_object(Bucket=bucket, Key=name)["Body"].read()


def test_stored_files_are_local_unless_a_bucket_is_configured(tmp_path):
    """`make run` and the suite store under MEDIA_ROOT; STORAGE_BUCKET selects S3."""
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import default_storage as storage\n"
        "print(storage.__class__.__name__, getattr(storage, 'bucket_name', ''),"
        " getattr(storage, 'endpoint_url', ''))\n"
    )
    local = run_python(code, media_root=tmp_path, extra={"STORAGE_BUCKET": ""})
    assert local.stdout.split() == ["FileSystemStorage"]
    bucket = run_python(
        code, media_root=tmp_path, extra=s3_env("http://127.0.0.1:9", "outlook-files")
    )
    assert bucket.stdout.split() == ["S3Storage", "outlook-files", "http://127.0.0.1:9"]


def test_the_exports_are_served_from_the_bucket_gzipped_or_not(
    client, s3_storage, published_sample
):
    url = f"/outlooks/{published_sample.slug}.json"
    plain = client.get(url, headers={"accept-encoding": "identity"})
    body = b"".join(plain.streaming_content)
    assert body.startswith(b"{") and int(plain["Content-Length"]) == len(body)
    compressed = client.get(url, headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(b"".join(compressed.streaming_content)) == body
