"""How long the editorial checks take over a 40-country edition. Target: under one second.

    DEBUG=1 .venv/bin/python benchmarks/checks.py [--entries 40] [--repeat 5]

Pure content, no database: each entry is the sample's content (about 700 words, four
footnotes, nine recommendations) under another Asia Pacific country's names, and each
context carries every other country's names, as `contexts_for_outlook` builds them.
"""

import argparse
import importlib
import os
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")

import django  # noqa: E402

django.setup()

from django_countries.data import COUNTRIES  # noqa: E402

from assessments.checks import CheckContext, Severity, check_content  # noqa: E402
from assessments.importing import read_file  # noqa: E402
from assessments.models import normalize_name  # noqa: E402

SAMPLE = ROOT / "assessments" / "demo" / "dprk-2023-11.txt"
# The curated names of the Asia Pacific countries, as the data migration seeds them.
ASIA_PACIFIC = importlib.import_module("assessments.migrations.0003_countries").ASIA_PACIFIC


def edition(count):
    """`count` (content, context) pairs built from the sample."""
    sample = read_file(SAMPLE).assessments[0]
    curated = {code: (official, short, aliases) for code, official, short, aliases in ASIA_PACIFIC}
    names = {code: {normalize_name(n) for n in (o, s, *a)} for code, (o, s, a) in curated.items()}
    for code, name in COUNTRIES.items():
        names.setdefault(code, set()).add(normalize_name(str(name)))
    all_names = set().union(*names.values())
    codes = (list(curated) * (count // len(curated) + 1))[:count]
    pairs = []
    for code in codes:
        official, short, aliases = curated[code]

        def rename(text, official=official, short=short):
            return (
                text.replace("Democratic People's Republic of Korea", official)
                .replace("DPRK", short)
                .replace("North Korea", short)
            )

        content = replace(
            sample,
            country=official,
            findings=[rename(text) for text in sample.findings],
            recommendations=[
                replace(g, addressee=rename(g.addressee), items=[rename(i) for i in g.items])
                for g in sample.recommendations
            ],
            footnotes=[replace(n, text=rename(n.text)) for n in sample.footnotes],
        )
        context = CheckContext(
            period=date(2023, 11, 1),
            official_name=official,
            short_name=short,
            aliases=tuple(aliases),
            other_country_names=frozenset(all_names - names[code]),
            previous_rating=("High", "Ongoing"),
        )
        pairs.append((content, context))
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pairs = edition(args.entries)
    words = sum(len(" ".join(c.findings + [i for g in c.recommendations for i in g.items]).split())
                for c, _ in pairs)  # fmt: skip
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        results = [check_content(content, context) for content, context in pairs]
        timings.append(time.perf_counter() - started)
    found = {severity: 0 for severity in Severity}
    for entry_results in results:
        for result in entry_results:
            found[result.severity] += 1
    print(
        f"checked {len(pairs)} entries ({words} words): first run {timings[0]:.3f} s, "
        f"best of {args.repeat} {min(timings):.3f} s; "
        f"{found[Severity.ERROR]} errors, {found[Severity.WARNING]} warnings, "
        f"{found[Severity.NOTE]} notes"
    )
    return 0 if max(timings) < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
