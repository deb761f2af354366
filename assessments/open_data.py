"""The open data as a whole (/data/): the index of the editions, and the data dictionary.

The dictionary is generated from the descriptions the exports are made and checked by:
the ratings CSV's columns (exporting.RATINGS_CSV, which the writer fills), the
recommendation tracker's (tracked.TRACKER_FIELDS, its CSV's columns and its JSON's), the JSON
Schema of an edition (importing/schema.py, which an import validates against) and the
index's below (tests/test_open_data.py checks that each export has exactly the fields
its description lists).
"""

import json
from dataclasses import dataclass

from django.urls import reverse

from .exporting import RATINGS_CSV, absolute_url, data_licence
from .importing.schema import EXAMPLE_EDITION, LICENCE, OUTLOOK_SCHEMA, an_object, value
from .models import Outlook
from .tracked import TRACKER_FIELDS

EDITION_ENTRY = an_object(
    "an object",
    "One published edition.",
    required=[],
    properties={
        "slug": OUTLOOK_SCHEMA["properties"]["slug"],
        "title": value(
            "string", "The edition's title, without its period.", "Asia Pacific Regional Outlook"
        ),
        "region": value("string", "The region's name.", "Asia Pacific"),
        "period": value("string", "The edition's month, YYYY-MM.", "2023-11"),
        "published_on": value(
            ["string", "null"],
            "The day readers got the edition; null for an archive that does not say.",
            "2023-11-15",
            format="date",
        ),
        "demo": OUTLOOK_SCHEMA["properties"]["demo"],
        "url": OUTLOOK_SCHEMA["properties"]["url"],
        "pdf": value(
            "string",
            "The edition as PDF, as printed.",
            EXAMPLE_EDITION.rstrip("/") + ".pdf",
            format="uri",
        ),
        "json": value(
            "string",
            "The edition's JSON, as this dictionary describes it.",
            EXAMPLE_EDITION.rstrip("/") + ".json",
            format="uri",
        ),
    },
)

INDEX_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Index of the open data",
    **an_object(
        "an object",
        "Every published edition, and where the rest of the open data is.",
        required=["licence", "editions"],
        properties={
            "licence": LICENCE,
            "dictionary": value(
                "string",
                "This data dictionary.",
                "https://outlook.example.org/data/dictionary/",
                format="uri",
            ),
            "ratings_csv": value(
                "string",
                "Every published rating as CSV (UTF-8 without a byte order mark).",
                "https://outlook.example.org/data/ratings.csv",
                format="uri",
            ),
            "ratings_csv_excel": value(
                "string",
                "The same CSV for spreadsheets (with a byte order mark, for Excel).",
                "https://outlook.example.org/data/ratings-excel.csv",
                format="uri",
            ),
            "recommendations_csv": value(
                "string",
                "The recommendation tracker as CSV: every recommendation followed across "
                "editions (the page's filters apply as query parameters).",
                "https://outlook.example.org/data/recommendations.csv",
                format="uri",
            ),
            "recommendations_json": value(
                "string",
                "The same as JSON.",
                "https://outlook.example.org/data/recommendations.json",
                format="uri",
            ),
            "editions": {
                "type": "array",
                "expected": "a list",
                "description": "The published editions, newest period first.",
                "items": EDITION_ENTRY,
            },
        },
    ),
}


def editions_index():
    """The index of the open data (/data/editions.json): every published edition with
    its addresses, newest first. One query, however many editions."""
    rows = (
        Outlook.objects.published()
        .order_by("-period", "region__name")
        .values_list("slug", "title", "region__name", "period", "published_on", "region__is_demo")
    )
    editions = []
    for slug, title, region, period, published_on, is_demo in rows:
        edition = {
            "slug": slug,
            "title": title,
            "region": region,
            "period": f"{period:%Y-%m}",
            "published_on": published_on.isoformat() if published_on else None,
        }
        if is_demo:
            edition["demo"] = True
        edition.update(
            url=absolute_url(reverse("outlook", args=[slug])),
            pdf=absolute_url(reverse("outlook_pdf", args=[slug])),
            json=absolute_url(reverse("outlook_json", args=[slug])),
        )
        editions.append(edition)
    return {
        "licence": data_licence(),
        "dictionary": absolute_url(reverse("data_dictionary")),
        "ratings_csv": absolute_url(reverse("ratings_csv")),
        "ratings_csv_excel": absolute_url(reverse("ratings_csv_excel")),
        "recommendations_csv": absolute_url(reverse("tracker_csv")),
        "recommendations_json": absolute_url(reverse("tracker_json")),
        "editions": editions,
    }


# --- The data dictionary ---------------------------------------------------------------


@dataclass
class Field:
    """One row of the data dictionary."""

    name: str
    type: str
    meaning: str
    example: str = ""


def csv_fields():
    """The ratings CSV's columns, as the writer writes them."""
    return [Field(c.name, c.type, c.meaning, c.example) for c in RATINGS_CSV]


def tracker_fields():
    """The tracker's CSV columns, which are also the fields of each of its JSON rows."""
    return [Field(c.name, c.type, c.meaning, c.example) for c in TRACKER_FIELDS]


def json_fields(schema, *, open_data=True):
    """Every property of the JSON `schema`, depth first in the order written, named by
    its path (`assessments[].risk.level`). With `open_data`, what the open data writes
    (not the interchange's own); without, what an import reads (not the open data's)."""
    fields = []

    def walk(node, prefix):
        for name, child in node.get("properties", {}).items():
            if child.get("interchange_only" if open_data else "open_data_only"):
                continue
            path = f"{prefix}{name}"
            fields.append(Field(path, type_label(child), child["description"], example(child)))
            if child.get("type") == "object":
                walk(child, f"{path}.")
            elif child.get("type") == "array" and "properties" in child["items"]:
                walk(child["items"], f"{path}[].")

    walk(schema, "")
    return fields


FORMATS = {
    "year-month": "YYYY-MM",
    "publication-date": "date, YYYY-MM-DD",
    "date": "date, YYYY-MM-DD",
    "uri": "URL",
}
TYPES = {"boolean": "true or false"}


def type_label(node):
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    if kinds == ["array"]:
        items = node["items"]
        return "list of objects" if items["type"] == "object" else f"list of {items['type']}s"
    label = " or ".join(TYPES.get(kind, kind) for kind in kinds)
    formats = [FORMATS[node["format"]]] if "format" in node else []
    formats += [FORMATS[rule["format"]] for rule in node.get("allOf", []) if "format" in rule]
    return f"{label} ({formats[0]})" if formats else label


def example(node):
    """The node's example as JSON, e.g. `"Asia Pacific"` or `5`; nothing for an object."""
    examples = node.get("examples")
    return json.dumps(examples[0], ensure_ascii=False) if examples else ""
