"""An edition's preview image: what a link to it shows where it is shared (the OpenGraph
and Twitter card image), its risk map beside its title and the levels' key, as a PNG of
1200 x 630 pixels, the size those cards are drawn at.

It is one of the stored exports (assessments.stored_exports, kind EDITION_PREVIEW):
the publication job renders it beside the PDFs, a correction renders it again, and one
that is missing (an edition imported as published) is rendered on its first request.

WeasyPrint draws it, as it draws the PDFs (the same page template language, fonts and
memory-limited render server: pdf.html_to_pdf), on a one-page PDF of the image's size;
PDFium (pypdfium2, a wheel with the library inside) turns that page into pixels. So no
browser and no system library beyond WeasyPrint's own is needed to make it.
"""

import io

import pypdfium2
from django.template.loader import render_to_string

from . import riskmap
from .editions import risk_framework
from .pdf import html_to_pdf
from .text_format import without_control_characters

WIDTH, HEIGHT = 1200, 630
# CSS pixels per PDF point: WeasyPrint lays a 1200px page out as 900pt.
PIXELS_PER_POINT = 96 / 72


def render_preview(outlook):
    """The edition's preview image as PNG bytes."""
    return rasterise(html_to_pdf(preview_html(outlook)))


def preview_html(outlook):
    """The page WeasyPrint draws the image from."""
    html = render_to_string(
        "pdf/preview.html",
        {
            "outlook": outlook,
            "risk_map": riskmap.edition_map(outlook),
            "title_size": title_size(outlook.title),
            "levels": risk_framework()["levels"][::-1],  # highest first, as a key reads
            "width": WIDTH,
            "height": HEIGHT,
        },
    )
    return without_control_characters(html)


def title_size(title):
    """The title's font size (CSS pixels): smaller for a longer title, so that it stays in
    its column above the key."""
    if len(title) <= 32:
        return 40
    if len(title) <= 64:
        return 30
    return 22


def rasterise(pdf):
    """The PDF's first page as PNG bytes, one pixel per CSS pixel."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=PIXELS_PER_POINT).to_pil().convert("RGB")
    finally:
        document.close()
    if image.size != (WIDTH, HEIGHT):  # a rounding of the page's size in points
        image = image.resize((WIDTH, HEIGHT))
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
