"""Run WeasyPrint in a child process: HTML on stdin, PDF on stdout.

A child process so that the render runs under a hard memory limit (RLIMIT_AS) and a
timeout, whatever an edition holds, without risking the web or publishing process.
This module imports nothing from Django: it starts fast and touches no database.

    python -m assessments.pdf_worker MEMORY_MB STATIC_ROOT [STATIC_ROOT...]
"""

import mimetypes
import resource
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The only address the PDF templates may fetch from: it maps onto the project's static files.
STATIC_BASE = "https://static.outlook.invalid/static/"
OUT_OF_MEMORY = 3


class StaticFilesOnly(URLFetcher):
    """Serves the project's static files; refuses file:// paths and every network address."""

    def __init__(self, roots):
        super().__init__(allowed_protocols=["https"], allow_redirects=False)
        self.roots = [Path(root).resolve() for root in roots]

    def fetch(self, url, headers=None):
        path = self.static_path(url)
        if path is None:
            raise ValueError(f"the PDF renderer fetches only the project's static files: {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    def static_path(self, url):
        parts = urlsplit(url)
        base = urlsplit(STATIC_BASE)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        if not parts.path.startswith(base.path):
            return None
        relative = unquote(parts.path[len(base.path) :])
        for root in self.roots:
            candidate = (root / relative).resolve()
            # resolve() folds "..": a path that leaves the root is refused.
            if candidate.is_relative_to(root) and candidate.is_file():
                return candidate
        return None


def render(html, roots):
    return HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticFilesOnly(roots)).write_pdf()


def main(argv):
    memory_mb, *roots = argv
    limit = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    html = sys.stdin.buffer.read().decode("utf-8")
    try:
        pdf = render(html, roots)
    except MemoryError:
        sys.stderr.write(f"the PDF render needed more than {memory_mb} MB\n")
        return OUT_OF_MEMORY
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
