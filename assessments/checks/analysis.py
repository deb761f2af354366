"""The pre-pass: what the checks read, worked out once before any check runs.

The entry's pieces of text (findings, recommendation items, footnotes; addressees and
the heading for names), masked and split into sentences; what the entry repeats, which
the repetition checks report and the sentence checks leave alone; and where the entry
names its country in a form that is not one of its names, which the name checks report
and do not count again as the entry's own form of a name.

Checks only read the analysis: it is frozen, and nothing a check reports comes back here.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..content import EntryContent
from ..models import normalize_name
from .context import CheckContext
from .results import ADDRESSEE, FINDING, FOOTNOTE, HEADING, RECOMMENDATION, Place
from .text import NAME_CHUNK_RE, WORD_RE, Piece, Sentence, fold, lacks_main_verb, runs
from .words import GENERIC_NAME_WORDS, NAME_START_SKIP, STOPWORDS

# Seven words with four content words among them: "the rights of women and girls" is a
# phrase an entry may well repeat; "prison camps where torture and killing are
# commonplace" is not.
SHINGLE_SIZE = 7
MIN_CONTENT_WORDS = 4
NAME_SIMILARITY = 0.85


@dataclass(frozen=True)
class RepeatedSentence:
    """A sentence the entry already has."""

    piece: Piece
    sentence: Sentence
    earlier: str  # the label of the place that has it first


@dataclass(frozen=True)
class RepeatedRun:
    """Seven or more words the entry already has, outside a repeated sentence."""

    piece: Piece
    start: int
    end: int
    earlier: str  # the label of the place that has them first, or "the same finding"
    broken: Sentence | None  # the sentence they are in, when it has no main clause

    @property
    def excerpt(self):
        return self.piece.masked[self.start : self.end]


@dataclass(frozen=True)
class Repetition:
    sentences: tuple[RepeatedSentence, ...]
    runs: tuple[RepeatedRun, ...]
    # (place of the piece, start of the sentence) of each repeated or broken repeating
    # sentence: the repetition checks report it, so the sentence checks do not.
    repeated: frozenset[tuple[Place, int]]

    def repeats(self, piece, sentence):
        return (piece.place, sentence.start) in self.repeated


@dataclass(frozen=True)
class NameSlip:
    """The entry's country named in a form that is not one of its names."""

    piece: Piece
    start: int
    end: int
    written: str
    name: str  # the name meant
    misspelt: bool  # a known name misspelt; otherwise a form that is no name of the country


@dataclass(frozen=True)
class Analysis:
    """The entry, its context, and what the checks read of it."""

    content: EntryContent
    context: CheckContext
    findings: tuple[Piece, ...]
    items: tuple[Piece, ...]  # the recommendations, group by group
    footnotes: tuple[Piece, ...]
    named: tuple[Piece, ...]  # where names are read: heading, prose, footnotes, addressees
    repetition: Repetition
    name_slips: tuple[NameSlip, ...]

    @property
    def prose(self):
        """What readers read as running text: the findings, then the recommendations."""
        return self.findings + self.items


def analyse(content, context):
    """Read an entry once for every check."""
    findings = tuple(
        Piece.read(Place(FINDING, index=i), text, prose=True)
        for i, text in enumerate(content.findings, 1)
    )
    items = tuple(
        Piece.read(
            Place(RECOMMENDATION, index=g, item=i, addressee=group.addressee), text, prose=True
        )
        for g, group in enumerate(content.recommendations, 1)
        for i, text in enumerate(group.items, 1)
    )
    footnotes = tuple(
        Piece.read(Place(FOOTNOTE, index=note.number), note.text) for note in content.footnotes
    )
    addressees = tuple(
        Piece.read(Place(ADDRESSEE, index=g, addressee=group.addressee), group.addressee)
        for g, group in enumerate(content.recommendations, 1)
    )
    # The heading as written in imported text; an ISO code there is no name to read.
    heading = content.country.strip()
    headings = ()
    if heading and not re.fullmatch(r"[A-Za-z]{2}", heading):
        headings = (Piece.read(Place(HEADING), heading),)
    named = headings + findings + items + footnotes + addressees
    return Analysis(
        content=content,
        context=context,
        findings=findings,
        items=items,
        footnotes=footnotes,
        named=named,
        repetition=_repetition(findings + items),
        name_slips=tuple(_name_slips(named, context)) if context.official_name else (),
    )


# --- Repetition -----------------------------------------------------------------------


def _repetition(prose):
    """Sentences, and runs of seven or more words, that the entry already has."""
    repeated_sentences = []
    repeated_runs = []
    repeated = set()
    seen_sentences = {}
    seen_shingles = {}
    for piece in prose:
        # Whole sentences first: a short sentence repeated is caught here.
        repeated_sentence_spans = []
        for sentence in piece.sentences:
            folded = fold(re.sub(r"[^\w\s']", " ", sentence.text))
            if len(folded.split()) < 3:
                continue
            earlier = seen_sentences.get(folded)
            if earlier is None:
                seen_sentences[folded] = piece.place.label
                continue
            repeated_sentence_spans.append((sentence.start, sentence.end))
            repeated.add((piece.place, sentence.start))
            repeated_sentences.append(RepeatedSentence(piece, sentence, earlier))
        words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[\w'’-]+", piece.masked)]
        folded_words = [w.casefold().replace("’", "'") for _, _, w in words]
        marked = {}  # word index -> label of the earlier place
        for i in range(len(words) - SHINGLE_SIZE + 1):
            shingle = tuple(folded_words[i : i + SHINGLE_SIZE])
            earlier = seen_shingles.get(shingle)
            if earlier is None:
                seen_shingles[shingle] = (piece.place, i, piece.place.label)
                continue
            earlier_place, earlier_index, label = earlier
            same_piece = earlier_place == piece.place
            if same_piece and i - earlier_index < SHINGLE_SIZE:
                continue  # overlapping itself ("very, very, very ...")
            for j in range(i, i + SHINGLE_SIZE):
                marked.setdefault(j, "the same finding" if same_piece else label)
        for run in runs(sorted(marked)):
            start, end = words[run[0]][0], words[run[-1]][1]
            if any(s <= start and end <= e for s, e in repeated_sentence_spans):
                continue
            content_words = [
                words[j][2]
                for j in run
                if words[j][2][0].islower() and folded_words[j] not in STOPWORDS
            ]
            if len(content_words) < MIN_CONTENT_WORDS:
                continue  # a repeated proper name ("the Office of the High Commissioner")
            sentence = next((s for s in piece.sentences if s.start <= start < s.end), None)
            broken = sentence if sentence is not None and lacks_main_verb(sentence.text) else None
            if broken is not None:
                repeated.add((piece.place, broken.start))
            repeated_runs.append(RepeatedRun(piece, start, end, marked[run[0]], broken))
    return Repetition(tuple(repeated_sentences), tuple(repeated_runs), frozenset(repeated))


# --- The country's names --------------------------------------------------------------


def _country_names(context):
    """(canonical form by normalised name, anchor words) for the entry's country."""
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


def _name_slips(pieces, context):
    """Each place where the entry names its country in a form that is not one of its
    names, once per place, in reading order."""
    canonical, anchors = _country_names(context)
    long_names = [(n, c) for n, c in canonical.items() if len(n.split()) >= 2]
    flagged = set()
    for piece in pieces:
        for chunk in NAME_CHUNK_RE.finditer(piece.masked):
            tokens = [
                (chunk.start() + m.start(), chunk.start() + m.end(), m.group(0))
                for m in WORD_RE.finditer(chunk.group(0))
            ]
            for j, (_, _, word) in enumerate(tokens):
                if normalize_name(re.sub(r"['’]s$", "", word)) not in anchors:
                    continue
                slip = _slip_at(piece, tokens, j, canonical, long_names, context)
                if slip is not None and (piece.place, slip.start) not in flagged:
                    flagged.add((piece.place, slip.start))
                    yield slip


def _slip_at(piece, tokens, j, canonical, long_names, context):
    """The name that ends at token j, when it is the country's name written wrongly."""
    exact = None
    fuzzy = None
    for i in range(max(0, j - 8), j + 1):
        if tokens[i][2].casefold() in NAME_START_SKIP:
            continue
        start, end = tokens[i][0], tokens[j][1]
        written = re.sub(r"['’]s$", "", piece.text[start:end])
        end = start + len(written)
        normal = normalize_name(written)
        if normal in canonical:
            exact = (start, end, written, canonical[normal])
            break
        if normal in context.other_country_names:
            return None  # another country's name, such as South Korea
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
        return NameSlip(piece, *fuzzy, misspelt=False)
    if exact:
        start, end, written, name = exact
        if fold(written) != fold(name):
            return NameSlip(piece, start, end, written, name, misspelt=True)
    return None
