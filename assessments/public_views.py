"""Pages for the public: published content only, always reached through published().

Every page answers in a fixed number of queries, however many countries or editions
there are (tests/test_public_views.py counts them).
"""

import codecs
import gzip
import hashlib
import io
import itertools
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import content_disposition_header, quote_etag
from django.views.decorators.cache import cache_control

from . import embargo, preview
from . import open_data as open_data_module
from . import search as search_module
from . import tracked as tracked_module
from .caching import accepted_encodings, behind_a_secret_link, kept_until_published
from .editions import (
    edition_revisions,
    latest_corrections,
    latest_editions,
    left_out,
    published_countries,
    published_regions,
    rating_changes,
    risk_framework,
    with_correction_flag,
)
from .exporting import data_licence
from .importing.schema import OUTLOOK_SCHEMA
from .markdown import plain_text
from .models import (
    Addressee,
    Country,
    EmbargoOpening,
    Outlook,
    Recommendation,
    Region,
    Revision,
    RiskLevel,
    SearchEntry,
    StoredExport,
    TrackedRecommendation,
)
from .pdf import (
    PdfRenderError,
    PdfStorageError,
    html_to_pdf,
    latest_pdf,
    open_pdf,
    outlook_html,
)
from .stored_exports import RATINGS_CSV_EXCEL_NAME, RATINGS_CSV_NAME, latest_export, open_latest
from .stored_files import StorageWriteError
from .text_format import parse_period, without_control_characters

logger = logging.getLogger(__name__)

OUTLOOKS_PER_PAGE = 25
RECOMMENDATIONS_PER_PAGE = 50
TRACKED_PER_PAGE = 50
# How many addressees the tracker's chart shows (the most made-to first).
CHART_ADDRESSEES = 8
OPEN_DATA_EDITIONS_PER_PAGE = 100
# Published editions never change in place (a correction is a new revision with its own
# date), so downloads can be cached by browsers and CDNs for a while.
DOWNLOAD_CACHE = {"public": True, "max_age": 3600}


def page(request, template, context):
    """Render a public page with its canonical URL (the path, without tracking queries,
    or as the view gives it)."""
    context.setdefault("canonical_url", settings.SITE_URL + request.path)
    response = render(request, template, context)
    # A control character is a parse error in HTML and shows as an empty box: drop any
    # that a row saved before the forms refused them still holds.
    response.content = without_control_characters(response.content.decode()).encode()
    return response


# What the front page lists below the latest editions.
FRONT_PAGE_CORRECTIONS = 5
FRONT_PAGE_EARLIER_EDITIONS = 10


def home(request):
    latest = latest_editions()
    # The site's card shows the newest edition's map.
    newest = max(latest, key=lambda summary: summary.edition.period, default=None)
    earlier = (
        Outlook.objects.published()
        .exclude(pk__in=[summary.edition.pk for summary in latest])
        .select_related("region")
        .newest_first()[:FRONT_PAGE_EARLIER_EDITIONS]
    )
    return page(
        request,
        "public/home.html",
        {
            "latest": latest,
            "corrections": latest_corrections(FRONT_PAGE_CORRECTIONS),
            "earlier": earlier,
            "preview": newest and preview_image(newest.edition, len(newest.rows)),
            **risk_framework(),
        },
    )


def outlook_list(request):
    outlooks = Outlook.objects.published().select_related("region").order_by("-period", "region")
    regions = published_regions()
    region = None
    if request.GET.get("region"):
        region = next((r for r in regions if r.slug == request.GET["region"]), None)
        if region is None:
            raise Http404("No published outlook for this region.")
        outlooks = outlooks.filter(region=region)
    outlooks = Paginator(outlooks, OUTLOOKS_PER_PAGE).get_page(request.GET.get("page"))
    # A region's list and each page of it are pages of their own, each its own canonical.
    filters = [("region", region.slug)] if region else []
    return page(
        request,
        "public/outlook_list.html",
        {
            "outlooks": outlooks,
            "regions": regions,
            "region": region,
            "filter_query": urlencode(filters),
            "canonical_url": canonical_url(request, outlooks, filters),
        },
    )


def canonical_url(request, page_of_list, params=()):
    """The canonical address of one page of a list: its filters, then its page number
    unless it is the first (a page number out of range or not a number shows another)."""
    params = list(params)
    if page_of_list.number > 1:
        params.append(("page", page_of_list.number))
    query = urlencode(params)
    return settings.SITE_URL + request.path + (f"?{query}" if query else "")


def published_outlook(slug):
    return get_object_or_404(Outlook.objects.published().select_related("region"), slug=slug)


def outlook_detail(request, slug):
    outlook = published_outlook(slug)
    revisions = list(edition_revisions(outlook))
    previous = outlook.previous_edition()
    changes = rating_changes(outlook, revisions, previous)
    rows = [
        (revision, changes.get(revision.assessment.country_id) if changes else None)
        for revision in revisions
    ]
    return page(
        request,
        "public/outlook_detail.html",
        {
            "outlook": outlook,
            "revisions": revisions,
            "rows": rows,
            "has_changes": changes is not None,
            "previous": previous,
            "left_out": left_out(previous, revisions),
            "preview": preview_image(outlook, len(revisions)),
            **risk_framework(),
        },
    )


def preview_image(outlook, countries):
    """What a page says of the edition's preview image (og:image): its absolute address,
    its size and what it shows (the edition has `countries` entries)."""
    plural = "country" if countries == 1 else "countries"
    demo = ", marked demo data" if outlook.region.is_demo else ""
    return {
        "url": settings.SITE_URL + reverse("outlook_preview", args=[outlook.slug]),
        "width": preview.WIDTH,
        "height": preview.HEIGHT,
        "alt": f"Map of the {outlook.full_title}: its {countries} {plural} coloured by "
        f"risk level, beside the edition's title and the levels' key{demo}.",
    }


def revision_detail(request, slug, code, number):
    """One published version of an entry, the live one or one a correction superseded."""
    revision = get_object_or_404(
        with_correction_flag(Revision.objects.published().with_content()),
        assessment__outlook__slug=slug,
        assessment__country__code=code.upper(),
        number=number,
    )
    versions = (
        Revision.objects.published()
        .filter(assessment=revision.assessment_id)
        .select_related("assessment__outlook", "assessment__country")
    )
    return page(
        request,
        "public/revision_detail.html",
        {
            "revision": revision,
            "versions": versions,
            "is_live": revision.assessment.published_revision_id == revision.id,
        },
    )


def country_list(request):
    countries = (
        published_countries().select_related("region").order_by("region__name", "official_name")
    )
    return page(request, "public/country_list.html", {"countries": countries})


def country_detail(request, code):
    country = get_object_or_404(Country.objects.select_related("region"), code=code.upper())
    history = list(
        Revision.objects.live()
        .filter(assessment__country=country)
        .select_related(
            "assessment__outlook__region", "assessment__country", "risk_level", "risk_status"
        )
        .order_by("-assessment__outlook__period", "assessment__outlook__region__name")
    )
    if not history:
        raise Http404("No published assessment for this country.")
    latest = with_correction_flag(Revision.objects.with_content()).get(pk=history[0].pk)
    # A later edition of the same region that leaves the country out: the latest rating
    # shown is not the region's latest word on it.
    shown = history[0].assessment.outlook
    newer = (
        Outlook.objects.published()
        .filter(region_id=shown.region_id, period__gt=shown.period)
        .order_by("-period")
        .first()
    )
    framework = risk_framework()
    return page(
        request,
        "public/country_detail.html",
        {
            "country": country,
            "tracked": TrackedRecommendation.objects.filter(country=country).exists(),
            "revision": latest,
            "newer_edition": newer,
            "history": history,
            **framework,
            "chart": history_chart(list(reversed(history)), framework["levels"]),
            "description": plain_text(latest.findings.all()[0].text)[:200]
            if latest.findings.all()
            else "",
        },
    )


def history_chart(history, levels):
    """Geometry of the rating history chart (oldest first): points, axis labels, size."""
    step, left, top, height = 76, 90, 16, 28
    ranks = {level.rank: index for index, level in enumerate(reversed(levels))}
    width = left + step * max(len(history), 1) + 16
    points = [
        {
            "x": left + step * index + step // 2,
            "y": top + ranks.get(revision.risk_level.rank, 0) * height + height // 2,
            "revision": revision,
        }
        for index, revision in enumerate(history)
    ]
    axis = [
        {"y": top + index * height + height // 2, "level": level}
        for index, level in enumerate(reversed(levels))
    ]
    return {
        "width": width,
        "height": top + height * len(levels) + 36,
        "label_y": top + height * len(levels) + 22,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "axis": axis,
        "left": left,
    }


def addressee_detail(request, slug):
    """The published recommendations to an addressee, newest edition first, a page at a
    time, grouped by edition and entry (an entry a page break cuts shows on both pages)."""
    addressee = get_object_or_404(Addressee, slug=slug)
    # Counted and ordered in the search index, which holds each live recommendation with
    # its addressee and period (written at every publication): through the revisions,
    # PostgreSQL joined and sorted every one of them, 0.13 s at 20 years of editions.
    keys = (
        SearchEntry.objects.filter(kind=SearchEntry.Kind.RECOMMENDATION, addressee=addressee)
        .order_by("-period", "region__name", "assessment__position", "position")
        .values_list("revision_id", "position")
    )
    paginator = Paginator(keys, RECOMMENDATIONS_PER_PAGE)
    # An addressee named only in a draft is not public: its name must not show either.
    if not paginator.count:
        raise Http404("No published recommendation to this addressee.")
    shown = paginator.get_page(request.GET.get("page"))
    shown_keys = list(shown)
    found = Recommendation.objects.filter(
        addressee=addressee, revision_id__in={revision_id for revision_id, _ in shown_keys}
    ).select_related("revision__assessment__country", "revision__assessment__outlook__region")
    by_key = {(item.revision_id, item.position): item for item in found}
    editions = []
    for key in shown_keys:
        recommendation = by_key[key]
        revision = recommendation.revision
        if not editions or editions[-1]["outlook"].id != revision.assessment.outlook_id:
            editions.append({"outlook": revision.assessment.outlook, "entries": []})
        entries = editions[-1]["entries"]
        if not entries or entries[-1]["revision"].id != revision.id:
            entries.append({"revision": revision, "items": []})
        entries[-1]["items"].append(recommendation)
    counts = tracked_module.addressee_counts(TrackedRecommendation.objects.all(), [addressee.pk])
    return page(
        request,
        "public/addressee_detail.html",
        {
            "addressee": addressee,
            "chart": tracked_module.chart(counts),
            "editions": editions,
            "recommendations": shown,
            "count": paginator.count,
            "canonical_url": canonical_url(request, shown),
        },
    )


def tracker(request):
    """The recommendation tracker: every published recommendation followed across
    editions, as the reader filters it, a page at a time, with counts per addressee and
    every addressee's page."""
    choices = tracked_module.filter_choices()
    filters, errors = tracked_module.read_filters(request.GET, choices)
    rows = tracked_module.select(filters)
    if errors:
        rows = rows.none()
    params = filters.params()
    everything = kept_until_published("tracker-everything", whole_tracker)
    paginator = Paginator(tracked_module.listed(rows), TRACKED_PER_PAGE)
    if params or errors:
        made = tracked_module.made_per_addressee(rows)
        counts = tracked_module.addressee_counts(rows, list(made)[:CHART_ADDRESSEES])
    else:
        # The whole tracker, the page most read: its counts are the same until the next
        # publication, and took longer to count than the rest of the page to make.
        paginator.count = everything["count"]
        counts = everything["counts"]
    shown = paginator.get_page(request.GET.get("page"))
    items = [
        (row, tracked_module.text_html(row.text, row.last_outlook, row.country))
        for row in tracked_module.with_editions(shown)
    ]
    query = urlencode(params)
    return page(
        request,
        "public/tracker.html",
        {
            "items": items,
            "tracked": shown,
            "count": shown.paginator.count,
            "filtered": bool(params),
            "errors": errors,
            "options": tracked_module.filter_options(choices, filters),
            "filters": filters,
            "get": request.GET,
            "filter_query": query,
            "chart": tracked_module.chart(counts),
            "addressees_html": everything["addressees_html"],
            "canonical_url": canonical_url(request, shown, params),
        },
    )


def whole_tracker():
    """What the tracker shows of all its recommendations, the same on every page until the
    next publication: how many, the counts of the addressees most made to, and the list of
    every addressee as HTML."""
    everyone, addressees = tracked_module.every_addressee()
    return {
        "count": sum(everyone.values()),
        "counts": tracked_module.addressee_counts(
            TrackedRecommendation.objects.all(), list(everyone)[:CHART_ADDRESSEES]
        ),
        "addressees_html": render_to_string(
            "public/_tracker_addressees.html", {"addressees": addressees}
        ),
    }


def tracked_recommendation(request, lineage):
    """One recommendation's history: each edition that made it, with its text and what
    changed in it, and when dropped, why."""
    found = tracked_module.with_editions(
        tracked_module.listed(TrackedRecommendation.objects.filter(lineage=lineage)).select_related(
            "region"
        )
    )
    if not found:
        raise Http404("No tracked recommendation with this id.")
    tracked = found[0]
    return page(
        request,
        "public/tracked_recommendation.html",
        {
            "tracked": tracked,
            "history": tracked_module.history(tracked),
            "text": tracked_module.text_html(tracked.text, tracked.last_outlook, tracked.country),
        },
    )


def tracker_download(request, chunks, content_type, filename):
    """The tracker's rows as the page's filters select them, streamed; 400 with what is
    wrong for a filter that is not one (a program reads the message, not a page)."""
    filters, errors = tracked_module.read_filters(request.GET, tracked_module.filter_choices())
    if errors:
        return HttpResponse(
            "\n".join(errors) + "\n", status=400, content_type="text/plain; charset=utf-8"
        )
    response = StreamingHttpResponse(
        (chunk.encode() for chunk in chunks(filters)), content_type=content_type
    )
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def tracker_csv(request):
    """The tracker as CSV, with the page's filters: one row per recommendation lineage."""
    return tracker_download(
        request, tracked_module.csv_chunks, "text/csv; charset=utf-8", "recommendations.csv"
    )


def tracker_json(request):
    """The tracker as JSON, with the page's filters."""
    return tracker_download(
        request, tracked_module.json_chunks, "application/json", "recommendations.json"
    )


def search(request):
    choices = search_choices()
    filters, errors = read_filters(request.GET, choices)
    # A NUL byte cannot reach PostgreSQL (it refuses it): drop it as the noise it is.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    results = None
    if query and not errors:
        results = search_module.find(
            query, filters, countries=choices["country"], addressees=choices["addressee"]
        )
    return page(
        request,
        "public/search.html",
        {
            "query": query,
            "results": results,
            "suggestion_query": _with_query(request.GET, results.suggestion if results else ""),
            "simple": search_module.is_simple(),
            "errors": errors,
            "options": search_options(choices, filters),
            "get": request.GET,
        },
    )


def _with_query(params, query):
    """The query string of `params` with `q` replaced by `query` (filters kept)."""
    params = params.copy()
    params["q"] = query
    return params.urlencode()


# The search form's lists, by query parameter (and SearchFilters attribute): what an
# option is in the query string, and how messages name the list.
SEARCH_LISTS = {
    "region": (lambda region: region.slug, "Region"),
    "country": (lambda country: country.code.code.lower(), "Country"),
    "level": (lambda level: str(level.rank), "Risk level"),
    "addressee": (lambda addressee: addressee.slug, "Addressee"),
}


def search_choices():
    """What the search form offers: only regions, countries and addressees with published
    text, read from the search index (one index probe per option, whatever the data)."""
    indexed = SearchEntry.objects.order_by()
    return {
        "region": list(Region.objects.filter(Exists(indexed.filter(region=OuterRef("pk"))))),
        "country": list(Country.objects.filter(Exists(indexed.filter(country=OuterRef("pk"))))),
        "level": list(RiskLevel.objects.all()),
        "addressee": list(
            Addressee.objects.filter(Exists(indexed.filter(addressee=OuterRef("pk"))))
        ),
    }


def search_options(choices, filters):
    """Each list's options for the form, as (value, label: the option's str(), chosen)."""
    return {
        name: [
            (value_of(option), str(option), option == getattr(filters, name))
            for option in choices[name]
        ]
        for name, (value_of, _) in SEARCH_LISTS.items()
    }


def read_filters(params, choices):
    """Search filters from the query string; unknown values are reported, never a 500."""
    filters = search_module.SearchFilters()
    errors = []
    for name, (value_of, label) in SEARCH_LISTS.items():
        value = params.get(name, "").strip()
        if not value:
            continue
        found = next((option for option in choices[name] if value_of(option) == value), None)
        if found is None:
            errors.append(f"{label}: no published content for “{value}”.")
        setattr(filters, name, found)
    for name, label in (("from", "From"), ("to", "To")):
        value = params.get(name, "").strip()
        if not value:
            continue
        try:
            period = parse_period(value, month_names=False)
        except ValueError:
            errors.append(f"{label}: expected a month as YYYY-MM, such as 2023-11, not “{value}”.")
            continue
        if name == "from":
            filters.period_from = period
        else:
            filters.period_to = period
    return filters, errors


def outlook_pdf(request, slug):
    outlook = published_outlook(slug)
    return pdf_response(request, outlook, None, f"{outlook.slug}.pdf")


def country_pdf(request, slug, code):
    outlook = published_outlook(slug)
    assessment = get_object_or_404(
        outlook.assessments.select_related("country").filter(published_revision__isnull=False),
        country__code=code.upper(),
    )
    return pdf_response(request, outlook, assessment.country, f"{outlook.slug}-{code.lower()}.pdf")


# How long a reader is asked to wait when a PDF cannot be stored (a full disk).
PDF_RETRY_AFTER_SECONDS = 300


def unavailable(what):
    """503 for a download that cannot be stored right now: try again later, never cached."""
    response = HttpResponse(
        f"{what} cannot be prepared right now. Please try again in a few minutes.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(PDF_RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def pdf_response(request, outlook, country, filename):
    """The stored PDF (rendered and stored first if need be), cached like any download
    and revalidated by its row (a stored PDF never changes; a correction is a new row);
    503 (try again later, never cached) when it cannot be stored.

    The bytes are served from here, read through the storage API (a local file or an S3
    object alike), not by a redirect to a signed URL of the object store: the CDN keeps
    this response for DOWNLOAD_CACHE, and a kept redirect would outlive its signature;
    so the bucket stays private, and the CDN makes it one read per edge and hour.
    """
    try:
        record = latest_pdf(outlook, country)
        etag = quote_etag(f"pdf-{record.pk}")
        if (not_modified := not_modified_download(request, etag)) is not None:
            return not_modified
        try:
            file = open_pdf(record)
        except FileNotFoundError:
            # Moved from its pending name to its final one since we read the row
            # (pdf.promote): the row now names the final file.
            file = open_pdf(latest_pdf(outlook, country))
    except PdfStorageError:
        logger.exception("Could not store the PDF %s", filename)
        return unavailable("This PDF")
    return download(FileResponse(file, content_type="application/pdf", filename=filename), etag)


def not_modified_download(request, etag):
    """304, cached as the download is, when the reader's copy of a stored file (known by
    its row's `etag`) is current; None otherwise."""
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        patch_cache_control(not_modified, **DOWNLOAD_CACHE)
    return not_modified


def download(response, etag):
    """The response of a stored file, with its row's `etag`, cached as downloads are."""
    response["ETag"] = etag
    patch_cache_control(response, **DOWNLOAD_CACHE)
    return response


def outlook_preview(request, slug):
    """The edition's preview image (assessments.preview), the picture its page gives for
    a link to it (og:image): cached and revalidated by its row as a PDF is, since the
    edition's pages and this image change together only when a correction is published."""
    outlook = published_outlook(slug)
    kind = StoredExport.Kind.EDITION_PREVIEW
    try:
        record = latest_export(kind, outlook)
        etag = quote_etag(f"preview-{record.pk}")
        if (not_modified := not_modified_download(request, etag)) is not None:
            return not_modified
        file, _ = open_latest(kind, outlook, record=record)
    except (StorageWriteError, PdfRenderError):
        logger.exception("Could not store the preview image of %s", outlook.slug)
        return unavailable("This image")
    return download(FileResponse(file, content_type="image/png"), etag)


def outlook_json(request, slug):
    """The edition in the JSON interchange format (see README), live entries only."""
    outlook = published_outlook(slug)
    return export_response(
        request,
        StoredExport.Kind.EDITION_JSON,
        outlook,
        content_type="application/json",
        filename=f"{outlook.slug}.json",
    )


def ratings_csv(request):
    """Every published rating: one row per country per edition (UTF-8, no byte order mark)."""
    return export_response(
        request,
        StoredExport.Kind.RATINGS_CSV,
        None,
        content_type="text/csv; charset=utf-8",
        filename=RATINGS_CSV_NAME,
        as_attachment=True,
    )


def ratings_csv_excel(request):
    """The ratings CSV for spreadsheets: the same bytes after a byte order mark, by which
    Excel reads UTF-8 (it takes a file without one for the system's code page)."""
    return export_response(
        request,
        StoredExport.Kind.RATINGS_CSV,
        None,
        content_type="text/csv; charset=utf-8",
        filename=RATINGS_CSV_EXCEL_NAME,
        as_attachment=True,
        prefix=codecs.BOM_UTF8,
    )


def export_response(
    request, kind, outlook, *, content_type, filename, as_attachment=False, prefix=b""
):
    """The stored export, streamed from storage (generated and stored first if need be),
    after `prefix` if any; 503 (try again later, never cached) when it cannot be stored."""
    try:
        file, gzipped = open_latest(kind, outlook)
    except StorageWriteError:
        logger.exception("Could not store the export %s", filename)
        return unavailable("This file")
    # With a prefix, the stored file is sent decompressed after it: compressing it again
    # would cost each request what storing it compressed saves (a spreadsheet's download
    # is a person's, now and then; programs read the file without one, compressed).
    sent_gzipped = gzipped and not prefix and "gzip" in accepted_encodings(request)
    if prefix or (gzipped and not sent_gzipped):
        if gzipped:
            length, chunks = gzip_length(file), decompressed(file)
        else:
            length, chunks = file.size, file_chunks(file)
        response = StreamingHttpResponse(
            itertools.chain([prefix], chunks), content_type=content_type
        )
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        response["Content-Length"] = str(len(prefix) + length)
    else:
        response = FileResponse(
            file, content_type=content_type, filename=filename, as_attachment=as_attachment
        )
    if sent_gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    # Cache-Control and the ETag come from the publication generation (caching.VALIDATED):
    # the next publication changes these files, so they are kept no longer than a page.
    return response


def gzip_length(file):
    """The length of a gzipped file's content, from its trailer (the length modulo 2**32:
    exports are far smaller); leaves the file at its start."""
    file.seek(-4, io.SEEK_END)
    length = int.from_bytes(file.read(4), "little")
    file.seek(0)
    return length


def decompressed(file, chunk_size=64 * 1024):
    """The bytes of a gzipped file, a chunk at a time; closes it at the end."""
    with file, gzip.GzipFile(fileobj=file, mode="rb") as data:
        while chunk := data.read(chunk_size):
            yield chunk


def file_chunks(file, chunk_size=64 * 1024):
    """The bytes of a file (an export stored before they were gzipped); closes it."""
    with file:
        while chunk := file.read(chunk_size):
            yield chunk


# An organisation may change a level's colour: browsers keep the stylesheet five minutes,
# then ask again with its ETag and get 304 while the colours are the same.
@cache_control(public=True, max_age=300)
def risk_levels_css(request):
    """The risk levels' colours as CSS classes (.risk-level-<pk>), from the RiskLevel rows:
    the Content-Security-Policy allows no inline style, so no page can set them itself."""
    css = render_to_string("public/risk_levels.css", {"levels": RiskLevel.objects.all()})
    etag = quote_etag(hashlib.sha256(css.encode()).hexdigest()[:32])
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    return response


def method(request):
    """What the levels and statuses mean, how an outlook is made, how to cite it, its
    licences and its publisher."""
    newest = (
        Outlook.objects.published()
        .filter(region__is_demo=False)
        .select_related("region")
        .newest_first()
        .first()
    )
    return page(request, "public/method.html", {"example": newest, **risk_framework()})


def open_data(request):
    outlooks = Outlook.objects.published().select_related("region").order_by("-period", "region")
    outlooks = Paginator(outlooks, OPEN_DATA_EDITIONS_PER_PAGE).get_page(request.GET.get("page"))
    return page(
        request,
        "public/open_data.html",
        {
            "outlooks": outlooks,
            "canonical_url": canonical_url(request, outlooks),
            "licence": data_licence(),
        },
    )


def editions_index(request):
    """The index of the open data: every published edition, with its addresses."""
    return JsonResponse(
        open_data_module.editions_index(), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )


def data_dictionary(request):
    """Every field of the open data, from the descriptions the exports follow."""
    return page(
        request,
        "public/data_dictionary.html",
        {
            "licence": data_licence(),
            "index_fields": open_data_module.json_fields(open_data_module.INDEX_SCHEMA),
            "edition_fields": open_data_module.json_fields(OUTLOOK_SCHEMA),
            "csv_fields": open_data_module.csv_fields(),
            "tracker_fields": open_data_module.tracker_fields(),
        },
    )


# --- Embargoed previews (assessments.embargo) ---------------------------------------------


def _embargoed_link(request, token):
    """The open link a token names, or the response that says why not: the public page
    once the edition is published, 410 once the link is closed."""
    link = embargo.find(token)
    outlook = link.outlook
    if outlook.is_published:
        return link, redirect(outlook.get_absolute_url())
    closed = embargo.closed_reason(link)
    if closed:
        response = render(
            request,
            "public/embargoed_closed.html",
            {"outlook": outlook, "reason": closed},
            status=410,
        )
        return link, behind_a_secret_link(response)
    return link, None


def embargoed_page(request, token):
    link, refusal = _embargoed_link(request, token)
    if refusal is not None:
        return refusal
    outlook = link.outlook
    revisions = list(embargo.revisions(outlook))
    previous = outlook.previous_edition()
    changes = rating_changes(outlook, revisions, previous)
    embargo.record_opening(link, EmbargoOpening.What.PAGE, request)
    response = render(
        request,
        "public/embargoed.html",
        {
            "link": link,
            "token": token,
            "watermark": embargo.watermark(link),
            "outlook": outlook,
            "revisions": revisions,
            "rows": [
                (revision, changes.get(revision.assessment.country_id) if changes else None)
                for revision in revisions
            ],
            "has_changes": changes is not None,
            "previous": previous,
            "left_out": left_out(previous, revisions),
            **risk_framework(),
        },
    )
    return behind_a_secret_link(response)


def embargoed_pdf(request, token):
    link, refusal = _embargoed_link(request, token)
    if refusal is not None:
        if refusal.status_code == 302:
            return redirect(reverse("outlook_pdf", args=[link.outlook.slug]))
        return refusal
    outlook = link.outlook
    html = outlook_html(
        outlook, revisions=embargo.revisions(outlook), watermark=embargo.watermark(link)
    )
    data = html_to_pdf(html)
    embargo.record_opening(link, EmbargoOpening.What.PDF, request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{outlook.slug}-embargoed.pdf"'
    return behind_a_secret_link(response)
