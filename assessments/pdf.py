"""PDFs of published editions, made with WeasyPrint.

Minimal first version: the public site issue replaces the templates and adds the
per-country PDF; publishing calls `store_pdfs` inside its transaction.
"""

from django.core.files.base import ContentFile
from django.db.models import F
from django.template.loader import render_to_string
from weasyprint import HTML

from .models import OutlookPdf, Revision


def render_outlook_pdf(outlook):
    """The whole edition as PDF bytes, from its published revisions."""
    revisions = (
        Revision.objects.with_content()
        .filter(assessment__outlook=outlook, assessment__published_revision__isnull=False)
        .filter(id=F("assessment__published_revision_id"))
        .order_by("assessment__position")
    )
    html = render_to_string("pdf/outlook.html", {"outlook": outlook, "revisions": revisions})
    return HTML(string=html, url_fetcher=refuse_fetch).write_pdf()


def store_pdfs(outlook):
    """Render and store the edition's PDF; earlier PDFs are kept."""
    data = render_outlook_pdf(outlook)
    record = OutlookPdf(outlook=outlook)
    record.file.save(f"{outlook.slug}.pdf", ContentFile(data), save=True)
    return [record]


def refuse_fetch(url, *args, **kwargs):
    raise ValueError(f"PDF rendering fetches nothing: {url}")
