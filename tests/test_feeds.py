"""The Atom feed of editions and corrections, and the open data."""

import csv
import io
import json
from datetime import date

import feedparser
import pytest

from assessments.exporting import to_json
from assessments.importing.json_reader import parse_json
from assessments.models import Revision
from tests.builders import add_assessment, make_outlook, publish_correction
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


def read_feed(client):
    """The feed as a real Atom parser reads it; a feed it cannot read fails the test.

    feedparser's own sanitising is off, so the summaries are the HTML a reader that
    renders summaries would render, not what feedparser would make safe of them.
    """
    response = client.get("/feed/")
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
