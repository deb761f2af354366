"""The public site: what readers see, and only what is published."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import derived, public_views
from assessments.models import Country, Revision, RiskLevel
from tests.builders import (
    ASIA_PACIFIC_CODES,
    add_assessment,
    make_outlook,
    make_published_edition,
    publish_correction,
)
from tests.html import parse

pytestmark = pytest.mark.django_db

SAMPLE_SLUG = "asia-pacific-2023-11"


def sample_paragraphs(path):
    """The findings as the sample reads: the blocks between the risk line and Recommendations."""
    blocks = [" ".join(b.split()) for b in path.read_text().split("\n\n") if b.strip()]
    start = next(i for i, b in enumerate(blocks) if "Risk: Very high/Ongoing" in b) + 1
    end = blocks.index("Recommendations")
    return blocks[start:end]


def test_sample_renders_as_it_reads(client, published_sample, sample_path):
    response = client.get(f"/outlooks/{SAMPLE_SLUG}/")
    assert response.status_code == 200
    entry = parse(response.content).find("section", cls="entry")

    paragraphs = [p.words() for p in entry.find("div", cls="findings").find_all("p")]
    assert paragraphs == sample_paragraphs(sample_path)
    groups = [h.words() for h in entry.find("div", cls="recommendations").find_all("h4")]
    assert groups == [
        "The government of the DPRK should:",
        "UN Member States should:",
        "The UN Security Council should:",
        "The UN Human Rights Council should:",
    ]
    items = [
        len(ul.find_all("li")) for ul in entry.find("div", cls="recommendations").find_all("ul")
    ]
    assert items == [2, 3, 2, 2]
    notes = entry.find("ol", cls="footnotes").find_all("li")
    assert [n.attrs["value"] for n in notes] == ["1", "2", "3", "4"]
    assert "Risk: Very high/Ongoing" in entry.find("p", cls="risk-line").words()


def test_no_markdown_asterisks_on_the_page(client, published_sample):
    main = parse(client.get(f"/outlooks/{SAMPLE_SLUG}/").content).find("main")
    assert "*" not in main.text
    assert "The UN Security Council should:" in main.words()


def test_un_document_symbol_links_to_its_official_page(client, published_sample):
    page = parse(client.get(f"/outlooks/{SAMPLE_SLUG}/").content)
    note = page.find("li", id="kp-fn-1")
    assert note.find("a").attrs["href"] == "https://docs.un.org/en/A/HRC/46/52"
    assert page.find("li", id="kp-fn-3").find("a").attrs["href"] == (
        "https://undocs.org/A/C.3/74/L.26"
    )


def test_footnotes_read_as_the_sample_with_each_link_once(client, published_sample):
    page = parse(client.get(f"/outlooks/{SAMPLE_SLUG}/").content)
    note = page.find("li", id="kp-fn-1")
    assert note.words().endswith("11 January 2021, A/HRC/46/52.")
    assert [a.attrs["href"] for a in note.find_all("a")] == ["https://docs.un.org/en/A/HRC/46/52"]
    assert page.find("li", id="kp-fn-2").words().endswith("A/75/388, 14 October 2020.")


def test_footnote_links_every_address_and_symbol_and_escapes_the_rest(db):
    from assessments.models import Footnote, Source
    from assessments.templatetags.public_tags import footnote_text

    source = Source(
        title="<b>Briefing</b> on S/2023/1 and A/HRC/52/64; see https://undocs.org/A/78/1.",
        url="https://example.org/briefing",
    )
    html = str(footnote_text(Footnote(number=1, source=source, pinpoint="para. 4")))
    links = parse(html).find_all("a")
    assert [a.attrs["href"] for a in links] == [
        "https://docs.un.org/en/S/2023/1",
        "https://docs.un.org/en/A/HRC/52/64",
        "https://undocs.org/A/78/1",
        "https://example.org/briefing",
    ]
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "https://undocs.org/A/78/1</a>., para. 4, <a" in html


def test_footnote_calls_link_to_their_note(client, db):
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    page = parse(client.get(outlook.get_absolute_url()).content)
    call = page.find("sup", cls="footnote-ref").find("a")
    assert call.attrs["href"] == "#kp-fn-1"
    assert page.find("li", id="kp-fn-1") is not None


def test_risk_table_shows_change_since_previous_edition(client, db):
    before = make_outlook(period=date(2024, 1, 1), published=True)
    for code, risk in (("KP", "High"), ("MM", "High"), ("AF", "Moderate")):
        add_assessment(before, code, risk=risk, state=Revision.State.PUBLISHED)
    now = make_outlook(period=date(2024, 5, 1), published=True)
    for code, risk in (("KP", "Very high"), ("MM", "Moderate"), ("AF", "Moderate"), ("JP", "Low")):
        add_assessment(now, code, risk=risk, state=Revision.State.PUBLISHED)

    page = parse(client.get(now.get_absolute_url()).content)
    rows = {
        row.find("th").words(): [cell.words() for cell in row.find_all("td")]
        for row in page.find("table", cls="risk-table").find("tbody").find_all("tr")
    }
    assert rows["Democratic People's Republic of Korea"] == [
        "Very high",
        "Ongoing",
        "▲ Raised (was High/Ongoing)",
    ]
    assert rows["Myanmar"][2] == "▼ Lowered (was High/Ongoing)"
    assert rows["Afghanistan"][2] == "Unchanged"
    assert rows["Japan"][2] == "New"
    # Colour and a text label, never colour alone.
    badge = page.find("table", cls="risk-table").find("span", cls="risk-badge")
    # Its colour is Very high's, from /styles/risk-levels.css (tests/test_public_output.py).
    assert f"risk-level-{RiskLevel.objects.get(name='Very high').pk}" in badge.classes
    assert badge.words() == "Very high"


def test_outlook_list_filters_by_region(client, db):
    make_outlook(region="Asia Pacific", published=True)
    make_outlook(region="Africa", published=True)
    make_outlook(region="Europe", published=False)
    everything = parse(client.get("/outlooks/").content).words()
    assert "Asia Pacific Regional Outlook May 2024" in everything
    assert "Africa Regional Outlook May 2024" in everything
    assert "Europe" not in everything
    africa = parse(client.get("/outlooks/?region=africa").content).words()
    assert "Africa Regional Outlook May 2024" in africa
    assert "Asia Pacific Regional Outlook May 2024" not in africa
    assert client.get("/outlooks/?region=europe").status_code == 404


def test_outlooks_are_listed_newest_first(client, db):
    make_outlook(period=date(2023, 11, 1), published=True)
    make_outlook(period=date(2024, 5, 1), published=True)
    links = [
        a.words()
        for a in parse(client.get("/").content).find("ul", cls="outlook-list").find_all("a")
    ]
    titles = [t for t in links if t != "PDF"]
    assert titles == [
        "Asia Pacific Regional Outlook May 2024",
        "Asia Pacific Regional Outlook November 2023",
    ]


def test_country_page_shows_latest_assessment_and_history(client, db):
    for period, risk in ((date(2023, 11, 1), "High"), (date(2024, 5, 1), "Very high")):
        outlook = make_outlook(period=period, published=True)
        add_assessment(outlook, "KP", risk=risk, state=Revision.State.PUBLISHED)
    page = parse(client.get("/countries/kp/").content)
    table = page.find("table", cls="history-table")
    rows = [
        [c.words() for c in row.find_all(["th", "td"][0])]
        for row in table.find("tbody").find_all("tr")
    ]
    assert [r[0] for r in rows] == [
        "Asia Pacific Regional Outlook May 2024",
        "Asia Pacific Regional Outlook November 2023",
    ]
    assert [row.find("td").words() for row in table.find("tbody").find_all("tr")] == [
        "Very high",
        "High",
    ]
    # The chart plots the same data: one point per edition, oldest first, in the level's colour.
    circles = page.find("svg").find_all("circle")
    assert [c.attrs["fill"] for c in circles] == ["#ef6c00", "#b71c1c"]
    assert "November 2023: High/Ongoing. May 2024: Very high/Ongoing." in page.find("desc").words()
    assert page.find("section", cls="entry") is not None
    assert client.get("/countries/fr/").status_code == 404
    assert client.get("/countries/not-a-country/").status_code == 404


def test_correction_is_shown_with_date_and_note_and_old_version_stays(client, db):
    outlook = make_outlook(published=True)
    assessment = add_assessment(
        outlook, "KP", findings=("First wording.",), state=Revision.State.PUBLISHED
    )
    publish_correction(
        assessment, note="The death toll was misquoted.", findings=("Corrected wording.",)
    )

    current = client.get(outlook.get_absolute_url()).content.decode()
    assert "Corrected wording." in current and "First wording." not in current
    assert "The death toll was misquoted." in current
    old = client.get(f"/outlooks/{outlook.slug}/kp/v1/").content.decode()
    assert parse(old).find("h1").words() == "DPRK, version 1"
    assert "First wording." in old
    assert "was replaced by a correction" in old
    assert client.get(f"/outlooks/{outlook.slug}/kp/v2/").status_code == 200


def test_addressee_page_lists_recommendations_across_editions(client, db):
    for period, text in ((date(2023, 11, 1), "Old call."), (date(2024, 5, 1), "New call.")):
        outlook = make_outlook(period=period, published=True)
        add_assessment(
            outlook,
            "KP",
            recommendations=(("The UN Security Council", text), ("UN Member States", "Other.")),
            state=Revision.State.PUBLISHED,
        )
    page = client.get("/recommendations/the-un-security-council/").content.decode()
    assert page.index("New call.") < page.index("Old call.")
    assert "Other." not in page
    # Inside a sentence, the name's leading "The" loses its capital; at the start of
    # one ("The UN Security Council should:") it keeps it.
    assert "Recommendations to the UN Security Council" in page
    assert "Recommendations to The" not in page
    assert "The UN Security Council</bdi> should:" in page
    listing = client.get("/recommendations/").content.decode()
    assert "Recommendations to the UN Security Council" in listing
    assert "Recommendations to UN Member States" in listing
    found = client.get("/search/?q=call").content.decode()
    assert "Recommendation to <bdi>the UN Security Council</bdi>" in found


def test_an_edition_page_shows_its_introduction(client, db):
    outlook = make_outlook(published=True, introduction="This edition covers *one* country.")
    add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    section = parse(client.get(f"/outlooks/{outlook.slug}/").content).find(
        "section", cls="introduction"
    )
    assert section.find("h2").words() == "Introduction"
    assert section.words().endswith("This edition covers one country.")
    assert section.find("em").words() == "one"


def test_an_edition_says_which_countries_of_the_previous_one_it_leaves_out(client, db):
    earlier = make_outlook(period=date(2023, 11, 1), published=True)
    add_assessment(earlier, "KP", state=Revision.State.PUBLISHED, risk="Very high")
    add_assessment(earlier, "MM", state=Revision.State.PUBLISHED)
    later = make_outlook(period=date(2024, 5, 1), published=True)
    add_assessment(later, "MM", state=Revision.State.PUBLISHED)
    edition = parse(client.get(f"/outlooks/{later.slug}/").content)
    note = edition.find("p", cls="dropped-countries").words()
    assert "Not in this edition" in note and "Korea" in note and "Myanmar" not in note
    assert "Very high" in note and "November 2023" in note
    # The earlier edition left nobody out; the country page says where it is missing.
    assert "dropped-countries" not in client.get(f"/outlooks/{earlier.slug}/").content.decode()
    country = parse(client.get("/countries/kp/").content)
    missing = country.find("p", cls="not-in-latest").words()
    assert "not in the latest edition" in missing and "May 2024" in missing
    assert "not-in-latest" not in client.get("/countries/mm/").content.decode()


def test_pages_have_title_description_and_canonical_url(client, published_sample, settings):
    for url in (
        "/",
        f"/outlooks/{SAMPLE_SLUG}/",
        "/countries/kp/",
        "/search/?q=rights",
        "/recommendations/the-un-security-council/",
        "/data/",
    ):
        page = parse(client.get(url).content)
        assert page.find("title").words(), url
        assert page.find("meta", name="description").attrs["content"].strip(), url
        canonical = page.find("link", rel="canonical").attrs["href"]
        assert canonical == settings.SITE_URL + url.split("?")[0], url


def test_a_regions_list_is_its_own_canonical_page(client, published_sample, settings):
    page = parse(client.get("/outlooks/?region=asia-pacific&utm_source=x").content)
    canonical = page.find("link", rel="canonical").attrs["href"]
    assert canonical == settings.SITE_URL + "/outlooks/?region=asia-pacific"


def test_unknown_pages_are_404_not_500(client, published_sample):
    for url in (
        "/outlooks/nope/",
        "/outlooks/nope.pdf",
        "/outlooks/nope.json",
        f"/outlooks/{SAMPLE_SLUG}/zz.pdf",
        f"/outlooks/{SAMPLE_SLUG}/kp/v9/",
        "/recommendations/nobody/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_page_number_that_is_not_one_shows_the_first_page(client, published_sample):
    response = client.get("/outlooks/?page=banana")
    assert response.status_code == 200
    assert published_sample.full_title in parse(response.content).words()


def test_what_a_reader_can_type_in_an_address_never_makes_a_500(client, published_sample):
    # PostgreSQL refuses a NUL character in a query: it must never reach it.
    for url in (
        "/countries/%00/",
        "/countries/k%00/",
        "/countries/" + "x" * 300 + "/",
        f"/outlooks/{SAMPLE_SLUG}/%00.pdf",
        f"/outlooks/{SAMPLE_SLUG}/%00/v1/",
        "/search/?q=%00",
        "/search/?q=camps%00prison",
        "/search/?q=camps&country=%00&region=%00&addressee=%00&level=%00&from=%00",
        "/search/?q=camps&from=0-1",
        "/search/?q=camps&from=99999-01",
        "/outlooks/?region=%00",
        "/outlooks/?page=%00",
    ):
        assert client.get(url).status_code in (200, 404), url


# --- Query counts: the same for 1 country as for 40, for 1 edition as for 5 -------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


EDITION_PAGES = [
    "/",
    "/outlooks/",
    "/outlooks/{slug}/",
    "/outlooks/{slug}.json",
    "/outlooks/{slug}/af/v1/",
    "/countries/af/",
    "/countries/",
    "/search/?q=situation",
    "/search/?q=resolution&addressee=the-un-security-council",
    "/recommendations/the-un-security-council/",
    "/recommendations/",
    "/feed/",
    "/data/",
    "/data/ratings.csv",
]


def grow(outlook, count):
    """Add published entries to `outlook` until it holds `count` countries."""
    present = set(outlook.assessments.values_list("country__code", flat=True))
    codes = ASIA_PACIFIC_CODES + list(
        Country.objects.exclude(code__in=ASIA_PACIFIC_CODES).values_list("code", flat=True)
    )
    for code in [c for c in codes if c not in present][: count - len(present)]:
        add_assessment(outlook, code, state=Revision.State.PUBLISHED)


def derive(*outlooks):
    """What publication derives for the `outlooks` (the stored exports): the builders
    write published rows without publishing."""
    for outlook in outlooks:
        derived.record_published(outlook, [])


@pytest.mark.parametrize("url", EDITION_PAGES)
def test_page_queries_do_not_grow_with_countries(client, url, django_assert_num_queries):
    # A previous edition, so that the outlook page compares ratings in both cases.
    previous = make_published_edition(1, period=date(2023, 11, 1))
    outlook = make_published_edition(1)
    derive(previous, outlook)
    url = url.format(slug=outlook.slug)
    with_one = count_queries(client, url)
    grow(previous, 40)
    grow(outlook, 40)
    derive(previous, outlook)
    assert outlook.assessments.count() == 40
    with django_assert_num_queries(with_one):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    if "{slug}/" in url:
        assert response.content.decode().count('class="entry"') == 40


@pytest.mark.parametrize("url", EDITION_PAGES)
def test_page_queries_do_not_grow_with_editions(client, url, django_assert_num_queries):
    previous = make_published_edition(2, period=date(2023, 11, 1))
    outlook = make_published_edition(2)
    derive(previous, outlook)
    url = url.format(slug=outlook.slug)
    with_two = count_queries(client, url)
    for month in range(1, 5):
        derive(make_published_edition(2, period=date(2022, month, 1)))
    with django_assert_num_queries(with_two):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)


# --- Pages of lists: the recommendations to an addressee, the open data -----------------

UNSC = "/recommendations/the-un-security-council/"


def calls_to_the_council(months):
    """One KP entry per month of 2024, each with two recommendations to the Council."""
    for month in months:
        outlook = make_outlook(period=date(2024, month, 1), published=True)
        add_assessment(
            outlook,
            "KP",
            recommendations=(
                ("The UN Security Council", f"Call {month}a."),
                ("UN Member States", "Other."),
                ("The UN Security Council", f"Call {month}b."),
            ),
            state=Revision.State.PUBLISHED,
        )


def calls_on(page):
    return [li.words() for li in page.find("main").find_all("li") if li.words().startswith("Call")]


def test_the_addressee_page_shows_a_page_at_a_time_grouped_by_edition(
    client, db, monkeypatch, settings
):
    monkeypatch.setattr(public_views, "RECOMMENDATIONS_PER_PAGE", 3)
    calls_to_the_council([1, 2, 3])
    first = parse(client.get(UNSC).content)
    assert calls_on(first) == ["Call 3a.", "Call 3b.", "Call 2a."]
    assert "6 recommendations across every published edition" in first.words()
    assert "1 to 3 on this page" in first.words()
    assert first.find("link", rel="canonical").attrs["href"] == settings.SITE_URL + UNSC
    pages = first.find("ul", cls="pagination")
    assert "Page 1 of 2" in pages.words()
    assert [a.attrs["href"] for a in pages.find_all("a")] == ["?page=2"]
    editions = [h.words() for h in first.find("main").find_all("h2")]
    assert editions == [
        "Asia Pacific Regional Outlook March 2024",
        "Asia Pacific Regional Outlook February 2024",
    ]

    second = parse(client.get(UNSC + "?page=2").content)
    # The February entry, cut by the page break, is on both pages under its edition.
    assert calls_on(second) == ["Call 2b.", "Call 1a.", "Call 1b."]
    assert [h.words() for h in second.find("main").find_all("h2")] == [
        "Asia Pacific Regional Outlook February 2024",
        "Asia Pacific Regional Outlook January 2024",
    ]
    assert second.find("link", rel="canonical").attrs["href"] == (
        settings.SITE_URL + UNSC + "?page=2"
    )
    assert second.find("title").words().endswith(", page 2")
    assert "4 to 6 on this page" in second.words()
    # As the list of outlooks: past the end is the last page, not a number the first.
    assert calls_on(parse(client.get(UNSC + "?page=99").content)) == calls_on(second)
    assert calls_on(parse(client.get(UNSC + "?page=banana").content)) == calls_on(first)


def json_links(page):
    return [a.attrs["href"] for a in page.find("main").find_all("a") if ".json" in a.attrs["href"]]


def test_open_data_lists_the_editions_a_page_at_a_time(client, db, monkeypatch, settings):
    monkeypatch.setattr(public_views, "OPEN_DATA_EDITIONS_PER_PAGE", 2)
    editions = [make_outlook(period=date(2024, month, 1), published=True) for month in (1, 2, 3)]
    first = parse(client.get("/data/").content)
    assert json_links(first) == [f"/outlooks/{e.slug}.json" for e in (editions[2], editions[1])]
    assert "3 editions, newest first" in first.words()
    assert "/data/ratings.csv" in [a.attrs["href"] for a in first.find("main").find_all("a")]
    second = parse(client.get("/data/?page=2").content)
    assert json_links(second) == [f"/outlooks/{editions[0].slug}.json"]
    assert second.find("link", rel="canonical").attrs["href"] == (
        settings.SITE_URL + "/data/?page=2"
    )
    assert "Page 2 of 2" in second.find("ul", cls="pagination").words()


@pytest.mark.parametrize("url", [UNSC, UNSC + "?page=2", "/data/", "/data/?page=2"])
def test_pages_of_lists_take_the_same_queries_however_long_the_list(
    client, url, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(public_views, "RECOMMENDATIONS_PER_PAGE", 3)
    monkeypatch.setattr(public_views, "OPEN_DATA_EDITIONS_PER_PAGE", 2)
    calls_to_the_council([1, 2, 3])
    baseline = count_queries(client, url)
    calls_to_the_council(range(4, 13))
    with django_assert_num_queries(baseline):
        response = client.get(url)
    shown = calls_on(parse(response.content)) if "recommendations" in url else None
    if shown is not None:
        assert len(shown) == 3
