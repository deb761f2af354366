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
    with_acknowledgements(results, revision.acknowledgements.all())  # for reviewers

Each result renders as `str(result)`, or by parts: severity, place_label ("Finding 1,
characters 120–131"), message, suggestion. For a whole edition, `contexts_for_outlook`
builds the contexts in a fixed number of queries (see `manage.py check_outlook`).

The package: `results` (what a check reports), `context`, `text` and `words` (reading the
text), `analysis` (the pre-pass every check reads), `registry` (`@register(family)` and
`run`), and one module per family of checks: entry, numbers, repetition, sentences, names,
footnotes, recommendations, dates.
"""

from ..content import revision_content

# Imported for their checks: each family module registers its own with the registry.
from . import (  # noqa: F401
    dates,
    entry,
    footnotes,
    names,
    numbers,
    recommendations,
    repetition,
    sentences,
)
from .context import (
    CheckContext,
    PriorRecommendation,
    contexts_for_outlook,
    country_names_except,
    previous_edition_rating,
    previous_edition_ratings,
)
from .registry import run
from .results import (
    ADDRESSEE,
    DROPPED,
    ENTRY,
    FINDING,
    FOOTNOTE,
    HEADING,
    RATING,
    RECOMMENDATION,
    CheckResult,
    Place,
    Severity,
    with_keys,
)

__all__ = [
    "ADDRESSEE",
    "DROPPED",
    "ENTRY",
    "FINDING",
    "FOOTNOTE",
    "HEADING",
    "RATING",
    "RECOMMENDATION",
    "CheckContext",
    "CheckResult",
    "Place",
    "PriorRecommendation",
    "Severity",
    "blocking_errors",
    "check_content",
    "check_revision",
    "contexts_for_outlook",
    "counts",
    "country_names_except",
    "previous_edition_rating",
    "previous_edition_ratings",
    "unacknowledged_warnings",
    "with_acknowledgements",
]


def check_revision(revision, context=None):
    """Run every check on a stored revision (fetch it with `with_content()`)."""
    if context is None:
        context = CheckContext.for_assessment(revision.assessment)
    return check_content(revision_content(revision), context)


def check_content(content, context=None):
    """Run every check on an entry's content; results in reading order, errors first."""
    context = context or CheckContext()
    return with_keys(run(content, context))


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
