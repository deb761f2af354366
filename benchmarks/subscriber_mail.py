"""The mail to subscribers of one publication, at the scale of issue 14: time and peak
memory to prepare and hand to an SMTP server the messages of 50,000 subscribers.

    SECRET_KEY=bench-only-secret-not-for-any-deployment-0123456789abcdefghij \\
    DJANGO_ALLOW_ASYNC_UNSAFE=true scripts/with-postgres .venv/bin/python \\
        benchmarks/subscriber_mail.py [--subscribers 50000] [--countries 20]

The record: an edition of `--countries` countries of one region (levels moved since the
previous edition, one country left out, recommendations to shared addressees, new and
dropped), published as a publication does. The subscribers: a third follow the region,
half one to three countries (some not in the edition), the rest one or two addressees.

Then, in worker processes of their own as the queue runs the task (one lists the
deliveries, `plan`; then `--workers` send them, sharing the batches), against a real
SMTP server in another process (aiosmtpd, which reads each message and drops it): the
time to list the deliveries, the time to hand every message over, the messages per
second, and each worker's peak memory (its maximum resident size). Meanwhile a probe on
a connection of its own updates subscriptions every 50 ms, as readers changing theirs
would: its slowest write says whether sending holds the database.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")

LEVELS = ["Very low", "Low", "Moderate", "High", "Very high"]
ADDRESSEES = [
    "The UN Security Council", "The Human Rights Council", "UN Member States",
    "The UN Secretary-General", "Regional organisations", "Donor governments",
]  # fmt: skip


def peak_rss_mb():
    """This process's peak resident memory: Linux's VmHWM, which a new program starts
    afresh (getrusage's ru_maxrss is kept across exec, so a child would report its
    parent's)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_record(countries):
    """A published edition and the one before it; returns the later one, unpublished
    entries approved, for the workflow to publish."""
    from django.db import transaction

    from assessments.models import Country, Revision
    from tests.builders import add_assessment, make_outlook

    random.seed(14)
    codes = list(
        Country.objects.exclude(code="KP").order_by("code").values_list("code", flat=True)
    )[: countries + 1]
    earlier = make_outlook(period=date(2024, 5, 1), published=True)
    lineages = {}
    for code in codes:
        lineages[code] = [uuid.uuid4() for _ in ADDRESSEES[:4]]
        add_assessment(
            earlier,
            code,
            state=Revision.State.PUBLISHED,
            risk=random.choice(LEVELS),
            recommendations=[
                (addressee, f"Recommendation {n} on {code}: ensure monitoring.", lineage)
                for n, (addressee, lineage) in enumerate(
                    zip(ADDRESSEES, lineages[code], strict=False)
                )
            ],
        )
    later = make_outlook(period=date(2024, 11, 1))
    with transaction.atomic():
        for code in codes[1:]:  # the first is left out
            kept = lineages[code][:3]
            add_assessment(
                later,
                code,
                state=Revision.State.APPROVED,
                risk=random.choice(LEVELS),
                recommendations=[
                    *(
                        (addressee, f"Recommendation {n} on {code}: ensure monitoring.", lineage)
                        for n, (addressee, lineage) in enumerate(
                            zip(ADDRESSEES, kept, strict=False)
                        )
                    ),
                    (random.choice(ADDRESSEES), f"A new recommendation on {code}.", None),
                ],
            )
    return later, codes


def build_subscribers(count, region, codes):
    """`count` subscriptions, written with bulk inserts."""
    from django.db import transaction
    from django.utils import timezone

    from assessments.models import Addressee, Country, Subscription

    countries = dict(Country.objects.filter(code__in=codes).values_list("code", "pk"))
    elsewhere = list(Country.objects.exclude(code__in=codes).values_list("pk", flat=True)[:50])
    addressees = list(Addressee.objects.values_list("pk", flat=True))
    now = timezone.now()
    through = {name: getattr(Subscription, name).through for name in ("regions", "countries")}
    through["addressees"] = Subscription.addressees.through
    with transaction.atomic():
        made = Subscription.objects.bulk_create(
            [
                Subscription(email=f"reader{n}@example.org", confirmed_at=now, updated_at=now)
                for n in range(count)
            ],
            batch_size=5000,
        )
        rows = {"regions": [], "countries": [], "addressees": []}
        for n, subscription in enumerate(made):
            kind = n % 6
            if kind < 2:
                rows["regions"].append(through["regions"](subscription=subscription, region=region))
            elif kind < 5:
                chosen = random.sample(list(countries.values()), random.randint(1, 3))
                if random.random() < 0.3:
                    chosen.append(random.choice(elsewhere))
                for pk in set(chosen):
                    rows["countries"].append(
                        through["countries"](subscription=subscription, country_id=pk)
                    )
            else:
                for pk in random.sample(addressees, 2):
                    rows["addressees"].append(
                        through["addressees"](subscription=subscription, addressee_id=pk)
                    )
        for name, objects in rows.items():
            through[name].objects.bulk_create(objects, batch_size=10000)


def smtp_sink(port):
    """An SMTP server in another process that accepts every message and drops it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Probe(threading.Thread):
    """Updates a random subscription every 50 ms on its own connection: the write's
    latencies while the mail goes out."""

    def __init__(self, ids):
        super().__init__(daemon=True)
        self.ids = ids
        self.latencies = []
        self.stop = threading.Event()

    def run(self):
        from django.db import connection
        from django.utils import timezone

        from assessments.models import Subscription

        try:
            while not self.stop.wait(0.05):
                started = time.perf_counter()
                Subscription.objects.filter(pk=random.choice(self.ids)).update(
                    updated_at=timezone.now()
                )
                self.latencies.append((time.perf_counter() - started) * 1000)
        finally:
            connection.close()


def worker_process(arguments, env):
    """Run this script as a worker would run the task, in a process of its own; its
    report."""
    result = subprocess.run(
        [sys.executable, __file__, *arguments], env=env, stdout=subprocess.PIPE, text=True
    )
    return result.stdout.strip()


def work(args):
    """In a worker's own process: list the deliveries (--plan) or send (--send), as the
    queue's task does, and report the time and this process's peak memory."""
    import django

    django.setup()
    from assessments import announcements

    before = peak_rss_mb()
    started = time.perf_counter()
    if args.plan:
        announcements.plan(args.plan)
    else:
        announcements.send(args.send)
    print(
        f"{time.perf_counter() - started:.1f} s, peak memory (max RSS) "
        f"{peak_rss_mb():.0f} MB ({before:.0f} MB once Django was loaded)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=50_000)
    parser.add_argument("--countries", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="worker processes sending")
    parser.add_argument("--plan", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--send", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.plan or args.send:
        return work(args)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    from assessments import announcements, workflow
    from assessments.models import Announcement, Delivery, Subscription
    from tests.processes import free_port
    from tests.worker import run_jobs

    started = time.perf_counter()
    outlook, codes = build_record(args.countries)
    editor = User.objects.create_user("bench-editor", "editor@example.org", "x")
    editor.groups.set(Group.objects.filter(name="editor"))
    build_subscribers(args.subscribers, outlook.region, codes)
    print(
        f"record and {Subscription.objects.count()} subscribers written in "
        f"{time.perf_counter() - started:.1f} s"
    )
    # Published as a publication does, but the announcement's task left for below.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    workflow.publish(outlook, user=editor)
    with mock.patch.object(announcements, "send"):
        run_jobs()
    announcement = Announcement.objects.get(outlook=outlook)

    port = free_port()
    sink = smtp_sink(port)
    time.sleep(1.5)
    probe = Probe(list(Subscription.objects.values_list("pk", flat=True)[:1000]))
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "SITE_URL": "https://outlook.example.org",
    }
    try:
        started = time.perf_counter()
        plan = worker_process(["--plan", str(announcement.pk)], env)
        planned = time.perf_counter() - started
        deliveries = announcement.deliveries.count()
        probe.start()
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [sys.executable, __file__, "--send", str(announcement.pk)],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.workers)
        ]
        reports = [worker.communicate()[0].strip() for worker in workers]
        sent = time.perf_counter() - started
        probe.stop.set()
        probe.join()
    finally:
        sink.terminate()
        sink.wait()
    states = dict(
        Delivery.objects.filter(announcement=announcement)
        .values_list("state")
        .annotate(n=django.db.models.Count("id"))
        .order_by()
    )
    latencies = sorted(probe.latencies)
    print(f"{deliveries} deliveries of {args.subscribers} subscribers listed in {planned:.2f} s")
    print(f"  the listing worker: {plan}")
    print(
        f"handed to SMTP by {args.workers} worker(s) in {sent:.1f} s "
        f"({deliveries / sent:.0f} messages/s); states: {states}"
    )
    for report in reports:
        print(f"  a sending worker: {report}")
    if latencies:
        print(
            f"a reader's update meanwhile ({len(latencies)} probes): "
            f"p50 {latencies[len(latencies) // 2]:.1f} ms, max {latencies[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
