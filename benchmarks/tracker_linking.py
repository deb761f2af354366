"""How long linking an archive's recommendations takes (assessments.lineage).

    DEBUG=1 scripts/with-postgres .venv/bin/python benchmarks/tracker_linking.py \
        [--editions 60] [--countries 10] [--recommendations 8]

On a throwaway PostgreSQL, migrated here: one region's archive of --editions monthly
editions of --countries countries with --recommendations recommendations each, imported
edition by edition as `importing.store_outlook` does (workflow.store_imported_edition and
store_imported, then derived.record_published, one transaction an edition; resolving
names and the editorial checks left out, as in benchmarks/dataset.py), in two regions
of their own countries:

1. imported with linking (lineage.link_entry for each entry before record_published, as
   the importer does), the time spent linking apart;
2. imported without linking (what an import cost before the linker: more, as the
   tracker then follows a lineage for every recommendation of every edition);
3. the first archive linked afterwards by `manage.py link_recommendations`, then again
   (nothing left to link).

From one edition to the next, each recommendation is repeated (most), edited a little,
rewritten, or replaced by a new one, at random but alike in both archives.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")

import django  # noqa: E402

django.setup()

import dataset  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from assessments import derived, lineage, workflow  # noqa: E402
from assessments.content import DraftContent, FootnoteDraft, RecommendationDraft  # noqa: E402
from assessments.models import (  # noqa: E402
    Country,
    LineageMatch,
    Region,
    RiskLevel,
    RiskStatus,
)

ADDRESSEES = ["The Government", "The UN Security Council", "UN Member States"]
EDITS = [
    lambda text: text.replace(".", " without delay."),
    lambda text: text.replace("the ", "all the ", 1),
    lambda text: text.replace(",", ""),
]
REWRITES = [
    lambda text: "As a priority, " + text[0].lower() + text[1:-1] + ", and report every year.",
    lambda text: text.split(",")[0] + ", with the support of the United Nations.",
]
NEW_ACTIONS = ["Establish", "Fund", "Review", "Publish", "Restore", "Protect", "Monitor"]
NEW_OBJECTS = [
    "a commission of inquiry into the events of {m}",
    "the national human rights institution's budget for {m}",
    "the detention of journalists arrested in {m}",
    "a register of everyone displaced since {m}",
    "the courts' independence, curtailed in {m}",
]


def evolve(rng, recommendations, period):
    """The next edition's recommendations [(addressee, text)] from these."""
    result = []
    for addressee, text in recommendations:
        roll = rng.random()
        if roll < 0.80:
            result.append((addressee, text))
        elif roll < 0.88:
            result.append((addressee, rng.choice(EDITS)(text)))
        elif roll < 0.93:
            result.append((addressee, rng.choice(REWRITES)(text)))
        else:
            result.append((addressee, new_recommendation(rng, period)))
    return result


def new_recommendation(rng, period):
    what = rng.choice(NEW_OBJECTS).format(m=f"{period:%B %Y}")
    return f"{rng.choice(NEW_ACTIONS)} {what}."


def first_recommendations(rng, count):
    texts = rng.sample(dataset.RECOMMENDATIONS, min(count, len(dataset.RECOMMENDATIONS)))
    while len(texts) < count:
        texts.append(new_recommendation(rng, dataset.FIRST_PERIOD))
    return [(ADDRESSEES[i % len(ADDRESSEES)], text) for i, text in enumerate(texts)]


def build_archive(region, countries, args, *, link):
    """Import the archive; returns the seconds it took in all, and in lineage.link_entry."""
    rng = random.Random(12)  # the findings and sources
    changes = random.Random(13)  # the recommendations: alike in both archives
    level, status = RiskLevel.objects.order_by("rank").last(), RiskStatus.objects.first()
    current = {
        country.pk: first_recommendations(changes, args.recommendations) for country in countries
    }
    linking = 0.0
    started = time.perf_counter()
    for e in range(args.editions):
        period = dataset.month(e)
        with transaction.atomic():
            outlook = workflow.store_imported_edition(
                region,
                period,
                title=f"{region.name} Regional Outlook",
                introduction="",
                publish=True,
            )
            sources = dataset.new_sources(dataset.citations(rng, region.name, period))
            revisions = []
            for country in countries:
                if e:
                    current[country.pk] = evolve(changes, current[country.pk], period)
                content = DraftContent(
                    risk_level=level,
                    risk_status=status,
                    findings=[
                        dataset.finding(rng, country.short_name, period, n) for n in range(1, 4)
                    ],
                    recommendations=[
                        RecommendationDraft(addressee, text)
                        for addressee, text in current[country.pk]
                    ],
                    footnotes=[FootnoteDraft(n, source) for n, source in enumerate(sources[:3], 1)],
                )
                assessment, _ = workflow.store_imported(outlook, country, content, publish=True)
                if link:
                    before = time.perf_counter()
                    lineage.link_entry(assessment.published_revision)
                    linking += time.perf_counter() - before
                revisions.append(assessment.published_revision)
            derived.record_published(outlook, revisions)
    return time.perf_counter() - started, linking


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=60)
    parser.add_argument("--countries", type=int, default=10)
    parser.add_argument("--recommendations", type=int, default=8)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("run through scripts/with-postgres")
    call_command("migrate", verbosity=0)
    codes = sorted(Country.objects.values_list("code", flat=True))
    entries = args.editions * args.countries
    print(
        f"{args.editions} editions x {args.countries} countries x {args.recommendations} "
        f"recommendations ({entries} entries) per archive"
    )
    # Linked first: the unlinked archive's tracker holds a lineage for every
    # recommendation of every edition, which each publication rebuilds (slower).
    for n, link in enumerate((True, False)):
        region = Region.objects.create(name=f"Linking {'on' if link else 'off'}")
        chosen = codes[n * args.countries : (n + 1) * args.countries]
        countries = list(Country.objects.filter(code__in=chosen).order_by("code"))
        took, linking = build_archive(region, countries, args, link=link)
        print(
            f"  import {'with' if link else 'without'} linking: {took:.1f} s "
            f"({took / entries * 1000:.1f} ms an entry)"
        )
        if link:
            print(
                f"    of which lineage.link_entry: {linking:.1f} s "
                f"({linking / entries * 1000:.1f} ms an entry)"
            )
    decisions = LineageMatch.objects.values_list("decision", flat=True)
    counts = {d: list(decisions).count(d) for d in LineageMatch.Decision.values}
    print(f"  matches of the linked archive: {counts}")
    for attempt in ("first", "second"):
        started = time.perf_counter()
        call_command("link_recommendations", stdout=sys.stdout)
        print(
            f"  link_recommendations, {attempt} run (links the other archive, rebuilds the "
            f"tracker): {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
