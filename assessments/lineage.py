"""Linking an archive's recommendations to those of the country's previous edition.

A new edition made in the editor copies the previous one, so each recommendation keeps
its lineage (assessments.tracker). An archive's editions are imported one by one, each
recommendation with a lineage of its own: the importer links each to its most similar
predecessor, a recommendation of the country's previous entry in the region to the same
addressee, each predecessor at most once (greedily, best pair first). The link is a
LineageMatch: LINKED when the texts are alike enough to be sure, TO_CONFIRM when an
analyst should say whether it continues the earlier one (confirm) or is new (split),
none below that. Published rows never change: the tracker reads the matches.

How alike: the mean of rapidfuzz's token set ratio (order-free, and forgiving of words
added to or taken from one side: a recommendation extended or shortened) and its token
sort ratio (order-free, but counting every word that differs), on text folded to lower
case words without punctuation or Markdown. Measured by benchmarks/link_thresholds.py
on pairs written for it, to the same addressee (min / quartiles / max):

    small edits (22)   0.69  0.95  0.96  0.99  1.00
    rewrites    (20)   0.55  0.67  0.71  0.82  0.90
    unrelated   (22)   0.35  0.43  0.50  0.53  0.61

LINK = 0.85: no unrelated pair comes near (0.61 at most); 20 of 22 small edits and the 3
lightest rewrites are linked (the two edits below it, an abbreviation and a changed
noun, go to the analyst). CONFIRM = 0.60: 19 of 20 rewrites and 2 of 22 unrelated
pairs reach the analyst, who splits those; one rewrite (a demand reworded in other
words) is left new. Either ratio alone did worse, and so did rapidfuzz's WRatio and
difflib: the token set ratio scores 7 of the 20 rewrites 1.0, like an exact repeat (a
text against a longer one holding all its words); the token sort ratio, the plain
ratio and difflib score 9 to 12 rewrites no higher than the most alike unrelated pair
(ours: 1), and WRatio 14, giving an unrelated pair 0.85.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from rapidfuzz import fuzz

from .models import Assessment, LineageMatch, Recommendation, Revision
from .tracker import predecessors

LINK = 0.85
CONFIRM = 0.60

WORD_RE = re.compile(r"\w+")


def normalise(text):
    """Lower-case words without punctuation or Markdown, one space apart."""
    return " ".join(WORD_RE.findall(text.casefold().replace("_", " ")))


def similarity(a, b):
    """How alike two recommendations' texts are, 0 to 1 (1 for the same words)."""
    return _similarity(normalise(a), normalise(b))


def _similarity(a, b):
    if a == b:
        return 1.0
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200


def decision(score):
    """The importer's decision for a pair of that similarity, None below CONFIRM."""
    if score >= LINK:
        return LineageMatch.Decision.LINKED
    if score >= CONFIRM:
        return LineageMatch.Decision.TO_CONFIRM
    return None


def assign(later, earlier):
    """[(i, j, similarity)]: which of `earlier` each of `later` continues, both lists of
    (addressee name, text); only to the same addressee, each at most once, at CONFIRM or
    above, the most alike pairs first (ties: the nearer positions)."""
    earlier_texts = [(name.casefold(), normalise(text)) for name, text in earlier]
    candidates = []
    for i, (name, text) in enumerate(later):
        name, text = name.casefold(), normalise(text)
        for j, (other_name, other_text) in enumerate(earlier_texts):
            if other_name != name:
                continue
            score = _similarity(text, other_text)
            if score >= CONFIRM:
                candidates.append((-score, abs(i - j), i, j))
    candidates.sort()
    taken_later, taken_earlier, pairs = set(), set(), []
    for negative, _, i, j in candidates:
        if i in taken_later or j in taken_earlier:
            continue
        taken_later.add(i)
        taken_earlier.add(j)
        pairs.append((i, j, -negative))
    return sorted(pairs)


@dataclass
class Linking:
    """What linking did with the recommendations it looked at."""

    linked: int = 0
    to_confirm: int = 0
    new: int = 0

    def __add__(self, other):
        return Linking(
            self.linked + other.linked, self.to_confirm + other.to_confirm, self.new + other.new
        )

    def __str__(self):
        return (
            f"{self.linked} linked, {self.new} unlinked (new), "
            f"{self.to_confirm} to confirm in the editor"
        )


def link_entry(revision, earlier=None):
    """Link the recommendations of an archive's published `revision` to the previous
    entry's (`earlier`, read when None), writing LineageMatch rows. Skips those that
    already have a match (by lineage, in any revision of the entry: a correction copies
    them) or continue a lineage of the previous entry. Returns a Linking."""
    if earlier is None:
        earlier = predecessors(revision.assessment)
    later = list(revision.recommendations.select_related("addressee"))
    matches, linking = _matches(later, earlier, _matched(revision.assessment_id))
    LineageMatch.objects.bulk_create(matches)
    return linking


def _matched(assessment_ids):
    """{lineage: predecessor lineage} of the entries' recommendations already matched."""
    if not isinstance(assessment_ids, list | tuple | set):
        assessment_ids = [assessment_ids]
    return dict(
        LineageMatch.objects.filter(
            recommendation__revision__assessment_id__in=assessment_ids
        ).values_list("recommendation__lineage", "predecessor__lineage")
    )


def _matches(later, earlier, matched):
    """The unsaved LineageMatches of `later` against `earlier` (Recommendations with their
    addressees) and the Linking; `matched` {lineage: predecessor lineage} are skipped."""
    skipped = set(matched) | {row.lineage for row in earlier}
    open_later = [row for row in later if row.lineage not in skipped]
    # Taken: what this entry's recommendations continue, or were matched to before.
    taken = {row.lineage for row in later} | {
        matched[row.lineage] for row in later if row.lineage in matched
    }
    open_earlier = [row for row in earlier if row.lineage not in taken]
    pairs = assign(
        [(row.addressee.name, row.text) for row in open_later],
        [(row.addressee.name, row.text) for row in open_earlier],
    )
    matches = [
        LineageMatch(
            recommendation=open_later[i],
            predecessor=open_earlier[j],
            similarity=round(score, 4),
            decision=decision(score),
        )
        for i, j, score in pairs
    ]
    linked = sum(match.decision == LineageMatch.Decision.LINKED for match in matches)
    return matches, Linking(linked, len(matches) - linked, len(open_later) - len(matches))


def link_draft(assessment, content):
    """Give the draft `content` of an imported entry (a DraftContent, not yet written)
    the lineages of the previous entry's recommendations it surely continues (LINK and
    above): a draft's lineage may be set, unlike a published row's. Returns a Linking;
    the uncertain stay new, for the analyst to revise in the editor."""
    earlier = predecessors(assessment)
    pairs = assign(
        [(item.addressee, item.text) for item in content.recommendations],
        [(row.addressee.name, row.text) for row in earlier],
    )
    linked = 0
    for i, j, score in pairs:
        if score >= LINK:
            content.recommendations[i].lineage = earlier[j].lineage
            linked += 1
    return Linking(linked=linked, new=len(content.recommendations) - linked)


def archive_entries():
    """Entries first stored as an archive's: a published revision never submitted (the
    workflow submits every other before it is published)."""
    return Assessment.objects.filter(
        revisions__state=Revision.State.PUBLISHED, revisions__submitted_at__isnull=True
    )


def link_archives():
    """Link the live entries of archives already in the database, each country's in each
    region in period order, as the importer would have: what is matched or continues a
    lineage stays as it is, so running it again changes nothing. Returns the Linking and
    the LineageMatches written."""
    archives = set(archive_entries().values_list("pk", flat=True))
    entries = list(
        Revision.objects.live_by_id()
        .order_by(
            "assessment__outlook__region_id",
            "assessment__country_id",
            "assessment__outlook__period",
        )
        .values_list(
            "pk", "assessment_id", "assessment__outlook__region_id", "assessment__country_id"
        )
    )
    chains = {}
    for pk, assessment_id, region_id, country_id in entries:
        chains.setdefault((region_id, country_id), []).append((pk, assessment_id))
    linking, written = Linking(), []
    with transaction.atomic():
        for chain in chains.values():
            counted, matches = _link_chain(chain, archives)
            linking += counted
            written += matches
    return linking, written


def _link_chain(chain, archives):
    """Link one country's entries in one region, [(revision id, assessment id)] in period
    order, whose assessment is in `archives`."""
    if not any(assessment_id in archives for _, assessment_id in chain):
        return Linking(), []
    rows = {}
    recommendations = Recommendation.objects.filter(revision_id__in=[pk for pk, _ in chain])
    for row in recommendations.select_related("addressee").order_by("revision_id", "position"):
        rows.setdefault(row.revision_id, []).append(row)
    matched = _matched([assessment_id for _, assessment_id in chain])
    linking, matches = Linking(), []
    previous = None
    for pk, assessment_id in chain:
        earlier, previous = rows.get(previous, []), pk
        if assessment_id not in archives:
            continue
        new, counted = _matches(rows.get(pk, []), earlier, matched)
        matches += new
        linking += counted
    return linking, LineageMatch.objects.bulk_create(matches)
