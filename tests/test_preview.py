"""An edition's preview image (assessments.preview): rendered by the publication job and
by a correction's, stored as an export, served at /outlooks/<slug>/preview.png and named
by the edition's page as its OpenGraph and Twitter card image.

The images are real: WeasyPrint draws them, PDFium turns them into pixels, Pillow reads
them back here."""

import io
import re
from datetime import date

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image

from assessments import preview, riskmap, stored_exports, workflow
from assessments.models import Outlook, Region, Revision, RiskLevel, StoredExport
from assessments.templatetags.public_tags import css_colour

from .builders import add_assessment, make_outlook, make_published_edition
from .test_workflow import approve_all, pass_checks, save
from .worker import run_jobs

Kind = StoredExport.Kind
State = Revision.State
# Where the map is drawn: right of the column with the title and the levels' key (whose
# swatches show every level's colour, wherever the map does not).
MAP_BOX = (360, 0, preview.WIDTH, preview.HEIGHT)


def rgb(colour):
    colour = css_colour(colour).lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def pixels(data, box=MAP_BOX):
    """The part `box` of the PNG `data`, as an RGB image."""
    return Image.open(io.BytesIO(data)).convert("RGB").crop(box)


def colours(data, box=MAP_BOX):
    """The colours of the PNG `data` within `box`."""
    return {colour for _, colour in pixels(data, box).getcolors(1 << 20)}


def level_colour(name):
    return rgb(RiskLevel.objects.get(name=name).colour)


def previews(outlook):
    return list(StoredExport.objects.filter(kind=Kind.EDITION_PREVIEW, outlook=outlook))


def served(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def publish(edition, erin, alice, bob, capture):
    approve_all(edition, alice, bob)
    with capture(execute=True):
        workflow.publish(edition, user=erin)
        run_jobs()
    edition.refresh_from_db()


def correct_rating(edition, level, *, alice, bob, erin, capture):
    """Publish a correction of the edition's entry that gives it `level`."""
    correction = workflow.start_correction(edition.assessments.get(), user=alice)
    save(
        correction,
        alice,
        risk_level=RiskLevel.objects.get(name=level),
        rationale="The situation was misread.",
        correction_note="Corrected the rating.",
    )
    correction = pass_checks(correction, alice)
    workflow.submit(correction, user=alice)
    workflow.approve(correction, user=bob)
    with capture(execute=True):
        workflow.publish_correction(correction, user=erin)
        run_jobs()


def test_publication_stores_a_png_card_of_the_editions_map(
    edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    publish(edition, erin, alice, bob, django_capture_on_commit_callbacks)
    [record] = previews(edition)
    assert record.file.name == f"exports/{edition.slug}/{edition.slug}-preview-{record.pk}.png"
    data = stored_exports.read_export(record)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    # The map: its sea, the grey land around, and the DPRK in its level's colour.
    shown = colours(data)
    assert {rgb(riskmap.SEA), rgb(riskmap.LAND), level_colour("Very high")} <= shown


def test_a_correction_of_a_rating_renders_the_preview_again(
    client, edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    publish(edition, erin, alice, bob, capture)
    [before] = previews(edition)
    first, _ = served(client, f"/outlooks/{edition.slug}/preview.png")
    correct_rating(edition, "Low", alice=alice, bob=bob, erin=erin, capture=capture)
    [after] = previews(edition)
    assert after.pk > before.pk
    # The superseded image is deleted with its row.
    assert not before.file.storage.exists(before.file.name)
    shown = colours(stored_exports.read_export(after))
    assert level_colour("Low") in shown and level_colour("Very high") not in shown
    # A reader's copy is stale: the same address answers with the new image.
    response, data = served(client, f"/outlooks/{edition.slug}/preview.png")
    assert response["ETag"] != first["ETag"]
    assert data == stored_exports.read_export(after)


def test_the_preview_is_served_as_a_png_cached_and_revalidated_like_a_download(
    client, edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    publish(edition, erin, alice, bob, django_capture_on_commit_callbacks)
    [record] = previews(edition)
    url = f"/outlooks/{edition.slug}/preview.png"
    with CaptureQueriesContext(connection) as queries:
        response, data = served(client, url)
    # Stored at publication: served from storage, nothing rendered or stored on request.
    assert not any("INSERT" in query["sql"] for query in queries.captured_queries)
    assert data == stored_exports.read_export(record)
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["ETag"] == f'"preview-{record.pk}"'
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=3600"


def test_an_edition_imported_as_published_gets_its_preview_on_first_request_only(
    client, published_sample
):
    assert not previews(published_sample)
    url = f"/outlooks/{published_sample.slug}/preview.png"
    _, first = served(client, url)
    _, second = served(client, url)
    assert first == second and Image.open(io.BytesIO(first)).size == (1200, 630)
    assert len(previews(published_sample)) == 1


def test_a_correction_published_without_the_job_is_rendered_on_the_next_request(
    client, published_sample, django_capture_on_commit_callbacks
):
    """A row written without the publication job (an import, a builder): the stored
    image is older than it, so the next request renders it again."""
    from .builders import publish_correction

    url = f"/outlooks/{published_sample.slug}/preview.png"
    with django_capture_on_commit_callbacks(execute=True):
        _, before = served(client, url)
        publish_correction(published_sample.assessments.get(), risk="Low")
        _, after = served(client, url)
    assert level_colour("Low") in colours(after) and level_colour("Low") not in colours(before)
    assert len(previews(published_sample)) == 1  # the superseded one is deleted


def test_an_unpublished_edition_has_no_preview(client, edition):
    """A draft edition's image is not rendered, stored or served, nor is a missing one."""
    for slug in (edition.slug, "no-such-edition"):
        response = client.get(f"/outlooks/{slug}/preview.png")
        assert response.status_code == 404
    assert not previews(edition)


def test_a_draft_correction_leaves_the_preview_as_published(
    client, edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    publish(edition, erin, alice, bob, django_capture_on_commit_callbacks)
    correction = workflow.start_correction(edition.assessments.get(), user=alice)
    save(correction, alice, risk_level=RiskLevel.objects.get(name="Low"), rationale="Why.")
    shown = colours(preview.render_preview(edition))
    assert level_colour("Very high") in shown and level_colour("Low") not in shown


def test_serving_a_stored_preview_takes_a_fixed_number_of_queries(
    client, db, django_assert_num_queries
):
    outlook = make_published_edition(1)
    url = f"/outlooks/{outlook.slug}/preview.png"
    with transaction.atomic():
        stored_exports.store_preview(outlook)
    with CaptureQueriesContext(connection) as queries:
        served(client, url)
    for month in range(1, 4):
        make_published_edition(3, period=date(2023, month, 1))
    with django_assert_num_queries(len(queries)):
        served(client, url)


def test_a_demo_editions_preview_says_demo_data(db):
    outlook = make_outlook(period=date(2024, 5, 1), published=True)
    add_assessment(outlook, "KP", state=State.PUBLISHED)
    assert "Demo data" not in preview.preview_html(outlook)
    Region.objects.filter(pk=outlook.region_id).update(is_demo=True)
    outlook = Outlook.objects.select_related("region").get(pk=outlook.pk)
    html = preview.preview_html(outlook)
    assert "Demo data" in html and "fictional, not an assessment" in html


def test_the_edition_page_names_its_preview_as_the_card_image(client, published_sample, settings):
    page = client.get(f"/outlooks/{published_sample.slug}/").content.decode()
    image = f"{settings.SITE_URL}/outlooks/{published_sample.slug}/preview.png"
    meta = card_meta(page)
    assert meta["og:image"] == meta["twitter:image"] == image
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:type"] == "image/png"
    assert meta["twitter:card"] == "summary_large_image"
    alt = f"Map of the {published_sample.full_title}: its 1 country coloured by risk level"
    assert meta["og:image:alt"].startswith(alt)
    assert meta["twitter:image:alt"] == meta["og:image:alt"]
    # A page without an image of its own keeps the small card.
    other = client.get("/method/").content.decode()
    assert 'name="twitter:card" content="summary"' in other and "og:image" not in other


def test_the_longest_title_stays_in_its_column(db):
    """A title of the most characters an edition's may have is set smaller, and what does
    not fit is cut at the column's edge: the map beside it is drawn the same."""
    outlook = make_outlook(period=date(2024, 5, 1), published=True)
    add_assessment(outlook, "KP", state=State.PUBLISHED)
    short = preview.render_preview(outlook)
    outlook.title = "Regional Outlook " * 12  # 204 characters, cut to the field's 200
    outlook.title = outlook.title[: Outlook._meta.get_field("title").max_length]
    long = preview.render_preview(outlook)
    assert preview.title_size(outlook.title) < preview.title_size("Asia Pacific Regional Outlook")
    assert pixels(long).tobytes() == pixels(short).tobytes()


def card_meta(page):
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page))


def test_the_front_page_shows_the_newest_editions_preview(client, published_sample, settings):
    newer = make_published_edition(2, period=date(2024, 5, 1))
    other_region = make_outlook(period=date(2023, 5, 1), region="Demo Asia", published=True)
    add_assessment(other_region, "MM", state=State.PUBLISHED)
    meta = card_meta(client.get("/").content.decode())
    assert meta["og:image"] == f"{settings.SITE_URL}/outlooks/{newer.slug}/preview.png"
    assert meta["og:image:alt"].startswith(f"Map of the {newer.full_title}: its 2 countries")
    assert meta["twitter:card"] == "summary_large_image"


def test_a_front_page_without_editions_keeps_the_small_card(client, db):
    page = client.get("/").content.decode()
    assert card_meta(page)["twitter:card"] == "summary" and "og:image" not in page
