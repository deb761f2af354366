"""Benchmark of the public site and the PDF (a script, not a timed test).

    make bench          # runs benchmarks/run.py against a throwaway PostgreSQL

Measures, for a 40-country edition with 600-word entries and 5 footnotes each:
- the outlook page, cold (first request after the data is loaded) and warm (median of 20);
- our PDF (query, template, render server, child process, WeasyPrint) against WeasyPrint
  alone rendering the same final HTML in-process: the ratio is our overhead. The first
  PDF also starts the render server (imports WeasyPrint once): reported apart. The two
  are timed in turns, so that a busy machine slows both alike;
- the peak memory (max RSS) of the render's child process.
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

TEXT = (
    "Authorities continue to detain critics arbitrarily and restrict movement across "
    "provinces while humanitarian access remains limited and monitoring is obstructed"
)
WORDS = TEXT.split()


def paragraph(n, seed):
    return " ".join(WORDS[(seed + i) % len(WORDS)] for i in range(n)) + "."


def build_edition(count, period=date(2024, 5, 1)):
    from django.db import transaction
    from django.utils import timezone

    from assessments.models import Country, Revision
    from tests.builders import ASIA_PACIFIC_CODES, add_assessment, make_outlook

    codes = ASIA_PACIFIC_CODES + list(
        Country.objects.exclude(code__in=ASIA_PACIFIC_CODES).values_list("code", flat=True)
    )
    with transaction.atomic():
        outlook = make_outlook(period=period)
        for index, code in enumerate(codes[:count]):
            findings = [
                paragraph(110, index) + f"[^{n}] " + paragraph(10, index + n) for n in range(1, 6)
            ]
            add_assessment(
                outlook,
                code,
                findings=findings,
                recommendations=[
                    ("The UN Security Council", paragraph(25, index)),
                    ("UN Member States", paragraph(25, index + 1)),
                ],
                footnotes=[
                    (f"Report {n} of the Special Rapporteur, 1 March 2024, A/HRC/55/{n}.", "")
                    for n in range(1, 6)
                ],
                state=Revision.State.PUBLISHED,
            )
        # Published once its entries are: the database keeps a published edition as it is.
        outlook.state = outlook.State.PUBLISHED
        outlook.published_at = timezone.now()
        outlook.save()
    return outlook


def main():
    import django

    django.setup()
    from django.conf import settings

    # As the tests do: static URLs without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command
    from django.test import Client
    from weasyprint import HTML

    from assessments import pdf
    from assessments.pdf_worker import STATIC_BASE, StaticFilesOnly

    call_command("migrate", verbosity=0)
    outlook = build_edition(40)
    client = Client()
    url = outlook.get_absolute_url()

    start = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - start
    assert response.status_code == 200
    warm = []
    for _ in range(20):
        start = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - start)
    print(
        f"outlook page, 40 countries: cold {cold * 1000:.0f} ms, "
        f"warm median {statistics.median(warm) * 1000:.0f} ms "
        f"({len(response.content) // 1024} KB)"
    )

    def ours():
        return pdf.render_in_child(pdf.outlook_html(outlook))

    def alone():
        return HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).write_pdf()

    html = pdf.outlook_html(outlook)
    fetcher = StaticFilesOnly(settings.STATICFILES_DIRS)
    start = time.perf_counter()
    rendered = ours()
    first = time.perf_counter() - start
    alone()  # WeasyPrint's own first-use costs (fonts), as the render server pays at start
    times = {ours: [], alone: []}
    for _ in range(5):
        for run in (ours, alone):
            start = time.perf_counter()
            result = run()
            times[run].append(time.perf_counter() - start)
            if run is ours:
                rendered = result
    ours_s, alone_s = statistics.median(times[ours]), statistics.median(times[alone])
    print(
        f"PDF, 40 countries: ours {ours_s:.2f} s, WeasyPrint alone {alone_s:.2f} s, "
        f"ratio {ours_s / alone_s:.2f} (medians of 5, in turns; {len(rendered.data) // 1024} KB); "
        f"first PDF of the process, starting the render server: {first:.2f} s"
    )
    print(
        f"PDF render peak memory (child max RSS): {rendered.peak_kb / 1024:.0f} MB "
        f"(limit {settings.PDF_MEMORY_LIMIT_MB} MB)"
    )


if __name__ == "__main__":
    main()
