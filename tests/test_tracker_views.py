"""The public recommendation tracker: /recommendations/, a lineage's page, the links into
them, and the tracker as CSV and JSON."""

import csv
import io
import json
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import public_views, tracked
from assessments.models import (
    Addressee,
    Recommendation,
    TrackedReason,
    TrackedRecommendation,
    TrackedStatus,
)
from tests.builders import add_assessment, make_outlook, publish_history
from tests.html import parse
from tests.test_tracker import three_editions  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

GOVERNMENT = "The government of the DPRK"


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def link(node, words):
    """The link in `node` that reads `words`."""
    return next(a for a in node.find_all("a") if a.words() == words)


def listed(response):
    """The lineages of the tracker page's list, in its order."""
    assert response.status_code == 200
    page = parse(response.content)
    return [
        uuid.UUID(link(li, "Its history").attrs["href"].split("/")[-2])
        for li in page.find_all("li", cls="tracked")
    ]


def chart_of(response):
    """{addressee: (made, repeated, dropped as implemented)} of a page's chart."""
    table = parse(response.content).find("div", cls="tracker-chart").find("tbody")
    return {
        row.find("th").words(): tuple(
            int(cell.find("span", cls="bar-value").words()) for cell in row.find_all("td")
        )
        for row in table.find_all("tr")
    }


@pytest.fixture
def history(db):
    """Three editions of KP made by the builders (every status, no workflow): the lineages
    of the recommendations each repeats or revises."""
    return publish_history(3)


def csv_lineages(content):
    return [uuid.UUID(row["lineage"]) for row in csv.DictReader(io.StringIO(content.decode()))]


def test_the_tracker_lists_every_lineage_with_its_history_in_brief(client, three_editions):  # noqa: F811
    archive, may, november = three_editions
    response = client.get("/recommendations/")
    assert len(listed(response)) == TrackedRecommendation.objects.count() == 11
    page = parse(response.content)
    assert page.find("h2", id="list-title").words() == "11 recommendations"
    items = {
        li.find("p", cls="tracked-text").words(): li.find("p", cls="tracked-facts").words()
        for li in page.find_all("li", cls="tracked")
    }
    revised = items["Immediately and verifiably cease committing crimes against humanity."]
    assert revised == (
        "Made in 3 consecutive editions since November 2023. Latest: Repeated in November "
        "2024. Its history"
    )
    implemented = next(facts for text, facts in items.items() if text.startswith("Engage"))
    assert implemented == (
        "Made once, in November 2023. Latest: Dropped in May 2024: Implemented. Its history"
    )
    superseded = next(
        li for li in page.find_all("li", cls="tracked") if "Special Envoy" in li.words()
    )
    assert "Made in 2 consecutive editions, November 2023 to May 2024" in superseded.words()
    assert "Superseded by another recommendation" in superseded.words()
    successor = Recommendation.objects.get(
        revision__assessment__outlook=november, text__startswith="Open every prison"
    )
    href = link(superseded, "the recommendation that supersedes it").attrs["href"]
    assert href == f"/recommendations/{successor.lineage}/"
    # Every addressee's page is still linked from here, with its count.
    addressees = page.find("section", cls="tracker-addressees")
    assert {a.attrs["href"] for a in addressees.find_all("a")} == {
        addressee.get_absolute_url()
        for addressee in Addressee.objects.filter(recommendations__isnull=False).distinct()
    }


def test_the_counts_per_addressee_agree_with_the_three_editions(client, three_editions):  # noqa: F811
    chart = chart_of(client.get("/recommendations/"))
    # The government: one revised and repeated, one dropped as implemented, one new.
    assert chart[GOVERNMENT] == (3, 1, 1)
    # Member States: the one superseded in November after two editions, two repeated.
    assert chart["UN Member States"] == (3, 3, 0)
    assert sum(made for made, _, _ in chart.values()) == 11
    # The addressee's page gives its own.
    government = Addressee.objects.get(name=GOVERNMENT)
    response = client.get(government.get_absolute_url())
    assert chart_of(response) == {GOVERNMENT: (3, 1, 1)}
    link = parse(response.content).find("section", cls="tracker-summary").find_all("a")[-1]
    assert link.attrs["href"] == f"/recommendations/?addressee={government.slug}"


def expected(**lookups):
    return list(
        TrackedRecommendation.objects.filter(**lookups)
        .order_by(*tracked.ORDER)
        .values_list("lineage", flat=True)
    )


def test_each_filter_selects_what_it_says(client, three_editions):  # noqa: F811
    archive, may, november = three_editions
    government = Addressee.objects.get(name=GOVERNMENT)
    region = archive.region.slug
    cases = [
        (f"addressee={government.slug}", expected(addressee=government)),
        ("group=government", expected(addressee_group="government")),
        ("country=kp", expected(country__code="KP")),
        (f"region={region}", expected()),
        ("status=dropped", expected(status=TrackedStatus.DROPPED)),
        ("status=new", expected(status=TrackedStatus.NEW)),
        # Made in 2023: every one of the archive (the last of May's new ones is not).
        ("to=2023", expected(first_period__year=2023)),
        ("from=2024", expected(last_period__year=2024)),
        # Made in 2024 and dropped since: the superseded one (May), not the implemented one.
        ("from=2024&status=dropped", expected(last_period__year=2024, status="dropped")),
        (
            f"addressee={government.slug}&status=dropped",
            expected(addressee=government, status="dropped"),
        ),
    ]
    for query, lineages in cases:
        assert listed(client.get(f"/recommendations/?{query}")) == lineages, query
    assert len(expected(status=TrackedStatus.DROPPED)) == 2
    assert len(expected(last_period__year=2024, status="dropped")) == 1
    assert len(expected(first_period__year=2023)) == 9
    assert len(expected(last_period__year=2024)) == 10  # all but the one dropped in May


def test_the_csv_and_the_json_agree_with_the_page(client, three_editions):  # noqa: F811
    government = Addressee.objects.get(name=GOVERNMENT)
    for query in ("", f"addressee={government.slug}", "status=dropped&from=2023", "group=un"):
        on_page = listed(client.get(f"/recommendations/?{query}"))
        csv_response = client.get(f"/data/recommendations.csv?{query}")
        assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
        assert csv_lineages(body(csv_response)) == on_page, query
        data = json.loads(body(client.get(f"/data/recommendations.json?{query}")))
        assert [uuid.UUID(row["lineage"]) for row in data["recommendations"]] == on_page
    rows = {row["lineage"]: row for row in data["recommendations"]}
    assert data["licence"]["name"] and data["filters"] == {"group": "un"}
    row = next(iter(rows.values()))
    assert set(row) == {field.name for field in tracked.TRACKER_FIELDS}
    assert row["url"].endswith(f"/recommendations/{row['lineage']}/")


def test_the_csv_and_json_say_what_the_page_says_of_a_dropped_one(client, three_editions):  # noqa: F811
    archive, may, november = three_editions
    superseded = TrackedRecommendation.objects.get(reason=TrackedReason.SUPERSEDED)
    rows = list(csv.DictReader(io.StringIO(body(client.get("/data/recommendations.csv")).decode())))
    row = next(row for row in rows if row["lineage"] == str(superseded.lineage))
    assert (row["status"], row["reason"], row["dropped_in"], row["dropped_period"]) == (
        "dropped",
        "superseded",
        november.slug,
        "2024-11",
    )
    assert row["superseded_by"] == str(superseded.superseded_by)
    assert (row["first_edition"], row["last_edition"], row["editions"]) == (
        archive.slug,
        may.slug,
        "2",
    )
    data = json.loads(body(client.get("/data/recommendations.json")))
    same = next(item for item in data["recommendations"] if item["lineage"] == row["lineage"])
    assert same["editions"] == 2 and same["implementation"] is None


def test_a_lineage_page_gives_its_history_edition_by_edition(client, three_editions):  # noqa: F811
    archive, may, november = three_editions
    revised = TrackedRecommendation.objects.get(text__startswith="Immediately and verifiably")
    response = client.get(f"/recommendations/{revised.lineage}/")
    page = parse(response.content)
    steps = page.find("ol", cls="tracked-history").find_all("li", cls="tracked-step")
    assert [step.find("h3").words() for step in steps] == [
        "Asia Pacific Regional Outlook November 2023: New",
        "Asia Pacific Regional Outlook May 2024: Revised",
        "Asia Pacific Regional Outlook November 2024: Repeated",
    ]
    diff = steps[1].find("p", cls="diff")
    assert [ins.words() for ins in diff.find_all("ins")] == ["and verifiably"]
    assert steps[2].find("p", cls="diff") is None
    first = steps[0].find("a").attrs["href"]
    position = Recommendation.objects.get(
        lineage=revised.lineage, revision__assessment__outlook=archive
    ).position
    assert first == f"/outlooks/{archive.slug}/#kp-rec-{position}"

    superseded = TrackedRecommendation.objects.get(reason=TrackedReason.SUPERSEDED)
    page = parse(client.get(superseded.get_absolute_url()).content)
    last = page.find("ol", cls="tracked-history").find_all("li", cls="tracked-step")[-1]
    assert last.words().startswith(
        "Asia Pacific Regional Outlook November 2024: Dropped Superseded by another "
        "recommendation, by Open every prison camp to UN monitors."
    )
    successor = TrackedRecommendation.objects.get(lineage=superseded.superseded_by)
    page = parse(client.get(successor.get_absolute_url()).content)
    summary = page.find("dl", cls="tracked-summary")
    assert superseded.get_absolute_url() in {a.attrs["href"] for a in summary.find_all("a")}


def test_an_unknown_lineage_is_404_and_a_slug_is_still_an_addressee(client, history):
    assert client.get(f"/recommendations/{uuid.uuid4()}/").status_code == 404
    assert client.get("/recommendations/not-a-uuid/").status_code == 404
    government = Addressee.objects.get(name=GOVERNMENT)
    assert client.get(f"/recommendations/{government.slug}/").status_code == 200


def test_the_edition_page_marks_each_recommendation_new_repeated_or_revised(
    client,
    three_editions,  # noqa: F811
):
    archive, may, november = three_editions
    page = parse(client.get(may.get_absolute_url()).content)
    marks = [
        (
            li.find("a", cls="tracked-status").words(),
            li.find("a", cls="tracked-status").attrs["href"],
        )
        for li in page.find("div", cls="recommendations").find_all("li")
    ]
    rows = Recommendation.objects.filter(revision__assessment__outlook=may).order_by("position")
    assert [mark for mark, _ in marks] == ["Revised"] + ["Repeated"] * 7 + ["New"]
    assert [href for _, href in marks] == [f"/recommendations/{row.lineage}/" for row in rows]


def test_an_editors_preview_of_a_draft_has_no_marks(client, copied_draft, alice):
    client.force_login(alice)
    response = client.get(f"/editor/revisions/{copied_draft.pk}/preview/")
    assert response.status_code == 200
    assert b"tracked-status" not in response.content
    assert parse(response.content).find("div", cls="recommendations").find_all("li")


def test_the_country_page_links_to_its_recommendations_in_the_tracker(client, history):
    page = parse(client.get("/countries/kp/").content)
    assert "/recommendations/?country=kp" in {a.attrs.get("href") for a in page.find_all("a")}


BAD_FILTERS = [
    ("addressee=nobody-at-all", "Addressee: no tracked recommendation for “nobody-at-all”."),
    ("country=zz", "Country: no tracked recommendation for “zz”."),
    ("region=atlantis", "Region: no tracked recommendation for “atlantis”."),
    ("group=aliens", "Addressee group: no tracked recommendation for “aliens”."),
    ("status=forgotten", "Latest status: no tracked recommendation for “forgotten”."),
    ("from=99999", "From: expected a year such as 2023, not “99999”."),
    ("to=0000", "To: expected a year such as 2023, not “0000”."),
    ("from=2025&to=2020", "From: 2025 is after To, 2020."),
    ("country=%00k%01", "Country: no tracked recommendation for “k”."),
    ("from=20%0024", "From: expected a year such as 2023, not “2024”."),
]


@pytest.mark.parametrize("query, message", BAD_FILTERS)
def test_a_filter_that_is_not_one_says_so_and_shows_nothing(client, history, query, message):
    response = client.get(f"/recommendations/?{query}")
    assert response.status_code == 200
    page = parse(response.content)
    assert message in [li.words() for li in page.find("div", cls="alert").find_all("li")]
    assert listed(response) == []
    for download in ("/data/recommendations.csv", "/data/recommendations.json"):
        response = client.get(f"{download}?{query}")
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "\x00" not in response.content.decode()


def test_a_page_number_that_is_not_one_shows_a_page(client, history):
    for page in ("abc", "99999", "-1", "%00"):
        assert client.get(f"/recommendations/?page={page}").status_code == 200


# --- Queries: as many with 1 edition as with 50, with 3 recommendations as with 30 ------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        body(response)
    return len(queries)


def tracker_urls(lineages):
    government = Addressee.objects.get(name=GOVERNMENT)
    dropped = TrackedRecommendation.objects.filter(status=TrackedStatus.DROPPED).order_by(
        "first_period"
    )[0]
    return [
        "/recommendations/",
        f"/recommendations/?addressee={government.slug}&status=revised&from=2020",
        f"/recommendations/{lineages[0]}/",
        f"/recommendations/{lineages[-1]}/",  # revised in every edition
        dropped.get_absolute_url(),
        "/recommendations/the-un-security-council/",
        "/countries/kp/",
        "/data/recommendations.csv",
        "/data/recommendations.json?group=un",
    ]


def test_tracker_queries_do_not_grow_with_editions(client, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(public_views, "TRACKED_PER_PAGE", 5)
    lineages = publish_history(2)
    urls = tracker_urls(lineages)
    baseline = [count_queries(client, url) for url in urls]
    publish_history(48, first=date(2020, 3, 1), lineages=lineages)
    assert TrackedRecommendation.objects.get(lineage=lineages[0]).editions == 50
    for url, queries in zip(urls, baseline, strict=True):
        with django_assert_num_queries(queries):
            body(client.get(url))


def test_tracker_queries_do_not_grow_with_recommendations(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(public_views, "TRACKED_PER_PAGE", 5)
    lineages = publish_history(2, kept=1)
    urls = tracker_urls(lineages)
    baseline = [count_queries(client, url) for url in urls]
    publish_history(
        2, kept=30, first=date(2020, 3, 1), lineages=lineages + [uuid.uuid4() for _ in range(29)]
    )
    publish_history(3, country="MM", kept=30, first=date(2021, 1, 1))
    assert TrackedRecommendation.objects.count() > 60
    for url, queries in zip(urls, baseline, strict=True):
        with django_assert_num_queries(queries):
            body(client.get(url))


def test_only_published_recommendations_are_tracked_or_shown(client, history):
    draft = make_outlook(period=date(2025, 5, 1))
    add_assessment(draft, "KP", recommendations=(("A secret addressee", "Do the unpublished."),))
    response = client.get("/recommendations/")
    assert b"unpublished" not in response.content and b"secret" not in response.content
    assert b"unpublished" not in body(client.get("/data/recommendations.csv"))
    assert client.get("/recommendations/?addressee=a-secret-addressee").status_code == 200
    assert listed(client.get("/recommendations/?addressee=a-secret-addressee")) == []


def test_the_form_and_the_list_of_addressees_follow_each_publication(client):
    """They are kept between publications (caching.kept_until_published), never past one."""
    publish_history(1)
    page = client.get("/recommendations/").content.decode()
    assert "The Human Rights Council" not in page
    outlook = make_outlook(period=date(2021, 6, 1), published=True)
    add_assessment(
        outlook,
        "MM",
        state="published",
        recommendations=[("The Human Rights Council", "Renew the mandate.")],
    )
    page = client.get("/recommendations/").content.decode()
    assert '<option value="the-human-rights-council">The Human Rights Council</option>' in page
    assert "Recommendations to the Human Rights Council" in page


def test_the_whole_tracker_s_count_and_chart_follow_each_publication(client):
    """Kept between publications, as the form is, and never past one."""
    publish_history(1)
    before = parse(client.get("/recommendations/").content)
    count = int(before.find("h2", id="list-title").words().split()[0])
    outlook = make_outlook(period=date(2021, 6, 1), published=True)
    add_assessment(
        outlook,
        "MM",
        state="published",
        recommendations=[("The Human Rights Council", "Renew the mandate.")],
    )
    after = parse(client.get("/recommendations/").content)
    assert after.find("h2", id="list-title").words().split()[0] == str(count + 1)
    chart = after.find("section", **{"aria-labelledby": "counts-title"}).words()
    assert "The Human Rights Council" in chart
