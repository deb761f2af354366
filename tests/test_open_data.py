"""The open data (/data/): what an edition's JSON, the ratings CSV and the index of the
editions carry, the data dictionary that documents them, and who may read them."""

import codecs
import csv
import io
import json
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from assessments.exporting import to_json, to_public_json
from assessments.importing import ImportFileError
from assessments.importing.schema import OUTLOOK_SCHEMA
from assessments.models import (
    Country,
    Region,
    Revision,
    RiskLevel,
    RiskStatus,
    TrackedRecommendation,
)
from assessments.open_data import (
    INDEX_SCHEMA,
    csv_fields,
    editions_index,
    json_fields,
    tracker_fields,
)
from tests.builders import (
    add_assessment,
    import_json,
    make_outlook,
    publish_correction,
    publish_history,
)
from tests.html import parse

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def corrected_edition(**fields):
    """A published, dated edition of two entries, the first corrected once."""
    outlook = make_outlook(published=True, published_on=date(2024, 5, 15), **fields)
    first = add_assessment(outlook, "KP", state="published", risk="Very high")
    add_assessment(outlook, "MM", state="published", footnotes=[("", "https://example.org/r")])
    correction = publish_correction(first, note="Corrected a date.", risk="High")
    return outlook, Revision.objects.get(pk=correction.pk)


# --- An edition's JSON -------------------------------------------------------------------


def test_an_editions_json_says_what_and_where_the_edition_and_its_entries_are(settings):
    outlook, correction = corrected_edition()
    data = to_public_json(outlook)
    site = settings.SITE_URL
    assert data["slug"] == outlook.slug
    assert data["url"] == f"{site}/outlooks/{outlook.slug}/"
    assert data["published_on"] == "2024-05-15"
    assert data["licence"] == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    corrected, plain = data["assessments"]
    assert corrected["revision"] == correction.number == 2
    assert corrected["url"] == f"{site}/outlooks/{outlook.slug}/kp/v2/"
    assert corrected["risk"] == {"level": "High", "level_rank": 4, "status": "Ongoing"}
    assert corrected["corrections"] == [
        {
            "revision": 2,
            "published_on": correction.published_on.isoformat(),
            "note": "Corrected a date.",
            "url": f"{site}/outlooks/{outlook.slug}/kp/v2/",
        }
    ]
    assert plain["revision"] == 1 and plain["corrections"] == []
    assert plain["url"] == f"{site}/outlooks/{outlook.slug}/mm/v1/"


def test_an_undated_archive_says_so_in_its_json():
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", state="published")
    data = to_public_json(outlook)
    assert data["published_on"] is None
    assert data["introduction"] == ""  # there, empty, as every field that may be


def test_the_licence_is_a_setting_shown_on_the_open_data_page(client, settings):
    settings.OUTLOOK_DATA_LICENCE = {"name": "ODbL 1.0", "url": "https://example.org/odbl"}
    outlook, _ = corrected_edition()
    assert to_public_json(outlook)["licence"] == settings.OUTLOOK_DATA_LICENCE
    for url in ("/data/", "/data/dictionary/"):
        link = parse(client.get(url).content).find("a", rel="license")
        assert (link.attrs["href"], link.words()) == ("https://example.org/odbl", "ODbL 1.0")
    assert json.loads(client.get("/data/editions.json").content)["licence"] == (
        settings.OUTLOOK_DATA_LICENCE
    )


def test_an_editions_json_imports_as_it_is(client, tmp_path):
    outlook, _ = corrected_edition()
    before = to_json(outlook)
    downloaded = json.loads(body(client.get(f"/outlooks/{outlook.slug}.json")))
    Draft202012Validator(OUTLOOK_SCHEMA).validate(downloaded)
    again = import_json(tmp_path, downloaded, publish=True, replace=True).outlook
    assert again.pk == outlook.pk
    assert to_json(again) == before


def test_an_import_checks_the_type_of_the_open_datas_own_fields(tmp_path):
    outlook, _ = corrected_edition()
    data = to_public_json(outlook)
    data["assessments"][0]["revision"] = "two"
    with pytest.raises(ImportFileError, match=r"assessments\[0\]\.revision: expected an integer"):
        import_json(tmp_path, data)


def test_an_editions_json_gives_each_recommendation_its_place_in_the_tracker(settings):
    kept, revised = publish_history(2, kept=1)
    outlook = TrackedRecommendation.objects.get(lineage=kept).last_outlook
    entry = to_public_json(outlook)["assessments"][0]
    tracked = [item for group in entry["recommendations"] for item in group["tracked"]]
    items = [text for group in entry["recommendations"] for text in group["items"]]
    assert [(item["lineage"], item["status"]) for item in tracked[:2]] == [
        (str(kept), "repeated"),
        (str(revised), "revised"),
    ]
    assert tracked[2]["status"] == "new" and items[2] == "Added in edition 1."
    assert tracked[0]["url"] == f"{settings.SITE_URL}/recommendations/{kept}/"
    assert tracked[0]["implementation"] is None
    [dropped] = entry["dropped"]
    gone = TrackedRecommendation.objects.get(text="Added in edition 0.")
    assert dropped == {
        "lineage": str(gone.lineage),
        "addressee": "UN Member States",
        "text": "Added in edition 0.",
        "reason": "not_recorded",
        "note": None,
        "superseded_by": None,
        "url": f"{settings.SITE_URL}/recommendations/{gone.lineage}/",
    }


def test_a_correction_of_an_earlier_edition_reaches_the_later_editions_stored_json(client):
    kept, _ = publish_history(2, kept=1)
    tracked = TrackedRecommendation.objects.get(lineage=kept)
    first, later = tracked.first_outlook, tracked.last_outlook

    def statuses():
        entry = json.loads(body(client.get(f"/outlooks/{later.slug}.json")))["assessments"][0]
        return {
            item["lineage"]: item["status"]
            for group in entry["recommendations"]
            for item in group["tracked"]
        }

    assert statuses()[str(kept)] == "repeated"
    entry = first.assessments.get()
    rows = entry.published_revision.recommendations.select_related("addressee")
    publish_correction(
        entry,
        note="Corrected the first recommendation.",
        recommendations=[
            (
                row.addressee.name,
                "Keep recommending it, reworded." if index == 0 else row.text,
                row.lineage,
            )
            for index, row in enumerate(rows)
        ],
    )
    # The later edition's text is unchanged; against the corrected one, it now reads as
    # a revision of it.
    assert statuses()[str(kept)] == "revised"


def test_an_editions_json_with_the_tracker_still_imports_as_it_is(client, tmp_path):
    kept, _ = publish_history(2, kept=1)
    outlook = TrackedRecommendation.objects.get(lineage=kept).last_outlook
    before = to_json(outlook)
    downloaded = json.loads(body(client.get(f"/outlooks/{outlook.slug}.json")))
    assert downloaded["assessments"][0]["dropped"]
    Draft202012Validator(OUTLOOK_SCHEMA).validate(downloaded)
    again = import_json(tmp_path, downloaded, publish=True, replace=True).outlook
    assert again.pk == outlook.pk
    assert to_json(again) == before


# --- The data dictionary: every field, and only those -------------------------------------


def paths(data, prefix=""):
    """The key paths of a JSON value, as the dictionary names them (`assessments[].url`)."""
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found.add(prefix + key)
            found |= paths(value, f"{prefix}{key}.")
    elif isinstance(data, list):
        for item in data:
            found |= paths(item, prefix[:-1] + "[].")
    return found


def demo_edition():
    """A published edition of the demo region, with a correction, an introduction, a
    footnote with an address, recommendations and one of the edition before dropped:
    every field the JSON can hold."""
    Region.objects.update_or_create(name="Asia Pacific", defaults={"is_demo": True})
    earlier = make_outlook(period=date(2023, 11, 1), published=True)
    add_assessment(earlier, "KP", state="published")
    outlook, _ = corrected_edition(introduction="An *introduction*.")
    assert to_public_json(outlook)["assessments"][0]["dropped"]
    return outlook


def test_every_field_of_an_editions_json_is_in_the_dictionary_and_back():
    data = to_public_json(demo_edition())
    assert paths(data) == {field.name for field in json_fields(OUTLOOK_SCHEMA)}
    # The interchange's own field, for re-import: documented, not in the open data.
    assert "assessments[].risk.rationale" not in paths(data)
    assert "assessments[].risk.rationale" in {
        field.name for field in json_fields(OUTLOOK_SCHEMA, open_data=False)
    }


def test_every_field_of_the_index_is_in_the_dictionary_and_back():
    demo_edition()
    data = editions_index()
    Draft202012Validator(INDEX_SCHEMA).validate(data)
    assert paths(data) == {field.name for field in json_fields(INDEX_SCHEMA)}


def test_every_column_of_the_csv_is_in_the_dictionary_and_back(client):
    demo_edition()
    header = next(csv.reader(io.StringIO(body(client.get("/data/ratings.csv")).decode())))
    assert header == [field.name for field in csv_fields()]


def test_every_column_of_the_tracker_csv_and_json_is_in_the_dictionary(client):
    publish_history(2)
    names = [field.name for field in tracker_fields()]
    header = next(csv.reader(io.StringIO(body(client.get("/data/recommendations.csv")).decode())))
    assert header == names
    rows = json.loads(body(client.get("/data/recommendations.json")))["recommendations"]
    assert rows and all(list(row) == names for row in rows)


def test_the_dictionary_page_documents_every_field(client):
    page = parse(client.get("/data/dictionary/").content)
    tables = {
        table.find("caption").words(): [
            [cell.words() for cell in row.children if not isinstance(cell, str)]
            for row in table.find("tbody").find_all("tr")
        ]
        for table in page.find_all("table")
    }
    documented = {
        "Columns of the ratings CSV": csv_fields(),
        "Fields of an edition's JSON": json_fields(OUTLOOK_SCHEMA),
        "Columns of the tracker's CSV, fields of its JSON": tracker_fields(),
        "Fields of the index of the editions": json_fields(INDEX_SCHEMA),
    }
    # A meaning's `names` are shown as code, without their backticks.
    assert tables == {
        caption: [[f.name, f.type, f.meaning.replace("`", ""), f.example] for f in fields]
        for caption, fields in documented.items()
    }
    country = page.find("tr", id="csv-country").find_all("td")[1]
    assert [code.words() for code in country.find_all("code")] == ["country"]
    for fields in documented.values():
        for field in fields:
            assert field.meaning and field.type, field
            # An object or a list has its fields below; anything else an example.
            assert field.example or field.type.startswith(("object", "list")), field


# --- The ratings CSV -------------------------------------------------------------------------


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_the_csv_carries_the_ids_of_the_json(client):
    outlook, _ = corrected_edition()
    data = to_public_json(outlook)
    rows = csv_rows(body(client.get("/data/ratings.csv")))
    assert [(r["edition"], r["country"], r["revision"], r["url"]) for r in rows] == [
        (data["slug"], entry["country"], str(entry["revision"]), entry["url"])
        for entry in data["assessments"]
    ]
    assert [r["level_rank"] for r in rows] == [
        str(entry["risk"]["level_rank"]) for entry in data["assessments"]
    ]


def test_the_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(client):
    # Names an administrator could type (the risk framework's, before they are used).
    RiskLevel.objects.create(name="-Grave", rank=9, colour="#000000")
    RiskStatus.objects.create(name="\tLatent", position=9)
    Country.objects.filter(code="KP").update(official_name='=HYPERLINK("http://x","KP")')
    Country.objects.filter(code="MM").update(official_name="@SUM(1+1)")
    outlook = make_outlook(region="+Asia", published=True, published_on=date(2024, 5, 15))
    add_assessment(outlook, "KP", risk="-Grave", risk_status="\tLatent", state="published")
    add_assessment(outlook, "MM", state="published")
    kp, mm = csv_rows(body(client.get("/data/ratings.csv")))
    assert kp["country_name"] == '\'=HYPERLINK("http://x","KP")'
    assert mm["country_name"] == "'@SUM(1+1)"
    assert kp["region"] == "'+Asia"
    assert kp["level"] == "'-Grave"
    assert kp["status"] == "'\tLatent"
    # Numbers and dates are not text: written as they are.
    assert kp["level_rank"] == "9" and kp["published_on"] == "2024-05-15"
    # Text that does not begin so is left alone.
    assert (mm["level"], mm["status"]) == ("High", "Ongoing")
    assert kp["edition"] == outlook.slug and kp["url"].startswith("http")
    # The JSON is no spreadsheet: it keeps the names as they are.
    entry = to_public_json(outlook)["assessments"][0]
    assert entry["risk"]["level"] == "-Grave"


def test_the_excel_csv_is_the_csv_after_a_byte_order_mark(client):
    corrected_edition()
    plain = client.get("/data/ratings.csv", headers={"accept-encoding": "identity"})
    plain_body = body(plain)
    assert not plain_body.startswith(codecs.BOM_UTF8)
    for encoding in ("identity", "gzip, br"):
        excel = client.get("/data/ratings-excel.csv", headers={"accept-encoding": encoding})
        assert "Content-Encoding" not in excel
        assert excel["Content-Type"] == "text/csv; charset=utf-8"
        assert excel["Content-Disposition"] == ('attachment; filename="outlook-ratings-excel.csv"')
        excel_body = body(excel)
        assert excel_body == codecs.BOM_UTF8 + plain_body
        assert int(excel["Content-Length"]) == len(excel_body)
    # Lines end in CR LF (RFC 4180), as Excel writes them.
    assert plain_body.count(b"\r\n") == plain_body.count(b"\n") == 3


def test_the_excel_csv_is_revalidated_as_the_other_downloads(client):
    corrected_edition()
    first = client.get("/data/ratings-excel.csv")
    body(first)
    again = client.get("/data/ratings-excel.csv", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert first["ETag"] != client.get("/data/ratings.csv")["ETag"]


# --- The index of the editions ---------------------------------------------------------------


def test_the_index_lists_every_published_edition_with_its_addresses(client, settings):
    older = make_outlook(period=date(2024, 4, 1), published=True)
    newer, _ = corrected_edition()
    make_outlook(period=date(2024, 6, 1))  # a draft: not public
    Region.objects.create(name="Europe", is_demo=True)
    demo = make_outlook(period=date(2024, 3, 1), region="Europe", published=True)
    response = client.get("/data/editions.json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    site = settings.SITE_URL
    assert data["ratings_csv"] == f"{site}/data/ratings.csv"
    assert data["ratings_csv_excel"] == f"{site}/data/ratings-excel.csv"
    assert data["dictionary"] == f"{site}/data/dictionary/"
    assert [edition["slug"] for edition in data["editions"]] == [
        newer.slug,
        older.slug,
        demo.slug,
    ]
    first = data["editions"][0]
    assert first == {
        "slug": newer.slug,
        "title": "Asia Pacific Regional Outlook",
        "region": "Asia Pacific",
        "period": "2024-05",
        "published_on": "2024-05-15",
        "url": f"{site}/outlooks/{newer.slug}/",
        "pdf": f"{site}/outlooks/{newer.slug}.pdf",
        "json": f"{site}/outlooks/{newer.slug}.json",
    }
    assert data["editions"][1]["published_on"] is None
    assert data["editions"][2]["demo"] is True
    for edition in data["editions"]:
        assert client.get(edition["url"].removeprefix(site)).status_code == 200
        assert client.get(edition["json"].removeprefix(site)).status_code == 200
