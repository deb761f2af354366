"""PDFs of published editions and of one country's entry, made with WeasyPrint.

Publishing (a worker's job, assessments.jobs) calls `store_pdfs(outlook)` inside its
transaction: the edition's PDF and each country's are rendered once and stored; a
correction stores new ones (the edition's and its country's) and the old are kept
(OutlookPdf rows; the site serves the latest). A PDF that is missing (an edition
imported as published) is rendered on its first request and stored, and so is one that
a correction is newer than.

Files and the database commit apart, so a PDF is stored in two steps, as every stored
file is (assessments.stored_files): written under a pending name
(`pending/<slug>-<random>.pdf`) in the publication's transaction, then moved to its
final name, made from the row (`pdf/<slug>/<slug>[-<code>]-<id>.pdf`), once that has
committed.

The render runs in a child process under a memory limit, forked from a warm render
server (`assessments.pdf_worker`) that this process starts on its first PDF, with a URL
fetcher that serves the project's static files and nothing else.
"""

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from . import riskmap, stored_files
from .citing import edition_citation, entry_citation
from .editions import edition_revisions, rating_changes, risk_framework, running_header
from .markdown import render_markdown
from .models import Outlook, OutlookPdf
from .templatetags.public_tags import footnote_text
from .text_format import without_control_characters
from .tracked import since_last_edition

BASE_DIR = Path(__file__).resolve().parent.parent
logger = logging.getLogger(__name__)

# Where PDFs are stored: under PENDING until their transaction has committed, then under
# FINAL; older deployments stored them under FINAL too (pdf/<year>/<month>/<slug>.pdf).
PENDING, FINAL = stored_files.PENDING, "pdf"


class PdfRenderError(Exception):
    pass


class PdfStorageError(stored_files.StorageWriteError):
    """The PDF could not be written to storage (a full disk, say); nothing was kept."""


def render_outlook_pdf(outlook):
    """The whole edition as PDF bytes: cover (with its publisher, licence and citation),
    contents, introduction, risk table with its legend, entries."""
    return html_to_pdf(outlook_html(outlook))


def render_country_pdf(outlook, country):
    """One country's entry of the edition as PDF bytes."""
    return html_to_pdf(outlook_html(outlook, country=country))


def outlook_html(outlook, *, country=None, revisions=None, watermark=""):
    """The final HTML WeasyPrint renders (the benchmark renders it alone too): the
    edition's live entries, or the `revisions` given (an embargoed preview's, with its
    `watermark` on every page)."""
    if revisions is None:
        revisions = edition_revisions(outlook)
    if country is not None:
        revisions = revisions.filter(assessment__country=country)
    revisions = list(revisions)
    changes = rating_changes(outlook, revisions) if country is None else None
    since = since_last_edition(outlook, [r.assessment.country_id for r in revisions])
    entries = [
        {
            "revision": revision,
            "code": revision.assessment.country.code.code.lower(),
            "running_header": running_header(outlook, revision.assessment.country),
            "change": changes.get(revision.assessment.country_id) if changes else None,
            "since_last_edition": since.get(revision.assessment.country_id),
            **print_content(revision),
        }
        for revision in revisions
    ]
    # The day readers got the edition, and the day of its last correction if any (an
    # archive's entries were published on import: only a correction changes what it says).
    created = outlook.published_on or (
        outlook.published_at and timezone.localdate(outlook.published_at)
    )
    modified = max((r.published_on for r in revisions if r.is_correction), default=created)
    # An entry's PDF cites the entry (its version); the edition's cites the edition.
    if country is not None and revisions:
        citation = entry_citation(revisions[0])
    else:
        citation = edition_citation(outlook)
    html = render_to_string(
        "pdf/outlook.html",
        {
            "outlook": outlook,
            "country": country,
            "entries": entries,
            "has_changes": changes is not None,
            "risk_map": riskmap.edition_map(outlook, revisions) if country is None else "",
            "site_url": settings.SITE_URL,
            "publisher": settings.OUTLOOK_PUBLISHER,
            "text_licence": settings.OUTLOOK_TEXT_LICENCE,
            "citation": citation,
            "created": created,
            "modified": modified,
            "watermark": watermark,
            **(risk_framework() if country is None else {}),
        },
    )
    # WeasyPrint prints a control character as an empty box (or breaks the line at it):
    # drop any that a row saved before the forms refused them still holds.
    return without_control_characters(html)


def print_content(revision):
    """Findings and recommendations as HTML whose footnote calls carry the footnote itself.

    Footnotes nobody cites follow the entry as notes without a call (the sample cites
    none and prints them at the foot).
    """
    calls = PrintedCalls(revision.footnotes.all())
    findings = [
        render_markdown(f.text, calls=calls, typographic=True) for f in revision.findings.all()
    ]
    groups = [
        (
            addressee,
            [
                render_markdown(item.text, inline=True, calls=calls, typographic=True)
                for item in items
            ],
        )
        for addressee, items in revision.recommendation_groups()
    ]
    return {"findings": findings, "groups": groups, "uncited_notes": calls.uncited_notes()}


class PrintedCalls:
    """Footnote calls of one entry in print, for `render_markdown(calls=...)`.

    In print a footnote sits at the foot of the page that cites it (CSS `float: footnote`),
    so the first call of a note is the note itself; a later call of it, or a call of a
    note the entry does not have, is a plain superscript number.
    """

    # The note's span and data-n are outside the sanitiser's allowlist, so this HTML goes
    # in after sanitising; it is safe as it is: footnote_text escapes all of the note's text.
    after_sanitising = True

    def __init__(self, notes):
        self.notes = {note.number: note for note in notes}
        self.cited = set()

    def __call__(self, number):
        note = self.notes.get(number)
        if note is None or number in self.cited:
            return format_html('<sup class="call">{}</sup>', number)
        self.cited.add(number)
        return footnote_html(note)

    def uncited_notes(self):
        """The notes no call has cited so far, to print after the entry."""
        return [
            footnote_html(note, cited=False)
            for number, note in self.notes.items()
            if number not in self.cited
        ]


def footnote_html(note, *, cited=True):
    css = "fn" if cited else "fn uncited"
    return format_html(
        '<span class="{}" data-n="{}">{}</span>', css, note.number, footnote_text(note)
    )


def html_to_pdf(html):
    """Render in a memory-bounded child process; PdfRenderError says what went wrong."""
    return render_in_child(html).data


@dataclass
class Rendered:
    data: bytes
    peak_kb: int  # the render process's peak resident memory


_server = None  # this process's render server (subprocess.Popen), started on first use
_server_lock = threading.Lock()  # one request at a time on the server's pipes


def render_in_child(html):
    """Ask the render server for a PDF; it forks a child that renders under the limits."""
    global _server
    request = {
        "length": len(body := html.encode("utf-8")),
        "memory_mb": settings.PDF_MEMORY_LIMIT_MB,
        "roots": [str(root) for root in settings.STATICFILES_DIRS],
    }
    with _server_lock:
        server = _running_server()
        try:
            server.stdin.write(json.dumps(request).encode() + b"\n" + body)
            server.stdin.flush()
            reader = _Reader(server.stdout.fileno(), settings.PDF_TIMEOUT_SECONDS)
            answer = json.loads(reader.line())
            payload = reader.read(answer["length"])
        except BaseException as error:
            # A timeout, a dead server or a half-read answer: the pipes are out of step,
            # so stop the server and its render child; the next PDF starts a new one.
            _stop(server)
            _server = None
            if isinstance(error, TimeoutError):
                timeout = settings.PDF_TIMEOUT_SECONDS
                raise PdfRenderError(f"the PDF render took longer than {timeout} s") from error
            if isinstance(error, (OSError, EOFError, ValueError, KeyError)):
                raise PdfRenderError("the PDF renderer stopped unexpectedly") from error
            raise
    if not answer["ok"]:
        raise PdfRenderError(payload.decode("utf-8", "replace"))
    return Rendered(payload, answer["peak_kb"])


def _running_server():
    global _server
    # A server started before this process was forked (gunicorn --preload) is not ours.
    if _server is not None and (_server.poll() is not None or _server.owner != os.getpid()):
        _stop(_server)
        _server = None
    if _server is None:
        _server = subprocess.Popen(
            [sys.executable, "-m", "assessments.pdf_worker", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=BASE_DIR,
            # Its own process group, so that a timeout kills the render child with it.
            start_new_session=True,
        )
        _server.owner = os.getpid()
    return _server


def _stop(server):
    if server.owner == os.getpid():
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


class _Reader:
    """Reads the server's answer from a pipe, raising TimeoutError past the deadline."""

    def __init__(self, fd, timeout):
        self.fd, self.deadline, self.buffer = fd, time.monotonic() + timeout, b""

    def _more(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            raise EOFError("the PDF renderer closed its output")
        self.buffer += chunk

    def line(self):
        while b"\n" not in self.buffer:
            self._more()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def read(self, length):
        while len(self.buffer) < length:
            self._more()
        data, self.buffer = self.buffer[:length], self.buffer[length:]
        return data


def store_pdfs(outlook, *, countries=None, progress=None):
    """Render and store the edition's PDF and its countries' (each published entry's, or
    those of `countries`); earlier PDFs are kept. Returns the new rows.

    `progress(text, step, steps)`, if given, is told before each render.
    """
    if countries is None:
        countries = [
            assessment.country
            for assessment in outlook.assessments.filter(published_revision__isnull=False)
            .select_related("country")
            .order_by("position")
        ]
    steps = 1 + len(countries)
    report = progress or (lambda text, step, steps: None)
    report(f"Rendering PDF 1 of {steps}: the edition", 1, steps)
    records = [_store(outlook, None, render_outlook_pdf(outlook))]
    for step, country in enumerate(countries, 2):
        report(f"Rendering PDF {step} of {steps}: {country.short_name}", step, steps)
        records.append(_store(outlook, country, render_country_pdf(outlook, country)))
    return records


def pdf_storage():
    return PDFS.storage()


def _base_name(outlook, country):
    return outlook.slug + (f"-{country.code.code.lower()}" if country else "")


def final_name(record):
    """Where a committed row's PDF ends: named by the row, so only that row can have it."""
    outlook = record.outlook
    return f"{FINAL}/{outlook.slug}/{_base_name(outlook, record.country)}-{record.pk}.pdf"


PDFS = stored_files.FileKind(
    OutlookPdf, FINAL, final_name, noun="PDF", related=("outlook", "country")
)


def _store(outlook, country, data):
    """Write the PDF under a pending name and add its row, in the caller's transaction;
    `promote` moves it to its final name once that transaction has committed."""
    try:
        return stored_files.store(
            PDFS,
            OutlookPdf(outlook=outlook, country=country),
            data,
            pending_name=f"{_base_name(outlook, country)}.pdf",
        )
    except stored_files.StorageWriteError as error:
        raise PdfStorageError(str(error)) from error


def promote(record):
    """Move a committed PDF to its final name (see stored_files.promote)."""
    return stored_files.promote(PDFS, record)


def open_pdf(record):
    """The row's stored PDF, opened for reading; FileNotFoundError if it is not there.

    Object storage (S3) fetches an object's bytes on the first read, not on open: they
    are fetched here, so that a file deleted in between (moved by `promote`) is found
    missing now, where the caller can read the row again, not halfway through a response.
    """
    file = pdf_storage().open(record.file.name, "rb")
    try:
        file.seek(0)
    except Exception as error:
        file.close()
        if _is_missing(error):
            raise FileNotFoundError(record.file.name) from error
        raise
    return file


def _is_missing(error):
    """Whether a storage error says the file is not there (S3's 404 or NoSuchKey)."""
    if isinstance(error, FileNotFoundError):
        return True
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in ("404", "NoSuchKey")


def latest_pdf(outlook, country=None):
    """The stored PDF to serve for a published edition (or one country of it).

    Renders and stores one if there is none yet (an edition imported as published) or
    if a correction is newer than the stored one. The edition's row is
    locked first, so two requests at once render once: the second finds the first's.
    Raises PdfStorageError, having kept nothing, when the PDF cannot be stored.
    """
    with transaction.atomic():
        Outlook.objects.select_for_update().filter(pk=outlook.pk).first()
        record = _current_pdf(outlook, country)
        if record is None:
            data = render_country_pdf(outlook, country) if country else render_outlook_pdf(outlook)
            record = _store(outlook, country, data)
    return record


def _current_pdf(outlook, country):
    """The latest stored PDF, unless an entry it shows was corrected after it was made."""
    record = OutlookPdf.objects.filter(outlook=outlook, country=country).first()
    if record is None:
        return None
    entries = outlook.assessments.all()
    if country is not None:
        entries = entries.filter(country=country)
    newest = entries.aggregate(newest=Max("published_revision__published_at"))["newest"]
    if newest and record.created_at < newest:
        return None
    return record
