"""What a publication derives from the published record, rebuilt inside its transaction.

Publishing an edition, publishing a correction and importing an archive as published
all end by calling `record_published(outlook, revisions)` with the revisions they
made public, in the transaction that makes them public: whatever is derived here
(cached pages' generation, rendered text, the search index, stored exports) is
then committed with the record or not at all. None of it is the record itself: each
can be rebuilt from the published revisions (`manage.py render_published_text`,
`rebuild_search_index`).
"""


def _store_exports(outlook, revisions):
    # Imported here: the models' and the exports' modules import much of the app.
    from .stored_exports import store_exports

    store_exports(outlook, revisions)


def _rendered_text(outlook, revisions):
    from . import rendered_text

    rendered_text.store(revisions)


def _search_index(outlook, revisions):
    from . import search_index

    search_index.index_published(outlook, revisions)


def _publication_generation(outlook, revisions):
    from . import caching

    caching.record_published(outlook, revisions)


# Each step takes (outlook, revisions); they run in this order. Imported when run: the
# steps' modules use the models, which the workflow's modules load first.
STEPS = [
    _rendered_text,
    _search_index,  # the search index: the entries' live text replaces what it held
    _store_exports,  # the edition's JSON and the ratings CSV
    _publication_generation,  # last: pages cached from now on show all of the above
]


def record_published(outlook, revisions):
    """Bring everything derived from the published record up to date with `revisions`."""
    revisions = list(revisions)
    for step in STEPS:
        step(outlook, revisions)
