"""The demo data set (assessments.demo, manage.py seed_demo): a region with history, in
every workflow state, passing the checks, marked as demo wherever it shows, never loaded
in production, the same however often it is loaded."""

import csv
import io
import json
import subprocess
import time
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

from assessments import checks, demo
from assessments.models import (
    LineageMatch,
    Outlook,
    Region,
    Revision,
    SearchEntry,
    TrackedReason,
    TrackedStatus,
    TrackedStep,
)
from tests.processes import manage
from tests.worker import run_jobs

BANNER = "Demo data."

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """What the demo holds, without ids or times: two loads compare equal."""
    rows = []
    revisions = (
        Revision.objects.with_content()
        .select_related("assessment__outlook__region", "assessment__country")
        .order_by("assessment__outlook__slug", "assessment__position", "number")
    )
    for revision in revisions:
        outlook = revision.assessment.outlook
        rows.append(
            [
                outlook.slug,
                outlook.state,
                outlook.title,
                revision.assessment.country.code.code,
                revision.number,
                revision.state,
                revision.risk_level.name,
                revision.risk_status.name,
                revision.rationale,
                revision.correction_note,
                [finding.text for finding in revision.findings.all()],
                [(r.addressee.name, r.text) for r in revision.recommendations.all()],
                [
                    (n.number, n.source.title, n.source.document_symbol, n.source.url, n.pinpoint)
                    for n in revision.footnotes.all()
                ],
            ]
        )
    users = sorted(User.objects.values_list("username", "is_superuser"))
    return {"revisions": rows, "users": users, "regions": list(Region.objects.values_list("name"))}


@pytest.fixture
def demo_data(db):
    seed()
    run_jobs()  # the correction, queued as any publication is
    return Region.objects.get(is_demo=True)


def demo_editions(region):
    return list(Outlook.objects.filter(region=region).order_by("period"))


# --- What it holds ---------------------------------------------------------------------


def test_the_demo_region_has_five_editions_of_about_twelve_countries_and_a_draft(demo_data):
    editions = demo_editions(demo_data)
    assert [e.state for e in editions] == ["published"] * 5 + ["draft"]
    assert demo_data.name == "Demo Asia Pacific" and demo_data.is_demo
    countries = [
        set(edition.assessments.values_list("country__code", flat=True)) for edition in editions
    ]
    assert [len(c) for c in countries[:5]] == [12, 12, 13, 12, 12]
    # One country dropped, one added.
    assert "NP" in countries[2] and "NP" not in countries[3]
    assert "PG" not in countries[1] and "PG" in countries[2]
    # Levels rise and fall: of a country published in every edition, in order.
    levels = [
        Revision.objects.live()
        .get(assessment__outlook=edition, assessment__country__code="AF")
        .risk_level.rank
        for edition in editions[:5]
    ]
    assert levels[1] > levels[2] and levels[4] > levels[3]


def test_the_real_sample_stays_as_it_was_printed(demo_data):
    sample = Outlook.objects.get(slug=demo.SAMPLE_SLUG)
    assert not sample.region.is_demo
    entry = Revision.objects.live().with_content().get(assessment__outlook=sample)
    assert entry.assessment.country.code.code == "KP"
    assert (entry.risk_level.name, entry.risk_status.name) == ("Very high", "Ongoing")
    assert not any(f.text.startswith("Demo text:") for f in entry.findings.all())


def test_every_demo_paragraph_says_it_is_demo_text(demo_data):
    revisions = Revision.objects.with_content().filter(assessment__outlook__region=demo_data)
    assert revisions.count() > 60
    for revision in revisions:
        for finding in revision.findings.all():
            assert finding.text.startswith("Demo text:"), finding.text
        for recommendation in revision.recommendations.all():
            assert recommendation.text.startswith("Demo text:"), recommendation.text
        for footnote in revision.footnotes.all():
            assert footnote.source.title.startswith("Demo source"), footnote.source.title
            # Made-up sources: session 99, year 2099, example.org.
            assert footnote.source.url.startswith("https://www.example.org/demo/") or (
                footnote.source.document_symbol.startswith(("A/HRC/99/", "S/2099/"))
            ), footnote.source
        if revision.rationale:
            assert revision.rationale.startswith("Demo text:")


def test_recommendations_are_repeated_revised_dropped_and_added(demo_data):
    editions = demo_editions(demo_data)[:5]
    texts = [
        set(
            Revision.objects.live()
            .get(assessment__outlook=edition, assessment__country__code="MM")
            .recommendations.values_list("text", flat=True)
        )
        for edition in editions
    ]
    assert texts[0] & texts[4]  # repeated throughout
    assert texts[1] - texts[2] and texts[2] - texts[1]  # revised, dropped
    assert texts[3] - texts[2]  # new


def test_the_importer_links_the_demo_s_recommendations_and_leaves_rewordings_to_confirm(
    demo_data,
):
    editions = demo_editions(demo_data)[:5]

    def made(edition, code):
        steps = TrackedStep.objects.filter(
            outlook=edition, tracked__country__code=code, recommendation__isnull=False
        )
        return {
            text[11:40]: status
            for text, status in steps.values_list("recommendation__text", "status")
        }

    third = made(editions[2], "MM")
    assert third["allow independent observers t"] == TrackedStatus.REPEATED
    assert third["release everyone held for tak"] == TrackedStatus.REVISED
    dropped = TrackedStep.objects.get(
        outlook=editions[2], tracked__country__code="MM", status=TrackedStatus.DROPPED
    )
    assert dropped.tracked.text.startswith("Demo text: publish the findings")
    assert dropped.reason == TrackedReason.NOT_RECORDED
    assert made(editions[3], "MM")["adopt a national plan to prev"] == TrackedStatus.NEW
    # The corrected entry keeps its links.
    assert set(made(editions[3], "LK").values()) == {TrackedStatus.REPEATED, TrackedStatus.NEW}
    # The Security Council's, reworded in the fifth edition, waits for an analyst.
    waiting = LineageMatch.objects.filter(decision=LineageMatch.Decision.TO_CONFIRM)
    assert waiting.count() >= 3
    assert {m.recommendation.revision.assessment.outlook for m in waiting} == {editions[4]}
    assert all("open briefing" in m.recommendation.text for m in waiting)


def test_the_correction_is_published_with_its_note(demo_data):
    code, period = demo.CORRECTED
    entry = Outlook.objects.get(region=demo_data, period=period).assessments.get(country__code=code)
    live = entry.published_revision
    assert live.number == 2 and live.correction_note == demo.CORRECTION_NOTE
    assert entry.revisions.get(number=1).state == Revision.State.PUBLISHED


def test_the_correction_is_mailed_to_the_demo_readers_who_follow_it(demo_data):
    from django.core import mail

    from assessments.models import Announcement, Delivery

    announcement = Announcement.objects.get(kind="correction", outlook__region=demo_data)
    sent = announcement.deliveries.filter(state=Delivery.State.SENT)
    # The region's follower and Sri Lanka's; not the one who follows Myanmar and Afghanistan.
    assert sorted(sent.values_list("subscription__email", flat=True)) == [
        "demo-reader-1@example.org",
        "demo-reader-3@example.org",
    ]
    [message] = [m for m in mail.outbox if m.to == ["demo-reader-3@example.org"]]
    assert message.body.startswith("DEMO DATA")
    assert "Correction note: Demo text:" in message.body


def test_the_draft_edition_holds_every_workflow_state_for_the_demo_accounts(demo_data):
    draft = demo_editions(demo_data)[-1]
    revisions = Revision.objects.filter(assessment__outlook=draft).select_related(
        "assessment__country"
    )
    states = {r.assessment.country.code.code: r.state for r in revisions}
    assert states["MM"] == states["AF"] == Revision.State.DRAFT
    assert states["PH"] == Revision.State.SUBMITTED
    assert states["IN"] == Revision.State.CHANGES_REQUESTED
    assert states["CN"] == Revision.State.APPROVED
    contributors = {
        r.assessment.country.code.code: set(r.contributors.values_list("username", flat=True))
        for r in revisions.filter(assessment__country__code__in=["MM", "AF"])
    }
    assert "analyst" in contributors["MM"] and "analyst2" in contributors["AF"]


def test_every_demo_entry_passes_the_editorial_checks(demo_data):
    revisions = Revision.objects.filter(assessment__outlook__region=demo_data)
    for revision in revisions.select_related("assessment__outlook", "assessment__country"):
        results = checks.check_revision(revision)
        assert not results, (revision.assessment.country, revision.state, results)


# --- Loading it -----------------------------------------------------------------------


def test_seed_demo_twice_gives_the_same_data(db):
    seed()
    first = snapshot()
    again = seed()
    assert snapshot() == first
    assert "Published the demo edition" not in again and "Demo accounts" in again
    for role in ("analyst", "reviewer", "editor"):
        user = User.objects.get(username=role)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password(f"{role}-demo-pass")


def test_seed_demo_refuses_to_run_with_debug_off(db):
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("seed_demo", stdout=StringIO())
    assert not Outlook.objects.exists() and not User.objects.exists()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=StringIO())
    assert Region.objects.filter(is_demo=True).exists()


def test_reset_is_refused_on_postgresql_and_changes_nothing(demo_data):
    before = snapshot()
    with pytest.raises(CommandError, match="PostgreSQL's guard of the published record"):
        seed("--reset")
    assert snapshot() == before


def sqlite_manage(database, *args):
    return manage(
        *args, url=f"sqlite:///{database}", media_root=database.parent, extra={"DEBUG": "1"}
    )


SNAPSHOT = (
    "import json; from tests.test_demo import snapshot; print(json.dumps(snapshot(), default=str))"
)


def sqlite_snapshot(database):
    return json.loads(sqlite_manage(database, "shell", "--no-imports", "-c", SNAPSHOT).stdout)


def test_on_sqlite_the_demo_loads_in_under_10_seconds_and_reset_rebuilds_it(tmp_path):
    database = tmp_path / "demo.sqlite3"
    sqlite_manage(database, "migrate", "--noinput")
    start = time.perf_counter()
    loaded = sqlite_manage(database, "seed_demo")
    seconds = time.perf_counter() - start
    assert seconds < 10, f"seed_demo took {seconds:.1f} s on SQLite"
    assert "Published the demo edition" in loaded.stdout
    first = sqlite_snapshot(database)
    # The worker publishes the queued correction and mails its followers: reset removes
    # that mail's record with the editions.
    sqlite_manage(database, "worker", "--batch", "--queue-name=*", "--no-startup-delay")
    reset = sqlite_manage(database, "seed_demo", "--reset")
    assert "Removed 6 demo editions." in reset.stdout
    assert sqlite_snapshot(database) == first


# --- Marked wherever it shows -----------------------------------------------------------


def test_every_public_page_carries_the_demo_banner(client, demo_data):
    edition = demo_editions(demo_data)[4]
    index = SearchEntry.objects.filter(kind="recommendation", region=demo_data).first()
    pages = [
        "/",
        "/outlooks/",
        edition.get_absolute_url(),
        "/countries/",
        "/countries/mm/",
        f"/recommendations/{index.addressee.slug}/",
        "/recommendations/",
        "/search/?q=observers",
        "/data/",
        # The real sample's pages too: the site as a whole holds demo data.
        f"/outlooks/{demo.SAMPLE_SLUG}/",
        "/countries/kp/",
        "/no-such-page/",
    ]
    for url in pages:
        response = client.get(url)
        assert BANNER in response.content.decode(), url


def test_the_feed_titles_say_demo_data(client, demo_data):
    feed = client.get("/feed/").content.decode()
    titles = [line for line in feed.split("<title>")[2:]]
    demo_titles = [t for t in titles if "Demo Asia Pacific" in t]
    assert len(demo_titles) == 6  # five editions and the correction
    assert all(t.startswith("Demo data: ") for t in demo_titles)
    assert any(t.startswith("Asia Pacific Regional Outlook November 2023") for t in titles)


def test_the_open_data_says_demo(client, demo_data):
    edition = demo_editions(demo_data)[0]
    assert json.loads(b"".join(client.get(f"/outlooks/{edition.slug}.json").streaming_content))[
        "demo"
    ]
    sample = b"".join(client.get(f"/outlooks/{demo.SAMPLE_SLUG}.json").streaming_content)
    assert "demo" not in json.loads(sample)
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/data/ratings.csv").streaming_content).decode())
        )
    )
    assert {row["demo"] for row in rows if row["region"] == "Demo Asia Pacific"} == {"yes"}
    assert {row["demo"] for row in rows if row["region"] == "Asia Pacific"} == {""}


def pdf_pages_text(data, tmp_path):
    path = tmp_path / "demo.pdf"
    path.write_bytes(data)
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(path)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def test_every_page_of_a_demo_pdf_says_demo_data_and_the_sample_s_none(client, demo_data, tmp_path):
    edition = demo_editions(demo_data)[4]
    response = client.get(f"/outlooks/{edition.slug}.pdf")
    pages = pdf_pages_text(b"".join(response.streaming_content), tmp_path)
    assert len(pages) > 5
    for number, text in enumerate(pages, 1):
        assert "Demo data: fictional, not an assessment" in text, number
    sample = client.get(f"/outlooks/{demo.SAMPLE_SLUG}.pdf")
    assert not any(
        "Demo data" in text for text in pdf_pages_text(b"".join(sample.streaming_content), tmp_path)
    )
