"""The web's conventions (issue 11, point 11): the sitemap lists every published page and
nothing else; robots.txt points crawlers to it; /favicon.ico is never a 404; a shared
link to a page shows its title and description (OpenGraph, Twitter cards)."""

from datetime import date
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext

from assessments import sitemaps
from assessments.models import Revision, TrackedRecommendation
from tests.builders import add_assessment, make_outlook, make_revision, publish_correction
from tests.html import parse

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def on_this_site(url):
    """The path and query of an absolute address of the site the test client asks."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver"), url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def locations(client, url):
    """The addresses a sitemap or a sitemap index lists (path and query)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    document = ElementTree.fromstring(response.content)
    return [on_this_site(loc.text) for loc in document.iter(f"{SITEMAP}loc")]


def sitemap_pages(client):
    """Every address the sitemap lists, through its index."""
    return [
        page for index in locations(client, "/sitemap.xml") for page in locations(client, index)
    ]


@pytest.fixture
def site(db):
    """Published: an edition of two countries, one corrected. Not published: a draft
    correction, a draft edition (one of its entries marked published), a region and an
    addressee known only from drafts."""
    published = make_outlook(period=date(2023, 11, 1), published=True)
    kp = add_assessment(published, "KP", state=Revision.State.PUBLISHED)
    add_assessment(published, "MM", state=Revision.State.PUBLISHED)
    publish_correction(kp, note="A date was wrong.")
    make_revision(kp, recommendations=(("A draft addressee", "Do it."),))
    draft = make_outlook(period=date(2024, 5, 1))
    add_assessment(draft, "TH")
    add_assessment(draft, "JP", state=Revision.State.PUBLISHED)
    europe = make_outlook(period=date(2024, 5, 1), region="Europe")
    add_assessment(europe, "FR", recommendations=(("The government of France", "Act."),))
    return published


PUBLISHED_PAGES = {
    "/",
    "/outlooks/",
    "/countries/",
    "/recommendations/",
    "/data/",
    "/data/dictionary/",
    "/method/",
    "/outlooks/?region=asia-pacific",
    "/outlooks/asia-pacific-2023-11/",
    "/outlooks/asia-pacific-2023-11/kp/v1/",
    "/outlooks/asia-pacific-2023-11/kp/v2/",
    "/outlooks/asia-pacific-2023-11/mm/v1/",
    "/countries/kp/",
    "/countries/mm/",
    "/recommendations/the-un-security-council/",
    # The tracker's lists that the addressee's and the countries' pages link to.
    "/recommendations/?addressee=the-un-security-council",
    "/recommendations/?country=kp",
    "/recommendations/?country=mm",
}


def published_pages():
    """PUBLISHED_PAGES, and the page of each tracked recommendation (its id is drawn)."""
    lineages = TrackedRecommendation.objects.values_list("lineage", flat=True)
    assert len(lineages) == 2  # the live KP entry's and MM's
    return PUBLISHED_PAGES | {f"/recommendations/{lineage}/" for lineage in lineages}


def test_the_sitemap_lists_every_published_page_and_nothing_else(client, site):
    pages = sitemap_pages(client)
    assert sorted(pages) == sorted(published_pages())
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        # Each under the address the page itself calls canonical.
        canonical = parse(response.content).find("link", rel="canonical").attrs["href"]
        assert urlsplit(canonical)[2:4] == urlsplit(url)[2:4]


# What a reader's links lead to that is not a page of its own for a sitemap.
# Not pages to index: forms (signing in, searching, following by email) and feeds.
NOT_PAGES = ("/static/", "/styles/", "/accounts/", "/editor/", "/search/", "/feed/", "/follow/")


def test_every_page_a_reader_can_reach_is_in_the_sitemap(client, site):
    listed = set(sitemap_pages(client))
    seen, queue = set(), ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        assert url in listed, url
        for link in parse(response.content).find_all("a"):
            href = link.attrs.get("href", "").split("#")[0]
            if not href.startswith("/") or href.startswith(NOT_PAGES) or "page=" in href:
                continue
            if href.endswith((".pdf", ".json", ".csv", "/feed/")):
                continue
            queue.append(href)
    # The crawl reached the editions, countries and versions, not only the lists.
    assert {"/outlooks/asia-pacific-2023-11/", "/countries/kp/"} <= seen


def test_a_long_sitemap_is_split_into_pages(client, site, monkeypatch):
    monkeypatch.setattr(sitemaps.VersionsSitemap, "limit", 2)
    sections = locations(client, "/sitemap.xml")
    assert "/sitemap-versions.xml" in sections and "/sitemap-versions.xml?p=2" in sections
    first = locations(client, "/sitemap-versions.xml")
    second = locations(client, "/sitemap-versions.xml?p=2")
    assert len(first) == 2 and len(second) == 1
    for url in ("/sitemap-versions.xml?p=3", "/sitemap-versions.xml?p=x", "/sitemap-drafts.xml"):
        assert client.get(url).status_code == 404, url


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/sitemap.xml", *(f"/sitemap-{section}.xml" for section in sitemaps.SITEMAPS)]
)
def test_sitemap_queries_do_not_grow_with_editions(client, db, url):
    def edition(period):
        outlook = make_outlook(period=period, published=True)
        for code in ("KP", "FJ", "MM"):
            add_assessment(outlook, code, state=Revision.State.PUBLISHED)

    edition(date(2020, 1, 1))
    with_one = count_queries(client, url)
    for year in (2021, 2022, 2023):
        edition(date(year, 1, 1))
    assert count_queries(client, url) == with_one


def test_robots_txt_lets_crawlers_read_the_public_pages_only(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /editor/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /embargoed/",
        "Disallow: /follow/",
        "",
        "Sitemap: http://testserver/sitemap.xml",
    ]
    # Those are where the sign-in forms and what they guard live.
    for url in ("/editor/", "/admin/", "/accounts/login/"):
        assert client.get(url).status_code in (200, 302), url
    # Cached and revalidated as the public pages are.
    assert client.get("/robots.txt", headers={"if-none-match": response["ETag"]}).status_code == 304


def test_the_favicon_is_found_where_browsers_look(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.ico")
    assert "max-age=86400" in response["Cache-Control"]
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's signature
    head = parse(client.get("/").content).find("head")
    icons = {link.attrs["href"] for link in head.find_all("link", rel="icon")}
    assert icons == {static("favicon.ico"), static("favicon.svg")}
    for name in ("favicon.svg", "apple-touch-icon.png"):
        assert finders.find(name), name


# --- What a shared link shows ---------------------------------------------------------------


def meta(head):
    """The page's OpenGraph and Twitter properties: {property or name: content}."""
    return {
        tag.attrs.get("property") or tag.attrs["name"]: tag.attrs["content"]
        for tag in head.find_all("meta")
        if tag.attrs.get("property") or tag.attrs.get("name", "").startswith("twitter:")
    }


def test_a_shared_edition_shows_its_title_description_and_address(client, db):
    title = 'Asia & "Pacific" <Outlook>'
    outlook = make_outlook(
        period=date(2023, 11, 1), published=True, published_on=date(2023, 11, 15), title=title
    )
    add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    head = parse(client.get(f"/outlooks/{outlook.slug}/").content).find("head")
    description = head.find("meta", name="description").attrs["content"]
    assert head.find("title").text == f"{title} November 2023"
    image = "http://127.0.0.1:8000/outlooks/asia-pacific-2023-11/preview.png"
    alt = (
        f"Map of the {title} November 2023: its 1 country coloured by risk level, "
        "beside the edition's title and the levels' key."
    )
    assert meta(head) == {
        "og:site_name": "Outlook",
        "og:type": "article",
        "og:url": "http://127.0.0.1:8000/outlooks/asia-pacific-2023-11/",
        "og:title": f"{title} November 2023",
        "og:description": description,
        # The edition's preview image (assessments.preview), shown large.
        "og:image": image,
        "og:image:type": "image/png",
        "og:image:width": "1200",
        "og:image:height": "630",
        "og:image:alt": alt,
        "twitter:image": image,
        "twitter:image:alt": alt,
        "article:published_time": "2023-11-15",
        "twitter:card": "summary_large_image",
    }
    assert description.startswith(f"{title} November 2023: risk ratings")


@pytest.mark.parametrize(
    "url", ["/", "/countries/", "/countries/kp/", "/outlooks/asia-pacific-2023-11/kp/v2/"]
)
def test_every_public_page_says_what_a_shared_link_shows(client, site, url):
    head = parse(client.get(url).content).find("head")
    properties = meta(head)
    assert properties["og:title"] == head.find("title").text
    assert properties["og:description"] == head.find("meta", name="description").attrs["content"]
    assert properties["og:url"] == head.find("link", rel="canonical").attrs["href"]
    assert properties["og:type"] == "website"
    # The front page shows the newest edition's preview image (tests/test_preview.py);
    # the other pages have no image of their own.
    front = url == "/"
    assert properties["twitter:card"] == ("summary_large_image" if front else "summary")
    assert ("og:image" in properties) == front


def test_pages_that_are_no_ones_to_share_say_nothing_of_it(client, db):
    for url in ("/no-such-page/", "/accounts/login/"):
        head = parse(client.get(url).content).find("head")
        assert meta(head) == {}, url
    assert parse(client.get("/accounts/login/").content).find("title").text == "Sign in"
