"""Public pages cached and revalidated (assessments.caching): ETags, 304s, compression,
what shared caches are told, and that no page outlives a change of what it shows."""

import gzip
from datetime import date

import brotli
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from assessments import workflow
from assessments.caching import current_generation
from assessments.models import Country, RiskLevel
from tests.builders import make_published_edition, publish_entry
from tests.test_workflow import approve_all, approved_correction
from tests.worker import run_jobs

pytestmark = pytest.mark.django_db


def page_url(outlook):
    return f"/outlooks/{outlook.slug}/"


def queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def test_a_public_page_says_how_to_keep_it(client, published_sample):
    response = client.get(page_url(published_sample))
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"] == http_date(current_generation().last_modified)
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert control == {
        "public",
        "max-age=60",
        "s-maxage=300",
        "stale-while-revalidate=600",
    }
    # Compressed copies differ by Accept-Encoding only: never by cookie for a reader.
    assert response["Vary"] == "Accept-Encoding"
    again = client.get(page_url(published_sample))
    assert again["ETag"] == response["ETag"]
    assert again.content == response.content


@pytest.mark.parametrize(
    "url",
    ["/", "/outlooks/", "{page}", "/countries/", "/countries/kp/", "/search/?q=camps", "/feed/"],
)
def test_every_public_page_is_cached_and_revalidated(client, published_sample, url):
    url = url.format(page=page_url(published_sample))
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert "Cookie" not in first.get("Vary", "")
    hit, count = queries_of(client, url)
    # A hit reads the publication generation, and nothing else.
    assert count == 1
    assert hit.content == first.content
    # The page keeps the policy it was rendered with (no nonce: the same for everyone).
    assert hit["Content-Security-Policy"] == first["Content-Security-Policy"]
    not_modified, count = queries_of(client, url, if_none_match=first["ETag"])
    assert not_modified.status_code == 304 and count == 1
    assert not_modified["ETag"] == first["ETag"]
    assert not_modified.content == b""


def test_if_modified_since_is_answered_from_the_generation(client, published_sample):
    url = page_url(published_sample)
    first = client.get(url)
    response, count = queries_of(client, url, if_modified_since=first["Last-Modified"])
    assert response.status_code == 304 and count == 1
    before = http_date(current_generation().last_modified - 1)
    assert client.get(url, headers={"if-modified-since": before}).status_code == 200


def test_if_modified_since_never_answers_for_a_page_that_does_not_exist(client, edition):
    # A draft edition's address, and one nothing was ever published at: a reader's
    # date (however recent) must not turn a 404 into "your copy is still good".
    later = http_date(current_generation().last_modified + 3600)
    for url in (page_url(edition), "/outlooks/nothing-here/", "/countries/zz/"):
        response = client.get(url, headers={"if-modified-since": later})
        assert response.status_code == 404, url


def test_if_none_match_of_another_page_gets_the_page(client, published_sample):
    response = client.get(page_url(published_sample), headers={"if-none-match": 'W/"other"'})
    assert response.status_code == 200 and response.content


def test_compressed_bodies_are_the_page(client, published_sample):
    url = page_url(published_sample)
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    as_gzip = client.get(url, headers={"accept-encoding": "gzip, deflate"})
    assert as_gzip["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip.content) == plain.content
    as_brotli = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert as_brotli["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli.content) == plain.content
    assert len(as_brotli.content) < len(plain.content) / 2
    assert int(as_brotli["Content-Length"]) == len(as_brotli.content)
    # The same page in every coding: one (weak) ETag.
    assert as_gzip["ETag"] == as_brotli["ETag"] == plain["ETag"]
    refused = client.get(url, headers={"accept-encoding": "br;q=0, gzip;q=0"})
    assert refused.content == plain.content


def test_a_publication_changes_the_pages_at_once(client, edition, erin, alice, bob):
    new_page = page_url(edition)
    home = client.get("/")
    assert new_page not in home.content.decode()
    # Unpublished: not found, kept briefly by others and not at all here.
    missing = client.get(new_page)
    assert missing.status_code == 404
    assert "max-age=60" in missing["Cache-Control"] and "s-maxage" not in missing["Cache-Control"]
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    run_jobs()
    after = client.get("/")
    assert new_page in after.content.decode()
    assert after["ETag"] != home["ETag"]
    assert client.get("/", headers={"if-none-match": home["ETag"]}).status_code == 200
    assert client.get("/", headers={"if-modified-since": home["Last-Modified"]}).status_code == 200
    assert client.get(new_page).status_code == 200


def test_a_correction_changes_the_edition_page(client, edition, erin, alice, bob):
    correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    before = client.get(page_url(edition))
    assert "Corrected a date." not in before.content.decode()
    workflow.publish_correction(correction, user=erin)
    run_jobs()
    after = client.get(page_url(edition), headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "Corrected a date." in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_an_edit_of_what_pages_show_changes_them(client, published_sample):
    url = page_url(published_sample)
    before = client.get(url)
    country = Country.objects.get(code="KP")
    country.official_name = "A Renamed Republic"
    country.save()
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    assert "A Renamed Republic" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_a_colour_change_reaches_the_stylesheet_and_retires_cached_pages(client, published_sample):
    url = page_url(published_sample)
    client.get(url)
    stylesheet = client.get("/styles/risk-levels.css")
    generation = current_generation()
    level = RiskLevel.objects.get(name="Very high")
    level.colour = "#123456"
    level.save()
    assert current_generation().value == generation.value + 1
    assert "#123456" in client.get("/styles/risk-levels.css").content.decode()
    assert (
        client.get(
            "/styles/risk-levels.css", headers={"if-none-match": stylesheet["ETag"]}
        ).status_code
        == 200
    )
    # The page is rendered again (not a hit of one query); the colour is a class, so
    # the page reads the same and keeps its ETag.
    _, count = queries_of(client, url)
    assert count > 1


@pytest.mark.parametrize("reader_first", [True, False], ids=["reader-first", "editor-first"])
def test_a_signed_in_editor_gets_their_own_page_never_shared(
    client, published_sample, erin, reader_first
):
    url = page_url(published_sample)
    reader = Client()
    if reader_first:
        reader.get(url)
    client.force_login(erin)
    for _ in range(2):
        own = client.get(url)
        assert "erin" in own.content.decode()
        control = {part.strip() for part in own["Cache-Control"].split(",")}
        assert {"private", "no-cache"} <= control and "public" not in control
    # What was rendered for the editor never reaches a reader.
    for _ in range(2):
        anonymous = reader.get(url)
        assert "erin" not in anonymous.content.decode()
        assert "Sign in" in anonymous.content.decode()
        assert "public" in anonymous["Cache-Control"]


def test_a_pending_message_is_not_served_from_the_cache(client, published_sample):
    url = page_url(published_sample)
    client.get(url)
    client.cookies["messages"] = "anything"
    _, count = queries_of(client, url)
    assert count > 1


def test_drafts_are_never_cached_nor_shown(client, edition, erin):
    url = page_url(edition)
    assert client.get(url).status_code == 404
    client.force_login(erin)
    assert client.get(url).status_code == 404


def test_an_unknown_host_is_refused_not_served_from_the_cache(client, published_sample):
    url = page_url(published_sample)
    client.get(url)
    assert client.get(url, headers={"host": "evil.example"}).status_code == 400


def test_the_csv_is_revalidated_by_the_generation(client, db):
    publish_entry("AF")
    first = client.get("/data/ratings.csv")
    b"".join(first.streaming_content)
    assert first["ETag"]
    response, count = queries_of(client, "/data/ratings.csv", if_none_match=first["ETag"])
    assert response.status_code == 304 and count == 1
    publish_entry("KP", period=date(2024, 6, 1))
    again = client.get("/data/ratings.csv", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200


def test_the_json_of_an_edition_is_revalidated_by_the_generation(client, db):
    # Stored at publication and streamed from storage (stored_exports), not kept here.
    outlook = make_published_edition(2)
    url = f"/outlooks/{outlook.slug}.json"
    first = client.get(url)
    assert first["Content-Type"] == "application/json"
    assert first["Content-Disposition"] == f'inline; filename="{outlook.slug}.json"'
    assert first["ETag"] and "Cookie" not in first.get("Vary", "")
    response, count = queries_of(client, url, if_none_match=first["ETag"])
    assert response.status_code == 304 and count == 1


def test_a_stored_pdf_is_revalidated_by_its_record(client, published_sample):
    url = f"/outlooks/{published_sample.slug}.pdf"
    first = client.get(url)
    b"".join(first.streaming_content)
    assert first["ETag"].startswith('"pdf-')
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
