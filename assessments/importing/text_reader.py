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
    from_superscript,
    split_citation,
)
from .errors import ImportFileError, shorten

HEADER_RE = re.compile(
    rf"^(?P<prefix>.+?)\s+Regional Outlook\s+(?P<month>{MONTH_PATTERN})\s+(?P<year>\d{{4}})$"
)
COUNTRY_RE = re.compile(r"^(?P<name>.+?)\s+Risk:\s*(?P<rating>.*)$")
RECOMMENDATIONS_RE = re.compile(r"^[*_#\s]*Recommendations[*_\s:]*$", re.IGNORECASE)
ADDRESSEE_RE = re.compile(r"^(?P<name>.+?)\s+should:\s*$")
ITEM_RE = re.compile(r"^[-•*–]\s+(?P<text>.+)$")
FOOTNOTE_RE = re.compile(rf"^(?P<number>[{SUPERSCRIPT_DIGITS}]+|\d{{1,3}})[.)]?\s+(?P<text>\S.*)$")
SUPERSCRIPT_FOOTNOTE_RE = re.compile(rf"^[{SUPERSCRIPT_DIGITS}]+\s")
INLINE_CALL_RE = re.compile(rf"(?<=\S)([{SUPERSCRIPT_DIGITS}]+)")
EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_)(.+?)\1")
SENTENCE_END = tuple('.!?:;"”’)')


def strip_emphasis(text):
    """Markdown emphasis taken off a name (`The **UN Security Council**`)."""
    return EMPHASIS_RE.sub(r"\2", text).strip()


# The zones of an entry, in the order they come.
FINDINGS = "findings"
RECOMMENDATIONS = "recommendations"
FOOTNOTES = "footnotes"


def parse_text(text, *, path=None):
    """Parse the text format of a published outlook (as taken from its PDF)."""
    return _TextReader(text, path).read()


class _TextReader:
    """Reads a file line by line: `read_line` hands each line to the handler of its kind,
    and the handlers keep the reader's state (the attributes set in __init__)."""

    def __init__(self, text, path):
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.path = path
        self.headers = []  # (line number, prefix, period) of each running header
        self.entries = []
        self.entry = None  # the entry being read
        self.zone = None  # where in that entry: FINDINGS, RECOMMENDATIONS or FOOTNOTES
        self.paragraph = []  # the lines of the findings paragraph being read
        self.page_break = False  # a running header came inside the findings
        self.continuable = False  # the last line was an item or a footnote: a wrapped line goes on

    def error(self, message, line):
        return ImportFileError(message, path=self.path, line=line)

    def read(self):
        for number, line in enumerate(self.lines, start=1):
            self.read_line(line.strip(), number)
        self.end_paragraph()
        if not self.entries:
            raise self.error(
                "no country entry found; expected a line such as "
                '"Democratic People\'s Republic of Korea Risk: Very high/Ongoing"',
                1,
            )
        return self.outlook_content()

    def read_line(self, line, number):
        # The order of the tests is the format's precedence: a running header or a
        # country line may come anywhere, and a footnote may end any zone.
        if not line:
            self.blank_line()
        elif header := HEADER_RE.match(line):
            self.running_header(header, number)
        elif country := COUNTRY_RE.match(line):
            self.country_line(country, number)
        elif self.entry is None:
            raise self.error(
                f"expected a country line such as \"Democratic People's Republic of Korea "
                f'Risk: Very high/Ongoing", found "{shorten(line)}"',
                number,
            )
        elif footnote := self.footnote_start(line):
            self.footnote(footnote, number)
        elif self.zone == FOOTNOTES:
            self.footnote_continuation(line, number)
        elif RECOMMENDATIONS_RE.match(line):
            self.recommendations_heading(number)
        elif self.zone == FINDINGS:
            self.paragraph.append(line)
        else:
            self.recommendations_line(line, number)

    # --- Lines that may come anywhere --------------------------------------------------

    def blank_line(self):
        self.end_paragraph()
        self.continuable = False

    def running_header(self, match, number):
        """A header that page breaks repeat: dropped from the text, its region and period
        kept for the edition."""
        period = date(int(match["year"]), MONTHS.index(match["month"]) + 1, 1)
        self.headers.append((number, match["prefix"], period))
        if self.zone == FINDINGS:
            self.end_paragraph()
            self.page_break = True
        self.continuable = False

    def country_line(self, match, number):
        """`<Country> Risk: <level>/<status>` starts an entry."""
        self.end_paragraph()
        rating = match["rating"].strip()
        level, slash, status = rating.partition("/")
        if not slash or not level.strip() or not status.strip():
            raise self.error(
                f'the risk "{rating}" is not of the form "Risk: <level>/<status>", '
                'e.g. "Risk: Very high/Ongoing"',
                number,
            )
        self.entry = EntryContent(
            country=match["name"].strip(),
            risk_level=level.strip(),
            risk_status=status.strip(),
            line=number,
        )
        self.entries.append(self.entry)
        self.zone = FINDINGS
        self.continuable = False

    # --- Findings ----------------------------------------------------------------------

    def end_paragraph(self):
        """The paragraph read so far becomes a finding, or the end of the one a page
        break cut in two."""
        if not self.paragraph:
            return
        text = INLINE_CALL_RE.sub(
            lambda m: f"[^{m.group(1).translate(FROM_SUPERSCRIPT)}]", " ".join(self.paragraph)
        )
        findings = self.entry.findings
        if self.page_break and findings and not findings[-1].endswith(SENTENCE_END):
            findings[-1] += " " + text
        else:
            findings.append(text)
        self.paragraph = []
        self.page_break = False

    # --- Recommendations ---------------------------------------------------------------

    def recommendations_heading(self, number):
        if self.zone == RECOMMENDATIONS:
            raise self.error('a second "Recommendations" heading in one entry', number)
        self.end_paragraph()
        self.zone = RECOMMENDATIONS
        self.continuable = False

    def recommendations_line(self, line, number):
        """`<Addressee> should:`, an item `- ...` to that addressee, or a wrapped line of
        the item before."""
        groups = self.entry.recommendations
        if addressee := ADDRESSEE_RE.match(line):
            groups.append(RecommendationGroup(strip_emphasis(addressee["name"])))
            self.continuable = False
        elif item := ITEM_RE.match(line):
            if not groups:
                raise self.error(
                    "a recommendation before any addressee; expected a line such as "
                    '"The UN Security Council should:" first',
                    number,
                )
            groups[-1].items.append(item["text"].strip())
            self.continuable = True
        elif self.continuable:
            groups[-1].items[-1] += " " + line
        else:
            raise self.error(
                'expected "<Addressee> should:", a recommendation starting with "- ", '
                f'or a numbered footnote, found "{shorten(line)}"',
                number,
            )

    # --- Footnotes ---------------------------------------------------------------------

    def footnote_start(self, line):
        """The match of a footnote's first line, or None. In the findings only superscript
        digits start one: a paragraph may begin with a plain number."""
        match = FOOTNOTE_RE.match(line)
        if match and (self.zone != FINDINGS or SUPERSCRIPT_FOOTNOTE_RE.match(line)):
            return match
        return None

    def footnote(self, match, number):
        self.end_paragraph()
        footnote_number = from_superscript(match["number"])
        expected = len(self.entry.footnotes) + 1
        if footnote_number != expected:
            raise self.error(
                f"footnote {footnote_number} is out of order; expected footnote {expected} "
                "(footnotes are numbered 1, 2, 3… in each entry)",
                number,
            )
        self.entry.footnotes.append(FootnoteContent(footnote_number, match["text"].strip()))
        self.zone = FOOTNOTES
        self.continuable = True

    def footnote_continuation(self, line, number):
        if not self.continuable:
            raise self.error(
                f'expected a footnote beginning with its number, found "{shorten(line)}"',
                number,
            )
        self.entry.footnotes[-1].text += " " + line

    # --- The edition -------------------------------------------------------------------

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
