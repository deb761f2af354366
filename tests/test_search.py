"""Search over published text, linked to the paragraph."""

import json
from datetime import date

import pytest

from tests.builders import publish_entry
from tests.html import parse
from tests.processes import manage, run_python

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions(db):
    """Three published editions of one entry each: Asia Pacific's of November 2023 (DPRK)
    and May 2024 (Myanmar), and Africa's of May 2024 (Sudan)."""
    old = publish_entry(
        "KP",
        period=date(2023, 11, 1),
        risk="Very high",
        findings=("Political prison camps hold **thousands** of detainees.",),
        recommendations=(("The UN Security Council", "Revive the informal dialogue."),),
    )
    new = publish_entry(
        "MM",
        risk="High",
        findings=("Airstrikes on villages displaced thousands.[^1]",),
        recommendations=(("UN Member States", "Stop the supply of aviation fuel."),),
        footnotes=(("Report on aviation fuel supplies, A/HRC/56/23.", ""),),
    )
    africa = publish_entry("SD", region="Africa", findings=("Thousands fled Darfur.",))
    return old, new, africa


def results(client, query):
    page = parse(client.get("/search/?" + query).content)
    return page, [
        li.find("a").attrs["href"]
        for li in page.find("ol", cls="search-results").find_all("li")
        if li.find("a")
    ]


def test_search_finds_published_text_and_links_to_the_paragraph(client, editions):
    page, links = results(client, "q=prison+camps")
    assert links == ["/outlooks/asia-pacific-2023-11/#kp-finding-1"]
    target = parse(client.get("/outlooks/asia-pacific-2023-11/").content)
    assert target.find(id="kp-finding-1") is not None
    snippet = page.find("ol", cls="search-results").find("p")
    assert "*" not in snippet.text
    assert [m.text for m in snippet.find_all("mark")] == ["prison", "camps"]


def test_search_stems_words(client, editions):
    _, links = results(client, "q=displacing")
    assert links == ["/outlooks/asia-pacific-2024-05/#mm-finding-1"]


def test_search_finds_recommendations_and_footnotes(client, editions):
    _, links = results(client, "q=aviation+fuel")
    assert sorted(links) == [
        "/outlooks/asia-pacific-2024-05/#mm-fn-1",
        "/outlooks/asia-pacific-2024-05/#mm-rec-1",
    ]
    target = parse(client.get("/outlooks/asia-pacific-2024-05/").content)
    assert target.find(id="mm-fn-1") is not None and target.find(id="mm-rec-1") is not None


@pytest.mark.parametrize(
    "filters, expected",
    [
        ("", {"kp", "mm", "sd"}),
        ("&region=africa", {"sd"}),
        ("&country=kp", {"kp"}),
        ("&level=4", {"mm", "sd"}),  # High
        ("&from=2024-01", {"mm", "sd"}),
        ("&to=2023-12", {"kp"}),
        ("&from=2024-05&to=2024-05&region=asia-pacific", {"mm"}),
    ],
)
def test_search_filters(client, editions, filters, expected):
    _, links = results(client, "q=thousands" + filters)
    assert {link.split("#")[1].split("-")[0] for link in links} == expected


def test_addressee_filter_searches_their_recommendations(client, editions):
    _, links = results(client, "q=dialogue&addressee=the-un-security-council")
    assert links == ["/outlooks/asia-pacific-2023-11/#kp-rec-1"]
    _, links = results(client, "q=dialogue&addressee=un-member-states")
    assert links == []


def test_bad_filters_get_a_message_not_an_error(client, editions):
    for query, message in (
        ("q=x&from=2023-13", "From: expected a month as YYYY-MM"),
        ("q=x&to=soon", "To: expected a month as YYYY-MM"),
        ("q=x&country=zz", "Country: no published content"),
        ("q=x&level=99", "Risk level: no published content"),
        ("q=x&addressee=nobody", "Addressee: no published content"),
    ):
        response = client.get("/search/?" + query)
        assert response.status_code == 200
        assert message in response.content.decode()


def test_search_queries_do_not_grow_with_results(client, editions, django_assert_num_queries):
    # The search (the best hits of the index, then their rows), the form's four lists,
    # which of its words the published text holds (for "did you mean"), the publication
    # generation, which keys the cached page (assessments.caching), and whether the site
    # holds demo data (the banner, context_processors.demo).
    with django_assert_num_queries(9):
        client.get("/search/?q=thousands")


def test_a_respelt_search_asks_a_bounded_number_of_queries(
    client, viet_nam, django_assert_num_queries
):
    # As above, but the search finds nothing (one query, not two), so which countries have
    # a name like the query (one); and for each unknown word (at most five) its nearest,
    # then whether the respelt query finds anything.
    with django_assert_num_queries(8 + 1 + 2 + 1):
        client.get("/search/?q=tortre+bloggrs")
    with django_assert_num_queries(8 + 1 + 5):
        client.get("/search/?q=aaaa+bbbb+cccc+dddd+eeee+ffff+gggg")


@pytest.fixture
def viet_nam(editions):
    return publish_entry(
        "VN",
        period=date(2024, 11, 1),
        findings=("Bloggers face long prison terms and torture in detention.",),
        recommendations=(("UN Member States", "Press for the release of bloggers."),),
    )


def sections(page):
    """The names the page leads with, by section: countries and addressees found."""
    found = {}
    for name in ("countries", "addressees"):
        section = page.find(id=f"found-{name}")
        found[name] = [a.attrs["href"] for a in section.find_all("a")] if section else []
    return found


@pytest.mark.parametrize("query", ["Viet+Nam", "vietnam", "socialist+republic+of+viet+nam"])
def test_search_finds_a_country_by_any_of_its_names(client, viet_nam, query):
    page, links = results(client, "q=" + query)
    assert sections(page)["countries"] == ["/countries/vn/"]
    # Its published text answers too: a country's names are terms of its paragraphs.
    assert "/outlooks/asia-pacific-2024-11/#vn-finding-1" in links


def test_search_finds_a_country_named_inside_a_longer_query(client, viet_nam):
    page, links = results(client, "q=prison+terms+in+viet+nam")
    assert sections(page)["countries"] == ["/countries/vn/"]
    assert links == ["/outlooks/asia-pacific-2024-11/#vn-finding-1"]


def test_search_finds_an_addressee_by_part_of_its_name(client, editions):
    page, links = results(client, "q=Security+Council")
    assert sections(page)["addressees"] == ["/recommendations/the-un-security-council/"]
    # Every recommendation to the Council, though its text never names it.
    assert sorted(links) == [
        "/outlooks/africa-2024-05/#sd-rec-1",
        "/outlooks/asia-pacific-2023-11/#kp-rec-1",
    ]


@pytest.mark.parametrize("query", ["Veit+Nam", "Vietnm", "viet+mam"])
def test_search_finds_a_country_by_its_name_misspelt(client, viet_nam, query):
    page, links = results(client, "q=" + query)
    assert sections(page)["countries"] == ["/countries/vn/"]


def test_a_query_like_no_country_name_offers_none(client, viet_nam):
    page, links = results(client, "q=zzyzx")
    assert links == [] and sections(page)["countries"] == []
    # A query of many words is like no name as a whole: its words are respelt instead.
    page, links = results(client, "q=bloggers+in+Veit+Nam")
    assert sections(page)["countries"] == []


def test_search_offers_no_country_without_published_text(client, editions):
    page, links = results(client, "q=viet+nam")
    assert sections(page) == {"countries": [], "addressees": []}
    assert links == []


@pytest.mark.parametrize(
    "query, suggestion, href",
    [
        ("tortre", "torture", "?q=torture"),
        ("Mianmar", "Myanmar", "?q=Myanmar"),
        ("bloggers tortre", "bloggers torture", "?q=bloggers+torture"),
        ("tortre&country=vn", "torture", "?q=torture&country=vn"),
    ],
)
def test_search_suggests_a_spelling_that_finds_something(client, viet_nam, query, suggestion, href):
    page = parse(client.get("/search/?q=" + query).content)
    offer = page.find(id="did-you-mean")
    assert offer is not None, "no suggestion"
    link = offer.find("a")
    assert link.text == suggestion
    assert link.attrs["href"] == "/search/" + href


def test_search_suggests_nothing_for_known_words(client, viet_nam):
    page = parse(client.get("/search/?q=torture").content)
    assert page.find(id="did-you-mean") is None


def test_search_suggests_nothing_that_finds_nothing(client, viet_nam):
    # "torture" is published, but not in Africa: no suggestion leads to an empty page.
    page = parse(client.get("/search/?q=tortre&region=africa").content)
    assert page.find(id="did-you-mean") is None


def test_search_says_it_uses_the_full_mode_on_postgresql(client, editions):
    page = parse(client.get("/search/?q=camps").content)
    assert page.find(id="simple-search") is None


SQLITE_SEARCH = """
import json, django
django.setup()
from django.test import Client
from tests.html import parse
def links(section):
    return [a.attrs["href"] for a in section.find_all("a")] if section else []
found = {}
for query in ("Myanmar", "independent observers", "obsrvers", "Security Council", "Bangladsh"):
    page = parse(Client().get("/search/", {"q": query}, HTTP_HOST="localhost").content)
    offer = page.find(id="did-you-mean")
    found[query] = {
        "simple": page.find(id="simple-search") is not None,
        "hits": len(page.find("ol", cls="search-results").find_all("a")),
        "countries": links(page.find(id="found-countries")),
        "addressees": links(page.find(id="found-addressees")),
        "suggestion": offer.find("a").text if offer else None,
    }
print(json.dumps(found))
"""


@pytest.mark.django_db(transaction=False)
def test_on_sqlite_search_works_in_the_simple_mode_and_says_so(tmp_path):
    # make run's database: the demo data on SQLite, searched without PostgreSQL.
    sqlite = {"url": f"sqlite:///{tmp_path / 'db.sqlite3'}", "media_root": tmp_path}
    manage("migrate", "--noinput", **sqlite, extra={"DEBUG": "1"})
    manage("seed_demo", **sqlite, extra={"DEBUG": "1"})
    found = json.loads(run_python(SQLITE_SEARCH, **sqlite, extra={"DEBUG": "1"}).stdout)
    assert all(result["simple"] for result in found.values())
    assert found["Myanmar"]["countries"] == ["/countries/mm/"]
    assert found["Myanmar"]["hits"] > 0
    assert found["independent observers"]["hits"] > 0
    assert found["obsrvers"]["hits"] == 0
    assert found["obsrvers"]["suggestion"] == "observers"
    assert found["Security Council"]["addressees"] == ["/recommendations/the-un-security-council/"]
    assert found["Security Council"]["hits"] > 0
    assert found["Bangladsh"]["countries"] == ["/countries/bd/"]
