import csv
import gzip
import json
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Q
from django.http import JsonResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from assessments import stored_exports, workflow
from assessments.exporting import to_json, to_markdown, to_public_json
from assessments.importing import import_file
from assessments.models import Outlook, Revision, StoredExport
from tests.builders import import_json, publish_correction, publish_entry
from tests.test_workflow import approve_all, approved_correction
from tests.worker import run_jobs

Kind = StoredExport.Kind

pytestmark = pytest.mark.django_db


def export(slug, fmt):
    out = StringIO()
    call_command("export_outlook", slug, "--format", fmt, stdout=out)
    return out.getvalue()


def edition(entry, **fields):
    """The Asia Pacific edition of May 2024 in the interchange format, with one entry."""
    return {
        "region": "Asia Pacific",
        "title": "Asia Pacific Regional Outlook",
        "period": "2024-05",
        **fields,
        "assessments": [entry],
    }


def test_export_json_matches_the_interchange_format(published_sample):
    data = json.loads(export("asia-pacific-2023-11", "json"))
    assert data["region"] == "Asia Pacific"
    assert data["title"] == "Asia Pacific Regional Outlook"
    assert data["period"] == "2023-11"
    (entry,) = data["assessments"]
    assert entry["country"] == "KP"
    assert entry["short_name"] == "DPRK"
    assert entry["risk"] == {"level": "Very high", "status": "Ongoing"}
    assert len(entry["findings"]) == 4
    assert [len(group["items"]) for group in entry["recommendations"]] == [2, 3, 2, 2]
    assert entry["footnotes"][2]["url"] == "https://undocs.org/A/C.3/74/L.26"
    assert entry["footnotes"][0]["url"] is None


def test_json_export_then_import_gives_identical_content(sample_path, tmp_path):
    outlook = import_file(sample_path).outlook
    exported = to_json(outlook)
    # A draft edition may be deleted; import the export into an empty database.
    outlook.delete()
    assert not Outlook.objects.exists()

    again = import_json(tmp_path, exported).outlook
    assert to_json(again) == exported


def test_json_round_trip_keeps_rationale_introduction_and_citations(tmp_path):
    data = edition(
        {
            "country": "MM",
            "short_name": "Myanmar",
            "risk": {"level": "Very high", "status": "Imminent", "rationale": "Air strikes."},
            "findings": ["Air strikes continue.[^1] Villages burn.[^2]"],
            "recommendations": [{"addressee": "UN Member States", "items": ["Act now."]}],
            "footnotes": [
                {"number": 1, "text": "A report, A/HRC/55/1", "url": None},
                {"number": 2, "text": "", "url": "https://example.org/villages"},
            ],
        },
        introduction="This edition covers *two* countries.",
    )
    outlook = import_json(tmp_path, data, publish=True).outlook
    assert to_json(outlook) == data


def test_markdown_export_reads_like_the_sample(published_sample, sample_path):
    markdown = export("asia-pacific-2023-11", "markdown")
    sample_lines = [line for line in sample_path.read_text().splitlines() if line.strip()]
    exported_lines = [line for line in markdown.splitlines() if line.strip()]
    # What differs from the sample is what the import corrected: the running header
    # repeated by the page break is gone, the country has its official name, and the
    # addressee has no Markdown emphasis.
    expected = [
        line.replace("Democratic Peoples' Republic", "Democratic People's Republic").replace(
            "**", ""
        )
        for index, line in enumerate(sample_lines)
        if not (index > 0 and line == sample_lines[0])
    ]
    assert exported_lines == expected


def test_markdown_export_imports_back_to_the_same_content(published_sample, tmp_path):
    path = tmp_path / "export.md"
    path.write_text(to_markdown(published_sample), encoding="utf-8")
    before = to_json(published_sample)
    outlook = import_file(path, publish=True, replace=True).outlook
    assert outlook.assessments.get().published_revision.number == 2
    assert to_json(outlook) == before


def test_markdown_export_turns_footnote_calls_into_superscripts(tmp_path):
    data = edition(
        {
            "country": "KP",
            "risk": {"level": "High", "status": "Ongoing"},
            "findings": ["Grave.[^1]"],
            "footnotes": [{"number": 1, "text": "A/HRC/55/63", "url": None}],
        }
    )
    markdown = to_markdown(import_json(tmp_path, data).outlook)
    assert "Grave.¹" in markdown
    assert "¹ A/HRC/55/63" in markdown


def test_export_of_an_unknown_slug_is_a_clear_error(db):
    with pytest.raises(CommandError, match='No outlook with the slug "nope"'):
        export("nope", "json")


def markdown_round_trip(tmp_path, findings, citations, **fields):
    """Import a DPRK entry of `findings`, footnotes citing `citations` and other `fields`,
    export the edition as Markdown, import that back over it: the JSON export before and
    after."""
    entry = {
        "country": "KP",
        "short_name": "DPRK",
        "risk": {"level": "High", "status": "Ongoing"},
        "findings": findings,
        "footnotes": [
            {"number": number, "text": text, "url": None}
            for number, text in enumerate(citations, 1)
        ],
        **fields,
    }
    outlook = import_json(tmp_path, edition(entry)).outlook
    before = to_json(outlook)
    path = tmp_path / "export.md"
    path.write_text(to_markdown(outlook), encoding="utf-8")
    again = import_file(path, replace=True).outlook
    return before, to_json(again)


def test_a_footnote_call_after_a_space_survives_the_markdown_round_trip(tmp_path):
    """The export wrote "severe ¹limitations", which the import did not read as a call."""
    finding = "There are severe [^1]limitations on movement."
    before, after = markdown_round_trip(tmp_path, [finding], ["A/HRC/55/63"])
    assert after == before
    assert after["assessments"][0]["findings"] == [finding]


def test_footnote_calls_in_recommendations_survive_the_markdown_round_trip(tmp_path):
    """The export wrote "- Act now.²", which the import kept as a superscript."""
    group = {"addressee": "UN Member States", "items": ["Act now.[^2]"]}
    before, after = markdown_round_trip(
        tmp_path, ["Grave.[^1]"], ["A/HRC/55/63", "A/78/1"], recommendations=[group]
    )
    assert after == before
    assert after["assessments"][0]["recommendations"] == [group]


# --- Stored exports: the edition's JSON and the ratings CSV, stored at publication -------


class _Echo:
    def write(self, value):
        return value


def old_json_response(outlook):
    """The edition's JSON as the site built it on every request before it was stored."""
    response = JsonResponse(
        to_public_json(outlook), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    return response.content


RATINGS_CSV_HEADER = [
    "country",
    "country_name",
    "region",
    "edition",
    "period",
    "level",
    "level_rank",
    "status",
    "published_on",
    "demo",
    "revision",
    "url",
]


def expected_ratings_csv():
    """The ratings CSV built here, row by row from the live revisions: what the site must
    serve (as it built it on every request before it was stored, with the revision and
    its page since)."""
    revisions = (
        Revision.objects.live()
        .select_related(
            "assessment__country", "assessment__outlook__region", "risk_level", "risk_status"
        )
        .order_by(
            "-assessment__outlook__period",
            "assessment__outlook__region__name",
            "assessment__position",
        )
    )
    writer = csv.writer(_Echo())
    lines = [writer.writerow(RATINGS_CSV_HEADER)]
    for revision in revisions:
        outlook = revision.assessment.outlook
        country = revision.assessment.country
        lines.append(
            writer.writerow(
                [
                    country.code,
                    country.official_name,
                    outlook.region.name,
                    outlook.slug,
                    f"{outlook.period:%Y-%m}",
                    revision.risk_level.name,
                    revision.risk_level.rank,
                    revision.risk_status.name,
                    outlook.published_on.isoformat() if outlook.published_on else "",
                    "yes" if outlook.region.is_demo else "",
                    revision.number,
                    settings.SITE_URL + revision.get_absolute_url(),
                ]
            )
        )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    return b"".join(response.streaming_content)


def served(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def stored(kind, outlook=None):
    """The stored exports of the kind, newest first."""
    return list(StoredExport.objects.filter(kind=kind, outlook=outlook))


def read(record):
    return stored_exports.read_export(record)


def test_the_exports_are_sent_compressed_to_readers_who_accept_it(client, db):
    outlook = publish_entry("KP")
    for url in ("/data/ratings.csv", f"/outlooks/{outlook.slug}.json"):
        plain = client.get(url, headers={"accept-encoding": "identity"})
        assert "Content-Encoding" not in plain, url
        plain_body = b"".join(plain.streaming_content)
        response = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
        assert response["Content-Encoding"] == "gzip", url
        # A shared cache keeps both codings apart, and the download keeps its name.
        assert response["Vary"] == "Accept-Encoding"
        assert response["Content-Disposition"] == plain["Content-Disposition"]
        assert response["Content-Type"] == plain["Content-Type"]
        body = b"".join(response.streaming_content)
        assert gzip.decompress(body) == plain_body and len(body) < len(plain_body), url
        assert int(response["Content-Length"]) == len(body)


def test_publication_stores_the_editions_json_and_the_ratings_csv(
    client, edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    approve_all(edition, alice, bob)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(edition, user=erin)
        run_jobs()
    edition.refresh_from_db()  # published: its publication date is in the JSON
    [json_export] = stored(Kind.EDITION_JSON, edition)
    [csv_export] = stored(Kind.RATINGS_CSV)  # the sample's, superseded, is deleted
    assert (
        json_export.file.name == f"exports/{edition.slug}/{edition.slug}-{json_export.pk}.json.gz"
    )
    assert csv_export.file.name == f"exports/ratings/outlook-ratings-{csv_export.pk}.csv.gz"
    # Byte for byte what the site built on each request before.
    assert read(json_export) == old_json_response(edition)
    assert read(csv_export) == expected_ratings_csv()
    assert b"2024-05" in read(csv_export) and b"2023-11" in read(csv_export)
    with CaptureQueriesContext(connection) as queries:
        assert served(client, f"/outlooks/{edition.slug}.json") == old_json_response(edition)
        assert served(client, "/data/ratings.csv") == expected_ratings_csv()
    # Served from storage: no generating, no storing.
    assert not any("INSERT" in query["sql"] for query in queries.captured_queries)
    # The sample's JSON, this edition's JSON and preview image (assessments.preview), the CSV.
    assert StoredExport.objects.count() == 4


def test_a_correction_stores_its_editions_json_and_the_csv_again(
    client, edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        correction = approved_correction(edition, editor=erin, analyst=alice, reviewer=bob)
    [before] = stored(Kind.EDITION_JSON, edition)
    [csv_before] = stored(Kind.RATINGS_CSV)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish_correction(correction, user=erin)
        run_jobs()
    [after] = stored(Kind.EDITION_JSON, edition)
    [csv_after] = stored(Kind.RATINGS_CSV)
    assert after.pk > before.pk and csv_after.pk > csv_before.pk
    # The superseded files are deleted with their rows.
    assert not before.file.storage.exists(before.file.name)
    assert not csv_before.file.storage.exists(csv_before.file.name)
    # The correction's content and its note; the CSV keeps the edition's publication
    # date, which a correction does not change, and names the corrected version.
    corrected = Revision.objects.get(pk=correction.pk)
    edition.refresh_from_db()
    [entry] = [e for e in json.loads(read(after))["assessments"] if e["revision"] > 1]
    assert entry["corrections"][-1]["note"] == corrected.correction_note
    assert f"/v{corrected.number}/".encode() in read(csv_after)
    assert f",{edition.published_on.isoformat()},".encode() in read(csv_after)
    assert corrected.published_at.isoformat().encode() not in read(csv_after)
    assert read(after) == old_json_response(edition)
    assert read(csv_after) == expected_ratings_csv()
    assert served(client, f"/outlooks/{edition.slug}.json") == read(after)
    assert served(client, "/data/ratings.csv") == read(csv_after)


def test_the_json_reflects_a_corrected_text(client, published_sample, tmp_path):
    # An archive import replacing an entry is a correction too: the JSON follows it.
    data = to_json(published_sample)
    data["assessments"][0]["findings"][0] = "A corrected first finding."
    import_json(tmp_path, data, publish=True, replace=True)
    body = json.loads(served(client, f"/outlooks/{published_sample.slug}.json"))
    assert body["assessments"][0]["findings"][0] == "A corrected first finding."


def test_no_final_file_before_the_commit(
    edition, erin, alice, bob, django_capture_on_commit_callbacks
):
    approve_all(edition, alice, bob)
    storage = StoredExport._meta.get_field("file").storage
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.publish(edition, user=erin)
        run_jobs()
    # The commit has not happened (the hooks have not run): the files are pending only.
    exports = StoredExport.objects.filter(Q(outlook=edition) | Q(outlook=None))
    exports = list(exports.order_by("-pk")[:3])
    assert [e.kind for e in exports] == [Kind.RATINGS_CSV, Kind.EDITION_PREVIEW, Kind.EDITION_JSON]
    for export in exports:
        assert export.file.name.startswith("pending/")
        assert storage.exists(export.file.name)
        assert not storage.exists(stored_exports.final_name(export))
    # The commit: the hooks run (and the ones they add, deleting the pending copies).
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    for export in exports:
        pending = export.file.name
        export.refresh_from_db()
        assert export.file.name == stored_exports.final_name(export)
        assert storage.exists(export.file.name) and not storage.exists(pending)


def test_the_first_request_stores_a_missing_export(client, db):
    # Published before exports were stored at publication: none is there.
    outlook = publish_entry("KP")
    StoredExport.objects.all().delete()
    assert served(client, f"/outlooks/{outlook.slug}.json") == old_json_response(outlook)
    assert served(client, "/data/ratings.csv") == expected_ratings_csv()
    assert len(stored(Kind.EDITION_JSON, outlook)) == 1
    assert len(stored(Kind.RATINGS_CSV)) == 1
    # The second request serves what the first stored.
    assert served(client, "/data/ratings.csv") == expected_ratings_csv()
    assert StoredExport.objects.count() == 2


def test_an_export_older_than_a_publication_is_stored_again(client, db):
    outlook = publish_entry("KP")
    served(client, "/data/ratings.csv")
    served(client, f"/outlooks/{outlook.slug}.json")
    # A publication that did not go through the publication step (written directly).
    publish_correction(outlook.assessments.get(), note="Fixed.", findings=("New text.",))
    later = publish_entry("MM", period=date(2024, 6, 1))
    body = served(client, "/data/ratings.csv")
    assert body == expected_ratings_csv() and later.slug.encode() in body
    assert b"New text." in served(client, f"/outlooks/{outlook.slug}.json")


def test_a_lost_export_file_is_stored_again(client, published_sample):
    [export] = stored(Kind.RATINGS_CSV)
    export.file.storage.delete(export.file.name)
    assert served(client, "/data/ratings.csv") == expected_ratings_csv()
    [again] = stored(Kind.RATINGS_CSV)[:1]
    assert again.pk != export.pk


CACHE_CONTROL = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"


def test_exports_are_served_with_the_headers_they_had(client, published_sample):
    slug = published_sample.slug
    response = client.get(f"/outlooks/{slug}.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'inline; filename="{slug}.json"'
    # Kept as long as any public page, and revalidated by the publication generation
    # (assessments.caching): the next publication changes them.
    assert response["Cache-Control"] == CACHE_CONTROL
    assert int(response["Content-Length"]) == len(old_json_response(published_sample))
    response = client.get("/data/ratings.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="outlook-ratings.csv"'
    assert response["Cache-Control"] == CACHE_CONTROL


def test_store_exports_command_stores_every_export_again(
    client, published_sample, django_capture_on_commit_callbacks
):
    other = publish_entry("MM", period=date(2024, 6, 1))
    before = set(StoredExport.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("store_exports", stdout=StringIO())
    exports = StoredExport.objects.all()
    assert not before & {export.pk for export in exports}
    assert sorted((e.kind, e.outlook_id) for e in exports) == sorted(
        [
            (Kind.EDITION_JSON, published_sample.pk),
            (Kind.EDITION_PREVIEW, published_sample.pk),
            (Kind.EDITION_JSON, other.pk),
            (Kind.EDITION_PREVIEW, other.pk),
            (Kind.RATINGS_CSV, None),
        ]
    )
    assert all(export.file.name.startswith("exports/") for export in exports)
    assert served(client, "/data/ratings.csv") == expected_ratings_csv()


def test_generating_the_csv_takes_a_fixed_number_of_queries(db, django_assert_num_queries):
    publish_entry("KP")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        stored_exports.regenerate(Kind.RATINGS_CSV)
    for month in range(1, 7):
        publish_entry("MM", period=date(2022, month, 1))
    with django_assert_num_queries(len(queries)), transaction.atomic():
        stored_exports.regenerate(Kind.RATINGS_CSV)


def test_store_exports_makes_readers_fetch_the_files_again(client, published_sample, settings):
    """After a change of what the files carry besides the record (the licence, the site's
    address), `store_exports` writes them again: a reader's copy is stale then."""
    url = f"/outlooks/{published_sample.slug}.json"
    first = client.get(url)
    served_before = b"".join(first.streaming_content)
    settings.OUTLOOK_DATA_LICENCE = {"name": "ODbL 1.0", "url": "https://example.org/odbl"}
    call_command("store_exports", stdout=StringIO())
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    body = json.loads(b"".join(again.streaming_content))
    assert body["licence"]["name"] == "ODbL 1.0" != json.loads(served_before)["licence"]["name"]
