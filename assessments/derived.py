"""What a publication derives from the published record, rebuilt inside its transaction.

Publishing an edition, publishing a correction and importing an archive as published
all end by calling `record_published(outlook, revisions)` with the revisions they
made public, in the transaction that makes them public: whatever is derived here
(cached pages' generation, rendered text, the search index, the recommendation
tracker, stored exports) is
then committed with the record or not at all. None of it is the record itself: each
can be rebuilt from the published revisions (`manage.py render_published_text`,
`rebuild_search_index`, `rebuild_tracker`, `store_exports`).
"""

from django.utils.module_loading import import_string

# Each step is a function of (outlook, revisions), named by its dotted path and imported
# when run: the steps' modules use the models, which the workflow's modules load first.
STEPS = [
    "assessments.rendered_text.record_published",
    # The search index: the entries' live text replaces what it held.
    "assessments.search_index.index_published",
    # What became of each recommendation: the edition's JSON carries it.
    "assessments.tracker.record_published",
    # The edition's JSON, and the ratings CSV queued.
    "assessments.stored_exports.store_exports",
    # Last: pages cached from now on show all of the above.
    "assessments.caching.record_published",
]


def record_published(outlook, revisions):
    """Bring everything derived from the published record up to date with `revisions`."""
    revisions = list(revisions)
    for path in STEPS:
        import_string(path)(outlook, revisions)
