"""Files stored through Django's storage API beside the database row that names them.

The stored PDFs (assessments.pdf) and the stored exports (assessments.stored_exports)
share this. Files and the database commit apart, so a file is stored in two steps
(`store`):

- inside the transaction, the file is written whole under a pending name
  (`pending/<name>-<random>.<ext>`), and its row refers to that name. A failure before
  the commit deletes it (a full disk leaves half a file); so does a failure of the
  transaction later on, inside `deleted_unless_committed`; a process killed before the
  commit leaves it, with no row: `manage.py sweep_files` removes it later.
- once the transaction has committed, `promote` copies it to its final name, made
  from the row (the kind's `final_name`), points the row there and deletes the pending
  copy. Only a committed row ever names a final file, so a retry never finds its name
  taken; a failure or a crash here leaves the row on its pending file, complete and
  served, and sweep_files finishes the move.

"Move" is a copy and a delete through the storage API, so the same works on storage
without renames (S3-compatible object stores).
"""

import logging
import secrets
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile, File
from django.db import transaction

logger = logging.getLogger(__name__)

# Where every kind's files are written until their transaction has committed.
PENDING = "pending"


class StorageWriteError(Exception):
    """The file could not be written to storage (a full disk, say); nothing was kept."""


@dataclass(frozen=True)
class FileKind:
    """A model whose rows each name one stored file (its FileField `file`)."""

    model: type
    # Where its committed files are (sweep_files looks there for files no row names).
    directory: str
    # The final name of a committed row's file; it must contain the row's id.
    final_name: Callable
    # What to call it in messages: "PDF", "export".
    noun: str
    # What `promote` fetches with the row, for `final_name`.
    related: tuple = ()
    # Called with the row once it is on its final name (after the commit), or None.
    after_promote: Callable = None

    def storage(self):
        return self.model._meta.get_field("file").storage


def kinds():
    """Every kind of stored file: what sweep_files tidies and backup archives."""
    from .pdf import PDFS
    from .stored_exports import EXPORTS

    return [PDFS, EXPORTS]


# The trackers of `deleted_unless_committed` open in this thread, innermost last.
_local = threading.local()


@contextmanager
def deleted_unless_committed():
    """Delete every file `store` writes inside the block if its transaction fails.

    Wraps a durable transaction (a publication, an import): a file is not part of the
    transaction, so a failure after it was written would leave it behind. Once the
    transaction has committed, the files belong to it and are never deleted here.
    """
    written = []
    trackers = _local.__dict__.setdefault("trackers", [])
    trackers.append(written)
    try:
        yield written
    except BaseException:
        for storage, name, state in written:
            if not state["committed"]:
                delete_quietly(storage, name)
        raise
    finally:
        trackers.remove(written)


def store(kind, record, data, *, pending_name):
    """Write `data` (bytes or a File) as `record`'s file under a pending name, and save
    `record`, in the caller's transaction; `promote` moves the file to its final name
    once that transaction has committed. Raises StorageWriteError, keeping nothing."""
    storage = kind.storage()
    # The whole extension (".csv.gz") stays at the end of the name.
    stem, dot, extension = pending_name.partition(".")
    name = f"{PENDING}/{stem}-{secrets.token_hex(8)}{dot}{extension}"
    content = data if isinstance(data, File) else ContentFile(data)
    try:
        name = storage.save(name, content)
    except Exception as error:
        # A full disk leaves the part written: delete it, and say what happened.
        delete_quietly(storage, name)
        raise StorageWriteError(f"could not store the {kind.noun} {name}: {error}") from error
    state = {"committed": False}
    for tracker in getattr(_local, "trackers", []):
        tracker.append((storage, name, state))
    record.file = name
    try:
        record.save()
    except BaseException:
        delete_quietly(storage, name)
        raise
    transaction.on_commit(partial(state.__setitem__, "committed", True))
    transaction.on_commit(partial(promote, kind, record), robust=True)
    return record


def delete_quietly(storage, name):
    try:
        storage.delete(name)
    except Exception:  # the failure that brought us here matters more than this one
        logger.exception("Could not delete %s", name)


def promote(kind, record):
    """Move a committed file from its pending name to its final one, and point its row there.

    Runs after the commit (an on-commit hook of `store`, or sweep_files). A failure is
    logged, not raised: what was committed stands, and its row still refers to the
    pending file, which is complete; sweep_files tries again. Returns False when the move
    failed (True when the row is on its final name, or gone: a superseded export).
    """
    storage = kind.storage()
    try:
        with transaction.atomic():
            # The row's lock makes a second promoter (the sweep) wait, then find it done.
            current = (
                kind.model.objects.select_for_update(of=("self",))
                .select_related(*kind.related)
                .get(pk=record.pk)
            )
            pending = current.file.name
            if pending.startswith(f"{PENDING}/"):
                final = kind.final_name(current)
                # A copy cut short by a crash may be there; no other row can refer to it.
                storage.delete(final)
                try:
                    with storage.open(pending, "rb") as source:
                        saved = storage.save(final, source)
                except BaseException:
                    delete_quietly(storage, final)
                    raise
                kind.model.objects.filter(pk=current.pk).update(file=saved)
                # Only once the row refers to the copy; a reader holding the old name
                # in between finds the row again (see public_views.pdf_response).
                transaction.on_commit(partial(delete_quietly, storage, pending))
                current.file.name = saved
    except kind.model.DoesNotExist:
        return True  # superseded and deleted meanwhile (a stored export): nothing to move
    except Exception:
        logger.exception("Could not move the %s %s to its final name", kind.noun, record.file.name)
        return False
    record.file.name = current.file.name
    if kind.after_promote is not None:
        try:
            kind.after_promote(current)
        except Exception:  # the move is done; what follows it can be done again later
            logger.exception("After moving %s to its final name", current.file.name)
    return True


def stored_names(storage, directories):
    """The names of every file stored under the `directories`, recursively."""
    for directory in directories:
        try:
            subdirectories, files = storage.listdir(directory)
        except FileNotFoundError:
            continue
        for name in sorted(files):
            yield f"{directory}/{name}"
        yield from stored_names(storage, [f"{directory}/{name}" for name in sorted(subdirectories)])
