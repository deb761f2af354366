"""The Atom feed of editions and corrections, and the open data."""

import csv
import io
import json
import re
from datetime import UTC, date
from xml.etree import ElementTree

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.caching import bump_generation
from assessments.exporting import to_json
from assessments.importing.json_reader import parse_json
from assessments.models import Revision
from assessments.pdf import outlook_html
from assessments.system_checks import tag_authority_is_a_name, tag_authority_is_set
from tests.builders import add_assessment, make_outlook, publish_correction, publish_entry
from tests.html import parse

pytestmark = pytest.mark.django_db


def test_feed_lists_new_editions_and_corrections(client, published_sample):
    assessment = published_sample.assessments.get()
    publish_correction(assessment, note="A date was wrong.")

    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse(response.content)
    titles = [entry.find("title").text for entry in feed.find_all("entry")]
    assert titles == [
        "Correction: DPRK, Asia Pacific Regional Outlook November 2023",
        "Asia Pacific Regional Outlook November 2023",
    ]
    assert "A date was wrong." in response.content.decode()


def test_open_data_json_is_the_interchange_format(client, published_sample):
    response = client.get(f"/outlooks/{published_sample.slug}.json")
    data = json.loads(b"".join(response.streaming_content))
    # With the open data's own fields, which an import reads past: the same content.
    assert parse_json(json.dumps(data)) == parse_json(json.dumps(to_json(published_sample)))
    assert data["period"] == "2023-11"
    assert len(data["assessments"][0]["footnotes"]) == 4


def test_ratings_csv_has_one_row_per_country_per_edition(client, db):
    for period, risk in ((date(2023, 11, 1), "High"), (date(2024, 5, 1), "Very high")):
        outlook = make_outlook(period=period, published=True)
        add_assessment(outlook, "KP", risk=risk, state=Revision.State.PUBLISHED)
    response = client.get("/data/ratings.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["country"], r["period"], r["level"], r["status"]) for r in rows] == [
        ("KP", "2024-05", "Very high", "Ongoing"),
        ("KP", "2023-11", "High", "Ongoing"),
    ]


def test_open_data_page_links_every_edition(client, published_sample):
    page = client.get("/data/").content.decode()
    assert f"/outlooks/{published_sample.slug}.json" in page
    assert "/data/ratings.csv" in page


def test_open_data_leaves_out_the_reviewers_rating_rationale(client, db):
    outlook = make_outlook(published=True)
    revision = add_assessment(outlook, "KP", state=Revision.State.DRAFT).revisions.get()
    Revision.objects.filter(pk=revision.pk).update(
        rationale="Internal: the desk officer disagrees.", state=Revision.State.PUBLISHED
    )
    outlook.assessments.update(published_revision=revision)
    assert to_json(outlook)["assessments"][0]["risk"]["rationale"].startswith("Internal")
    content = b"".join(client.get(f"/outlooks/{outlook.slug}.json").streaming_content)
    assert "Internal" not in content.decode()
    assert json.loads(content)["assessments"][0]["risk"] == {
        "level": "High",
        "level_rank": 4,
        "status": "Ongoing",
    }


# --- What a feed reader sees -------------------------------------------------------------


def read_feed(client, url="/feed/"):
    """The feed as a real Atom parser reads it; a feed it cannot read fails the test.

    feedparser's own sanitising is off, so the summaries are the HTML a reader that
    renders summaries would render, not what feedparser would make safe of them.
    """
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content, sanitize_html=False)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def published_with_correction(title, note):
    """An edition titled `title`, published, whose entry has a correction with `note`.

    A published edition's title never changes (the database says so): the edition is
    made with it."""
    outlook = make_outlook(period=date(2023, 11, 1), published=True, title=title)
    assessment = add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    publish_correction(assessment, note=note)


def test_feed_summaries_carry_notes_and_titles_as_text(client, db):
    note = "<img src=x onerror=alert(702)>"
    title = 'X"><img src=x onerror=alert(2)>'
    published_with_correction(title, note)

    correction, edition = read_feed(client).entries
    for entry, text in ((correction, note), (edition, title)):
        assert entry.summary_detail.type == "text/html"
        rendered = parse(entry.summary)
        assert rendered.find("img") is None, entry.summary
        assert text in rendered.text
    assert edition.title == f"{title} November 2023"


def test_stored_control_characters_do_not_break_the_feed(client, db):
    published_with_correction("Europe\x01Outlook", "Corrected a date\x01.")

    correction, edition = read_feed(client).entries
    assert edition.title == "EuropeOutlook November 2023"
    assert correction.summary.startswith("Corrected a date.")


# --- Author and ids (RFC 4287, RFC 4151) --------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 4151: tag:<DNS name or email address>,<YYYY[-MM[-DD]]>:<specific>.
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
DNS_NAME = rf"{LABEL}(?:\.{LABEL})*"
DAY = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
TAG_URI = re.compile(rf"tag:(?:[A-Za-z0-9._-]+@)?{DNS_NAME},{DAY}:[\w\-.~!$&'()*+,;=:@/?]+")


def atom_document(client, url="/feed/", **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return ElementTree.fromstring(response.content)


def assert_rfc_4287_author_and_ids(document):
    """Each entry has an author (its own, or the feed's: RFC 4287, 4.1.1), and the feed
    and each entry an id that is a tag: URI (RFC 4151), no two entries the same."""
    feed_author = document.find(f"{ATOM}author/{ATOM}name")
    ids = [document.findtext(f"{ATOM}id")]
    for entry in document.findall(f"{ATOM}entry"):
        author = entry.find(f"{ATOM}author/{ATOM}name")
        assert (author if author is not None else feed_author).text.strip()
        ids.append(entry.findtext(f"{ATOM}id"))
    for id in ids:
        assert TAG_URI.fullmatch(id), id
    assert len(set(ids)) == len(ids)


def dated_edition_with_correction():
    outlook = make_outlook(
        period=date(2023, 11, 1), published=True, published_on=date(2023, 11, 15)
    )
    entry = add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    correction = publish_correction(entry, note="A date was wrong.")
    correction.refresh_from_db()
    return outlook, correction


def test_the_feed_names_the_publisher_as_its_author(client, db, settings):
    dated_edition_with_correction()
    feed = read_feed(client)
    assert feed.feed.author == "Outlook"
    settings.OUTLOOK_PUBLISHER = {
        **settings.OUTLOOK_PUBLISHER,
        "name": "Office of the Special Adviser",
    }
    bump_generation()  # a setting is not a publication: start from a fresh page
    assert read_feed(client).feed.author == "Office of the Special Adviser"
    assert_rfc_4287_author_and_ids(atom_document(client))


def test_entry_ids_are_tag_uris_from_the_slug_and_the_publication_date(client, db, settings):
    settings.OUTLOOK_TAG_AUTHORITY = "example.org"
    outlook, correction = dated_edition_with_correction()
    day = f"{correction.published_at.astimezone(UTC):%Y-%m-%d}"
    expected = [
        f"tag:example.org,{day}:correction/asia-pacific-2023-11/kp/v2",
        "tag:example.org,2023-11-15:edition/asia-pacific-2023-11",
    ]
    assert [entry.id for entry in read_feed(client).entries] == expected
    assert_rfc_4287_author_and_ids(atom_document(client))

    # The site moves to another address: its links follow, its ids stay.
    settings.SITE_URL = "https://outlook.example.net"
    settings.ALLOWED_HOSTS = ["outlook.example.net"]
    bump_generation()
    moved = feedparser.parse(client.get("/feed/", HTTP_HOST="outlook.example.net").content)
    assert moved.entries[1].link == "http://outlook.example.net/outlooks/asia-pacific-2023-11/"
    assert [entry.id for entry in moved.entries] == expected
    # No database key is in them: the same edition restored under other keys has these ids.
    assert str(outlook.pk) not in expected[1] and str(correction.pk) not in expected[0]


def test_an_undated_archive_is_identified_by_its_period(client, db, settings):
    settings.OUTLOOK_TAG_AUTHORITY = "example.org"
    publish_entry("KP", period=date(2023, 11, 1))
    [entry] = read_feed(client).entries
    assert entry.id == "tag:example.org,2023-11-01:edition/asia-pacific-2023-11"


@pytest.mark.parametrize(
    "authority, problems",
    [("example.org", []), ("feeds@example.org", []), ("https://example.org/", ["outlook.E001"])],
)
def test_the_tag_authority_must_be_a_name(settings, authority, problems):
    settings.OUTLOOK_TAG_AUTHORITY = authority
    assert [error.id for error in tag_authority_is_a_name(None)] == problems


def test_the_deployment_checks_ask_for_a_tag_authority(settings):
    settings.OUTLOOK_TAG_AUTHORITY = ""
    assert [warning.id for warning in tag_authority_is_set(None)] == ["outlook.W001"]
    settings.OUTLOOK_TAG_AUTHORITY = "example.org"
    assert tag_authority_is_set(None) == []


# --- What the summaries say -----------------------------------------------------------------


def two_editions():
    """November 2023 and May 2024 of Asia Pacific: DPRK raised, Fiji lowered, Myanmar
    unchanged, Tonga new, Nauru dropped."""
    ratings = {
        date(2023, 11, 1): {"KP": "High", "FJ": "Moderate", "MM": "High", "NR": "Low"},
        date(2024, 5, 1): {"KP": "Very high", "FJ": "Low", "MM": "High", "TO": "Moderate"},
    }
    editions = []
    for period, entries in ratings.items():
        outlook = make_outlook(period=period, published=True, published_on=period)
        for code, risk in entries.items():
            add_assessment(outlook, code, risk=risk, state=Revision.State.PUBLISHED)
        editions.append(outlook)
    return editions


def summary_text(entry):
    return " ".join(parse(entry.summary).text.split())


def test_an_edition_summary_says_what_it_holds_and_what_changed(client, db):
    two_editions()
    latest, first = read_feed(client).entries
    assert summary_text(latest) == (
        "The Asia Pacific Regional Outlook May 2024 is published: 4 countries. "
        "Since the November 2023 edition: "
        "Risk raised for 1 country: DPRK (from High/Ongoing to Very high/Ongoing). "
        "Risk lowered for 1 country: Fiji (from Moderate/Ongoing to Low/Ongoing). "
        "New: Tonga (Moderate/Ongoing). "
        "No longer covered: Nauru (Low/Ongoing). "
        "Unchanged: 1 country."
    )
    assert summary_text(first) == (
        "The Asia Pacific Regional Outlook November 2023 is published: 4 countries. "
        "The first published edition for Asia Pacific."
    )


# --- A region's feed and a country's ----------------------------------------------------------


def test_a_region_feed_lists_its_editions_and_their_corrections(client, db):
    asia, _ = two_editions()
    europe = make_outlook(period=date(2024, 5, 1), region="Europe", published=True)
    entry = add_assessment(europe, "FR", state=Revision.State.PUBLISHED)
    publish_correction(entry, note="A name was misspelt.")
    publish_correction(asia.assessments.get(country__code="KP"), note="A date was wrong.")

    feed = read_feed(client, "/feed/regions/europe/")
    assert feed.feed.title == "Outlook: Europe"
    assert feed.feed.link == "http://testserver/outlooks/?region=europe"
    assert [entry.title for entry in feed.entries] == [
        "Correction: France, Europe Regional Outlook May 2024",
        "Europe Regional Outlook May 2024",
    ]
    assert [e.title for e in read_feed(client, "/feed/regions/asia-pacific/").entries] == [
        "Correction: DPRK, Asia Pacific Regional Outlook November 2023",
        "Asia Pacific Regional Outlook May 2024",
        "Asia Pacific Regional Outlook November 2023",
    ]
    assert_rfc_4287_author_and_ids(atom_document(client, "/feed/regions/europe/"))


def test_a_country_feed_follows_its_rating_from_edition_to_edition(client, db, settings):
    settings.OUTLOOK_TAG_AUTHORITY = "example.org"
    first, latest = two_editions()
    entry = first.assessments.get(country__code="FJ")
    publish_correction(entry, risk="Moderate", note="A figure was wrong.")

    feed = read_feed(client, "/countries/fj/feed/")
    assert feed.feed.title == "Outlook: Fiji"
    assert feed.feed.link == "http://testserver/countries/fj/"
    correction, in_latest, in_first = feed.entries
    assert correction.title == "Correction: Fiji, Asia Pacific Regional Outlook November 2023"
    assert in_latest.title == "Fiji: Asia Pacific Regional Outlook May 2024"
    assert in_latest.link == "http://testserver/outlooks/asia-pacific-2024-05/#fj"
    assert in_latest.id == "tag:example.org,2024-05-01:entry/asia-pacific-2024-05/fj"
    assert summary_text(in_latest) == (
        "Fiji: Low/Ongoing, lowered from Moderate/Ongoing in the November 2023 edition."
    )
    assert summary_text(in_first) == "Fiji: Moderate/Ongoing."
    [new] = read_feed(client, "/countries/to/feed/").entries
    assert summary_text(new) == "Tonga: Moderate/Ongoing, new since the November 2023 edition."
    unchanged, _ = read_feed(client, "/countries/mm/feed/").entries
    assert summary_text(unchanged).endswith("unchanged since the November 2023 edition.")
    assert_rfc_4287_author_and_ids(atom_document(client, "/countries/fj/feed/"))


def test_a_feed_of_nothing_published_is_not_found(client, db):
    draft = make_outlook(period=date(2024, 5, 1), region="Europe")
    add_assessment(draft, "FR")
    publish_entry("KP")
    for url in (
        "/feed/regions/europe/",  # a draft only
        "/feed/regions/nowhere/",
        "/countries/fr/feed/",  # a draft entry only
        "/countries/zz/feed/",
        "/countries/kp1/feed/",
    ):
        assert client.get(url).status_code == 404, url


def test_each_feed_is_found_from_its_pages(client, db):
    asia, _ = two_editions()
    make_outlook(period=date(2024, 5, 1), region="Europe", published=True)

    def feeds_of(url):
        head = parse(client.get(url).content).find("head")
        links = head.find_all("link", rel="alternate", type="application/atom+xml")
        return [link.attrs["href"] for link in links]

    assert feeds_of("/") == ["/feed/", "/feed/regions/asia-pacific/", "/feed/regions/europe/"]
    assert feeds_of("/outlooks/?region=europe") == ["/feed/", "/feed/regions/europe/"]
    assert feeds_of(f"/outlooks/{asia.slug}/") == ["/feed/", "/feed/regions/asia-pacific/"]
    assert feeds_of("/countries/kp/") == ["/feed/", "/countries/kp/feed/"]


@pytest.mark.parametrize("url", ["/feed/", "/feed/regions/asia-pacific/", "/countries/kp/feed/"])
def test_a_feed_reader_polling_an_unchanged_feed_gets_304(client, db, url):
    two_editions()
    first = client.get(url)
    assert first.status_code == 200
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304 and since.content == b""
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    # Something published since: the reader gets the feed again.
    publish_entry("KP", period=date(2024, 11, 1))
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 200


@pytest.mark.parametrize("url", ["/feed/", "/feed/regions/asia-pacific/", "/countries/kp/feed/"])
def test_feed_queries_do_not_grow_with_editions(client, db, url, django_assert_num_queries):
    def edition(year, month):
        outlook = make_outlook(period=date(year, month, 1), published=True)
        for code in ("KP", "FJ", "MM"):
            add_assessment(outlook, code, state=Revision.State.PUBLISHED)
        publish_correction(outlook.assessments.get(country__code="KP"), note="Corrected.")

    edition(2020, 1)
    edition(2020, 7)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    for year in (2021, 2022, 2023):
        edition(year, 1)
        edition(year, 7)
    with django_assert_num_queries(len(queries)):
        assert len(read_feed(client, url).entries) == 16


def test_pages_and_feeds_speak_the_language_of_the_settings(client, db, settings):
    outlook = publish_entry("KP")
    for code in ("en-gb", "en-us"):
        settings.LANGUAGE_CODE = code
        bump_generation()  # a setting is not a publication: start from fresh pages
        for url in ("/", "/countries/kp/", "/no-such-page/"):
            assert parse(client.get(url).content).find("html").attrs["lang"] == code, url
        for url in ("/feed/", "/countries/kp/feed/"):
            lang = atom_document(client, url).get("{http://www.w3.org/XML/1998/namespace}lang")
            assert lang == code, url
        # The PDF's too (its tagged PDF takes its language from the document's).
        assert parse(outlook_html(outlook)).find("html").attrs["lang"] == code
