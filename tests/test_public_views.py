"""The public site: what readers see, and only what is published."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import derived, public_views
from assessments.models import Country, Revision, RiskLevel, RiskStatus
from tests.builders import (
    ASIA_PACIFIC_CODES,
    add_assessment,
    derive_published,
    make_dated_edition,
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
        for a in parse(client.get("/outlooks/").content)
        .find("ul", cls="outlook-list")
        .find_all("a")
    ]
    titles = [t for t in links if t != "PDF"]
    assert titles == [
        "Asia Pacific Regional Outlook May 2024",
        "Asia Pacific Regional Outlook November 2023",
    ]


@pytest.fixture
def two_regions(db):
    """Asia Pacific in two editions (KP raised, MM lowered, TH unchanged, LA new; NP
    dropped) and Africa in one (SD)."""
    earlier = make_outlook(
        period=date(2023, 11, 1), published=True, published_on=date(2023, 11, 15)
    )
    for code, risk in (("KP", "High"), ("MM", "Very high"), ("TH", "Low"), ("NP", "Low")):
        add_assessment(earlier, code, risk=risk, state=Revision.State.PUBLISHED)
    latest = make_outlook(period=date(2024, 5, 1), published=True, published_on=date(2024, 5, 20))
    for code, risk in (("KP", "Very high"), ("MM", "High"), ("TH", "Low"), ("LA", "Moderate")):
        add_assessment(latest, code, risk=risk, state=Revision.State.PUBLISHED)
    africa = make_outlook(period=date(2024, 4, 1), region="Africa", published=True)
    add_assessment(africa, "SD", risk="Very high", state=Revision.State.PUBLISHED)
    return earlier, latest, africa


def test_front_page_leads_with_each_regions_latest_edition_and_what_changed(client, two_regions):
    earlier, latest, africa = two_regions
    page = parse(client.get("/").content)
    sections = page.find_all("section", cls="latest-edition")
    assert [section.find("h2").words() for section in sections] == [
        "Africa Regional Outlook April 2024",
        "Asia Pacific Regional Outlook May 2024",
    ]
    asia = sections[1]
    assert "Published 20 May 2024" in asia.words()
    changes = [li.words() for li in asia.find("ul", cls="changes").find_all("li")]
    assert changes == [
        "▲ Risk rose: Democratic People's Republic of Korea, now Very high/Ongoing",
        "▼ Risk fell: Myanmar, now High/Ongoing",
    ]
    assert "Since the Asia Pacific Regional Outlook November 2023" in asia.words()
    rows = [
        [row.find("th").words()] + [cell.words() for cell in row.find_all("td")]
        for row in asia.find("table", cls="risk-table").find("tbody").find_all("tr")
    ]
    assert [row[0] for row in rows][:2] == [
        "Democratic People's Republic of Korea",
        "Myanmar",
    ]
    assert rows[0][3].startswith("▲ Raised") and rows[2][3] == "Unchanged" and rows[3][3] == "New"
    assert asia.find("a", href="/countries/kp/") is not None
    # Beside the table, the map of the same countries, each a link to its page.
    risk_map = asia.find("figure", cls="risk-map")
    assert risk_map is not None
    assert {a.attrs["href"] for a in risk_map.find_all("a")} == {
        "/countries/kp/",
        "/countries/mm/",
        "/countries/th/",
        "/countries/la/",
    }
    # A region with one edition has nothing to compare with: no changes, no column.
    assert sections[0].find("ul", cls="changes") is None
    assert len(sections[0].find("thead").find_all("th")) == 3
    earlier_list = page.find(id="earlier-editions").parent
    assert [a.words() for a in earlier_list.find("ul").find_all("a")] == [
        "Asia Pacific Regional Outlook November 2023"
    ]
    assert page.find("form", role="search").attrs["action"] == "/search/"
    # The legend of the levels the tables and maps colour, once for all of them.
    [legend] = page.find_all("aside", cls="risk-legend")
    assert "Very high" in legend.words() and "/method/#levels" in str(legend.find("a").attrs)


def test_front_page_lists_the_latest_corrections_with_their_notes(client, two_regions):
    entry = two_regions[1].assessments.get(country__code="MM")
    publish_correction(entry, risk="High", note="Corrected the number of people displaced.")
    corrections = parse(client.get("/").content).find("ul", cls="corrections")
    [item] = corrections.find_all("li")
    assert "Myanmar, Asia Pacific Regional Outlook May 2024" in item.words()
    assert "Corrected the number of people displaced." in item.words()


def test_front_page_shows_no_draft_edition(client, two_regions):
    draft = make_outlook(period=date(2024, 11, 1))
    add_assessment(draft, "KP", risk="Low")
    assert "November 2024" not in parse(client.get("/").content).words()


def test_front_page_queries_do_not_grow_with_regions(
    client, two_regions, django_assert_num_queries
):
    with_two = count_queries(client, "/")
    for region in ("Europe", "Americas", "Middle East"):
        for period in (date(2023, 11, 1), date(2024, 5, 1)):
            outlook = make_outlook(period=period, region=region, published=True)
            add_assessment(outlook, "FR", risk="High", state=Revision.State.PUBLISHED)
    with django_assert_num_queries(with_two):
        assert client.get("/").status_code == 200


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
    "/data/ratings-excel.csv",
    "/data/editions.json",
    "/data/dictionary/",
    "/method/",
]


def grow(outlook, count):
    """Add published entries to `outlook` until it holds `count` countries."""
    present = set(outlook.assessments.values_list("country__code", flat=True))
    codes = ASIA_PACIFIC_CODES + list(
        Country.objects.exclude(code__in=ASIA_PACIFIC_CODES).values_list("code", flat=True)
    )
    for code in [c for c in codes if c not in present][: count - len(present)]:
        add_assessment(outlook, code, state=Revision.State.PUBLISHED, derive=False)
    # Derived once for the edition, as one publication of it derives them.
    derive_published(outlook)


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
    editions = [
        h.words() for h in first.find("main").find_all("h2") if h.attrs["id"] != "tracked-title"
    ]
    assert editions == [
        "Asia Pacific Regional Outlook March 2024",
        "Asia Pacific Regional Outlook February 2024",
    ]

    second = parse(client.get(UNSC + "?page=2").content)
    # The February entry, cut by the page break, is on both pages under its edition.
    assert calls_on(second) == ["Call 2b.", "Call 1a.", "Call 1b."]
    assert [
        h.words() for h in second.find("main").find_all("h2") if h.attrs["id"] != "tracked-title"
    ] == [
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
    """The links to editions' JSON (not to the index of them)."""
    return [
        a.attrs["href"]
        for a in page.find("main").find_all("a")
        if a.attrs["href"].startswith("/outlooks/") and a.attrs["href"].endswith(".json")
    ]


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


# --- The method page, the legends beside the risk tables, citations, the publisher -------


def legend_of(page):
    """What a risk table's legend says: [(level, description)], [(status, description)]."""
    legend = page.find("aside", cls="risk-legend")
    levels, statuses = (
        legend.find("ul", cls="risk-legend-levels"),
        legend.find("ul", cls="risk-legend-statuses"),
    )
    return (
        [
            (
                item.find("span", cls="risk-badge").words(),
                item.find("span", cls="risk-legend-description").words(),
            )
            for item in levels.find_all("li")
        ],
        [
            (item.find("strong").words(), item.find("span", cls="risk-legend-description").words())
            for item in statuses.find_all("li")
        ],
    )


def framework():
    return (
        [(level.name, level.description) for level in RiskLevel.objects.all()],
        [(status.name, status.description) for status in RiskStatus.objects.all()],
    )


def test_the_method_page_defines_every_level_and_status_from_the_data(client, db):
    levels, statuses = framework()
    assert [name for name, _ in levels] == ["Very low", "Low", "Moderate", "High", "Very high"]
    assert all(description for _, description in levels + statuses)
    page = parse(client.get("/method/").content)
    for level in RiskLevel.objects.all():
        term = page.find("div", id=f"level-{level.rank}")
        badge = term.find("span", cls="risk-badge")
        assert badge.words() == level.name and f"risk-level-{level.pk}" in badge.classes
        assert term.find("p").words() == level.description
    shown = [
        term.find("h3").words()
        for term in page.find("section", id="levels").find_all("div", cls="method-term")
    ]
    assert shown == [name for name, _ in levels]
    for status in RiskStatus.objects.all():
        term = page.find("div", id=f"status-{status.position}")
        assert (term.find("h3").words(), term.find("p").words()) == (
            status.name,
            status.description,
        )


def test_a_description_changed_in_the_admin_is_on_the_method_page_and_legends_at_once(
    client, db, django_user_model
):
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", risk="High", state=Revision.State.PUBLISHED)
    for url in ("/method/", outlook.get_absolute_url(), "/countries/kp/"):
        assert client.get(url).status_code == 200  # kept in the cache
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    admin_client = type(client)()
    admin_client.force_login(admin)
    high = RiskLevel.objects.get(name="High")
    response = admin_client.post(
        f"/admin/assessments/risklevel/{high.pk}/change/",
        {"colour": high.colour, "description": "Reworded: what High means."},
    )
    assert response.status_code == 302
    method = parse(client.get("/method/").content)
    assert method.find("div", id=f"level-{high.rank}").find("p").words() == (
        "Reworded: what High means."
    )
    for url in (outlook.get_absolute_url(), "/countries/kp/"):
        levels, _ = legend_of(parse(client.get(url).content))
        assert ("High", "Reworded: what High means.") in levels


@pytest.mark.parametrize("url", ["/outlooks/{slug}/", "/countries/kp/"])
def test_every_risk_table_has_the_legend_of_levels_and_statuses_beside_it(client, db, url):
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", risk="Very high", state=Revision.State.PUBLISHED)
    page = parse(client.get(url.format(slug=outlook.slug)).content)
    table = page.find("table")
    # Beside it: in the same section, after it in reading order.
    section = table.parent
    while section.tag != "section":
        section = section.parent
    legend = section.find("aside", cls="risk-legend")
    assert legend is not None
    assert legend_of(page) == framework()
    assert legend.find("a").attrs["href"] == "/method/#levels"
    for level in RiskLevel.objects.all():
        badge = legend.find("span", cls=f"risk-level-{level.pk}")
        assert badge.words() == level.name


def test_an_edition_and_each_entry_give_a_citation_to_copy(client, db, settings):
    settings.OUTLOOK_PUBLISHER = {**settings.OUTLOOK_PUBLISHER, "name": "Centre for Outlooks"}
    outlook = make_dated_edition(["KP", "MM"], published_on=date(2024, 5, 20))
    page = parse(client.get(outlook.get_absolute_url()).content)
    edition = page.find("textarea", id="cite-edition")
    assert "readonly" in edition.attrs
    assert edition.text == (
        "Centre for Outlooks. Asia Pacific Regional Outlook May 2024. Published 20 May 2024. "
        f"{settings.SITE_URL}/outlooks/asia-pacific-2024-05/"
    )
    assert page.find("label", **{"for": "cite-edition"}) is not None
    entry = page.find("textarea", id="cite-mm")
    assert entry.text == (
        "Centre for Outlooks. “Myanmar.” In Asia Pacific Regional Outlook May 2024, version 1. "
        f"Published 20 May 2024. {settings.SITE_URL}/outlooks/asia-pacific-2024-05/mm/v1/"
    )
    kp = page.find("textarea", id="cite-kp").text
    country = parse(client.get("/countries/kp/").content)
    version = parse(client.get("/outlooks/asia-pacific-2024-05/kp/v1/").content)
    assert country.find("textarea", id="cite-entry").text == kp
    assert version.find("textarea", id="cite-entry").text == kp
    scripts = [s.attrs.get("src") for s in page.find_all("script")]
    assert "/static/js/cite.js" in scripts


def test_the_method_page_shows_how_to_cite_with_the_latest_edition_to_copy(client, db):
    make_outlook(period=date(2024, 1, 1), published=True)
    latest = make_outlook(period=date(2024, 5, 1), published=True)
    page = parse(client.get("/method/").content)
    citing = page.find("section", id="citing")
    assert "Address of the version" in citing.words()
    example = citing.find("textarea", cls="citation")
    assert example.text.endswith(latest.get_absolute_url()) and "May 2024" in example.text


def test_the_publisher_and_licences_are_in_the_footer_of_every_public_page(
    client, published_sample, settings
):
    settings.OUTLOOK_PUBLISHER = {
        "name": "Centre for Outlooks",
        "address": "2 Rue de l'Exemple, Genève",
        "email": "desk@outlooks.example.org",
        "url": "https://outlooks.example.org/",
    }
    settings.OUTLOOK_DATA_LICENCE = {
        "name": "ODbL 1.0",
        "url": "https://opendatacommons.org/licenses/odbl/1-0/",
    }
    for url in (
        "/",
        f"/outlooks/{SAMPLE_SLUG}/",
        "/countries/kp/",
        "/method/",
        "/data/",
        "/no-such-page/",
    ):
        footer = parse(client.get(url).content).find("footer")
        words = footer.words()
        assert "Published by Centre for Outlooks, 2 Rue de l'Exemple, Genève." in words, url
        assert "Contact: desk@outlooks.example.org" in words
        assert "Text under CC BY 4.0, data under ODbL 1.0." in words
        links = {a.attrs["href"] for a in footer.find_all("a")}
        assert {
            "https://outlooks.example.org/",
            "mailto:desk@outlooks.example.org",
            "https://creativecommons.org/licenses/by/4.0/",
            "https://opendatacommons.org/licenses/odbl/1-0/",
            "/method/",
        } <= links


def test_an_empty_address_or_email_is_left_out_of_the_footer(client, db, settings):
    settings.OUTLOOK_PUBLISHER = {"name": "Outlook", "address": "", "email": "", "url": ""}
    footer = parse(client.get("/method/").content).find("footer")
    assert "Published by Outlook." in footer.words()
    assert "Contact" not in footer.words()
