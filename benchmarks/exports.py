"""Stored exports and pages of lists at scale (a script, not a timed test).

    SECRET_KEY=... scripts/with-postgres .venv/bin/python benchmarks/exports.py \
        [--regions 20] [--months 240] [--countries 10]

Builds, in an empty database, REGIONS x MONTHS monthly editions of COUNTRIES entries each
(by default 4,800 editions and 48,000 live entries, each with one recommendation to the
UN Security Council) with bulk inserts (the published-record triggers are off for the
load only: this is a data set, not a publication), then prints:
- generating and storing the ratings CSV (what every publication now does) and an
  edition's JSON, and the CSV's size;
- serving the CSV and a JSON from storage, and the pages of /recommendations/<addressee>/
  and /data/ (first, middle, last), through Django's test Client, with query counts;
- the plans of the addressee page's count and page queries.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="outlook-bench-media-"))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments import public_views, stored_exports  # noqa: E402
from assessments.exporting import write_ratings_csv  # noqa: E402
from assessments.models import (  # noqa: E402
    Addressee,
    Assessment,
    Country,
    Outlook,
    Recommendation,
    Region,
    Revision,
    RevisionQuerySet,
    RiskLevel,
    RiskStatus,
    StoredExport,
)


def build(regions, months, countries):
    started = time.monotonic()
    levels = list(RiskLevel.objects.all())
    status = RiskStatus.objects.first()
    council = Addressee.objects.create(name="The UN Security Council")
    pool = list(Country.objects.order_by("code")[: regions * countries])
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers
        for r in range(regions):
            region = Region.objects.create(name=f"Bench Region {r:02}")
            mine = pool[r * countries : (r + 1) * countries]
            outlooks = Outlook.objects.bulk_create(
                Outlook(
                    region=region,
                    title=f"{region.name} Regional Outlook",
                    period=date(2000 + m // 12, m % 12 + 1, 1),
                    slug=Outlook.make_slug(region.name, date(2000 + m // 12, m % 12 + 1, 1)),
                    state=Outlook.State.PUBLISHED,
                    published_at=now,
                )
                for m in range(months)
            )
            assessments = Assessment.objects.bulk_create(
                Assessment(outlook=outlook, country=country, position=p)
                for outlook in outlooks
                for p, country in enumerate(mine, 1)
            )
            revisions = Revision.objects.bulk_create(
                Revision(
                    assessment=a,
                    number=1,
                    state=Revision.State.PUBLISHED,
                    risk_level=levels[(a.position + a.outlook.period.month) % len(levels)],
                    risk_status=status,
                    published_at=now,
                )
                for a in assessments
            )
            for assessment, revision in zip(assessments, revisions, strict=True):
                assessment.published_revision = revision
            Assessment.objects.bulk_update(assessments, ["published_revision"], batch_size=2000)
            Recommendation.objects.bulk_create(
                Recommendation(
                    revision=revision,
                    addressee=council,
                    position=1,
                    text="Refer the situation to the International Criminal Court.",
                )
                for revision in revisions
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Built {Outlook.objects.count()} editions, {Revision.objects.live().count()} live "
        f"entries in {time.monotonic() - started:.0f} s."
    )
    return council


def timed(function, repeat=5):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200, (url, response.status_code)
    return len(body), len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--months", type=int, default=240)
    parser.add_argument("--countries", type=int, default=10)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    council = build(options.regions, options.months, options.countries)
    Kind = StoredExport.Kind
    outlook = Outlook.objects.order_by("-period", "region__name").first()

    def store(kind, edition=None):
        with transaction.atomic():
            return stored_exports.regenerate(kind, edition)

    seconds, record = timed(lambda: store(Kind.RATINGS_CSV), repeat=3)
    print(
        f"Generate and store the ratings CSV: {seconds * 1000:.0f} ms "
        f"({record.file.size / 1e6:.1f} MB)"
    )
    seconds, _ = timed(lambda: write_ratings_csv(io.BytesIO()), repeat=3)
    print(f"  of which writing the CSV (query and rows, no storage): {seconds * 1000:.0f} ms")
    # The query as the per-request CSV made it before: over live().
    with mock.patch.object(RevisionQuerySet, "live_by_id", RevisionQuerySet.live):
        seconds, _ = timed(lambda: write_ratings_csv(io.BytesIO()), repeat=3)
    print(f"  the same over live(), as built per request before: {seconds * 1000:.0f} ms")
    seconds, _ = timed(lambda: store(Kind.EDITION_JSON, outlook))
    print(f"Generate and store an edition's JSON: {seconds * 1000:.0f} ms")

    client = Client()
    count = Recommendation.objects.filter(addressee=council).count()
    last = -(-count // public_views.RECOMMENDATIONS_PER_PAGE)
    editions_last = -(-Outlook.objects.count() // public_views.OPEN_DATA_EDITIONS_PER_PAGE)
    addressee = council.get_absolute_url()
    for url in (
        "/data/ratings.csv",
        f"/outlooks/{outlook.slug}.json",
        addressee,
        f"{addressee}?page={last // 2}",
        f"{addressee}?page={last}",
        "/data/",
        f"/data/?page={editions_last}",
    ):
        get(client, url)  # warm
        seconds, (size, queries) = timed(lambda url=url: get(client, url))
        print(f"GET {url}: {seconds * 1000:.1f} ms, {size / 1000:.0f} kB, {queries} queries")

    recommendations = Recommendation.objects.filter(
        addressee=council, revision__in=Revision.objects.live_by_id()
    )
    for label, queryset in (
        ("count", recommendations),
        (
            "last page",
            recommendations.order_by(
                "-revision__assessment__outlook__period",
                "revision__assessment__outlook__region__name",
                "revision__assessment__position",
                "position",
            )[(last - 1) * 50 : last * 50],
        ),
    ):
        if label == "count":
            # As Paginator counts: QuerySet.count() drops the ordering.
            sql, params = queryset.values("pk").order_by().query.sql_with_params()
            sql = f"SELECT count(*) FROM ({sql}) counted"
        else:
            sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql, params)
            print(f"-- plan of the addressee page's {label}:")
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
