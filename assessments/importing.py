"""Reading outlooks from files: the published text format and the JSON interchange.

Reading is in two steps. `parse_text` and `parse_json` turn a file into plain
content (assessments.content) and know nothing of the database; `store_outlook`
resolves names against the database and writes everything in one transaction.
Any problem raises ImportFileError naming the file, the line and what was expected.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from . import workflow
from .checks import (
    CheckContext,
    check_content,
    country_names_except,
    previous_edition_ratings,
)
from .content import (
    DraftContent,
    EntryContent,
    FootnoteContent,
    FootnoteDraft,
    OutlookContent,
    RecommendationGroup,
)
from .models import (
    Addressee,
    Assessment,
    Country,
    Finding,
    Outlook,
    Region,
    RiskLevel,
    RiskStatus,
    Source,
    find_country,
)
from .text_format import (
    FROM_SUPERSCRIPT,
    MONTH_PATTERN,
    MONTHS,
    PERIOD_HELP,
    SUPERSCRIPT_DIGITS,
    parse_period,
    split_citation,
    validate_url,
)

SUPERSCRIPTS = SUPERSCRIPT_DIGITS
HEADER_RE = re.compile(
    rf"^(?P<prefix>.+?)\s+Regional Outlook\s+(?P<month>{MONTH_PATTERN})\s+(?P<year>\d{{4}})$"
)
COUNTRY_RE = re.compile(r"^(?P<name>.+?)\s+Risk:\s*(?P<rating>.*)$")
RECOMMENDATIONS_RE = re.compile(r"^[*_#\s]*Recommendations[*_\s:]*$", re.IGNORECASE)
ADDRESSEE_RE = re.compile(r"^(?P<name>.+?)\s+should:\s*$")
ITEM_RE = re.compile(r"^[-•*–]\s+(?P<text>.+)$")
FOOTNOTE_RE = re.compile(rf"^(?P<number>[{SUPERSCRIPTS}]+|\d{{1,3}})[.)]?\s+(?P<text>\S.*)$")
SUPERSCRIPT_FOOTNOTE_RE = re.compile(rf"^[{SUPERSCRIPTS}]+\s")
INLINE_CALL_RE = re.compile(rf"(?<=\S)([{SUPERSCRIPTS}]+)")
EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_)(.+?)\1")
SENTENCE_END = tuple('.!?:;"”’)')
ADDRESSEE_MAX = Addressee._meta.get_field("name").max_length
REGION_MAX = Region._meta.get_field("name").max_length
TITLE_MAX = Outlook._meta.get_field("title").max_length
TEXT_MAX = Finding._meta.get_field("text").max_length
URL_MAX = Source._meta.get_field("url").max_length


class ImportFileError(Exception):
    """A file that cannot be imported; the message says where and what was expected."""

    def __init__(self, message, *, path=None, line=None):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(message)

    def __str__(self):
        where = str(self.path or "input")
        if self.line:
            where += f", line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    outlook: Outlook
    created: list[Assessment] = field(default_factory=list)
    replaced: list[Assessment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def strip_emphasis(text):
    return EMPHASIS_RE.sub(r"\2", text).strip()


# --- Reading files ----------------------------------------------------------------


def read_file(path):
    """Parse one file, JSON or text, into OutlookContent (nothing is written)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read the file: {error.strerror}", path=path) from error
    return parse_bytes(raw, path=path)


def parse_bytes(raw, *, path=None):
    if b"\x00" in raw:
        raise ImportFileError(
            "this is not a text file (it contains NUL bytes); "
            "expected UTF-8 text in the outlook text format, or JSON",
            path=path,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"this is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be decoded); "
            "expected UTF-8 text in the outlook text format, or JSON",
            path=path,
            line=line,
        ) from error
    if not text.strip():
        raise ImportFileError(
            "the file is empty; expected an outlook in the text format or JSON", path=path
        )
    if text.lstrip().startswith(("{", "[")):
        return parse_json(text, path=path)
    return parse_text(text, path=path)


def parse_text(text, *, path=None):
    """Parse the text format of a published outlook (as taken from its PDF)."""
    return _TextParser(text, path).parse()


class _TextParser:
    def __init__(self, text, path):
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.path = path
        self.headers = []  # (line number, prefix, period)
        self.entries = []

    def error(self, message, line):
        return ImportFileError(message, path=self.path, line=line)

    def parse(self):
        entry = None
        zone = None  # "findings", "recommendations" or "footnotes"
        paragraph = []
        previous_kind = None  # what the last non-blank line was, for continuations
        page_break = False

        def flush_paragraph():
            nonlocal paragraph, page_break
            if paragraph:
                text = INLINE_CALL_RE.sub(
                    lambda m: f"[^{m.group(1).translate(FROM_SUPERSCRIPT)}]", " ".join(paragraph)
                )
                # A page break inside a paragraph leaves its two halves apart.
                if page_break and entry.findings and not entry.findings[-1].endswith(SENTENCE_END):
                    entry.findings[-1] += " " + text
                else:
                    entry.findings.append(text)
                page_break = False
            paragraph = []

        for number, raw_line in enumerate(self.lines, start=1):
            line = raw_line.strip()
            if not line:
                if zone == "findings":
                    flush_paragraph()
                previous_kind = None
                continue

            header = HEADER_RE.match(line)
            if header:
                period = date(int(header["year"]), MONTHS.index(header["month"]) + 1, 1)
                self.headers.append((number, header["prefix"], period))
                if zone == "findings":
                    flush_paragraph()
                    page_break = True
                previous_kind = None
                continue

            country = COUNTRY_RE.match(line)
            if country:
                if zone == "findings":
                    flush_paragraph()
                entry = self.start_entry(country, number)
                zone = "findings"
                previous_kind = None
                continue

            if entry is None:
                raise self.error(
                    f"expected a country line such as \"Democratic People's Republic of Korea "
                    f'Risk: Very high/Ongoing", found "{_shorten(line)}"',
                    number,
                )

            footnote = FOOTNOTE_RE.match(line)
            is_footnote = footnote and (
                zone in ("recommendations", "footnotes") or SUPERSCRIPT_FOOTNOTE_RE.match(line)
            )
            if is_footnote:
                if zone == "findings":
                    flush_paragraph()
                self.add_footnote(entry, footnote, number)
                zone = "footnotes"
                previous_kind = "footnote"
                continue

            if zone == "footnotes":
                if previous_kind == "footnote":
                    note = entry.footnotes[-1]
                    note.text = f"{note.text} {line}"
                    continue
                raise self.error(
                    f'expected a footnote beginning with its number, found "{_shorten(line)}"',
                    number,
                )

            if RECOMMENDATIONS_RE.match(line):
                if zone == "recommendations":
                    raise self.error('a second "Recommendations" heading in one entry', number)
                flush_paragraph()
                zone = "recommendations"
                previous_kind = None
                continue

            if zone == "findings":
                paragraph.append(line)
                continue

            # In the recommendations.
            addressee = ADDRESSEE_RE.match(line)
            if addressee:
                entry.recommendations.append(RecommendationGroup(strip_emphasis(addressee["name"])))
                previous_kind = "addressee"
                continue
            item = ITEM_RE.match(line)
            if item:
                if not entry.recommendations:
                    raise self.error(
                        "a recommendation before any addressee; expected a line such as "
                        '"The UN Security Council should:" first',
                        number,
                    )
                entry.recommendations[-1].items.append(item["text"].strip())
                previous_kind = "item"
                continue
            if previous_kind == "item":
                group = entry.recommendations[-1]
                group.items[-1] = f"{group.items[-1]} {line}"
                continue
            raise self.error(
                'expected "<Addressee> should:", a recommendation starting with "- ", '
                f'or a numbered footnote, found "{_shorten(line)}"',
                number,
            )

        if zone == "findings":
            flush_paragraph()
        if not self.entries:
            raise self.error(
                "no country entry found; expected a line such as "
                '"Democratic People\'s Republic of Korea Risk: Very high/Ongoing"',
                1,
            )
        return self.outlook_content()

    def start_entry(self, match, number):
        rating = match["rating"].strip()
        level, slash, status = rating.partition("/")
        if not slash or not level.strip() or not status.strip():
            raise self.error(
                f'the risk "{rating}" is not of the form "Risk: <level>/<status>", '
                'e.g. "Risk: Very high/Ongoing"',
                number,
            )
        entry = EntryContent(
            country=match["name"].strip(),
            risk_level=level.strip(),
            risk_status=status.strip(),
            line=number,
        )
        self.entries.append(entry)
        return entry

    def add_footnote(self, entry, match, number):
        footnote_number = int(match["number"].translate(FROM_SUPERSCRIPT))
        expected = len(entry.footnotes) + 1
        if footnote_number != expected:
            raise self.error(
                f"footnote {footnote_number} is out of order; expected footnote {expected} "
                "(footnotes are numbered 1, 2, 3… in each entry)",
                number,
            )
        entry.footnotes.append(FootnoteContent(footnote_number, match["text"].strip()))

    def outlook_content(self):
        if not self.headers:
            raise self.error(
                "no header line; expected a line such as "
                '"DPRK Asia Pacific Regional Outlook November 2023" at the top of the entry',
                1,
            )
        periods = {period for _, _, period in self.headers}
        if len(periods) > 1:
            line = next(n for n, _, period in self.headers if period != self.headers[0][2])
            raise self.error(
                "this header names another period than the first one; one file holds one edition",
                line,
            )
        for entry in self.entries:
            for note in entry.footnotes:
                note.text, note.url = split_citation(note.text)
            # The header closest above the entry names it in running text.
            above = [h for h in self.headers if h[0] < entry.line] or self.headers
            entry.short_name = above[-1][1]  # a prefix "<short name> <region>", split on storing
        return OutlookContent(
            region="", title="", period=self.headers[0][2], assessments=self.entries
        )


def _shorten(text, limit=80):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_json(text, *, path=None):
    """Parse the JSON interchange format of DESIGN.md."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"invalid JSON: {error.msg} (column {error.colno})", path=path, line=error.lineno
        ) from error
    except RecursionError as error:
        raise ImportFileError(
            "the JSON is nested too deeply; expected the interchange format", path=path
        ) from error
    reader = _JsonReader(path)
    return reader.outlook(data)


class _JsonReader:
    def __init__(self, path):
        self.path = path

    def fail(self, where, expected):
        return ImportFileError(f"{where}: expected {expected}", path=self.path)

    def string(self, data, key, where, *, required=True, max_length=None):
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(f"{where}.{key}", "a non-empty string")
        return self.text(value, f"{where}.{key}", max_length=max_length)

    def text(self, value, where, *, max_length=TEXT_MAX):
        # A NUL escaped in JSON (\u0000) is no text a database or a reader can use.
        if "\x00" in value:
            raise self.fail(where, "text without NUL characters")
        if max_length and len(value) > max_length:
            raise self.fail(where, f"at most {max_length} characters")
        return value.strip()

    def strings(self, value, where):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(where, "a list of strings")
        return [self.text(item, f"{where}[{i}]") for i, item in enumerate(value)]

    def outlook(self, data):
        if not isinstance(data, dict):
            raise self.fail(
                "the top level", 'an object with "region", "title", "period" and "assessments"'
            )
        period_text = self.string(data, "period", "outlook")
        try:
            period = parse_period(period_text)
        except ValueError as error:
            raise self.fail("outlook.period", PERIOD_HELP) from error
        entries = data.get("assessments")
        if not isinstance(entries, list) or not entries:
            raise self.fail("outlook.assessments", "a non-empty list of country entries")
        return OutlookContent(
            region=self.string(data, "region", "outlook", max_length=REGION_MAX),
            title=self.string(data, "title", "outlook", max_length=TITLE_MAX),
            period=period,
            introduction=self.string(data, "introduction", "outlook", required=False),
            assessments=[self.entry(item, f"assessments[{i}]") for i, item in enumerate(entries)],
        )

    def entry(self, data, where):
        if not isinstance(data, dict):
            raise self.fail(where, "an object")
        risk = data.get("risk")
        if not isinstance(risk, dict):
            raise self.fail(f"{where}.risk", 'an object with "level" and "status"')
        findings = self.strings(data.get("findings", []), f"{where}.findings")
        groups = []
        recommendations = data.get("recommendations", [])
        if not isinstance(recommendations, list):
            raise self.fail(f"{where}.recommendations", "a list")
        for i, group in enumerate(recommendations):
            group_where = f"{where}.recommendations[{i}]"
            if not isinstance(group, dict):
                raise self.fail(group_where, 'an object with "addressee" and "items"')
            items = self.strings(group.get("items"), f"{group_where}.items")
            groups.append(
                RecommendationGroup(
                    strip_emphasis(self.string(group, "addressee", group_where)),
                    items,
                )
            )
        notes = []
        footnotes = data.get("footnotes", [])
        if not isinstance(footnotes, list):
            raise self.fail(f"{where}.footnotes", "a list")
        for i, note in enumerate(footnotes):
            note_where = f"{where}.footnotes[{i}]"
            if not isinstance(note, dict) or not isinstance(note.get("number"), int):
                raise self.fail(note_where, 'an object with an integer "number"')
            if note["number"] != i + 1:
                raise ImportFileError(
                    f"{note_where}: footnote {note['number']} is out of order; "
                    f"expected footnote {i + 1} (footnotes are numbered 1, 2, 3…)",
                    path=self.path,
                )
            text = self.string(note, "text", note_where, required=False)
            url = self.string(note, "url", note_where, required=False)
            if not text and not url:
                raise self.fail(note_where, 'a "text" or a "url"')
            notes.append(FootnoteContent(note["number"], text, url))
        return EntryContent(
            country=self.string(data, "country", where),
            short_name=self.string(data, "short_name", where, required=False),
            risk_level=self.string(risk, "level", f"{where}.risk"),
            risk_status=self.string(risk, "status", f"{where}.risk"),
            rationale=self.string(risk, "rationale", f"{where}.risk", required=False),
            findings=[f for f in findings if f],
            recommendations=groups,
            footnotes=notes,
        )


# --- Writing to the database ---------------------------------------------------------


def import_file(path, *, publish=False, replace=False, user=None):
    """Read one file and store it in one transaction; raises ImportFileError."""
    content = read_file(path)
    return store_outlook(content, publish=publish, replace=replace, user=user, path=path)


@transaction.atomic
def store_outlook(content, *, publish=False, replace=False, user=None, path=None):
    """Store parsed content as an edition's assessments, all or nothing."""
    store = _Store(content, path=path)
    return store.run(publish=publish, replace=replace, user=user)


class _Store:
    def __init__(self, content, *, path):
        self.content = content
        self.path = path
        self.warnings = []
        self.levels = {level.name.casefold(): level for level in RiskLevel.objects.all()}
        self.statuses = {status.name.casefold(): status for status in RiskStatus.objects.all()}
        self.countries = list(Country.objects.select_related("region"))

    def error(self, message, entry=None):
        return ImportFileError(message, path=self.path, line=entry.line if entry else None)

    def warn(self, message, entry=None):
        where = f"line {entry.line}: " if entry and entry.line else ""
        self.warnings.append(where + message)

    def run(self, *, publish, replace, user):
        resolved = [(entry, self.resolve_entry(entry)) for entry in self.content.assessments]
        region = self.resolve_region(resolved)
        outlook = self.get_outlook(region, publish=publish, user=user)
        result = ImportResult(outlook=outlook, warnings=self.warnings)
        self.check_entries(resolved, outlook)
        seen = set()
        for entry, (country, level, status) in resolved:
            if country.pk in seen:
                raise self.error(
                    f"{country.code.code} ({country.short_name}) appears twice in the file", entry
                )
            seen.add(country.pk)
            if not replace and outlook.assessments.filter(country=country).exists():
                raise self.error(
                    f"{outlook.full_title} already holds an entry for {country.short_name} "
                    f"({country.code.code}); give --replace to replace it",
                    entry,
                )
            assessment, replaced = workflow.store_imported(
                outlook,
                country,
                self.draft_content(entry, level, status),
                publish=publish,
                acting_user=user,
            )
            (result.replaced if replaced else result.created).append(assessment)
        workflow.audit(
            user,
            "import",
            (
                f"Imported {len(resolved)} entr{'y' if len(resolved) == 1 else 'ies'} "
                f"from {Path(self.path).name if self.path else 'input'}"
                + (" as published" if publish else "")
            ),
            outlook=outlook,
            countries=[c.code.code for _, (c, _, _) in resolved],
            warnings=self.warnings,
        )
        return result

    def check_entries(self, resolved, outlook):
        """Report what the editorial checks find in each entry, as warnings."""
        ratings = previous_edition_ratings(outlook)
        for entry, (country, _, _) in resolved:
            context = CheckContext.for_country(
                country,
                period=outlook.period,
                previous_rating=ratings.get(country.pk),
                other_country_names=country_names_except(country, self.countries),
            )
            for result in check_content(entry, context):
                message = f"{result.severity}: {result.message}"
                if result.suggestion:
                    message += f" Suggested: {result.suggestion}"
                if not entry.line:  # JSON has no lines: say which entry
                    message = f"{country.short_name}: {result.place_label}: {message}"
                else:
                    message = f"{result.place_label}: {message}"
                self.warn(message, entry)

    def resolve_entry(self, entry):
        country = find_country(self.countries, entry.country)
        if country is None:
            raise self.error(
                f'unknown country "{entry.country}"; expected the official name, short name, '
                "ISO code or an alias of a country in the database "
                "(aliases are added in the admin)",
                entry,
            )
        # A name other than the official one is reported by the checks (names).
        level = self.levels.get(entry.risk_level.casefold())
        if level is None:
            names = ", ".join(level.name for level in self.levels.values())
            raise self.error(
                f'the risk level "{entry.risk_level}" is not in the risk framework; '
                f"expected one of: {names}",
                entry,
            )
        status = self.statuses.get(entry.risk_status.casefold())
        if status is None:
            names = ", ".join(status.name for status in self.statuses.values())
            raise self.error(
                f'the risk status "{entry.risk_status}" is not in the risk framework; '
                f"expected one of: {names}",
                entry,
            )
        if not entry.findings:
            self.warn(f"the entry for {country.short_name} has no findings", entry)
        self.check_fields(entry, country)
        return country, level, status

    def check_fields(self, entry, country):
        """What the database or a reader's browser would refuse, said before writing."""
        texts = [("finding", text) for text in entry.findings] + [
            ("recommendation", item) for group in entry.recommendations for item in group.items
        ]
        for kind, text in texts:
            if len(text) > TEXT_MAX:
                raise self.error(
                    f'a {kind} of {country.short_name} ("{_shorten(text, 40)}") is longer than '
                    f"{TEXT_MAX} characters; split it",
                    entry,
                )
        for group in entry.recommendations:
            if len(group.addressee) > ADDRESSEE_MAX:
                raise self.error(
                    f'the addressee "{_shorten(group.addressee)}" of {country.short_name} is '
                    f"longer than {ADDRESSEE_MAX} characters; expected a name such as "
                    '"The UN Security Council"',
                    entry,
                )
        for note in entry.footnotes:
            if not note.url:
                continue
            try:
                validate_url(note.url)
            except ValidationError as error:
                raise self.error(
                    f'footnote {note.number} of {country.short_name}: "{_shorten(note.url)}" '
                    "is not a web address; expected an http:// or https:// URL",
                    entry,
                ) from error
            if len(note.url) > URL_MAX:
                raise self.error(
                    f"footnote {note.number} of {country.short_name}: the URL is longer than "
                    f"{URL_MAX} characters",
                    entry,
                )

    def resolve_region(self, resolved):
        """The region is named in JSON; in text, it is what the header has after the short name."""
        if self.content.region:
            return self.find_or_create_region(self.content.region)
        known = sorted(Region.objects.all(), key=lambda r: -len(r.name))
        for entry, (country, _, _) in resolved:
            prefix = entry.short_name
            region = next(
                (r for r in known if prefix.casefold().endswith(" " + r.name.casefold())), None
            )
            if region:
                entry.short_name = prefix[: -len(region.name)].strip()
            else:
                name = next(
                    (
                        n
                        for n in country.names()
                        if n and prefix.casefold().startswith(n.casefold() + " ")
                    ),
                    None,
                )
                if name is None:
                    raise self.error(
                        f'cannot tell the region from the header "{prefix} Regional Outlook …"; '
                        f'expected "<short name> <region> Regional Outlook <Month> <Year>" '
                        f'with a short name of {country.code.code} such as "{country.short_name}"',
                        entry,
                    )
                region = self.find_or_create_region(prefix[len(name) :].strip())
                entry.short_name = name
            if entry.short_name != country.short_name:
                self.warn(
                    f'the header calls {country.code.code} "{entry.short_name}"; '
                    f'its short name is "{country.short_name}"',
                    entry,
                )
            if self.content.region and self.content.region != region.name:
                raise self.error(
                    "the entries belong to different regions; one file holds one edition", entry
                )
            self.content.region = region.name
        self.content.title = f"{self.content.region} Regional Outlook"
        return Region.objects.get(name=self.content.region)

    def find_or_create_region(self, name):
        """The region of that name, or of that slug ("Asia-Pacific" is "Asia Pacific")."""
        if len(name) > REGION_MAX:
            raise self.error(
                f'the region "{_shorten(name)}" is longer than {REGION_MAX} characters; '
                'expected a name such as "Asia Pacific"'
            )
        region = Region.objects.filter(slug=slugify(name)).first()
        if region is None:
            return Region.objects.create(name=name)
        if region.name != name:
            self.warn(f'read the region "{name}" as "{region.name}"')
        return region

    def get_outlook(self, region, *, publish, user):
        try:
            return workflow.store_imported_edition(
                region,
                self.content.period,
                title=self.content.title,
                introduction=self.content.introduction,
                publish=publish,
                acting_user=user,
            )
        except ValidationError as error:
            hint = {
                "draft": "import without --publish to add to it, or publish it from the editor",
                "published": "give --publish to add to the archive, or correct entries "
                "through the editor",
            }[error.code]
            raise self.error(f"{error.message}; {hint}") from error

    def draft_content(self, entry, level, status):
        return DraftContent(
            risk_level=level,
            risk_status=status,
            rationale=entry.rationale,
            findings=entry.findings,
            recommendations=[
                (group.addressee, item) for group in entry.recommendations for item in group.items
            ],
            footnotes=[
                FootnoteDraft(note.number, Source.objects.for_citation(note.text, note.url))
                for note in entry.footnotes
            ],
        )
