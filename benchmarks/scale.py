"""The public site at the scale of issue 10: in-process timings, publication, pages under load.

    # just this part, on a throwaway PostgreSQL (the data set is cached, see dataset.py):
    make bench BENCH_ARGS="--only scale"
    make bench BENCH_ARGS="--only scale --regions 2 --editions-per-region 12"   # small

1. The data set (benchmarks/dataset.py): built with the importer's workflow functions,
   or restored from its dump.
2. In-process (Django's test client, DEBUG off): p50 and p95 over --repeat runs, and the
   first run apart (a server-side cache, once there is one, serves the later ones) of
   search for a common and a rare word with and without a filter, the search form's
   choice lists, an addressee's page, the ratings CSV, /countries/ and the other pages.
3. Publication: `workflow.publish` of 10-, 40- and 100-country editions (approved drafts
   made by the importer): the time until it returns control to the editor and, when the
   project runs publication as a job, until the edition is public (`run_queued_jobs`
   runs the queue's worker in this process; adapt it to the queue chosen).
4. The pages under load (benchmarks/serve.py): gunicorn and wrk.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import dataset  # noqa: E402
import serve  # noqa: E402

PUBLICATION_REGION = "Publication benchmark"


def quantiles(timings):
    """(p50, p95) in ms of a list of seconds."""
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(run, repeat):
    """(first, p50, p95 in ms, the first result) of `run()` called `repeat` times."""
    timings, result = [], None
    for i in range(repeat):
        started = time.perf_counter()
        value = run()
        timings.append(time.perf_counter() - started)
        if i == 0:
            result = value
    return timings[0] * 1000, *quantiles(timings[1:] or timings), result


def body_size(response):
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def scale_urls():
    """The addresses measured, found in the data set."""
    from django.db.models import Count

    from assessments.models import Addressee, Outlook

    edition = Outlook.objects.get(region__name=dataset.WORLD_REGION)
    region = edition.region
    small = Outlook.objects.exclude(region=region).order_by("region__name", "-period").first()
    country = small.assessments.order_by("position").first().country
    addressee = (
        Addressee.objects.filter(name__in=dataset.ADDRESSEES)
        .annotate(n=Count("recommendations"))
        .order_by("-n")
        .first()
    )
    code = country.code.code.lower()
    return {
        "edition": edition.get_absolute_url(),
        "edition_pdf": f"/outlooks/{edition.slug}.pdf",
        "country": f"/countries/{code}/",
        "region_slug": small.region.slug,
        "country_code": code,
        "addressee": addressee.get_absolute_url(),
    }


def in_process(urls, repeat):
    """Timings of the slow parts, in this process, against the data set."""
    from django.test import Client

    from assessments import public_views

    client = Client()
    common, rare = dataset.COMMON_WORD, dataset.RARE_WORD
    region = urls["region_slug"]
    pages = [
        (f"search ?q={common}", f"/search/?q={common}"),
        (f"search ?q={common}&region=…", f"/search/?q={common}&region={region}"),
        (f"search ?q={rare}", f"/search/?q={rare}"),
        (f"search ?q={rare}&country=…", f"/search/?q={rare}&country={urls['country_code']}"),
        ("/recommendations/<addressee>/", urls["addressee"]),
        ("/data/ratings.csv", "/data/ratings.csv"),
        ("/countries/", "/countries/"),
        ("/countries/<code>/", urls["country"]),
        ("/outlooks/<slug>/ (40 countries)", urls["edition"]),
        ("/ (front page)", "/"),
        ("/feed/", "/feed/"),
    ]
    print(
        f"{'in-process (test client)':<36} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8} {'size':>10}"
    )
    for label, url in pages:

        def get(url=url):
            response = client.get(url)
            size = body_size(response)
            assert response.status_code == 200, (url, response.status_code)
            return size

        first, p50, p95, size = timed(get, repeat)
        print(f"{label:<36} {first:9.1f} {p50:8.1f} {p95:8.1f} {size / 1024:8.0f} KB")
    # The search form's lists, on every search: timed alone while the function exists.
    choices = getattr(public_views, "search_choices", None)
    if choices:
        first, p50, p95, _ = timed(choices, repeat)
        print(f"{'search form choice lists':<36} {first:9.1f} {p50:8.1f} {p95:8.1f} {'-':>10}")
    else:
        print(f"{'search form choice lists':<36} {'-':>9}")


# --- Publication -----------------------------------------------------------------------


def approved_edition(countries, period, seed):
    """A draft edition of `countries`, every entry approved, made by the importer."""
    from assessments.models import Region, Revision

    region = Region.objects.get_or_create(name=PUBLICATION_REGION)[0]
    outlook = dataset.build_edition(
        region, period, countries, seed=seed, ratings={}, entry_index=0, publish=False
    )
    # The database lets a state move only along the workflow (migration 0008): submitted,
    # then approved, as the reviewers' actions do.
    for revision in Revision.objects.filter(assessment__outlook=outlook):
        for state in (Revision.State.SUBMITTED, Revision.State.APPROVED):
            revision.state = state
            revision.save(update_fields=["state"])
    return outlook


def run_queued_jobs():
    """Run the job queue's pending jobs in this process; False if the project has none.

    Adapt this to the queue publication runs on (issue 10, point 4)."""
    from django.conf import settings
    from django.core.management import call_command, get_commands

    apps = settings.INSTALLED_APPS
    if "db_worker" in get_commands():  # django-tasks' database backend (django-tasks-db)
        # Every queue, until none holds a job, then return.
        call_command("db_worker", "--batch", "--queue-name", "*", verbosity=0)
        return True
    if any(app.startswith("procrastinate") for app in apps):
        from procrastinate.contrib.django import app

        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
        return True
    return False


def publication(sizes, echo=print):
    """Time workflow.publish of editions of `sizes` countries."""
    from django.contrib.auth import get_user_model

    from assessments import workflow
    from assessments.models import Country, Outlook

    editor = get_user_model().objects.create_superuser("bench-editor", "editor@example.org", None)
    countries = list(Country.objects.order_by("code"))
    print(f"{'publication (workflow.publish)':<36} {'returns':>9} {'public after':>13}")
    for n, size in enumerate(sizes):
        if size > len(countries):
            continue
        outlook = approved_edition(countries[:size], date(2099, n + 1, 1), seed=size)
        started = time.perf_counter()
        try:
            workflow.publish(outlook, user=editor)
        except Exception as error:  # a figure missing is better than no figures
            print(f"{size:>4} countries: publish failed: {error!r}")
            continue
        returned = time.perf_counter() - started
        public = None
        if Outlook.objects.get(pk=outlook.pk).is_published:
            public = returned
        elif run_queued_jobs() and Outlook.objects.get(pk=outlook.pk).is_published:
            public = time.perf_counter() - started
        public_text = f"{public:12.2f}s" if public is not None else f"{'-':>13}"
        print(f"{f'{size} countries':<36} {returned:8.2f}s {public_text}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    dataset.add_scale_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5, help="in-process runs of each page")
    parser.add_argument("--seconds", type=float, default=5.0, help="of each wrk run")
    parser.add_argument("--publish", default="10,40,100", help="edition sizes to publish")
    parser.add_argument("--skip", default="", help="parts to skip: inprocess,publish,http")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    scale = dataset.scale_from(args)

    # The stored PDFs go where the served site reads them; publication's mail nowhere.
    media = tempfile.mkdtemp(prefix="outlook-bench-media-")
    os.environ["MEDIA_ROOT"] = media
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.conf import settings

    # In-process, as the tests do: static URLs without collectstatic's manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    what, took = dataset.ensure_dataset(scale, args.processes)
    print(
        f"data set {scale.label} ({scale.editions} editions, {scale.entries} entries, "
        f"{scale.regions * scale.countries} countries): {what}, {took:.1f} s; "
        f"database {dataset.database_size()}"
    )
    urls = scale_urls()
    if "inprocess" not in skip:
        in_process(urls, args.repeat)
    if "http" not in skip:
        # Rendered once here: a 40-country PDF rendered on a reader's first request can
        # outlast gunicorn's 30 s worker timeout on a busy machine.
        from assessments.models import Outlook
        from assessments.pdf import latest_pdf

        latest_pdf(Outlook.objects.get(region__name=dataset.WORLD_REGION))
        common, rare = dataset.COMMON_WORD, dataset.RARE_WORD
        serve.benchmark(
            [
                ("/outlooks/<slug>/ (40 countries)", urls["edition"]),
                ("/countries/<code>/", urls["country"]),
                ("/ (front page)", "/"),
                ("/feed/", "/feed/"),
                (f"/search/?q={common}", f"/search/?q={common}"),
                (f"/search/?q={rare}", f"/search/?q={rare}"),
                ("/recommendations/<addressee>/", urls["addressee"]),
                ("/data/ratings.csv", "/data/ratings.csv"),
                ("stored PDF (40 countries)", urls["edition_pdf"]),
            ],
            seconds=args.seconds,
            conditional=urls["edition"],
            media_root=media,
        )
    # Last: it adds editions (and PDFs) to the database the pages were measured on.
    if "publish" not in skip:
        publication([int(n) for n in args.publish.split(",") if n])
    shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
