"""Run WeasyPrint outside the web process: a warm server that forks one child per render.

    python -m assessments.pdf_worker serve

Each render runs in its own process under a hard memory limit (RLIMIT_AS) and a
timeout, whatever an edition holds, without risking the web or publishing process.
Starting a fresh interpreter for every render cost more than half a second of
imports (WeasyPrint, Pango, fontconfig), so a server imports them once, renders a
tiny page to load the fonts, and then forks: each child inherits all of it, sets its
own memory limit, renders one document and exits. The server is single-threaded
(checked: WeasyPrint starts no thread), which is what makes forking it safe.

Protocol on the server's stdin and stdout, one request at a time: a JSON line
{"length", "memory_mb", "roots"} then `length` bytes of HTML; the answer is a JSON
line {"ok", "length", "peak_kb"} then `length` bytes: the PDF, or the error message.
The server exits when its stdin closes (the web process has gone).
This module imports nothing from Django and touches no database.
"""

import json
import mimetypes
import os
import resource
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

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


# Tagged PDF (the structure a screen reader follows), conforming to PDF/UA-1.
PDF_VARIANT = "pdf/ua-1"


def render(html, roots):
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=StaticFilesOnly(roots)).render()
    document.metadata.xmp_metadata.append(more_xmp(document.metadata))
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def more_xmp(metadata):
    """XMP that WeasyPrint leaves out: the language (<html lang>), the publisher
    (<meta name="dcterms.publisher">) and the date of the last change (dcterms.modified)."""
    properties = []
    if metadata.lang:
        properties.append(
            f"<dc:language><rdf:Bag><rdf:li>{escape(metadata.lang)}</rdf:li></rdf:Bag></dc:language>"
        )
    if publisher := metadata.custom.get("dcterms.publisher"):
        properties.append(
            f"<dc:publisher><rdf:Bag><rdf:li>{escape(publisher)}</rdf:li></rdf:Bag></dc:publisher>"
        )
    if metadata.modified:
        properties.append(f"<xmp:ModifyDate>{escape(metadata.modified)}</xmp:ModifyDate>")
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/">' + "".join(properties) + "</rdf:Description>"
        "</rdf:RDF>"
    ).encode()


def serve(stdin, stdout):
    render("<p>warm</p>", [])  # load fontconfig and the fonts once, for every child
    while header := stdin.readline():
        request = json.loads(header)
        html = stdin.read(request["length"]).decode("utf-8")
        ok, payload, peak_kb = render_in_fork(html, request["memory_mb"], request["roots"])
        answer = {"ok": ok, "length": len(payload), "peak_kb": peak_kb}
        stdout.write(json.dumps(answer).encode() + b"\n" + payload)
        stdout.flush()
    return 0


def render_in_fork(html, memory_mb, roots):
    """(ok, PDF bytes or error message, the child's peak resident memory in KB)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 1
        try:
            code = _child(write_end, html, memory_mb, roots)
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        peak_kb, _, pdf = output.partition(b"\n")
        return True, pdf, int(peak_kb)
    if not output:
        output = f"the PDF render stopped unexpectedly (exit status {code})".encode()
    return False, output, 0


def _child(fd, html, memory_mb, roots):
    """Render under the memory limit; write `peak_kb\\nPDF` or an error message to fd."""
    with os.fdopen(fd, "wb") as out:
        limit = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            pdf = render(html, roots)
        except MemoryError:
            out.write(f"the PDF render needed more than {memory_mb} MB".encode())
            return OUT_OF_MEMORY
        except Exception as error:  # reported to the web process as PdfRenderError
            out.write(f"the PDF render failed: {type(error).__name__}: {error}".encode())
            return 1
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out.write(b"%d\n" % peak_kb)
        out.write(pdf)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["serve"]:
        sys.exit("usage: python -m assessments.pdf_worker serve")
    sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer))
