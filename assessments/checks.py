"""Editorial checks: a careful proof-reader's pass over one country's entry.

The checks read plain content (`assessments.content.EntryContent`) and a small
`CheckContext` (the country's names, the edition's period, the previous edition's
rating), so the same checks run on a stored revision (`check_revision`), on an
editor's unsaved form (`check_content`) and in the importer.

Severity says what the workflow does with a result:

- error: certainly wrong as it would be printed (a citation of a footnote that does
  not exist, a malformed number, a change of rating without a rationale). Errors
  block submission.
- warning: probably wrong, but a machine cannot be sure (an uncited footnote, a
  country name that is not one of its known names, old evidence). The analyst must
  acknowledge each warning (`CheckAcknowledgement`, matched by `CheckResult.key`)
  before submitting.
- note: for information.

The checks work on the text as written; places are character spans in the text of
a finding, a recommendation or a footnote, so an editor can highlight them.

Using them:

    results = check_revision(revision)              # a stored revision
    context = CheckContext.for_assessment(assessment)
    results = check_content(entry_content, context)  # unsaved form data as EntryContent
    blocking_errors(results)                         # errors: refuse submission
    unacknowledged_warnings(results, keys)           # keys of the CheckAcknowledgements
    may_submit(results, keys)
    with_acknowledgements(results, revision.acknowledgements.all())  # for reviewers

Each result renders as `str(result)`, or by parts: severity, place_label ("Finding 1,
characters 120–131"), message, suggestion. For a whole edition, `contexts_for_outlook`
builds the contexts in a fixed number of queries (see `manage.py check_outlook`).
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError

from .content import revision_content
from .editions import live_revisions
from .models import normalize_name
from .text_format import MONTH_NUMBERS, MONTH_PATTERN, MONTHS, UN_SERIES, URL_RE, validate_url


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self):
        return SEVERITY_RANK[self]


SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}

# Parts of an entry a result can point at.
HEADING = "heading"  # the country's name as written in the entry's heading (imported text)
RATING = "rating"
FINDING = "finding"
ADDRESSEE = "addressee"
RECOMMENDATION = "recommendation"
FOOTNOTE = "footnote"
ENTRY = "entry"


@dataclass(frozen=True)
class Place:
    """Where a result is: which part of the entry and, when known, the character span."""

    part: str
    index: int | None = None  # finding N, recommendation group N, footnote number N
    item: int | None = None  # the item within a recommendation group
    start: int | None = None  # a Python slice of the part's text: text[start:end]
    end: int | None = None
    field: str = "text"  # "url" for a footnote's URL
    addressee: str = ""

    @property
    def label(self):
        if self.part == HEADING:
            where = "Country name in the heading"
        elif self.part == RATING:
            where = "Rating"
        elif self.part == FINDING:
            where = f"Finding {self.index}"
        elif self.part == ADDRESSEE:
            where = f"Recommendations to {self.addressee or f'group {self.index}'}"
        elif self.part == RECOMMENDATION:
            where = (
                f"Recommendations to {self.addressee or f'group {self.index}'}, item {self.item}"
            )
        elif self.part == FOOTNOTE:
            where = f"Footnote {self.index}" + (" URL" if self.field == "url" else "")
        else:
            where = "Entry"
        if self.start is not None and self.end is not None:
            # People count characters from 1; the span is start+1 to end inclusive.
            where += f", characters {self.start + 1}–{self.end}"
        return where

    def at(self, start, end):
        return replace(self, start=start, end=end)


@dataclass(frozen=True)
class CheckResult:
    severity: Severity
    check: str  # which check, e.g. "numbers.grouping"
    place: Place
    message: str
    suggestion: str = ""
    excerpt: str = ""  # the text the result is about
    # Stable across saves (it does not depend on character positions), so that an
    # acknowledgement made on one save still matches after the text around it changes.
    key: str = ""

    @property
    def place_label(self):
        return self.place.label

    @property
    def is_error(self):
        return self.severity == Severity.ERROR

    @property
    def is_warning(self):
        return self.severity == Severity.WARNING

    def __str__(self):
        text = f"{self.severity}: {self.place_label}: {self.message}"
        if self.suggestion:
            text += f" Suggested: {self.suggestion}"
        return text


@dataclass(frozen=True)
class CheckContext:
    """What the checks need to know beyond the entry's own text."""

    period: date | None = None  # the edition's period (first day of its month)
    official_name: str = ""
    short_name: str = ""
    aliases: tuple[str, ...] = ()
    # Normalised names (models.normalize_name) of every other country, so that a
    # mention of South Korea in the DPRK's entry is not taken for a misspelling.
    other_country_names: frozenset[str] = frozenset()
    previous_rating: tuple[str, str] | None = None  # (level, status) in the previous edition
    evidence_max_age_years: int = field(default_factory=lambda: settings.EVIDENCE_MAX_AGE_YEARS)

    @classmethod
    def for_country(cls, country, *, period=None, previous_rating=None, other_country_names=None):
        if other_country_names is None:
            other_country_names = country_names_except(country)
        return cls(
            period=period,
            official_name=country.official_name,
            short_name=country.short_name,
            aliases=tuple(name for name in (country.code.name, *country.aliases) if name),
            other_country_names=other_country_names,
            previous_rating=previous_rating,
        )

    @classmethod
    def for_assessment(cls, assessment, **kwargs):
        outlook = assessment.outlook
        return cls.for_country(
            assessment.country,
            period=outlook.period,
            previous_rating=previous_edition_rating(outlook, assessment.country),
            **kwargs,
        )


def country_names_except(country, countries=None):
    """Normalised names of every country but `country`; pass `countries` to save the query."""
    from .models import Country

    if countries is None:
        countries = Country.objects.exclude(pk=country.pk)
    own = country.normalized_names()
    names = set()
    for other in countries:
        if other.pk != country.pk:
            names |= other.normalized_names()
    return frozenset(names - own)


def previous_edition_ratings(outlook):
    """{country id: (level, status)} of the previous edition's published entries."""
    previous = outlook.previous_edition()
    if previous is None:
        return {}
    rows = (
        live_revisions()
        .filter(assessment__outlook=previous)
        .values_list("assessment__country_id", "risk_level__name", "risk_status__name")
    )
    return {country_id: (level, status) for country_id, level, status in rows}


def previous_edition_rating(outlook, country):
    """(level, status) of the country's published entry in the previous edition, or None."""
    return previous_edition_ratings(outlook).get(country.pk)


def contexts_for_outlook(outlook):
    """A CheckContext per assessment id of an edition, in a fixed number of queries."""
    from .models import Country

    ratings = previous_edition_ratings(outlook)
    countries = list(Country.objects.all())
    return {
        assessment.pk: CheckContext.for_country(
            assessment.country,
            period=outlook.period,
            previous_rating=ratings.get(assessment.country_id),
            other_country_names=country_names_except(assessment.country, countries),
        )
        for assessment in outlook.assessments.select_related("country")
    }


# --- Entry points -------------------------------------------------------------------


def check_revision(revision, context=None):
    """Run every check on a stored revision (fetch it with `with_content()`)."""
    if context is None:
        context = CheckContext.for_assessment(revision.assessment)
    return check_content(revision_content(revision), context)


def check_content(content, context=None):
    """Run every check on an entry's content; results in reading order, errors first."""
    context = context or CheckContext()
    checker = _Checker(content, context)
    results = checker.run()
    return _with_keys(results)


def blocking_errors(results):
    """The results that block submission."""
    return [result for result in results if result.severity == Severity.ERROR]


def unacknowledged_warnings(results, acknowledged_keys):
    """Warnings the analyst has not acknowledged yet (keys of CheckAcknowledgement rows)."""
    acknowledged_keys = set(acknowledged_keys)
    return [
        result
        for result in results
        if result.severity == Severity.WARNING and result.key not in acknowledged_keys
    ]


def may_submit(results, acknowledged_keys=()):
    """Errors block submission; warnings must be acknowledged."""
    return not blocking_errors(results) and not unacknowledged_warnings(results, acknowledged_keys)


def with_acknowledgements(results, acknowledgements):
    """Pair each result with its acknowledgement (a CheckAcknowledgement) or None."""
    by_key = {ack.key: ack for ack in acknowledgements}
    return [(result, by_key.get(result.key)) for result in results]


def counts(results):
    """{'error': n, 'warning': n, 'note': n}."""
    totals = dict.fromkeys(Severity, 0)
    for result in results:
        totals[result.severity] += 1
    return {str(severity): total for severity, total in totals.items()}


def _with_keys(results):
    seen = defaultdict(int)
    keyed = []
    for result in results:
        part = result.place.part + (":url" if result.place.field == "url" else "")
        basis = f"{result.check}|{part}|{_fold(result.excerpt)}"
        seen[basis] += 1
        digest = hashlib.sha1(f"{basis}|{seen[basis]}".encode()).hexdigest()[:12]
        keyed.append(replace(result, key=f"{result.check}:{part}:{digest}"))
    return keyed


# --- Text helpers ----------------------------------------------------------------------

CALL_RE = re.compile(r"\[\^([^\]\s]*)\]")
# Bounded, and stopping at brackets: "[a](" repeated must not make this quadratic.
LINK_TARGET_RE = re.compile(r"\]\([^)\s\[\]]{0,2000}\)")
MAX_FOOTNOTE_DIGITS = 4
MAX_SUGGESTED_DIGITS = 30


def _grouped(digits):
    """A run of digits grouped by thousands; none for a run too long to be a figure."""
    if len(digits) > MAX_SUGGESTED_DIGITS:
        return ""
    return f"{int(digits):,}"


EMPHASIS_MARK_RE = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*")
LIST_MARKER_RE = re.compile(r"^(\s*)(?:[-*+•]|\d{1,2}[.)])\s+")

ABBREVIATIONS = {
    "e.g", "i.e", "etc", "mr", "mrs", "ms", "dr", "st", "no", "nos", "para", "paras", "art",
    "arts", "p", "pp", "vol", "cf", "al", "vs", "approx", "est", "op", "cit", "ibid", "fig",
    "ch", "sec", "gen", "lt", "col", "maj", "capt", "sgt", "rev", "add", "corr", "inc", "ltd",
    "co", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.n", "u.k", "prof", "hon", "amb", "gov", "sen", "rep",
}  # fmt: skip

STOPWORDS = {
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or",
    "but", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its",
    "this", "that", "these", "those", "their", "there", "which", "who", "whom", "whose", "not",
    "no", "any", "all", "also", "into", "than", "such", "other", "more", "most", "some",
}  # fmt: skip


def _fold(text):
    return re.sub(r"\s+", " ", text.replace("’", "'").casefold()).strip()


def _mask(text):
    """The text with footnote calls, link targets, URLs and emphasis marks blanked out,
    keeping every other character at its position so that spans map back to the text."""

    def blank(match):
        return " " * len(match.group(0))

    masked = CALL_RE.sub(blank, text)
    masked = LINK_TARGET_RE.sub(lambda m: "]" + " " * (len(m.group(0)) - 1), masked)
    masked = URL_RE.sub(blank, masked)
    return EMPHASIS_MARK_RE.sub(blank, masked)


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    list_item: bool = False


SENTENCE_END_RE = re.compile(r"[.!?]+[\"”’')\]]*(?=\s|$)")


def _sentences(masked):
    """Sentence spans of a (masked) text; each line of a Markdown list stands alone."""
    sentences = []
    offset = 0
    for line in masked.split("\n"):
        line_start = offset
        offset += len(line) + 1
        marker = LIST_MARKER_RE.match(line)
        list_item = bool(marker)
        start = marker.end() if marker else 0
        for match in SENTENCE_END_RE.finditer(line):
            if match.group(0).startswith(".") and len(match.group(0).rstrip("\"”’')]")) == 1:
                before = line[start : match.start()].split()
                token = before[-1].lstrip("\"“‘'([") if before else ""
                if token.casefold() in ABBREVIATIONS or re.fullmatch(
                    r"[A-Z]|(?:[A-Za-z]\.)+[A-Za-z]", token
                ):
                    continue
            _add_sentence(sentences, line, line_start, start, match.end(), list_item)
            start = match.end()
        _add_sentence(sentences, line, line_start, start, len(line), list_item)
    return sentences


def _add_sentence(sentences, line, line_start, start, end, list_item):
    chunk = line[start:end]
    stripped = chunk.strip()
    if not stripped or not re.search(r"\w", stripped):
        return
    lead = len(chunk) - len(chunk.lstrip())
    begin = line_start + start + lead
    sentences.append(_Sentence(begin, begin + len(stripped), stripped, list_item))


@dataclass
class _Text:
    """A piece of the entry's text the checks read."""

    place: Place
    text: str
    masked: str = ""
    sentences: list = field(default_factory=list)

    def __post_init__(self):
        self.masked = _mask(self.text)

    def at(self, start, end):
        return self.place.at(start, end)


# --- The checks --------------------------------------------------------------------------

GROUPED_NUMBER_RE = re.compile(r"(?<![\w/.,])\d+(?:,\d+)+(?![\w/]|,\d)")
LONG_NUMBER_RE = re.compile(r"(?<![\w/.,])\d{5,}(?![\w/,.]\d|[\w/])")
PERCENT_RE = re.compile(r"(?<![\w/.,])(\d+(?:,\d{3})*(?:\.\d+)?)\s?(%|per ?cent\b)", re.IGNORECASE)
CHANGE_WORDS_RE = re.compile(
    r"\b(?:increase[sd]?|rise|rose|risen|rising|grew|grown|growth|up|inflation|higher|more|"
    r"doubled|tripled|surged?|jump(?:ed)?|exceed(?:ed|s)?)\b",
    re.IGNORECASE,
)
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
FIGURE_RE = re.compile(
    r"(?<![\w/.,$£€])(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s+(?P<scale>thousand|million|billion)\b)?"
    r"(?:\s?(?P<percent>%|per ?cent\b))?",
    re.IGNORECASE,
)
FIGURE_KEY_STOP = {
    "and", "or", "but", "which", "who", "that", "while", "whereas", "since", "because",
    "according", "in", "on", "at", "by", "from", "to", "during", "between", "until",
}  # fmt: skip
IDENTIFIER_WORDS = {
    "article", "articles", "resolution", "resolutions", "paragraph", "paragraphs", "para",
    "paras", "no", "number", "chapter", "section", "page", "pages", "p", "pp", "vol",
    "volume", "session", "rule", "rules", "item", "phase", "level", "category", "protocol",
    "point", "points", "annex", "table", "figure", "step", "principle", "goal", "target",
}  # fmt: skip
YEAR_RE = re.compile(r"(?<![\w/.,-])(19\d{2}|20\d{2})(?![\w/]|[.,]\d)")
# A date in "since February 2021" starts a period; it is not the date of a piece of evidence.
SINCE_RE = re.compile(
    r"\b(?:since|from|between|after|until|following|before)\b[^,;]*$", re.IGNORECASE
)
DATE_RE = re.compile(
    rf"(?:(?P<day>\d{{1,2}})\s+)?(?P<month>{MONTH_PATTERN})\s+(?P<year>(?:19|20)\d{{2}})\b"
    rf"|(?P<month2>{MONTH_PATTERN})\s+(?P<day2>\d{{1,2}}),\s+(?P<year2>(?:19|20)\d{{2}})\b"
)
URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])(?:/|$)")
REPORTING_RE = re.compile(
    r"\b(?:report(?:s|ed)?|find(?:s|ings)?|found|document(?:s|ed)|estimate[sd]?|"
    r"express(?:es|ed)|stated|said|says|noted|conclude[sd]|recorded|observed|warned|"
    r"according|revealed|confirmed|described|determined|surveyed|counted|verified|"
    r"identified|recorded|cited|published)\b",
    re.IGNORECASE,
)
FORWARD_RE = re.compile(
    r"\b(?:will|would|shall|scheduled|due|plan(?:s|ned)?|expected|upcoming|forthcoming|"
    r"next|by|until|ahead|set\s+to|deadline|target(?:s|ed)?|aims?|goal|projected|"
    r"forecast|postponed|before|intends?|promised|pledged|committed)\b",
    re.IGNORECASE,
)

AUXILIARIES = {
    "is", "are", "was", "were", "be", "been", "am", "has", "have", "had", "do", "does", "did",
    "can", "could", "will", "would", "may", "might", "must", "shall", "should", "isn't",
    "aren't", "wasn't", "weren't", "hasn't", "haven't", "hadn't", "doesn't", "didn't",
    "cannot", "can't", "won't", "remains", "remain", "remained", "seems", "seem", "appears",
}  # fmt: skip
IRREGULAR_VERBS = {
    "arose", "ate", "beat", "became", "began", "bent", "bit", "bled", "bore", "bound",
    "broke", "brought", "built", "burnt", "bought", "cast", "caught", "chose", "came", "cost",
    "cut", "dealt", "dug", "drew", "drove", "fed", "fell", "felt", "fled", "fought", "forbade",
    "forgave", "forgot", "froze", "found", "gave", "got", "grew", "hid", "hit", "held", "hung",
    "hurt", "kept", "knew", "laid", "led", "left", "lent", "let", "lay", "lit", "lost", "made",
    "meant", "met", "overcame", "overthrew", "paid", "put", "quit", "ran", "rang", "read",
    "rebuilt", "rode", "rose", "said", "sank", "saw", "sent", "set", "shook", "shot", "shut",
    "slept", "sold", "sought", "spent", "spoke", "spread", "stood", "stole", "struck", "stuck",
    "swept", "swore", "taught", "tore", "told", "thought", "threw", "took", "undertook",
    "understood", "upheld", "went", "withdrew", "withheld", "won", "woke", "wore", "wrote",
    "continue", "continues", "remain", "exist", "exists", "persist", "persists", "include",
    "includes", "lack", "lacks", "face", "faces", "need", "needs", "says", "takes", "makes",
}  # fmt: skip
NOT_PAST_TENSE = {"hundred", "indeed", "need", "red", "bed", "seed", "speed", "creed", "breed"}
DETERMINERS = {
    "a", "an", "the", "its", "their", "his", "her", "our", "your", "my", "these", "those",
    "this", "that", "many", "several", "some", "all", "both", "other", "such", "of", "in",
    "on", "for", "with", "by", "to", "from", "and", "or", "no", "few", "two", "three",
    "various", "numerous", "whose", "into", "against", "about", "among", "between",
}  # fmt: skip
PREPOSITIONS = {
    "in", "on", "at", "for", "with", "from", "of", "by", "during", "across", "among",
    "under", "over", "through", "within", "without", "against", "after", "before", "despite",
    "amid", "between", "into", "towards", "toward", "throughout", "beyond", "near",
}  # fmt: skip
SUBORDINATE_RE = re.compile(
    r"\b(?:where|which|who|whom|whose|that|when|while|whereas|because|although|though|"
    r"unless|if|whether)\b[^,;:]*",
    re.IGNORECASE,
)
NOT_IMPERATIVE_FIRST = {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "their", "there", "they",
    "we", "you", "he", "she", "all", "any", "each", "every", "no", "in", "on", "at", "by",
    "for", "from", "with", "to", "of", "as", "if", "when", "where", "while", "and", "or",
    "but", "should", "must", "may", "might", "can", "could", "will", "would", "shall", "is",
    "are", "be", "not", "please", "further", "more", "greater", "new", "continued",
}  # fmt: skip
NOUN_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ship", "ing")
GENERIC_NAME_WORDS = {
    "the", "of", "and", "democratic", "people", "peoples", "people's", "peoples'", "republic",
    "kingdom", "state", "states", "federal", "federated", "united", "islamic", "socialist",
    "union", "commonwealth", "islands", "island", "independent", "plurinational",
    "bolivarian", "arab", "emirate", "emirates", "principality", "grand", "duchy",
    "sultanate", "north", "south", "east", "west", "central", "new", "saint", "st", "de",
    "da", "del", "la", "le", "du", "des",
}  # fmt: skip
NAME_START_SKIP = {"the", "in", "on", "at", "of", "for", "by", "with", "and", "to", "from", "see"}
NAME_CHUNK_RE = re.compile(
    r"[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*"
    r"(?:[ \t]+(?:(?:of|the|and|de|la|du|des|del|da)[ \t]+)*[A-Z][\w'’]*(?:-[A-Za-z][\w'’]*)*)*"
)
SYMBOL_LIKE_RE = re.compile(rf"(?<![\w/.])(?i:{UN_SERIES})/[\w./-]*")
SYMBOL_SEGMENT_RE = re.compile(
    r"(?:[A-Z0-9]+(?:\.[A-Z0-9]+)*|(?:Rev|Add|Corr|Amend|Sub|Misc)\.\d+)(?:\s*\(\d{4}\))?"
)
BARE_WWW_RE = re.compile(r"(?<![/\w.])www\.[A-Za-z0-9-]+\.[^\s,;)]+")
NAME_SIMILARITY = 0.85


def _possible_verb(word, previous, last, after_preposition):
    lower = word.casefold().replace("’", "'")
    if lower in AUXILIARIES or lower in IRREGULAR_VERBS:
        return True
    if lower.endswith("ed") and len(lower) > 4 and lower not in NOT_PAST_TENSE:
        return True
    # A word in -s may be a verb ("continues"), unless a determiner makes it a noun ("the
    # camps") or it ends a phrase opened by a preposition ("In the prison camps").
    return (
        lower.endswith("s")
        and len(lower) > 3
        and not lower.endswith(("ss", "us", "is", "'s", "s'"))
        and word[0].islower()
        and previous.casefold() not in DETERMINERS
        and not (last and after_preposition)
    )


SUBORDINATORS = {
    "because", "although", "though", "whereas", "while", "if", "unless", "which", "where",
    "whereby", "when", "whose", "and", "but", "or",
}  # fmt: skip


def _lacks_main_verb(sentence):
    """True for a sentence that is only a fragment: a prepositional phrase standing alone
    ("In the prison camps where torture is commonplace.") or a subordinate clause with
    no main clause ("Because the government refused.").

    Only these shapes are judged: a verb cannot be told from a plural noun by its form
    ("These disputes deepen ..."), so a sentence starting with its subject is given the
    benefit of the doubt.
    """
    words = WORD_RE.findall(sentence)
    if len(words) < 3:
        return False
    first = words[0].casefold()
    if first in SUBORDINATORS:
        return "," not in sentence and ";" not in sentence
    if first not in PREPOSITIONS:
        return False
    main = WORD_RE.findall(SUBORDINATE_RE.sub(" ", sentence))
    if len(main) < 2:
        return False
    for i, word in enumerate(main):
        previous = main[i - 1] if i else ""
        if _possible_verb(word, previous, i == len(main) - 1, True):
            return False
    return True


class _Checker:
    def __init__(self, content, context):
        self.content = content
        self.context = context
        self.results = []
        self.findings = [
            _Text(Place(FINDING, index=i), text) for i, text in enumerate(content.findings, 1)
        ]
        self.items = []
        for g, group in enumerate(content.recommendations, 1):
            for i, text in enumerate(group.items, 1):
                place = Place(RECOMMENDATION, index=g, item=i, addressee=group.addressee)
                self.items.append(_Text(place, text))
        self.footnotes = [
            _Text(Place(FOOTNOTE, index=note.number), note.text) for note in content.footnotes
        ]
        for text in self.findings + self.items:
            text.sentences = _sentences(text.masked)
        self.prose = self.findings + self.items  # what readers read as running text

    def add(self, severity, check, place, message, suggestion="", excerpt=""):
        self.results.append(CheckResult(severity, check, place, message, suggestion, excerpt))

    def run(self):
        self.check_entry()
        self.check_rating()
        self.check_numbers()
        self.check_repetition()  # before check_sentences, which skips repeated fragments
        self.check_sentences()
        self.check_names()
        self.check_footnotes()
        self.check_recommendations()
        self.check_dates()
        order = {FINDING: 1, ADDRESSEE: 2, RECOMMENDATION: 2, FOOTNOTE: 3, HEADING: 0, RATING: 0}
        return sorted(
            self.results,
            key=lambda r: (
                r.severity.rank,
                order.get(r.place.part, 4),
                r.place.index or 0,
                r.place.item or 0,
                r.place.start or 0,
            ),
        )

    # --- Entry and rating ---

    def check_entry(self):
        if not any(text.strip() for text in self.content.findings):
            self.add(
                Severity.ERROR, "entry.no_findings", Place(ENTRY), "The entry has no findings."
            )
        for text in self.findings:
            if not text.text.strip():
                self.add(
                    Severity.ERROR,
                    "entry.empty_finding",
                    text.place,
                    "This finding is empty.",
                    "Delete it.",
                )

    def check_rating(self):
        content, context = self.content, self.context
        if not content.risk_level or not content.risk_status:
            self.add(
                Severity.ERROR,
                "rating.missing",
                Place(RATING),
                "The entry has no rating: choose a risk level and a risk status.",
            )
            return
        if context.previous_rating is None:
            return
        previous = tuple(context.previous_rating)
        current = (content.risk_level, content.risk_status)
        changed = tuple(p.casefold() for p in previous) != tuple(c.casefold() for c in current)
        if changed and not content.rationale.strip():
            self.add(
                Severity.ERROR,
                "rating.no_rationale",
                Place(RATING),
                f"The rating changes from {previous[0]}/{previous[1]} in the previous edition to "
                f"{current[0]}/{current[1]}, but no rationale says why.",
                "Write the rationale for the change of rating.",
                excerpt=f"{previous[0]}/{previous[1]}>{current[0]}/{current[1]}",
            )

    # --- Numbers ---

    def check_numbers(self):
        figures = {}  # key -> (value, text, written, place label, years of its sentence)
        for text in self.prose:
            masked = text.masked
            for match in GROUPED_NUMBER_RE.finditer(masked):
                groups = match.group(0).split(",")
                if 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
                    continue
                written = match.group(0)
                digits = "".join(groups)
                suggestion = _grouped(digits)
                if suggestion and len(groups[-1]) == 4 and len(groups) >= 2:
                    suggestion = f"{_grouped(digits[:-1])} or {suggestion}"
                self.add(
                    Severity.ERROR,
                    "numbers.grouping",
                    text.at(match.start(), match.end()),
                    f'"{written}" is not a well-formed number: after a comma, digits come '
                    "in groups of three.",
                    suggestion,
                    written,
                )
            for match in LONG_NUMBER_RE.finditer(masked):
                number = match.group(0)
                if re.fullmatch(r"(?:19|20)\d{2}", number):
                    continue
                self.add(
                    Severity.NOTE,
                    "numbers.ungrouped",
                    text.at(match.start(), match.end()),
                    f'"{number}" is easier to read with its digits grouped.',
                    _grouped(number),
                    number,
                )
            for match in PERCENT_RE.finditer(masked):
                value = float(match.group(1).replace(",", ""))
                if value <= 100:
                    continue
                sentence_start = max(masked.rfind(".", 0, match.start()), 0)
                if CHANGE_WORDS_RE.search(masked, sentence_start, match.start()):
                    continue  # "inflation rose by 150%" is a change, not a share
                self.add(
                    Severity.WARNING,
                    "numbers.percent",
                    text.at(match.start(), match.end()),
                    f'"{match.group(0)}" is more than a whole: a share cannot exceed 100%.',
                    excerpt=match.group(0),
                )
            self.check_figures(text, figures)

    def check_figures(self, text, figures):
        """The same figure (a number and what it counts) given twice with different values."""
        masked = text.masked
        for sentence in text.sentences:
            years = frozenset(YEAR_RE.findall(sentence.text))
            for match in FIGURE_RE.finditer(sentence.text):
                number = match.group("number")
                start, end = sentence.start + match.start(), sentence.start + match.end()
                bare = not match.group("scale") and not match.group("percent")
                is_year = re.fullmatch(r"(?:19|20)\d{2}", number)
                is_list_marker = len(number) <= 2 and start and masked[start - 1] == "("
                if bare and (is_year or is_list_marker):
                    continue
                before = WORD_RE.findall(masked[max(0, start - 20) : start])
                if before and before[-1].casefold() in IDENTIFIER_WORDS | set(MONTH_NUMBERS):
                    continue
                after = masked[end : end + 60]
                if re.match(rf"\s*(?:{MONTH_PATTERN})\b", after) or re.match(r"[.,]\d", after):
                    continue
                key_words = []
                for word in re.finditer(r"[^\s]+", after):
                    token = word.group(0)
                    clean = re.sub(r"[^\w'-]", "", token).casefold()
                    if clean in FIGURE_KEY_STOP or not clean:
                        break
                    if clean not in ("of", "the", "a", "an"):
                        key_words.append(clean)
                    if re.search(r"[,.;:!?)\"”]$", token) or len(key_words) == 3:
                        break
                if not key_words:
                    continue
                unit = "%" if match.group("percent") else ""
                key = (unit, tuple(key_words))
                try:
                    value = float(number.replace(",", ""))
                except ValueError:
                    continue
                value *= SCALES.get((match.group("scale") or "").casefold(), 1)
                written = match.group(0).strip()
                previous = figures.get(key)
                if previous is None:
                    figures[key] = (value, written, text.place.label, years, id(sentence))
                    continue
                old_value, old_written, old_label, old_years, old_sentence = previous
                # A figure in the same sentence, or of other years, is a comparison or a series.
                if (
                    old_value == value
                    or old_sentence == id(sentence)
                    or (old_years and years and old_years != years)
                ):
                    continue
                what = " ".join(key_words)
                self.add(
                    Severity.WARNING,
                    "numbers.inconsistent",
                    text.at(start, end),
                    f'"{written} {what}" here, but "{old_written} {what}" in {old_label}: '
                    "the same figure should have one value.",
                    f"Use one figure, {old_written} or {written}, in both places.",
                    f"{written} {what}",
                )

    # --- Sentences and repetition ---

    def check_sentences(self):
        for text in self.prose:
            is_finding = text.place.part == FINDING
            for sentence in text.sentences:
                first = re.search(r"[A-Za-z]", sentence.text)
                if first and first.group(0).islower() and not sentence.list_item:
                    pos = sentence.start + first.start()
                    word = WORD_RE.match(text.masked, pos)
                    self.add(
                        Severity.WARNING,
                        "sentences.capital",
                        text.at(sentence.start, sentence.end),
                        "This sentence does not start with a capital letter: is it the broken "
                        "end of the sentence before?",
                        excerpt=sentence.text,
                        suggestion=(word.group(0).capitalize() if word else ""),
                    )
                elif (
                    is_finding
                    and not sentence.list_item
                    and _lacks_main_verb(sentence.text)
                    and not self._repeats(text, sentence)
                ):
                    self.add(
                        Severity.WARNING,
                        "sentences.fragment",
                        text.at(sentence.start, sentence.end),
                        "This is not a full sentence: it has no main clause with a verb.",
                        "Complete the sentence, or join it to the one before.",
                        sentence.text,
                    )
            stripped = text.masked.rstrip()
            if is_finding and stripped and not re.search(r"[.!?:][\"”’')\]]*$", stripped):
                end = len(stripped)
                self.add(
                    Severity.WARNING,
                    "sentences.unfinished",
                    text.at(max(0, end - 20), end),
                    "The finding ends without a full stop: is text missing?",
                    excerpt=stripped[-40:],
                )
            self.check_doubled_words(text)
            self.check_balance(text)

    def check_doubled_words(self, text):
        for match in re.finditer(r"\b([A-Za-z]+)\s+\1\b", text.masked, re.IGNORECASE):
            word = match.group(1).casefold()
            if word in ("had", "that", "is"):
                continue
            self.add(
                Severity.WARNING,
                "repetition.word",
                text.at(match.start(), match.end()),
                f'"{match.group(1)}" is written twice in a row.',
                match.group(1),
                match.group(0),
            )

    def check_balance(self, text):
        stack = []
        for i, char in enumerate(text.masked):
            if char in "([":
                stack.append(i)
            elif char in ")]":
                if stack:
                    stack.pop()
                else:
                    self.add(
                        Severity.WARNING,
                        "sentences.brackets",
                        text.at(i, i + 1),
                        "A closing bracket has no opening bracket.",
                        excerpt=text.masked[max(0, i - 20) : i + 1],
                    )
        for i in stack:
            self.add(
                Severity.WARNING,
                "sentences.brackets",
                text.at(i, i + 1),
                "An opening bracket is never closed.",
                excerpt=text.masked[i : i + 20],
            )
        straight = [m.start() for m in re.finditer(r'"', text.masked)]
        opening = text.masked.count("“")
        closing = text.masked.count("”")
        if len(straight) % 2 or opening != closing:
            where = straight[-1] if len(straight) % 2 else text.masked.find("“")
            where = max(where, 0)
            self.add(
                Severity.WARNING,
                "sentences.quotes",
                text.at(where, where + 1),
                "A quotation is opened but not closed (or closed but not opened).",
                excerpt=text.masked[where : where + 30],
            )

    def _word_positions(self, text):
        return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w'’-]+", text.masked)]

    def check_repetition(self):
        """A sentence, or a run of seven or more words, that the entry already has."""
        self._repeated = {}  # (id of text, sentence start) -> description of the earlier place
        # Seven words with four content words among them: "the rights of women and girls"
        # is a phrase an entry may well repeat; "prison camps where torture and killing are
        # commonplace" is not.
        size = 7
        seen_sentences = {}
        seen_shingles = {}
        for text in self.prose:
            # Whole sentences first: a short sentence repeated is caught here.
            repeated_sentence_spans = []
            for sentence in text.sentences:
                folded = _fold(re.sub(r"[^\w\s']", " ", sentence.text))
                if len(folded.split()) < 3:
                    continue
                earlier = seen_sentences.get(folded)
                if earlier is None:
                    seen_sentences[folded] = text.place.label
                    continue
                repeated_sentence_spans.append((sentence.start, sentence.end))
                self._repeated[(id(text), sentence.start)] = earlier
                self.add(
                    Severity.WARNING,
                    "repetition.sentence",
                    text.at(sentence.start, sentence.end),
                    f"This sentence repeats one in {earlier}.",
                    "Delete one of them.",
                    sentence.text,
                )
            words = self._word_positions(text)
            folded_words = [w.casefold().replace("’", "'") for _, _, w in words]
            marked = {}  # word index -> label of the earlier place
            for i in range(len(words) - size + 1):
                shingle = tuple(folded_words[i : i + size])
                earlier = seen_shingles.get(shingle)
                if earlier is None:
                    seen_shingles[shingle] = (id(text), i, text.place.label)
                    continue
                earlier_text, earlier_index, label = earlier
                if earlier_text == id(text) and i - earlier_index < size:
                    continue  # overlapping itself ("very, very, very ...")
                for j in range(i, i + size):
                    marked.setdefault(j, label if earlier_text != id(text) else "the same finding")
            for run in _runs(sorted(marked)):
                start, end = words[run[0]][0], words[run[-1]][1]
                if any(s <= start and end <= e for s, e in repeated_sentence_spans):
                    continue
                content_words = [
                    words[j][2]
                    for j in run
                    if words[j][2][0].islower() and folded_words[j] not in STOPWORDS
                ]
                if len(content_words) < 4:
                    continue  # a repeated proper name ("the Office of the High Commissioner")
                label = marked[run[0]]
                excerpt = text.masked[start:end]
                sentence = next((s for s in text.sentences if s.start <= start < s.end), None)
                if sentence is not None and _lacks_main_verb(sentence.text):
                    self._repeated[(id(text), sentence.start)] = label
                    self.add(
                        Severity.WARNING,
                        "repetition.fragment",
                        text.at(sentence.start, sentence.end),
                        f"This is a broken sentence (its main clause has no verb) that repeats "
                        f'"{excerpt}" from {label}.',
                        "Delete it, or rewrite it as a full sentence.",
                        sentence.text,
                    )
                else:
                    self.add(
                        Severity.WARNING,
                        "repetition.phrase",
                        text.at(start, end),
                        f'"{excerpt}" is repeated from {label}.',
                        "Say it once, or vary the wording.",
                        excerpt,
                    )

    def _repeats(self, text, sentence):
        return (id(text), sentence.start) in getattr(self, "_repeated", {})

    # --- Names ---

    def check_names(self):
        context = self.context
        parts = list(self.prose) + list(self.footnotes)
        for group_index, group in enumerate(self.content.recommendations, 1):
            parts.append(
                _Text(
                    Place(ADDRESSEE, index=group_index, addressee=group.addressee), group.addressee
                )
            )
        heading = self.content.country.strip()
        if heading and not re.fullmatch(r"[A-Za-z]{2}", heading):
            parts.insert(0, _Text(Place(HEADING), heading))
        flagged = set()
        if context.official_name:
            self.check_country_names(parts, flagged)
        self.check_name_consistency(parts, flagged)

    def _country_names(self):
        """(canonical form by normalised name, anchor words) for the entry's country."""
        context = self.context
        canonical = {}
        for name in (context.official_name, context.short_name, *context.aliases):
            if name:
                canonical.setdefault(normalize_name(name), name)
        # An alias spelt like the official or short name but for its punctuation
        # ("Democratic Peoples' Republic of Korea") is a misspelling, not another name.
        for name in (context.short_name, context.official_name):
            if name:
                canonical[normalize_name(name)] = name
        anchors = set()
        for name in canonical.values():
            for word in WORD_RE.findall(name):
                folded = word.casefold().replace("’", "'")
                if folded not in GENERIC_NAME_WORDS and len(folded) > 2:
                    anchors.add(normalize_name(folded))
        return canonical, anchors

    def check_country_names(self, parts, flagged):
        context = self.context
        canonical, anchors = self._country_names()
        long_names = [(n, c) for n, c in canonical.items() if len(n.split()) >= 2]
        for text in parts:
            for chunk in NAME_CHUNK_RE.finditer(text.masked):
                tokens = [
                    (chunk.start() + m.start(), chunk.start() + m.end(), m.group(0))
                    for m in WORD_RE.finditer(chunk.group(0))
                ]
                for j, (_, _, word) in enumerate(tokens):
                    if normalize_name(re.sub(r"['’]s$", "", word)) not in anchors:
                        continue
                    self._check_name_at(text, tokens, j, canonical, long_names, flagged, context)

    def _check_name_at(self, text, tokens, j, canonical, long_names, flagged, context):
        exact = None
        fuzzy = None
        for i in range(max(0, j - 8), j + 1):
            if tokens[i][2].casefold() in NAME_START_SKIP:
                continue
            start, end = tokens[i][0], tokens[j][1]
            written = re.sub(r"['’]s$", "", text.text[start:end])
            end = start + len(written)
            normal = normalize_name(written)
            if normal in canonical:
                exact = (start, end, written, canonical[normal])
                break
            if normal in context.other_country_names:
                return  # another country's name, such as South Korea
            if fuzzy is None:
                for known, name in long_names:
                    if abs(len(known) - len(normal)) > 0.3 * len(known):
                        continue
                    matcher = SequenceMatcher(None, normal, known, autojunk=False)
                    if matcher.real_quick_ratio() < NAME_SIMILARITY:
                        continue
                    if matcher.ratio() >= NAME_SIMILARITY:
                        fuzzy = (start, end, written, name)
                        break
        if fuzzy and (exact is None or len(fuzzy[3]) > len(exact[3])):
            start, end, written, name = fuzzy
            if (text.place, start) in flagged:
                return
            flagged.add((text.place, start))
            self.add(
                Severity.WARNING,
                "names.unknown",
                text.at(start, end),
                f'"{written}" is not a name of {context.short_name or context.official_name}: '
                f"use its official name ({context.official_name}), its short name "
                f"({context.short_name}) or a known alias.",
                name,
                written,
            )
        elif exact:
            start, end, written, name = exact
            if _fold(written) != _fold(name) and (text.place, start) not in flagged:
                flagged.add((text.place, start))
                self.add(
                    Severity.WARNING,
                    "names.misspelt",
                    text.at(start, end),
                    f'"{written}" is a misspelling of "{name}".',
                    name,
                    written,
                )

    def check_name_consistency(self, parts, flagged):
        """One name written two ways in the entry (People's / Peoples', Timor-Leste /
        Timor Leste): the first form read is taken as the entry's."""
        forms = {}
        for text in parts:
            for chunk in NAME_CHUNK_RE.finditer(text.masked):
                written = chunk.group(0)
                offset = 0
                first = WORD_RE.match(written)
                if first and first.group(0).casefold() in NAME_START_SKIP:
                    rest = written[first.end() :]
                    offset = first.end() + len(rest) - len(rest.lstrip())
                    written = rest.strip()
                written = re.sub(r"['’]s$", "", written)
                if len(WORD_RE.findall(written)) < 2 and len(written) < 6:
                    continue
                squashed = re.sub(r"[\W_]+", "", written.casefold())
                folded = _fold(written)
                start = chunk.start() + offset
                if (text.place, start) in flagged:
                    continue  # already reported as a misspelling; not a reference form
                earlier = forms.setdefault(squashed, (folded, written, text.place.label))
                if earlier[0] == folded:
                    continue
                flagged.add((text.place, start))
                self.add(
                    Severity.WARNING,
                    "names.inconsistent",
                    text.at(start, start + len(written)),
                    f'"{written}" is written "{earlier[1]}" in {earlier[2]}: '
                    "write one name one way.",
                    earlier[1],
                    written,
                )

    # --- Footnotes ---

    def check_footnotes(self):
        notes = self.content.footnotes
        numbers = [note.number for note in notes]
        known = set(numbers)
        cited = {}
        order = []
        for text in self.prose:
            for match in CALL_RE.finditer(text.text):
                label = match.group(1)
                place = text.at(match.start(), match.end())
                if not (label.isascii() and label.isdigit()) or len(label) > MAX_FOOTNOTE_DIGITS:
                    self.add(
                        Severity.ERROR,
                        "footnotes.bad_call",
                        place,
                        f'"{match.group(0)}" is not a footnote call: footnotes are cited by '
                        "number, as [^1].",
                        excerpt=match.group(0),
                    )
                    continue
                number = int(label)
                if number not in known:
                    have = ", ".join(str(n) for n in sorted(known)) or "none"
                    self.add(
                        Severity.ERROR,
                        "footnotes.missing",
                        place,
                        f"Footnote {number} is cited here but does not exist "
                        f"(the entry's footnotes: {have}).",
                        "Add the footnote, or correct the number.",
                        match.group(0),
                    )
                    continue
                if number not in cited:
                    cited[number] = place
                    order.append(number)
        for note in notes:
            if note.number not in cited:
                self.add(
                    Severity.WARNING,
                    "footnotes.uncited",
                    Place(FOOTNOTE, index=note.number),
                    f"Footnote {note.number} is never cited in the text.",
                    f"Cite it as [^{note.number}] where the text relies on it, or delete it.",
                    f"{note.text} {note.url}",
                )
        seen = set()
        for i, note in enumerate(notes):
            if note.number in seen:
                self.add(
                    Severity.ERROR,
                    "footnotes.duplicate_number",
                    Place(FOOTNOTE, index=note.number),
                    f"Two footnotes are numbered {note.number}.",
                    "Renumber the footnotes 1, 2, 3…",
                    f"{note.number}",
                )
            seen.add(note.number)
            expected = notes[i - 1].number + 1 if i else 1
            if note.number > expected:
                missing = (
                    f"footnote {expected} is missing"
                    if note.number == expected + 1
                    else f"footnotes {expected}–{note.number - 1} are missing"
                )
                self.add(
                    Severity.ERROR,
                    "footnotes.gap",
                    Place(FOOTNOTE, index=note.number),
                    f"Footnote {note.number} follows "
                    + (f"footnote {notes[i - 1].number}" if i else "no footnote")
                    + f": {missing}.",
                    "Renumber the footnotes 1, 2, 3…",
                    f"{note.number}",
                )
        if order != sorted(order):
            first_wrong = next(n for a, n in zip(order, order[1:], strict=False) if n < a)
            self.add(
                Severity.NOTE,
                "footnotes.order",
                cited[first_wrong],
                f"Footnote {first_wrong} is first cited after a higher-numbered footnote: "
                "readers expect footnotes in the order they are cited.",
                excerpt=f"{order}",
            )
        for text, note in zip(self.footnotes, notes, strict=True):
            self.check_source(text, note)
        for text in self.prose:
            self.check_symbols(text)
            self.check_bare_www(text)

    def check_source(self, text, note):
        if not note.text.strip() and not note.url.strip():
            self.add(
                Severity.ERROR,
                "footnotes.empty",
                text.place,
                f"Footnote {note.number} is empty.",
                "Write the citation, or delete the footnote.",
            )
            return
        urls_in_text = URL_RE.findall(note.text)
        symbols = self.check_symbols(text)
        if not note.url.strip() and not urls_in_text and not symbols:
            self.add(
                Severity.WARNING,
                "footnotes.untraceable",
                text.place,
                f"Footnote {note.number} has neither a URL nor a UN document symbol: "
                "a reader cannot find the source.",
                "Add the URL or the document symbol (e.g. A/HRC/46/52).",
                note.text,
            )
        if note.url.strip():
            url_place = replace(text.place, field="url")
            try:
                validate_url(note.url.strip())
            except ValidationError:
                self.add(
                    Severity.ERROR,
                    "footnotes.bad_url",
                    url_place,
                    f'Footnote {note.number}\'s URL "{note.url}" is not a valid web address.',
                    "Write the full address, starting with https://.",
                    note.url,
                )
        for match in URL_RE.finditer(note.text):
            try:
                validate_url(match.group(0))
            except ValidationError:
                self.add(
                    Severity.ERROR,
                    "footnotes.bad_url",
                    text.at(match.start(), match.end()),
                    f'"{match.group(0)}" is not a valid web address.',
                    excerpt=match.group(0),
                )
        self.check_bare_www(text)

    def check_symbols(self, text):
        """Report malformed UN document symbols; return the well-formed ones."""
        good = []
        for match in SYMBOL_LIKE_RE.finditer(text.masked):
            symbol = match.group(0).rstrip(".-")
            if not re.search(r"\d", symbol):
                continue  # "and/or", "S/he": not a symbol
            segments = symbol.split("/")
            valid = (
                segments[0] == segments[0].upper()
                and len(segments) >= 3
                and all(SYMBOL_SEGMENT_RE.fullmatch(segment) for segment in segments[1:])
            )
            if valid:
                good.append(symbol)
                continue
            suggestion = ""
            fixed = "/".join(s for s in symbol.upper().split("/") if s)
            fixed = re.sub(r"\b(REV|ADD|CORR)\.", lambda m: m.group(1).capitalize() + ".", fixed)
            if fixed != symbol and len(fixed.split("/")) >= 3:
                suggestion = fixed
            self.add(
                Severity.WARNING,
                "footnotes.bad_symbol",
                text.at(match.start(), match.start() + len(symbol)),
                f'"{symbol}" is not a well-formed UN document symbol (such as A/HRC/46/52): '
                "check it against the UN Official Document System.",
                suggestion,
                symbol,
            )
        return good

    def check_bare_www(self, text):
        for match in BARE_WWW_RE.finditer(text.masked):
            self.add(
                Severity.WARNING,
                "footnotes.bad_url",
                text.at(match.start(), match.end()),
                f'"{match.group(0)}" has no https:// in front: it will not be a link.',
                "https://" + match.group(0),
                match.group(0),
            )

    # --- Recommendations ---

    def check_recommendations(self):
        seen = {}  # folded text -> place of the first
        addressees = {}
        for g, group in enumerate(self.content.recommendations, 1):
            group_place = Place(ADDRESSEE, index=g, addressee=group.addressee)
            folded_addressee = _fold(group.addressee)
            if folded_addressee in addressees:
                self.add(
                    Severity.WARNING,
                    "recommendations.addressee_twice",
                    group_place,
                    f"{group.addressee} is addressed twice, in groups "
                    f"{addressees[folded_addressee]} and {g}.",
                    "Merge the two groups.",
                    group.addressee,
                )
            addressees.setdefault(folded_addressee, g)
            if not [item for item in group.items if item.strip()]:
                self.add(
                    Severity.ERROR,
                    "recommendations.empty_group",
                    group_place,
                    f'"{group.addressee} should:" has no recommendations under it.',
                    "Add the recommendations, or delete the addressee.",
                    group.addressee,
                )
        for text in self.items:
            if not text.text.strip():
                self.add(
                    Severity.ERROR,
                    "recommendations.empty_item",
                    text.place,
                    "This recommendation is empty.",
                    "Delete it.",
                )
                continue
            folded = _fold(re.sub(r"[^\w\s']", " ", text.masked))
            earlier = seen.get(folded)
            if earlier is not None:
                same_group = earlier.index == text.place.index
                self.add(
                    Severity.ERROR if same_group else Severity.WARNING,
                    "recommendations.duplicate",
                    text.at(0, len(text.text)),
                    f"This recommendation repeats {earlier.label.split(',')[0]}"
                    + f", item {earlier.item}.",
                    "Delete one of them."
                    if same_group
                    else "Keep it for one addressee only, unless both must act.",
                    text.text,
                )
            else:
                seen[folded] = text.place
            self.check_imperative(text)

    def check_imperative(self, text):
        words = list(WORD_RE.finditer(text.masked))
        if not words:
            return
        first = words[0]
        word = first.group(0)
        lower = word.casefold()
        if lower.endswith("ly") and len(words) > 1:  # "Immediately cease ..."
            first = words[1]
            word = first.group(0)
            lower = word.casefold()
        reason = ""
        if lower in NOT_IMPERATIVE_FIRST:
            reason = f'starts with "{word}"'
        elif word.isupper() and len(word) > 1:
            reason = f'starts with "{word}", a name'
        elif (lower.endswith(NOUN_SUFFIXES) and lower not in ("bring", "sing")) or (
            lower.endswith("ed") and lower not in ("need", "heed", "feed", "proceed", "exceed")
        ):
            reason = f'starts with "{word}", which is not a verb in the imperative'
        if reason:
            self.add(
                Severity.WARNING,
                "recommendations.not_imperative",
                text.at(first.start(), first.end()),
                f"A recommendation says what the addressee should do, starting with a verb "
                f'("Ensure", "Release", "Ratify"); this one {reason}.',
                "Rewrite it to start with a verb.",
                word,
            )

    # --- Dates ---

    def check_dates(self):
        period = self.context.period
        if period is None:
            return
        max_age = self.context.evidence_max_age_years * 12
        edition = period.year * 12 + period.month
        for text in self.prose:
            for sentence in text.sentences:
                dates = list(_dates(sentence.text))
                if not dates:
                    continue
                forward = FORWARD_RE.search(sentence.text)
                for start, end, year, _month in dates:
                    if year > period.year and not forward:
                        self.add(
                            Severity.WARNING,
                            "dates.future",
                            text.at(sentence.start + start, sentence.start + end),
                            f"{sentence.text[start:end]} is after this edition "
                            f"({MONTHS[period.month - 1]} {period.year}): is the year right?",
                            excerpt=sentence.text[start:end],
                        )
                if not REPORTING_RE.search(sentence.text):
                    continue  # history ("the war ended in 2009"), not evidence
                evidence = [d for d in dates if not SINCE_RE.search(sentence.text[: d[0]])]
                if not evidence:
                    continue
                start, end, year, month = max(evidence, key=lambda d: (d[2], d[3]))
                age = edition - (year * 12 + month)
                if age > max_age:
                    self._old_evidence(
                        text.at(sentence.start + start, sentence.start + end),
                        sentence.text[start:end],
                        age,
                    )
        for text, note in zip(self.footnotes, self.content.footnotes, strict=True):
            masked = SYMBOL_LIKE_RE.sub(lambda m: " " * len(m.group(0)), text.masked)
            dates = [(s, e, y, m, False) for s, e, y, m in _dates(masked)]
            url_date = URL_DATE_RE.search(note.url or "")
            if url_date:
                dates.append((None, None, int(url_date.group(1)), int(url_date.group(2)), True))
            for start, end, year, _month, _in_url in dates:
                if year > period.year:
                    place = (
                        text.at(start, end)
                        if start is not None
                        else replace(text.place, field="url")
                    )
                    self.add(
                        Severity.ERROR,
                        "dates.future_source",
                        place,
                        f"The source is dated {year}, after this edition "
                        f"({MONTHS[period.month - 1]} {period.year}).",
                        "Correct the date.",
                        str(year),
                    )
            if not dates:
                continue
            start, end, year, month, in_url = max(dates, key=lambda d: (d[2], d[3]))
            age = edition - (year * 12 + month)
            if age > max_age:
                place = replace(text.place, field="url") if in_url else text.at(start, end)
                written = f"{MONTHS[month - 1]} {year}" if in_url else text.text[start:end]
                self._old_evidence(place, written, age)

    def _old_evidence(self, place, written, age):
        years, months = divmod(age, 12)
        old = f"{years} year{'s' if years != 1 else ''}" + (
            f" {months} month{'s' if months != 1 else ''}" if months else ""
        )
        self.add(
            Severity.WARNING,
            "dates.old_evidence",
            place,
            f"The evidence is from {written}, {old} before this edition; evidence should be "
            f"at most {self.context.evidence_max_age_years} years old.",
            "Cite more recent evidence, or say why this still stands.",
            written,
        )


def _dates(text):
    """(start, end, year, month) of each date in a text; a bare year counts as its December,
    the latest it can mean."""
    taken = []
    for match in DATE_RE.finditer(text):
        month = match.group("month") or match.group("month2")
        year = int(match.group("year") or match.group("year2"))
        taken.append((match.start(), match.end()))
        yield match.start(), match.end(), year, MONTH_NUMBERS[month.casefold()]
    for match in YEAR_RE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        yield match.start(), match.end(), int(match.group(1)), 12


def _runs(indices):
    runs = []
    for index in indices:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs
