"""The text format of a published outlook, as taken from its PDF.

See `assessments/demo/dprk-2023-11.txt`: running headers repeated by page breaks
(`DPRK Asia Pacific Regional Outlook November 2023`), then for each country the line
`<Country> Risk: <level>/<status>`, findings paragraphs, `Recommendations` grouped
under `<Addressee> should:`, and numbered footnotes. The reader gives plain content
(assessments.content); the region is split from the header's prefix on storing.
"""

import re

from ..content import EntryContent, FootnoteContent, OutlookContent, RecommendationGroup
from ..models import TEXT_MAX_LENGTH
from ..text_format import (
    FIRST_YEAR,
    FROM_SUPERSCRIPT,
    MONTH_PATTERN,
    SUPERSCRIPT_DIGITS,
    UNPRINTABLE_IN_TEXT_RE,
    from_superscript,
    parse_period,
    split_citation,
)
from .errors import ImportFileError, shorten

# A name before a keyword ("<prefix> Regional Outlook", "<name> Risk:", "<name> should:")
# ends at the start of the white space before it: `(?<!\s)` spares the regular expression
# from trying every split of a run of spaces, which took seconds on a long line.
HEADER_RE = re.compile(
    rf"^(?P<prefix>.+?)(?<!\s)\s+Regional Outlook\s+(?P<month>{MONTH_PATTERN})\s+"
    r"(?P<year>\d{4})$"
)
COUNTRY_RE = re.compile(r"^(?P<name>.+?)(?<!\s)\s+Risk:\s*(?P<rating>.*)$")
RECOMMENDATIONS_RE = re.compile(r"^[*_#\s]*Recommendations[*_\s:]*$", re.IGNORECASE)
ADDRESSEE_RE = re.compile(r"^(?P<name>.+?)(?<!\s)\s+should:\s*$")
ITEM_RE = re.compile(r"^[-•*–]\s+(?P<text>.+)$")
# Footnotes are numbered in the hundreds at most: three digits, superscript or plain.
FOOTNOTE_RE = re.compile(
    rf"^(?P<number>[{SUPERSCRIPT_DIGITS}]{{1,3}}|\d{{1,3}})[.)]?\s+(?P<text>\S.*)$"
)
SUPERSCRIPT_FOOTNOTE_RE = re.compile(rf"^[{SUPERSCRIPT_DIGITS}]+\s")
# A call in running text: superscript digits wherever they are, after a word or a space
# ("severe ¹limitations", as the Markdown export writes "severe [^1]limitations").
INLINE_CALL_RE = re.compile(rf"[{SUPERSCRIPT_DIGITS}]+")
# Text taken from a PDF gives superscript calls as plain digits stuck to the punctuation
# after a word: "were detained.3 The". A word before the punctuation keeps figures out
# ("2.6 million", "Resolution 2270."), and only the numbers of the entry's footnotes count;
# so do references written without a space ("p.3", "para.12").
PLAIN_CALL_RE = re.compile(
    r"\b(?P<word>[^\W\d_]+)(?P<mark>[.,;:!?)”’\"']+)(?P<number>\d{1,3})(?=\s|$)"
)
REFERENCE_WORDS = {"p", "pp", "para", "paras", "no", "nos", "art", "arts", "vol", "ch", "chap"}
REFERENCE_WORDS |= {"sec", "fig", "op", "s", "ss", "n", "r", "res"}
EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_)(.+?)\1")
SENTENCE_END = tuple('.!?:;"”’)')
# No line of an outlook is longer than a finding may be: a longer one is a mistake, and is
# refused before any regular expression reads it.
LINE_MAX = TEXT_MAX_LENGTH


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
        # Line breaks as Windows, old Macs and Unix write them. Python's splitlines() would
        # also break at \x0b, \x0c, \x1c to \x1e and \x85, which are refused instead.
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
            self.read_line(self.checked(line, number), number)
        self.end_paragraph()
        if not self.entries:
            raise self.error(
                "no country entry found; expected a line such as "
                '"Democratic People\'s Republic of Korea Risk: Very high/Ongoing"',
                1,
            )
        return self.outlook_content()

    def checked(self, line, number):
        """The line stripped, once its characters and its length are known to be right.

        Characters are looked at first, on the line as it is: strip() would take some
        control characters (U+001C to U+001F, U+0085) off its ends as white space. Form feeds
        that start a line are page breaks, as PDF text extraction writes them.
        """
        text = line.lstrip("\f")
        if found := UNPRINTABLE_IN_TEXT_RE.search(text):
            column = found.start() + 1 + len(line) - len(text)
            raise self.error(
                f"remove the unprintable character U+{ord(found.group()):04X} at column "
                f"{column} (a control character, invisible to readers)",
                number,
            )
        line = text.strip()
        if len(line) > LINE_MAX:
            raise self.error(
                f"the line is {len(line)} characters long; no line of an outlook is longer "
                f"than {LINE_MAX} characters (a finding, written on one line, at most)",
                number,
            )
        return line

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
        try:
            period = parse_period(f"{match['month']} {match['year']}")
        except ValueError as error:
            raise self.error(
                f"the header's year {match['year']} is not a year of an outlook; expected a "
                f"year from {FIRST_YEAR} on, as in "
                '"DPRK Asia Pacific Regional Outlook November 2023"',
                number,
            ) from error
        # A name is one line with single spaces, as the editor's forms keep it.
        self.headers.append((number, " ".join(match["prefix"].split()), period))
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
        text = " ".join(self.paragraph)
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
            name = " ".join(strip_emphasis(addressee["name"]).split())
            groups.append(RecommendationGroup(name))
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
            numbers = range(1, len(entry.footnotes) + 1)
            entry.findings = [footnote_calls(text, numbers) for text in entry.findings]
            for group in entry.recommendations:
                group.items = [footnote_calls(text, numbers) for text in group.items]
            for note in entry.footnotes:
                note.text, note.url = split_citation(note.text)
            # The header closest above the entry names it in running text.
            above = [h for h in self.headers if h[0] < entry.line] or self.headers
            entry.short_name = above[-1][1]  # a prefix "<short name> <region>", split on storing
        return OutlookContent(
            region="", title="", period=self.headers[0][2], assessments=self.entries
        )


def footnote_calls(text, numbers):
    """Footnote calls in running text as Markdown calls (`[^3]`): superscript digits, and
    plain digits after a word's punctuation that are the number of one of the entry's
    footnotes (`numbers`)."""
    text = INLINE_CALL_RE.sub(lambda m: f"[^{m.group(0).translate(FROM_SUPERSCRIPT)}]", text)

    def plain(match):
        reference = match["mark"] == "." and match["word"].casefold() in REFERENCE_WORDS
        if reference or int(match["number"]) not in numbers:
            return match.group(0)
        return f"{match['word']}{match['mark']}[^{match['number']}]"

    return PLAIN_CALL_RE.sub(plain, text)
