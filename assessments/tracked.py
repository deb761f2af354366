"""What the public tracker reads: the tracked recommendations a reader's filters select,
their counts per addressee, one lineage's history, and the tracker as CSV and JSON.

It reads the derived tables alone (TrackedRecommendation, TrackedStep), which
assessments.tracker writes from the published record and nothing else. The page
(/recommendations/), its CSV and its JSON all select through `select(filters)`, so the
three agree for the same filters.
"""

import csv
import io
import json
import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .caching import kept_until_published
from .diff import word_diff
from .exporting import (
    INTEGER,
    MONTH,
    TEXT,
    TEXT_TYPES,
    URL,
    Column,
    absolute_url,
    data_licence,
    lineage_url,
    month,
    neutralised,
)
from .markdown import plain_text, render_markdown
from .models import (
    Addressee,
    Assessment,
    Country,
    Outlook,
    Recommendation,
    Region,
    SearchEntry,
    TrackedReason,
    TrackedRecommendation,
    TrackedStatus,
    TrackedStep,
)
from .text_format import without_control_characters

# The list's order: the most recently made first, then by country and as printed (a
# recommendation's id follows its place in the entry). The index tracked_order serves it.
ORDER = ["-last_period", "country_id", "latest_id"]


@dataclass
class TrackerFilters:
    """What a reader narrows the tracker to; None or "" for any."""

    addressee: Addressee | None = None
    group: str = ""
    country: Country | None = None
    region: Region | None = None
    status: str = ""
    year_from: int | None = None
    year_to: int | None = None

    def params(self):
        """The filters as query parameters, in the form's order: for links to the same
        selection (the pages of the list, its CSV and JSON) and the canonical address."""
        values = [
            ("addressee", self.addressee and self.addressee.slug),
            ("group", self.group),
            ("country", self.country and self.country.code.code.lower()),
            ("region", self.region and self.region.slug),
            ("status", self.status),
            ("from", self.year_from),
            ("to", self.year_to),
        ]
        return [(name, value) for name, value in values if value]


# The form's lists, by query parameter: an option's value in the query string, its label,
# and how messages name the list.
LISTS = {
    "addressee": (lambda addressee: addressee.slug, str, "Addressee"),
    "group": (lambda choice: choice[0], lambda choice: choice[1], "Addressee group"),
    "country": (lambda country: country.code.code.lower(), str, "Country"),
    "region": (lambda region: region.slug, str, "Region"),
    "status": (lambda choice: choice[0], lambda choice: choice[1], "Latest status"),
}
# The column each list filters.
COLUMNS = {
    "addressee": "addressee",
    "group": "addressee_group",
    "country": "country",
    "region": "region",
    "status": "status",
}
YEAR_RE = re.compile(r"[0-9]{4}")


def filter_choices():
    """What the tracker's form offers, per list: (value, label, key, <option> HTML) of the
    addressees, countries and regions of a tracked recommendation (key: the row's id), the
    groups and the statuses (key: the value); kept until the next publication. Strings,
    not rows: every request reads them from the cache, and hundreds of rows took longer
    to unpickle than to query."""
    return kept_until_published("tracker-options", _filter_choices)


def _filter_choices():
    # One index probe per option, whatever the data.
    tracked = TrackedRecommendation.objects.order_by()
    rows = {
        "addressee": Addressee.objects.filter(Exists(tracked.filter(addressee=OuterRef("pk")))),
        "group": Addressee.Group.choices,
        "country": Country.objects.filter(Exists(tracked.filter(country=OuterRef("pk"))))
        .defer("aliases")
        .order_by("official_name"),
        "region": Region.objects.filter(Exists(tracked.filter(region=OuterRef("pk")))),
        "status": TrackedStatus.choices,
    }
    choices = {}
    for name, options in rows.items():
        value_of, label_of, _ = LISTS[name]
        choices[name] = [
            (
                value_of(option),
                label_of(option),
                option[0] if isinstance(option, tuple) else option.pk,
                str(
                    format_html(
                        '<option value="{}">{}</option>', value_of(option), label_of(option)
                    )
                ),
            )
            for option in options
        ]
    return choices


# The rows a chosen option names, by list.
MODELS = {"addressee": Addressee, "country": Country, "region": Region}


def every_addressee():
    """({addressee id: recommendations tracked}, [(addressee, that number)]) of every
    addressee with a page (a published recommendation), for the tracker's list of them.
    Two queries; the tracker keeps what it makes of them until the next publication."""
    everyone = made_per_addressee(TrackedRecommendation.objects.all())
    indexed = SearchEntry.objects.order_by().filter(addressee=OuterRef("pk"))
    addressees = [
        (addressee, everyone.get(addressee.pk, 0))
        for addressee in Addressee.objects.filter(Exists(indexed))
    ]
    return everyone, addressees


def filter_options(choices, filters):
    """Each list's <option>s for the form, the chosen one selected: HTML, made of the
    options rendered once per publication."""
    options = {}
    for name, (value_of, _, _) in LISTS.items():
        current = getattr(filters, name)
        # A group or a status is its value already; an addressee, country or region a row.
        current = value_of(current) if current and not isinstance(current, str) else current
        options[name] = mark_safe(
            "".join(
                format_html('<option value="{}" selected>{}</option>', value, label)
                if value == current
                else html
                for value, label, _, html in choices[name]
            )
        )
    return options


def shown(value):
    """A reader's value as a message quotes it: one line, not too long."""
    value = without_control_characters(value)
    return value if len(value) <= 40 else f"{value[:40]}…"


def read_filters(params, choices):
    """TrackerFilters from the query string, and a message for each value that is not
    one of the lists' or not a year: never an error page."""
    filters = TrackerFilters()
    errors = []
    for name, (_, _, label) in LISTS.items():
        value = params.get(name, "").strip()
        if not value:
            continue
        found = next((option for option in choices[name] if option[0] == value), None)
        if found is None:
            errors.append(f"{label}: no tracked recommendation for “{shown(value)}”.")
            continue
        model = MODELS.get(name)
        # A group or a status is its value; an addressee, country or region its row.
        setattr(filters, name, model.objects.get(pk=found[2]) if model else value)
    for name, attribute, label in (("from", "year_from", "From"), ("to", "year_to", "To")):
        value = params.get(name, "").strip()
        if not value:
            continue
        if not YEAR_RE.fullmatch(value) or int(value) < 1:
            errors.append(f"{label}: expected a year such as 2023, not “{shown(value)}”.")
            continue
        setattr(filters, attribute, int(value))
    if filters.year_from and filters.year_to and filters.year_from > filters.year_to:
        errors.append(f"From: {filters.year_from} is after To, {filters.year_to}.")
    return filters, errors


def select(filters):
    """The tracked recommendations `filters` select, in the list's order: the one
    selection of the page, the CSV and the JSON."""
    chosen = {field: getattr(filters, name) for name, field in COLUMNS.items()}
    rows = TrackedRecommendation.objects.filter(
        **{field: value for field, value in chosen.items() if value}
    )
    # The years it was made in (first_period to last_period) meet the years asked for.
    if filters.year_from:
        rows = rows.filter(last_period__year__gte=filters.year_from)
    if filters.year_to:
        rows = rows.filter(first_period__year__lte=filters.year_to)
    return rows.order_by(*ORDER)


def listed(rows):
    """`rows` with their addressee and country, in their own query; then `with_editions`
    gives them the rest of what the tracker shows."""
    # A country's aliases, JSON, took more time to read than the rest of the row.
    return rows.select_related("addressee", "country").defer("country__aliases")


def with_editions(rows):
    """`rows` with their first, last and dropping editions and their latest
    recommendation, in two queries whatever their number. Joined in the rows' own query,
    these made eight tables, which PostgreSQL took 0.1 s to plan (and 8 ms to run)."""
    rows = list(rows)
    editions = Outlook.objects.order_by().in_bulk(
        {
            outlook_id
            for row in rows
            for outlook_id in (row.first_outlook_id, row.last_outlook_id, row.dropped_in_id)
            if outlook_id
        }
    )
    latest = (
        Recommendation.objects.only("position").order_by().in_bulk([row.latest_id for row in rows])
    )
    for row in rows:
        row.first_outlook = editions[row.first_outlook_id]
        row.last_outlook = editions[row.last_outlook_id]
        row.dropped_in = editions.get(row.dropped_in_id)
        row.latest = latest[row.latest_id]
    return rows


# --- Counts per addressee --------------------------------------------------------------


@dataclass
class AddresseeCounts:
    """How many recommendations to one addressee were made (lineages), repeated (made in
    more than one edition) and dropped as implemented."""

    name: str
    slug: str
    made: int
    repeated: int
    implemented: int

    def get_absolute_url(self):
        return reverse("addressee", args=[self.slug])


def made_per_addressee(rows):
    """{addressee id: how many of the tracked recommendations `rows` are to it}, the most
    first; one query, which the addressee index answers alone (the counts below read every
    row: over the whole tracker, six times longer)."""
    counted = (
        rows.order_by()
        .values("addressee_id")
        .annotate(made=Count("lineage"))
        .values_list("addressee_id", "made")
        .order_by("-made", "addressee_id")
    )
    return dict(counted)


def addressee_counts(rows, addressees):
    """The counts of the tracked recommendations `rows` to each of `addressees` (ids), the
    most made first; one query."""
    dropped_as_implemented = Q(status=TrackedStatus.DROPPED, reason=TrackedReason.IMPLEMENTED)
    counted = (
        rows.filter(addressee_id__in=list(addressees))
        .order_by()
        .values("addressee_id")
        .annotate(
            made=Count("lineage"),
            repeated=Count("lineage", filter=Q(editions__gt=1)),
            implemented=Count("lineage", filter=dropped_as_implemented),
        )
        .values_list("addressee__name", "addressee__slug", "made", "repeated", "implemented")
        .order_by("-made", "addressee__name")
    )
    return [AddresseeCounts(*row) for row in counted]


# The bars of the chart, in its units (the SVG's width attribute: no inline style).
BAR_WIDTH = 80
BARS = (("made", "Made"), ("repeated", "Repeated"), ("implemented", "Implemented"))


def chart(counts):
    """The rows of the bar chart of `counts`: each addressee with, per bar, its value and
    its length against the largest value shown."""
    largest = max((row.made for row in counts), default=0) or 1
    return [
        {
            "addressee": row,
            "bars": [
                {
                    "name": name,
                    "label": label,
                    "value": getattr(row, name),
                    "width": max(round(getattr(row, name) / largest * BAR_WIDTH), 0),
                }
                for name, label in BARS
            ],
        }
        for row in counts
    ]


# --- Text ------------------------------------------------------------------------------


class EditionCalls:
    """Footnote calls of a recommendation shown away from its entry: each links to its
    note on the edition's page (`page#kp-fn-3`), with no id (a page lists many)."""

    after_sanitising = False

    def __init__(self, page, code):
        self.page, self.code = page, code

    def __call__(self, number):
        return format_html(
            '<sup class="footnote-ref"><a href="{}#{}-fn-{}">{}</a></sup>',
            self.page,
            self.code,
            number,
            number,
        )


def text_html(text, outlook, country):
    """A recommendation's Markdown as sanitised inline HTML, its calls linked to `outlook`'s
    page."""
    calls = EditionCalls(outlook.get_absolute_url(), country.code.code.lower())
    return render_markdown(text, inline=True, calls=calls)


# --- One lineage -----------------------------------------------------------------------


@dataclass
class Step:
    """One edition of a lineage's history, as its page shows it."""

    step: TrackedStep
    html: str = ""  # the text as made in that edition
    diff: str = ""  # its words against the edition before, when they changed
    addressee_changed: bool = False
    successor: TrackedRecommendation | None = None  # dropped as superseded: by which


@dataclass
class History:
    steps: list
    supersedes: list  # the tracked recommendations this one replaced


def history(tracked):
    """The steps of `tracked`, oldest first, with each edition's text, what changed in its
    words since the edition before, and the recommendations it superseded or that
    superseded it. Two queries."""
    steps = [
        Step(step)
        for step in TrackedStep.objects.filter(tracked=tracked)
        .select_related("outlook", "recommendation__addressee")
        .order_by("period")
    ]
    before = None
    for item in steps:
        made = item.step.recommendation
        if made is None:
            continue
        item.html = text_html(made.text, item.step.outlook, tracked.country)
        if before is not None:
            if " ".join(before.text.split()) != " ".join(made.text.split()):
                # In words, as a reader reads them: not the Markdown's marks and calls.
                item.diff = word_diff(plain_text(before.text), plain_text(made.text))
            item.addressee_changed = before.addressee_id != made.addressee_id
        before = made
    successors = {item.step.superseded_by for item in steps if item.step.superseded_by}
    related = TrackedRecommendation.objects.filter(
        Q(lineage__in=successors) | Q(superseded_by=tracked.lineage)
    ).select_related("addressee", "country")
    related = {row.lineage: row for row in related}
    for item in steps:
        item.successor = related.get(item.step.superseded_by)
    supersedes = [row for row in related.values() if row.superseded_by == tracked.lineage]
    return History(steps, supersedes)


# --- CSV and JSON ----------------------------------------------------------------------


def code_or_empty(value):
    return value or ""


def month_or_empty(period):
    return month(period) if period else ""


GROUPS = ", ".join(f"`{value}` ({label.lower()})" for value, label in Addressee.Group.choices)
STATUSES = ", ".join(f"`{value}`" for value in TrackedStatus.values)
REASONS = ", ".join(f"`{value}` ({label.lower()})" for value, label in TrackedReason.choices)

TRACKER_FIELDS = [
    Column(
        "lineage",
        TEXT,
        "The recommendation's stable id (a UUID): the same in every edition that makes it, "
        "in each edition's JSON (`lineage` of a recommendation) and in its page's address.",
        "0b6c3f0e-5f0a-4a8e-9d43-2f1f7c1f6a15",
        ("lineage",),
        str,
    ),
    Column(
        "url",
        URL,
        "The page of its history, edition after edition.",
        "https://outlook.example.org/recommendations/0b6c3f0e-5f0a-4a8e-9d43-2f1f7c1f6a15/",
        ("lineage",),
        lineage_url,
    ),
    Column(
        "text",
        TEXT,
        "Its text in Markdown, as made in its latest edition; footnote calls as [^1].",
        "Refer the situation to the International Criminal Court.",
        ("text",),
    ),
    Column(
        "addressee",
        TEXT,
        "Whom it is addressed to, in its latest edition.",
        "The UN Security Council",
        ("addressee__name",),
    ),
    Column(
        "addressee_group",
        TEXT,
        f"The addressee's group: {GROUPS}.",
        "un",
        ("addressee_group",),
    ),
    Column("country", TEXT, "The country's ISO 3166 alpha-2 code.", "KP", ("country__code",)),
    Column(
        "country_name",
        TEXT,
        "The country's official name.",
        "Democratic People's Republic of Korea",
        ("country__official_name",),
    ),
    Column("region", TEXT, "The region of the outlook.", "Asia Pacific", ("region__name",)),
    Column(
        "first_edition",
        TEXT,
        "The slug of the first edition that made it (`edition` in the ratings CSV).",
        "asia-pacific-2021-05",
        ("first_outlook__slug",),
    ),
    Column(
        "first_period",
        MONTH,
        "That edition's month, YYYY-MM.",
        "2021-05",
        ("first_period",),
        month,
    ),
    Column(
        "last_edition",
        TEXT,
        "The slug of the latest edition that made it.",
        "asia-pacific-2023-11",
        ("last_outlook__slug",),
    ),
    Column(
        "last_period", MONTH, "That edition's month, YYYY-MM.", "2023-11", ("last_period",), month
    ),
    Column(
        "editions",
        INTEGER,
        "How many editions made it, one after another (a recommendation dropped and made "
        "again is a new one).",
        "5",
        ("editions",),
    ),
    Column(
        "status",
        TEXT,
        f"Its latest status, against the country's edition before: {STATUSES}.",
        "repeated",
        ("status",),
    ),
    Column(
        "implementation",
        TEXT,
        "How far it has been acted on, as the analysts judged in its latest edition: "
        "`not_implemented`, `partly_implemented`, `implemented`; empty if not assessed.",
        "partly_implemented",
        ("implementation",),
    ),
    Column(
        "dropped_in",
        TEXT,
        "When dropped: the slug of the edition that no longer makes it; else empty.",
        "asia-pacific-2024-05",
        ("dropped_in__slug",),
        code_or_empty,
    ),
    Column(
        "dropped_period",
        MONTH,
        "That edition's month, YYYY-MM; else empty.",
        "2024-05",
        ("dropped_in__period",),
        month_or_empty,
    ),
    Column(
        "reason",
        TEXT,
        f"When dropped, why: {REASONS}; else empty.",
        "implemented",
        ("reason",),
    ),
    Column(
        "note",
        TEXT,
        "When dropped, the analysts' note on why, if any.",
        "The law was repealed in March.",
        ("note",),
    ),
    Column(
        "superseded_by",
        TEXT,
        "When dropped as superseded: the `lineage` of the recommendation that replaces it.",
        "5d1e2c3b-7a6f-4e1d-8c2b-1a0f9e8d7c6b",
        ("superseded_by",),
        lambda lineage: str(lineage) if lineage else "",
    ),
]


def _cells():
    fields = list(dict.fromkeys(field for column in TRACKER_FIELDS for field in column.fields))
    cells = [
        (column, [fields.index(field) for field in column.fields]) for column in TRACKER_FIELDS
    ]
    return fields, cells


def rows_of(filters):
    """The tracked recommendations `filters` select, each as {column name: value} (the
    CSV's cells, before spreadsheet neutralising), a chunk at a time."""
    fields, cells = _cells()
    for row in select(filters).values_list(*fields).iterator(chunk_size=2000):
        yield {
            column.name: column.value(*(row[index] for index in indexes))
            for column, indexes in cells
        }


def csv_chunks(filters):
    """The tracker as CSV (UTF-8 text, header first), a chunk of lines at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.name for column in TRACKER_FIELDS])
    text_columns = [column.name for column in TRACKER_FIELDS if column.type in TEXT_TYPES]
    for number, row in enumerate(rows_of(filters), 1):
        for name in text_columns:
            row[name] = neutralised(row[name])
        writer.writerow(row.values())
        if number % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def json_value(column, value):
    if column.type == INTEGER:
        return value
    return value if value != "" else None


def json_chunks(filters):
    """The tracker as JSON: {"licence", "dictionary", "filters", "recommendations": [one
    object per row, the CSV's columns as fields]}, a chunk at a time."""
    head = {
        "licence": data_licence(),
        "dictionary": absolute_url(reverse("data_dictionary")) + "#tracker",
        "filters": dict(filters.params()),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "recommendations": ['
    columns = {column.name: column for column in TRACKER_FIELDS}
    separator = "\n"
    for row in rows_of(filters):
        data = {name: json_value(columns[name], value) for name, value in row.items()}
        yield separator + json.dumps(data, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


# --- An edition's summary --------------------------------------------------------------


def since_last_edition(outlook, countries):
    """{country id: "2 new, 5 repeated, 1 revised, 1 dropped"}: what became of the
    recommendations of each of `countries` (ids) in `outlook` against its previous entry,
    for those that had one (and recommendations in either). Two queries."""
    earlier = set(
        Assessment.objects.live()
        .filter(
            outlook__region_id=outlook.region_id,
            outlook__period__lt=outlook.period,
            country_id__in=countries,
        )
        .values_list("country_id", flat=True)
    )
    counts = {}
    for country_id, status, number in (
        TrackedStep.objects.filter(outlook=outlook, tracked__country_id__in=earlier)
        .values("tracked__country_id", "status")
        .annotate(number=Count("id"))
        .values_list("tracked__country_id", "status", "number")
        .order_by()
    ):
        counts.setdefault(country_id, {})[status] = number
    # The statuses in their order, those of none left out ("4 repeated, 1 dropped").
    return {
        country_id: ", ".join(
            f"{counts[country_id][status]} {label.lower()}"
            for status, label in TrackedStatus.choices
            if counts[country_id].get(status)
        )
        for country_id in counts
    }
