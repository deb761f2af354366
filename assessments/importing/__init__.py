"""Reading outlooks from files: the published text format and the JSON interchange.

Reading is in two steps. `parse_text` (text_reader) and `parse_json` (json_reader,
which validates against the JSON Schema of schema.py) turn a file into plain content
(assessments.content) and know nothing of the database; `store_outlook` (store)
resolves names against the database and writes everything through the workflow in
one transaction. Any problem raises ImportFileError (errors) naming the file, the
line and what was expected.
"""

from pathlib import Path

from .errors import ImportFileError
from .json_reader import parse_json
from .store import ImportResult, store_outlook
from .text_reader import parse_text

__all__ = [
    "ImportFileError",
    "ImportResult",
    "import_file",
    "parse_bytes",
    "parse_json",
    "parse_text",
    "read_file",
    "store_outlook",
]


def import_file(path, *, publish=False, replace=False, user=None, published_on=None):
    """Read one file and store it in one transaction; raises ImportFileError.
    `published_on` dates an archive whose file does not (the text format cannot)."""
    content = read_file(path)
    if published_on is not None:
        content.published_on = published_on
    return store_outlook(content, publish=publish, replace=replace, user=user, path=path)


def read_file(path):
    """Parse one file, JSON or text, into OutlookContent (nothing is written)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"cannot read the file: {error.strerror}", path=path) from error
    return parse_bytes(raw, path=path)


def parse_bytes(raw, *, path=None):
    """Parse a file's bytes: JSON if it opens with `{` or `[`, else the text format."""
    if b"\x00" in raw:
        raise ImportFileError(
            "this is not a text file (it contains NUL bytes); "
            "expected UTF-8 text in the outlook text format, or JSON",
            path=path,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"this is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be decoded); "
            "expected UTF-8 text in the outlook text format, or JSON",
            path=path,
            line=line,
        ) from error
    if not text.strip():
        raise ImportFileError(
            "the file is empty; expected an outlook in the text format or JSON", path=path
        )
    if text.lstrip().startswith(("{", "[")):
        return parse_json(text, path=path)
    return parse_text(text, path=path)
