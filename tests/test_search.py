"""Search over published text, linked to the paragraph."""

from datetime import date

import pytest

from tests.builders import publish_entry
from tests.html import parse

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
    # the publication generation, which keys the cached page (assessments.caching), and
    # whether the site holds demo data (the banner, context_processors.demo).
    with django_assert_num_queries(8):
        client.get("/search/?q=thousands")
