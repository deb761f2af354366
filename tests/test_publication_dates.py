"""An edition's publication date (Outlook.published_on) is when its readers got it: the
day an editor published it, or what an archive's file says; never the day an archive
was imported, and never moved by a correction (issue 11, point 1)."""

import csv
import io
import json
import re
from datetime import date

import feedparser
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments import workflow
from assessments.importing import ImportFileError, import_file
from tests.builders import publish_correction
from tests.importing import ENTRY, VALID_JSON, write
from tests.test_workflow import approve_all
from tests.worker import run_jobs

pytestmark = pytest.mark.django_db


def archive(tmp_path, period="2023-11", **fields):
    data = {**VALID_JSON, "period": period, **fields}
    return import_file(write(tmp_path, f"{period}.json", json.dumps(data)), publish=True).outlook


def test_an_archive_takes_its_publication_date_from_the_json(tmp_path, client):
    outlook = archive(tmp_path, published_on="2023-11-15")
    assert outlook.published_on == date(2023, 11, 15)
    for url in ("/outlooks/", f"/outlooks/{outlook.slug}/"):
        assert "Published 15 November 2023" in client.get(url).content.decode(), url


def test_an_archive_without_a_date_shows_only_its_period(tmp_path, client):
    outlook = archive(tmp_path)
    assert outlook.published_on is None
    today = f"{timezone.localdate():%-d %B %Y}"
    for url in ("/outlooks/", f"/outlooks/{outlook.slug}/"):
        page = client.get(url).content.decode()
        assert "November 2023" in page and today not in page, url
        assert not re.search(r"Published \d", page), url


def test_a_text_archive_takes_the_date_given_on_the_command_line(tmp_path):
    path = write(tmp_path, "entry.txt", ENTRY)
    call_command("import_outlook", str(path), "--publish", "--published-on", "2024-05-20")
    from assessments.models import Outlook

    assert Outlook.objects.get().published_on == date(2024, 5, 20)


def test_a_publication_date_for_a_draft_or_in_the_future_is_refused(tmp_path):
    path = write(tmp_path, "entry.txt", ENTRY)
    with pytest.raises(CommandError, match="--published-on needs --publish"):
        call_command("import_outlook", str(path), "--published-on", "2024-05-20")
    with pytest.raises(ImportFileError, match="outlook.published_on: expected a date"):
        archive(tmp_path, published_on="15 November 2023")
    with pytest.raises(ImportFileError, match="in the future"):
        archive(tmp_path, published_on="2999-01-01")


def test_publishing_dates_the_edition_today_and_a_correction_leaves_it(
    edition, erin, alice, bob, client
):
    approve_all(edition, alice, bob)
    workflow.publish(edition, user=erin)
    run_jobs()
    edition.refresh_from_db()
    assert edition.published_on == timezone.localdate()
    entry = edition.assessments.get()
    publish_correction(entry, note="Corrected a date.")
    edition.refresh_from_db()
    assert edition.published_on == timezone.localdate()


def test_the_feed_dates_and_sorts_editions_by_their_publication(tmp_path, client):
    archive(tmp_path, period="2024-05", published_on="2024-05-20")
    # Imported later, published earlier: it comes second.
    archive(tmp_path, period="2023-11", published_on="2023-11-15")
    feed = feedparser.parse(client.get("/feed/").content)
    assert [entry.published[:10] for entry in feed.entries] == ["2024-05-20", "2023-11-15"]
    assert [entry.updated[:10] for entry in feed.entries] == ["2024-05-20", "2023-11-15"]


def test_the_csv_gives_the_editions_publication_date_not_a_corrections(tmp_path, client):
    outlook = archive(tmp_path, published_on="2023-11-15")
    publish_correction(outlook.assessments.get(), note="Corrected a date.")
    body = b"".join(client.get("/data/ratings.csv").streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["published_on"] == "2023-11-15"
