"""PDFs of published editions and of one country's entry, made with WeasyPrint.

Publishing calls `store_pdfs(outlook)` inside its transaction: the edition's PDF is
rendered once and stored; a correction stores a new one and the old is kept
(OutlookPdf rows; the site serves the latest). A country's PDF is rendered on its
first request and stored, and rendered again once a correction is newer than it.

The render runs in a child process (`assessments.pdf_worker`) under a memory limit,
with a URL fetcher that serves the project's static files and nothing else.
"""

import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .editions import edition_revisions, rating_changes, running_header
from .markdown import render_markdown
from .models import Outlook, OutlookPdf

BASE_DIR = Path(__file__).resolve().parent.parent
CALL_RE = re.compile(
    r'<sup class="footnote-ref"><a href="#[\w-]*fn-(\d+)" id="[\w-]*"[^>]*>\d+</a></sup>'
)


class PdfRenderError(Exception):
    pass


def render_outlook_pdf(outlook):
    """The whole edition as PDF bytes: cover, contents, introduction, risk table, entries."""
    return html_to_pdf(outlook_html(outlook))


def render_country_pdf(outlook, country):
    """One country's entry of the edition as PDF bytes."""
    return html_to_pdf(outlook_html(outlook, country=country))


def outlook_html(outlook, *, country=None):
    """The final HTML WeasyPrint renders (the benchmark renders it alone too)."""
    revisions = edition_revisions(outlook)
    if country is not None:
        revisions = revisions.filter(assessment__country=country)
    revisions = list(revisions)
    changes = rating_changes(outlook, revisions) if country is None else None
    entries = [
        {
            "revision": revision,
            "code": revision.assessment.country.code.code.lower(),
            "running_header": running_header(outlook, revision.assessment.country),
            "change": changes.get(revision.assessment.country_id) if changes else None,
            **print_content(revision),
        }
        for revision in revisions
    ]
    return render_to_string(
        "pdf/outlook.html",
        {
            "outlook": outlook,
            "country": country,
            "entries": entries,
            "has_changes": changes is not None,
            "site_url": settings.SITE_URL,
        },
    )


def print_content(revision):
    """Findings and recommendations as HTML whose footnote calls carry the footnote itself.

    In print a footnote sits at the foot of the page that cites it (CSS `float: footnote`),
    so each first call is replaced by the note's text; footnotes nobody cites follow the
    entry as notes without a call (the sample cites none and prints them at the foot).
    """
    anchor = revision.assessment.country.code.code.lower() + "-"
    notes = {note.number: note for note in revision.footnotes.all()}
    cited = set()

    def with_notes(html):
        def replace(match):
            number = int(match.group(1))
            note = notes.get(number)
            if note is None or number in cited:
                return f'<sup class="call">{number}</sup>'
            cited.add(number)
            return footnote_html(note)

        return mark_safe(CALL_RE.sub(replace, html))

    findings = [with_notes(render_markdown(f.text, anchor=anchor)) for f in revision.findings.all()]
    groups = [
        (
            addressee,
            [with_notes(render_markdown(item.text, anchor=anchor, inline=True)) for item in items],
        )
        for addressee, items in revision.recommendation_groups()
    ]
    uncited = [footnote_html(note, cited=False) for n, note in notes.items() if n not in cited]
    return {"findings": findings, "groups": groups, "uncited_notes": uncited}


def footnote_html(note, *, cited=True):
    link = note.source.link
    label = note.source.url or note.source.document_symbol
    text = escape(note.text)
    if link and label and label not in note.text:
        text = format_html('{}{}<a href="{}">{}</a>', text, ", " if text else "", link, label)
    elif link:
        text = format_html('<a href="{}">{}</a>', link, text or link)
    css = "fn" if cited else "fn uncited"
    return format_html('<span class="{}" data-n="{}">{}</span>', css, note.number, text)


def html_to_pdf(html):
    """Render in the memory-bounded child process; PdfRenderError says what went wrong."""
    memory_mb = settings.PDF_MEMORY_LIMIT_MB
    roots = [str(root) for root in settings.STATICFILES_DIRS]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "assessments.pdf_worker", str(memory_mb), *roots],
            input=html.encode("utf-8"),
            capture_output=True,
            timeout=settings.PDF_TIMEOUT_SECONDS,
            cwd=BASE_DIR,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PdfRenderError(f"the PDF render took longer than {error.timeout} s") from error
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PdfRenderError(message[-1] if message else "the PDF render failed")
    return result.stdout


def store_pdfs(outlook):
    """Render and store the edition's PDF; earlier PDFs are kept. Returns the new rows."""
    return [_store(outlook, None, render_outlook_pdf(outlook))]


def _store(outlook, country, data):
    record = OutlookPdf(outlook=outlook, country=country)
    name = outlook.slug + (f"-{country.code.code.lower()}" if country else "") + ".pdf"
    record.file.save(name, ContentFile(data), save=True)
    return record


def latest_pdf(outlook, country=None):
    """The stored PDF to serve for a published edition (or one country of it).

    Renders and stores one if there is none yet (an edition imported as published) or
    if a correction is newer than the stored one. The edition's row is
    locked first, so two requests at once render once: the second finds the first's.
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
