"""Stored PDFs under faults: a full disk, a process killed mid-publication, stray files.

A fault is injected by patching the storage's _save (write half the file, then fail as a
full disk does) or by killing a real publishing process; everything else is real:
PostgreSQL, the renderer, the file system storage.
"""

import errno
import io
import os
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse

from assessments import jobs, pdf, workflow
from assessments.models import OutlookPdf, StoredExport

from .processes import run_python
from .test_workflow import approve_all
from .worker import run_jobs


@pytest.fixture
def media(settings, tmp_path):
    """This test's own MEDIA_ROOT, so that it sees every file written, and only those."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def stored_files(media, extension=""):
    """The names of the files stored under `media` (those ending with `extension`)."""
    return sorted(
        str(path.relative_to(media))
        for path in media.rglob("*")
        if path.is_file() and path.name.endswith(extension)
    )


def pdfs(media):
    return stored_files(media, ".pdf")


@contextmanager
def full_disk():
    """Every file the storage writes gets half its bytes, then the disk is full."""
    real_save = FileSystemStorage._save

    def save(self, name, content):
        data = content.read()
        real_save(self, name, ContentFile(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)

    with mock.patch.object(FileSystemStorage, "_save", save):
        yield


def served(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def final_name(record, code=""):
    slug = record.outlook.slug
    return f"pdf/{slug}/{slug}{code}-{record.pk}.pdf"


def test_a_full_disk_while_publishing_leaves_no_file_and_publishes_nothing(
    client, media, edition, erin, alice, bob
):
    approve_all(edition, alice, bob)
    client.force_login(erin)
    before = stored_files(media)  # the sample's stored exports
    exports = StoredExport.objects.count()
    client.post(reverse("editor_publish", args=[edition.pk]))
    with full_disk():
        run_jobs()
    page = client.get(reverse("editor_outlook", args=[edition.pk])).content.decode()
    assert "Publishing failed, and nothing was published" in page
    # The first file the publication stores (the edition's JSON, then the PDFs).
    assert "Could not store the export" in page or "Could not store the PDF" in page
    edition.refresh_from_db()
    assert not edition.is_published
    assert not OutlookPdf.objects.exists()
    assert StoredExport.objects.count() == exports
    assert stored_files(media) == before  # not even the truncated half of a file


def test_a_publication_that_fails_after_its_exports_leaves_no_export_and_no_file(
    client, media, edition, erin, alice, bob
):
    approve_all(edition, alice, bob)
    before, exports = stored_files(media), StoredExport.objects.count()
    # The exports are stored (a derived step), then the PDF cannot be rendered.
    job = workflow.publish(edition, user=erin)
    failing = mock.patch.object(pdf, "render_outlook_pdf", side_effect=pdf.PdfRenderError("no"))
    with failing:
        run_jobs()
    job.refresh_from_db()
    assert job.state == job.State.FAILED
    edition.refresh_from_db()
    assert not edition.is_published
    assert StoredExport.objects.count() == exports
    assert stored_files(media) == before


def test_a_full_disk_on_the_first_request_of_a_pdf_answers_503_and_leaves_nothing(
    client, media, published_sample
):
    slug = published_sample.slug
    for url in (f"/outlooks/{slug}.pdf", f"/outlooks/{slug}/kp.pdf"):
        rows, files = OutlookPdf.objects.count(), stored_files(media)
        with full_disk():
            response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"]
        assert "try again" in response.content.decode().lower()
        # A CDN or a browser must not keep the failure for the hour a PDF is kept.
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert OutlookPdf.objects.count() == rows
        assert stored_files(media) == files
        # Once there is room again, the same request gets the PDF.
        assert served(client, url).startswith(b"%PDF")


def test_a_full_disk_on_the_first_request_of_an_export_answers_503_and_leaves_nothing(
    client, media, published_sample
):
    StoredExport.objects.all().delete()  # as before exports were stored
    for url in (f"/outlooks/{published_sample.slug}.json", "/data/ratings.csv"):
        files = stored_files(media)
        with full_disk():
            response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"]
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
        assert not StoredExport.objects.exists()
        assert stored_files(media) == files
    # Once there is room again, the same request gets the file.
    assert served(client, "/data/ratings.csv").startswith(b"country,country_name,")
    assert StoredExport.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publication_killed_before_its_commit_leaves_a_file_the_retry_and_sweep_deal_with(
    client, media, edition, erin, alice, bob
):
    approve_all(edition, alice, bob)
    before = stored_files(media)
    job = workflow.publish(edition, user=erin)
    # A publishing worker dies (SIGKILL) once the PDFs are written, before the commit.
    killed = run_python(
        "import os, signal, sys, django\n"
        "django.setup()\n"
        "from assessments import jobs, workflow\n"
        "def audit(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)  # after store_pdfs, before the commit\n"
        "workflow.audit = audit\n"
        "jobs.run(int(sys.argv[1]))\n",
        job.pk,
        media_root=media,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    edition.refresh_from_db()
    assert not edition.is_published and not OutlookPdf.objects.exists()
    assert not StoredExport.objects.filter(outlook=edition).exists()
    # The killed worker's PDFs, exports and preview image, which no row refers to.
    strays = sorted(set(stored_files(media)) - set(before))
    # (The ratings CSV is written by a task queued on commit: none was.)
    assert sorted(name.partition(".")[2] for name in strays) == ["json.gz", "pdf", "pdf", "png"]

    # The retry publishes, and its PDFs end under their own final names: nothing in the way.
    job.refresh_from_db()
    assert job.state == job.State.RUNNING
    job.heartbeat_at -= timedelta(hours=1)  # what a dead worker's heartbeat looks like
    job.save()
    assert jobs.recover() == [job]
    run_jobs()
    job.refresh_from_db()
    assert job.state == job.State.SUCCEEDED and job.attempts == 2
    records = list(OutlookPdf.objects.select_related("outlook", "country"))
    assert [record.file.name for record in records] == [
        final_name(record, f"-{record.country.code.code.lower()}" if record.country else "")
        for record in records
    ]
    published = [record.file.name for record in records]
    assert stored_files(media) == sorted(
        [*strays, *published, *StoredExport.objects.values_list("file", flat=True)]
    )
    edition_pdf = OutlookPdf.objects.get(country=None)
    assert served(client, f"/outlooks/{edition.slug}.pdf") == edition_pdf.file.open("rb").read()

    # The sweep removes the stray files once they are old enough not to be a publication
    # in progress, and keeps the published ones.
    call_command("sweep_files", stdout=io.StringIO())
    assert set(strays) <= set(stored_files(media))
    call_command("sweep_files", "--older-than", "0", stdout=io.StringIO())
    assert stored_files(media) == sorted(
        [*published, *StoredExport.objects.values_list("file", flat=True)]
    )
    assert not set(strays) & set(stored_files(media))


def test_a_full_disk_after_the_commit_keeps_the_publication_and_its_pdf(
    client, media, edition, erin, alice, bob, caplog, django_capture_on_commit_callbacks
):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    with django_capture_on_commit_callbacks() as callbacks:
        run_jobs()
    # The commit happened; then the disk fills up while the PDFs are moved to their
    # final names.
    with full_disk():
        for callback in callbacks:
            callback()
    assert "Could not move" in caplog.text
    records = OutlookPdf.objects.select_related("outlook")
    record, country = records.get(country=None), records.get(country__code="KP")
    # Still under their pending names, complete, and served; the half-written copies are gone.
    assert stored_files(media) == sorted(
        [record.file.name, country.file.name, *StoredExport.objects.values_list("file", flat=True)]
    )
    data = record.file.open("rb").read()
    assert served(client, f"/outlooks/{edition.slug}.pdf") == data
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert served(client, f"/outlooks/{edition.slug}/kp.pdf") == country.file.open("rb").read()

    # The sweep finishes the moves.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_files", stdout=io.StringIO())
    record.refresh_from_db()
    country.refresh_from_db()
    assert record.file.name == final_name(record)
    assert country.file.name == final_name(country, "-kp")
    assert stored_files(media) == sorted(
        [record.file.name, country.file.name, *StoredExport.objects.values_list("file", flat=True)]
    )
    assert not any(name.startswith("pending/") for name in stored_files(media))
    assert served(client, f"/outlooks/{edition.slug}.pdf") == data


def test_sweep_files_keeps_what_rows_refer_to_and_young_files(
    client, media, published_sample, django_capture_on_commit_callbacks
):
    slug = published_sample.slug
    country = published_sample.assessments.get().country
    with django_capture_on_commit_callbacks(execute=True):
        moved = pdf.latest_pdf(published_sample)
    # Committed, but its process died before the move to the final name.
    left_pending = pdf.latest_pdf(published_sample, country)
    assert moved.file.name == final_name(moved)
    assert left_pending.file.name.startswith("pending/")
    storage = moved.file.storage

    def put(name, hours_old):
        assert storage.save(name, ContentFile(b"%PDF-1.7 stray")) == name
        when = time.time() - hours_old * 3600
        os.utime(media / name, (when, when))

    stray = [f"pending/{slug}-0123456789abcdef.pdf", f"pdf/2023/11/{slug}.pdf"]
    for name in stray:
        put(name, hours_old=25)
    put(f"pending/{slug}-fedcba9876543210.pdf", hours_old=1)  # a publication in progress
    put("other/notes.txt", hours_old=25)  # not a PDF of ours
    os.utime(media / moved.file.name, (0, 0))  # what a row refers to stays, however old
    before = stored_files(media)

    out = io.StringIO()
    call_command("sweep_files", "--dry-run", stdout=out)
    assert stored_files(media) == before
    for name in stray:
        assert name in out.getvalue()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_files", stdout=out)
    left_pending.refresh_from_db()
    assert left_pending.file.name == final_name(left_pending, "-kp")
    # The sample's exports, stored at its import, were moved to their final names too.
    exports = list(StoredExport.objects.values_list("file", flat=True))
    assert len(exports) == 2 and all(name.startswith("exports/") for name in exports)
    assert stored_files(media) == sorted(
        [
            moved.file.name,
            left_pending.file.name,
            f"pending/{slug}-fedcba9876543210.pdf",
            "other/notes.txt",
            *exports,
        ]
    )
    assert served(client, f"/outlooks/{slug}.pdf").startswith(b"%PDF")
    assert served(client, f"/outlooks/{slug}/kp.pdf").startswith(b"%PDF")
    assert "2 stray files removed" in out.getvalue()


def test_a_reader_who_read_the_row_just_before_the_move_still_gets_the_pdf(
    client, media, published_sample, django_capture_on_commit_callbacks
):
    record = pdf.latest_pdf(published_sample)  # committed, not moved yet
    data = record.file.open("rb").read()
    real_latest_pdf = pdf.latest_pdf

    def read_then_moved(outlook, country=None):
        found = real_latest_pdf(outlook, country)
        if found.file.name.startswith("pending/"):
            # The move runs between this reader's query and its opening of the file.
            with django_capture_on_commit_callbacks(execute=True):
                assert pdf.promote(OutlookPdf.objects.get(pk=found.pk))
            assert not found.file.storage.exists(found.file.name)
        return found

    with mock.patch("assessments.public_views.latest_pdf", side_effect=read_then_moved):
        assert served(client, f"/outlooks/{published_sample.slug}.pdf") == data
