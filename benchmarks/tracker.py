"""The recommendation tracker at the scale of issue 12: its first page and one addressee's.

    SECRET_KEY=bench-only-secret-not-for-any-deployment-0123456789abcdefghij \\
    DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres .venv/bin/python benchmarks/tracker.py
        [--countries 200] [--editions 60] [--recommendations 8] [--repeat 40]

The record: `--countries` countries in regions of 20, each region with `--editions`
published editions half a year apart, each entry with `--recommendations`
recommendations to a shared list of addressees and to its own government. Each edition
copies the one before (its recommendations keep their lineage), revises one, and drops
one (never the first two) for a new one, with a reason (implemented, partly
implemented, no longer relevant, superseded by the new one). It is written with bulk
inserts (drafts, then published in one statement, as an archive's import moves them),
and the search index's rows of the recommendations with it (the addressee pages and the
tracker's list of addressees read them); the tracker is then derived as a publication
derives it, by tracker.rebuild (rebuild_country for each country).

Then, in this process with Django's test client (DEBUG off, the public page cache off so
that every request renders), p50 and p95 of the tracker's pages and downloads, and a
CPU reference to read them against on a shared machine. `--profile URL` shows where one
request spends its time instead: its queries, then Python's profile.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

COUNTRIES_PER_REGION = 20
FIRST_PERIOD = date(1995, 5, 1)
SHARED_ADDRESSEES = [
    "The UN Security Council", "The Human Rights Council", "UN Member States",
    "The Office of the High Commissioner for Human Rights", "The UN Secretary-General",
    "The African Union", "The European Union", "Donor governments",
    "The International Criminal Court", "Regional organisations", "Humanitarian agencies",
]  # fmt: skip
VERBS = ["Ensure", "Support", "Press for", "Fund", "Monitor", "Investigate", "End", "Protect"]
OBJECTS = [
    "independent monitoring of places of detention",
    "humanitarian access to every affected province",
    "accountability for crimes against humanity",
    "the release of everyone detained arbitrarily",
    "protection for human rights defenders and journalists",
    "a referral of the situation to the International Criminal Court",
    "the return of displaced people in safety and dignity",
    "the work of the UN country team and its field office",
]
REASONS = ["implemented", "partly_implemented", "no_longer_relevant", "superseded"]


def period_of(number):
    months = FIRST_PERIOD.month - 1 + 6 * number
    return date(FIRST_PERIOD.year + months // 12, months % 12 + 1, 1)


def sentence(seed):
    return (
        f"{VERBS[seed % len(VERBS)]} {OBJECTS[(seed // 8) % len(OBJECTS)]}, and report on "
        f"it to the next session (item {seed})."
    )


def build(countries, editions, per_entry, echo=print):
    """The record, then the tracker derived from it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from assessments import tracker
    from assessments.models import (
        Addressee,
        Assessment,
        Country,
        DroppedRecommendation,
        Outlook,
        Recommendation,
        Region,
        Revision,
        RiskLevel,
        RiskStatus,
        SearchEntry,
    )

    started = time.perf_counter()
    level, status = RiskLevel.objects.order_by("rank").last(), RiskStatus.objects.first()
    chosen = list(Country.objects.order_by("code")[:countries])
    shared = [Addressee.objects.find_or_create(name) for name in SHARED_ADDRESSEES]
    governments = {
        country.pk: Addressee.objects.find_or_create(f"The government of {country.short_name}")
        for country in chosen
    }
    now = timezone.now()
    seed = 0
    for first in range(0, len(chosen), COUNTRIES_PER_REGION):
        group = chosen[first : first + COUNTRIES_PER_REGION]
        region = Region.objects.create(name=f"Tracker benchmark {first // COUNTRIES_PER_REGION}")
        # Each country's recommendations of the edition before: [addressee, text, lineage].
        current = {
            country.pk: [
                [
                    governments[country.pk] if slot < 3 else shared[(index + slot) % len(shared)],
                    sentence(seed := seed + 1),
                    uuid.uuid4(),
                ]
                for slot in range(per_entry)
            ]
            for index, country in enumerate(group)
        }
        for number in range(editions):
            period = period_of(number)
            with transaction.atomic():
                outlook = Outlook.objects.create(
                    region=region,
                    period=period,
                    slug=Outlook.make_slug(region.name, period),
                    title=f"{region.name} Regional Outlook",
                    state=Outlook.State.PUBLISHED,
                    published_at=now,
                )
                assessments = Assessment.objects.bulk_create(
                    Assessment(outlook=outlook, country=country, position=position)
                    for position, country in enumerate(group, 1)
                )
                revisions = Revision.objects.bulk_create(
                    Revision(assessment=a, number=1, risk_level=level, risk_status=status)
                    for a in assessments
                )
                rows, dropped = [], []
                for country, revision in zip(group, revisions, strict=True):
                    items = current[country.pk]
                    if number:
                        revised = items[number % per_entry]
                        revised[1] = revised[1].replace("report on it", "report on it yearly")
                        # The first two are made in every edition: a history of 60.
                        slot = 2 + number % (per_entry - 2)
                        gone, new_lineage = items[slot][2], uuid.uuid4()
                        reason = REASONS[(number + country.pk) % len(REASONS)]
                        dropped.append(
                            DroppedRecommendation(
                                revision=revision,
                                lineage=gone,
                                reason=reason,
                                superseded_by=new_lineage if reason == "superseded" else None,
                            )
                        )
                        items[slot] = [items[slot][0], sentence(seed := seed + 1), new_lineage]
                    rows += [
                        Recommendation(
                            revision=revision,
                            addressee=addressee,
                            position=position,
                            text=text,
                            lineage=lineage,
                        )
                        for position, (addressee, text, lineage) in enumerate(items, 1)
                    ]
                Recommendation.objects.bulk_create(rows)
                DroppedRecommendation.objects.bulk_create(dropped)
                ids = [revision.pk for revision in revisions]
                Revision.objects.filter(pk__in=ids).update(
                    state=Revision.State.PUBLISHED, published_at=now
                )
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE assessments_assessment a SET published_revision_id = r.id "
                        "FROM assessments_revision r WHERE r.assessment_id = a.id "
                        "AND a.outlook_id = %s",
                        [outlook.pk],
                    )
                by_revision = {revision.pk: revision for revision in revisions}
                SearchEntry.objects.bulk_create(
                    SearchEntry(
                        kind=SearchEntry.Kind.RECOMMENDATION,
                        assessment_id=by_revision[row.revision_id].assessment_id,
                        revision_id=row.revision_id,
                        region=region,
                        country_id=by_revision[row.revision_id].assessment.country_id,
                        risk_level=level,
                        addressee=row.addressee,
                        period=period,
                        position=row.position,
                        text=row.text,
                    )
                    for row in rows
                )
        echo(f"  {region.name}: {editions} editions of {len(group)} countries")
    recorded = time.perf_counter() - started
    started = time.perf_counter()
    tracker.rebuild()
    derived = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return recorded, derived


def cpu_reference():
    """Milliseconds to sum a million squares in Python: about 50 on an idle laptop; on a
    shared machine, what the figures below should be read against."""
    started = time.perf_counter()
    sum(number * number for number in range(1_000_000))
    return (time.perf_counter() - started) * 1000


def quantiles(timings):
    """(p50, p95) in ms of a list of seconds."""
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(repeat):
    """The pages and downloads, each `repeat` times after a first request."""
    from django.db.models import Count
    from django.test import Client

    from assessments.models import Addressee, TrackedRecommendation

    biggest = (
        TrackedRecommendation.objects.values("addressee__slug")
        .annotate(n=Count("lineage"))
        .order_by("-n")
        .first()
    )
    government = Addressee.objects.filter(name__startswith="The government of").first()
    lineage = TrackedRecommendation.objects.order_by("-editions", "lineage").first()
    country = lineage.country.code.code.lower()
    pages = [
        ("/recommendations/ (first page)", "/recommendations/"),
        (
            f"?addressee= ({biggest['n']} tracked)",
            f"/recommendations/?addressee={biggest['addressee__slug']}",
        ),
        ("?addressee= (a government)", f"/recommendations/?addressee={government.slug}"),
        ("?country=", f"/recommendations/?country={country}"),
        ("?status=dropped&from=2010&to=2015", "/recommendations/?status=dropped&from=2010&to=2015"),
        ("?group=un, page 20", "/recommendations/?group=un&page=20"),
        (f"lineage page ({lineage.editions} editions)", lineage.get_absolute_url()),
        ("addressee page (a government)", government.get_absolute_url()),
        (
            "recommendations.csv?addressee= (a government)",
            f"/data/recommendations.csv?addressee={government.slug}",
        ),
    ]
    client = Client()
    print(f"{'in-process (test client)':<48} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8}")
    results = {}
    for label, url in pages:
        timings = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        p50, p95 = quantiles(timings[1:])
        results[label] = (p50, p95)
        print(f"{label:<48} {timings[0] * 1000:9.1f} {p50:8.1f} {p95:8.1f}")
    return results


def profile(url):
    """Where one request of `url` spends its time (after a first request)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(url)
        took = time.perf_counter() - started
    spent = sum(float(query["time"]) for query in queries.captured_queries)
    print(f"{took * 1000:.1f} ms, of which {len(queries)} queries {spent * 1000:.1f} ms:")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--editions", type=int, default=60, help="per region")
    parser.add_argument("--recommendations", type=int, default=8, help="per entry")
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per page")
    parser.add_argument("--profile", metavar="URL", help="profile one request of URL instead")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    from assessments.models import TrackedRecommendation, TrackedStep

    if TrackedRecommendation.objects.exists():
        print("tracker rows already there: measuring the database as it is")
    else:
        print(
            f"building {args.countries} countries x {args.editions} editions x "
            f"{args.recommendations} recommendations"
        )
        recorded, derived = build(args.countries, args.editions, args.recommendations)
        print(f"record written in {recorded:.1f} s; tracker.rebuild() in {derived:.1f} s")
    print(
        f"{TrackedRecommendation.objects.count()} tracked recommendations, "
        f"{TrackedStep.objects.count()} steps"
    )
    caches = {
        **settings.CACHES,
        "benchmark-none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    # Every request renders: the public page cache would answer all but the first.
    with override_settings(CACHES=caches, PUBLIC_PAGE_CACHE="benchmark-none", DEBUG=False):
        if args.profile:
            return profile(args.profile)
        results = measure(args.repeat)
    worst = max(p95 for _, p95 in list(results.values())[:2])
    print(f"first page and the largest addressee's filter: p95 at most {worst:.1f} ms")
    print(f"CPU reference (a million squares in Python): {cpu_reference():.0f} ms")


if __name__ == "__main__":
    main()
