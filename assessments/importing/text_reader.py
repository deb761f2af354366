"""The text format of a published outlook, as taken from its PDF.

See `assessments/demo/dprk-2023-11.txt`: running headers repeated by page breaks
(`DPRK Asia Pacific Regional Outlook November 2023`), then for each country the line
`<Country> Risk: <level>/<status>`, findings paragraphs, `Recommendations` grouped
under `<Addressee> should:`, and numbered footnotes. The reader gives plain content
(assessments.content); the region is split from the header's prefix on storing.
"""

import re
from datetime import date

from ..content import EntryContent, FootnoteContent, OutlookContent, RecommendationGroup
from ..text_format import (
    FROM_SUPERSCRIPT,
    MONTH_PATTERN,
    MONTHS,
    SUPERSCRIPT_DIGITS,
    split_citation,
)
from .errors import ImportFileError, shorten

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


def strip_emphasis(text):
    """Markdown emphasis taken off a name (`The **UN Security Council**`)."""
    return EMPHASIS_RE.sub(r"\2", text).strip()


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
                    f'Risk: Very high/Ongoing", found "{shorten(line)}"',
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
                    f'expected a footnote beginning with its number, found "{shorten(line)}"',
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
                f'or a numbered footnote, found "{shorten(line)}"',
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
