"""The one error every step of an import raises, and how its messages quote the file."""


class ImportFileError(Exception):
    """A file that cannot be imported; the message says where and what was expected."""

    def __init__(self, message, *, path=None, line=None):
        self.path = path
        self.line = line
        self.message = message
        super().__init__(message)

    def __str__(self):
        where = str(self.path or "input")
        if self.line:
            where += f", line {self.line}"
        return f"{where}: {self.message}"


def shorten(text, limit=80):
    """`text` cut to `limit` characters, for quoting it in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
