"""What a publication derives from the published record, rebuilt inside its transaction.

Publishing an edition, publishing a correction and importing an archive as published
all end by calling `record_published(outlook, revisions)` with the revisions they
made public, in the transaction that makes them public: whatever is derived here
(cached pages' generation, rendered text, the search index, stored exports) is
then committed with the record or not at all. None of it is the record itself: each
can be rebuilt from the published revisions (`manage.py rebuild_derived`).
"""


def _store_exports(outlook, revisions):
    # Imported here: the models' and the exports' modules import much of the app.
    from .stored_exports import store_exports

    store_exports(outlook, revisions)


# Each step takes (outlook, revisions); they run in this order.
STEPS = [_store_exports]


def record_published(outlook, revisions):
    """Bring everything derived from the published record up to date with `revisions`."""
    revisions = list(revisions)
    for step in STEPS:
        step(outlook, revisions)
