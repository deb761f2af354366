"""Benchmark of cached public pages (assessments.caching): a script, not a timed test.

    make bench          # runs benchmarks/run.py, this among them, against a throwaway PostgreSQL

For the page of a 40-country edition (benchmarks/public.py's), in-process with Django's
test client (the whole middleware stack, no network): the CPU time of this process and
the wall time per request of a cache miss (with and without the HTML stored at
publication), a hit, and a conditional GET answered 304 (If-None-Match and
If-Modified-Since), beside a trivial view (`HttpResponse("ok")`) through the same stack;
and the bytes sent in each coding.
"""

import os
import statistics
import sys
import time
import types
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

ROUNDS = 30


def trivial_urls():
    """The site's addresses and /trivial/, a view that does nothing."""
    from django.http import HttpResponse
    from django.urls import include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("trivial/", lambda request: HttpResponse("ok")),
        path("", include("outlook.urls")),
    ]
    sys.modules["bench_urls"] = module
    return "bench_urls"


def timed(request, before=None, rounds=ROUNDS):
    """Median CPU and wall milliseconds of `request()`, `before()` run untimed each round."""
    cpu, wall = [], []
    for _ in range(rounds):
        if before:
            before()
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        request()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main():
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ROOT_URLCONF = trivial_urls()
    from django.core.cache import caches
    from django.core.management import call_command
    from django.test import Client
    from public import build_edition

    from assessments import rendered_text
    from assessments.caching import bump_generation
    from assessments.models import RenderedText

    call_command("migrate", verbosity=0)
    # Another month than public.py's edition: `make bench` runs both on one database.
    outlook = build_edition(40, period=date(2024, 6, 1))
    # What publication does (build_edition writes the published rows directly).
    rendered_text.fill_missing()
    bump_generation()
    cache = caches[settings.PUBLIC_PAGE_CACHE]
    client = Client()
    url = outlook.get_absolute_url()
    br = {"accept-encoding": "gzip, deflate, br"}

    def get(**headers):
        def request():
            response = client.get(url, headers={**br, **headers})
            assert response.status_code in (200, 304), response.status_code
            return response

        return request

    first = get()()
    plain = client.get(url)
    as_gzip = client.get(url, headers={"accept-encoding": "gzip"})
    rows = {
        "trivial view": timed(lambda: client.get("/trivial/")),
        "miss (stored HTML)": timed(get(), before=cache.clear, rounds=10),
        "hit": timed(get()),
        "304 If-None-Match": timed(get(if_none_match=first["ETag"])),
        "304 If-Modified-Since": timed(get(if_modified_since=first["Last-Modified"])),
    }
    stored = list(RenderedText.objects.all())
    RenderedText.objects.all().delete()
    rows["miss (rendering Markdown)"] = timed(get(), before=cache.clear, rounds=10)
    RenderedText.objects.bulk_create(stored)
    trivial_cpu = rows["trivial view"][0]
    print("edition page, 40 countries, in-process (median CPU ms of this process, wall ms):")
    for name, (cpu, wall) in rows.items():
        ratio = cpu / trivial_cpu
        print(f"  {name:28} cpu {cpu:7.2f} ms  wall {wall:7.2f} ms  x{ratio:6.1f} trivial")
    print(
        f"  bytes: identity {len(plain.content):,}, gzip {len(as_gzip.content):,}, "
        f"br {len(first.content):,}"
    )


if __name__ == "__main__":
    main()
