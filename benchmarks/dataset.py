"""The scale data set of issue 10, built with the project's own code, and cached.

    .venv/bin/python benchmarks/dataset.py [--regions 20] [--editions-per-region 240]
        [--countries 10] [--processes 2]     # against DATABASE_URL, migrated first

Default: 20 regions x 240 monthly editions x 10 countries (4,800 editions, 48,000
published entries, 200 countries with 240 ratings each), plus one published edition of
40 countries (region "World") for the page benchmarks. Each entry is of a real one's
size: 3 findings of ~150 words with footnote calls, 4 recommendations to 2 or 3
addressees from a shared list of 14, 5 footnotes citing UN documents (with their
symbols) and web pages. The word "torture" is common (in one entry in 12, 4,000 at full
scale, as a reader's usual query finds); "ombudsperson" is rare (one entry in 1,000).

Everything is written as an archive import is: `workflow.store_imported_edition` and
`workflow.store_imported` with a `DraftContent`, `derived.record_published` per
edition, one transaction per edition (what `importing.store_outlook` does, minus
resolving names and the editorial checks, which would triple the time). The footnotes'
sources are bulk-created per edition, with the symbol and the date the library reads
from a citation. Editions go to several processes (each its own connection); they
share nothing but the addressees, made first.

The built database is kept as a pg_dump custom-format file in benchmarks/out/ (ignored
by git), named by the scale and a hash of what makes the data (this file, the
migrations, the models, the workflow and the derived steps); `ensure_dataset()`
restores it with pg_restore when present instead of building again.
"""

import argparse
import hashlib
import importlib
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")

COMMON_WORD = "torture"
RARE_WORD = "ombudsperson"
FIRST_PERIOD = date(2006, 1, 1)
WORLD_REGION = "World"  # the 40-country edition's region
WORLD_COUNTRIES = 40

REGIONS = [
    "East Africa", "West Africa", "Central Africa", "Southern Africa", "North Africa",
    "Middle East", "Gulf States", "Central Asia", "South Asia", "Southeast Asia",
    "East Asia", "Pacific Islands", "Eastern Europe", "Western Europe", "Balkans",
    "Caucasus", "Caribbean", "Central America", "Andean States", "Southern Cone",
]  # fmt: skip

ADDRESSEES = [
    "The UN Security Council", "The Human Rights Council", "UN Member States",
    "The Government", "The Office of the High Commissioner for Human Rights",
    "The UN Secretary-General", "The African Union", "The European Union",
    "Donor governments", "The International Criminal Court", "Regional organisations",
    "Humanitarian agencies", "The armed forces", "Non-state armed groups",
]  # fmt: skip

# Sentences of reporting; {c} is the country, {m} the month, {n} a number.
SENTENCES = [
    (
        "Security forces in {c} detained at least {n} people during protests in {m}, "
        "according to monitors."
    ),
    ("Reports of ill-treatment in places of detention continued to reach the United Nations."),
    (
        "Humanitarian access to the affected provinces remained severely restricted "
        "throughout the period."
    ),
    (
        "Authorities continued to restrict freedom of expression, arresting journalists "
        "and closing outlets."
    ),
    "Armed groups attacked villages, killing civilians and forcing thousands to flee their homes.",
    (
        "The government announced an inquiry, but no one has yet been held accountable "
        "for the killings."
    ),
    "More than {n} people were displaced, most of them women and children, in the border areas.",
    (
        "Credible allegations of abuse by the police were not investigated "
        "independently or promptly."
    ),
    "Civil society organisations faced new registration requirements that limit their funding.",
    "The risk of atrocity crimes remains high as hate speech against minorities spreads online.",
    "Courts sentenced opposition leaders after trials that fell short of international standards.",
    "Food insecurity affected an estimated {n} thousand people as the conflict disrupted harvests.",
    "Women human rights defenders were threatened, harassed and in some cases abducted.",
    "The national human rights institution lacked the independence and resources to act.",
    (
        "Sexual and gender-based violence by parties to the conflict was documented in "
        "several districts."
    ),
    "Refugees returning to {c} faced arbitrary arrest, extortion and the loss of their property.",
    "Elections scheduled for {m} were postponed, and the state of emergency was extended again.",
    "The Special Rapporteur was denied entry to the country for the third consecutive year.",
    "Internet shutdowns during unrest prevented the documentation of violations in real time.",
    "Children were recruited by armed groups, and schools were used for military purposes.",
]

RECOMMENDATIONS = [
    (
        "Immediately release everyone detained arbitrarily for exercising their rights, "
        "and end abuse in all places of detention."
    ),
    (
        "Ensure safe, sustained and unhindered humanitarian access to all affected "
        "populations, in line with international law."
    ),
    (
        "Establish an independent investigation into the killings of civilians and hold "
        "those responsible to account."
    ),
    (
        "Adopt targeted sanctions against individuals responsible for serious violations "
        "of international humanitarian law."
    ),
    (
        "Support the work of the Special Rapporteur and grant the mandate holder access "
        "to the whole country."
    ),
    (
        "Protect human rights defenders and journalists, and repeal laws that "
        "criminalise peaceful dissent."
    ),
    (
        "Increase funding for the humanitarian response plan and for the protection of "
        "displaced women and children."
    ),
    (
        "Refer the situation to the International Criminal Court and cooperate fully "
        "with its investigations."
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Scale:
    regions: int = 20
    editions_per_region: int = 240
    countries: int = 10

    @property
    def label(self):
        return f"{self.regions}x{self.editions_per_region}x{self.countries}"

    @property
    def editions(self):
        return self.regions * self.editions_per_region

    @property
    def entries(self):
        return self.editions * self.countries


def add_scale_arguments(parser):
    """--regions, --editions-per-region, --countries (the issue's full scale by default)."""
    parser.add_argument("--regions", type=int, default=Scale.regions)
    parser.add_argument("--editions-per-region", type=int, default=Scale.editions_per_region)
    parser.add_argument("--countries", type=int, default=Scale.countries)
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 2, help="building processes"
    )


def scale_from(args):
    return Scale(args.regions, args.editions_per_region, args.countries)


def month(index):
    """The period of the index-th edition of a region, monthly from January 2006."""
    year, month0 = divmod(FIRST_PERIOD.month - 1 + index, 12)
    return date(FIRST_PERIOD.year + year, month0 + 1, 1)


# --- Content ------------------------------------------------------------------------


def finding(rng, country, period, footnote, word=None):
    """~150 words of reporting ending with a footnote call."""
    words, sentences = 0, []
    while words < 150:
        sentence = rng.choice(SENTENCES).format(
            c=country, m=f"{period:%B %Y}", n=rng.randint(12, 4000)
        )
        sentences.append(sentence)
        words += len(sentence.split())
    if word == RARE_WORD:
        sentences.insert(1, f"The {RARE_WORD} received complaints that were never answered.")
    elif word == COMMON_WORD:
        sentences.insert(1, f"Detainees described {COMMON_WORD} during interrogation.")
    sentences[-1] = sentences[-1][:-1] + f".[^{footnote}]"
    return " ".join(sentences)


def citations(rng, region, period):
    """The edition's library: 8 sources, UN documents with their symbols and web pages."""
    session = 40 + (period.year - 2006) * 3 + (period.month - 1) // 4
    day = f"{rng.randint(1, 28)} {period:%B %Y}"
    result = []
    for n in range(1, 9):
        if n % 2:
            symbol = f"A/HRC/{session}/{rng.randint(10, 99)}"
            title = (
                f"Report of the Special Rapporteur on the situation of human rights in "
                f"{region}, {day}, {symbol}."
            )
            result.append((title, ""))
        else:
            slug = f"{period:%Y/%m}/{region.lower().replace(' ', '-')}-{n}-{rng.randint(1, 9999)}"
            title = f"Human Rights Watch, “{region}: Civilians at Risk”, {day}."
            result.append((title, f"https://www.hrw.org/news/{slug}"))
    return result


def new_sources(pairs):
    """The sources of (citation, url) pairs, as `Source.objects.for_citation` makes one
    (symbol and date read from the citation), in one query."""
    from assessments.models import Source
    from assessments.text_format import UN_SYMBOL_RE, cited_date

    sources = []
    for text, url in pairs:
        symbol = UN_SYMBOL_RE.search(text) or UN_SYMBOL_RE.search(url)
        sources.append(
            Source(
                title=text,
                url=url,
                document_symbol=symbol.group(0).rstrip(".") if symbol else "",
                date=cited_date(text),
            )
        )
    return Source.objects.bulk_create(sources)


def entry_content(rng, country, period, sources, levels, statuses, rating, word):
    """A DraftContent of the usual size; `rating` is (level, status, changed)."""
    from assessments.content import DraftContent, FootnoteDraft, RecommendationDraft

    level, status, changed = rating
    name = country.short_name
    # The searched word, if any, in the second finding.
    findings = [finding(rng, name, period, n, word if n == 2 else None) for n in range(1, 4)]
    # Footnotes 4 and 5 are cited in the last finding too.
    findings[-1] = findings[-1] + " Monitors confirmed these accounts.[^4][^5]"
    addressees = rng.sample(ADDRESSEES, rng.choice((2, 2, 3)))
    recommendations = []
    for i in range(4):
        addressee = addressees[min(i * len(addressees) // 4, len(addressees) - 1)]
        recommendations.append(RecommendationDraft(addressee, rng.choice(RECOMMENDATIONS)))
    footnotes = [
        FootnoteDraft(n, source, f"para. {rng.randint(3, 90)}")
        for n, source in enumerate(rng.sample(sources, 5), 1)
    ]
    return DraftContent(
        risk_level=levels[level],
        risk_status=statuses[status],
        rationale=(f"The situation in {name} changed in {period:%B %Y}." if changed else ""),
        findings=findings,
        recommendations=recommendations,
        footnotes=footnotes,
    )


# --- Building -----------------------------------------------------------------------


def build_edition(region, period, countries, *, seed, ratings, entry_index, publish=True):
    """One edition of `countries`, imported in one transaction; published as an archive
    unless `publish` is false (then a draft). `ratings` maps a country's pk to its
    current (level index, status index), walked on here. Returns the Outlook."""
    from django.db import transaction

    from assessments import derived, workflow
    from assessments.models import RiskLevel, RiskStatus

    rng = random.Random(seed)
    levels = list(RiskLevel.objects.order_by("rank"))
    statuses = list(RiskStatus.objects.order_by("position"))
    with transaction.atomic():
        outlook = workflow.store_imported_edition(
            region,
            period,
            title=f"{region.name} Regional Outlook",
            introduction=f"This outlook covers {len(countries)} countries of {region.name}.",
            publish=publish,
        )
        sources = new_sources(citations(rng, region.name, period))
        revisions = []
        for offset, country in enumerate(countries):
            level, status = ratings.get(country.pk, (rng.randrange(len(levels)), 0))
            changed = rng.random() < 0.1
            if changed:
                level = max(0, min(len(levels) - 1, level + rng.choice((-1, 1))))
                status = rng.randrange(len(statuses))
            ratings[country.pk] = (level, status)
            index = entry_index + offset
            word = RARE_WORD if index % 1000 == 7 else COMMON_WORD if index % 12 == 0 else None
            content = entry_content(
                rng, country, period, sources, levels, statuses, (level, status, changed), word
            )
            assessment, _ = workflow.store_imported(outlook, country, content, publish=publish)
            if publish:
                revisions.append(assessment.published_revision)
        if publish:
            derived.record_published(outlook, revisions)
        workflow.audit(
            None,
            "import",
            f"Imported {len(countries)} entries (benchmark data set)",
            outlook=outlook,
        )
    return outlook


def plan(scale):
    """[(region name, [country codes])]: each region its own countries, 200 at full scale."""
    from django_countries.data import COUNTRIES

    codes = sorted(COUNTRIES)
    needed = scale.regions * scale.countries
    if needed > len(codes):
        raise SystemExit(f"{needed} countries wanted; django-countries knows {len(codes)}")
    names = REGIONS + [f"Region {n}" for n in range(len(REGIONS) + 1, scale.regions + 1)]
    return [
        (names[r], codes[r * scale.countries : (r + 1) * scale.countries])
        for r in range(scale.regions)
    ]


def _build_regions(tasks, scale, progress):
    """A building process: its share of (region index, region name, codes)."""
    import django

    django.setup()
    from assessments.models import Country, Region

    for r, name, codes in tasks:
        region = Region.objects.get(name=name)
        countries = list(Country.objects.filter(code__in=codes).order_by("code"))
        ratings = {}
        for e in range(scale.editions_per_region):
            build_edition(
                region,
                month(e),
                countries,
                seed=r * 100_000 + e,
                ratings=ratings,
                entry_index=(r * scale.editions_per_region + e) * scale.countries,
            )
            progress.value += 1


def _build_in_processes(tasks, scale, processes, started, echo):
    from django.db import connections

    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    progress = context.Value("i", 0)
    workers = [
        context.Process(target=_build_regions, args=(tasks[i::processes], scale, progress))
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        time.sleep(10)
        done = progress.value
        elapsed = time.perf_counter() - started
        if done:
            echo(
                f"  {done}/{scale.editions} editions in {elapsed:.0f} s "
                f"(about {elapsed / done * (scale.editions - done):.0f} s to go)",
                flush=True,
            )
    if any(worker.exitcode for worker in workers):
        raise SystemExit("a building process failed (see above)")


def build(scale, processes=2, *, world=WORLD_COUNTRIES, echo=print):
    """Build the data set into the (migrated, empty) database of DATABASE_URL; `world`
    is the number of countries of the World edition."""
    import django

    django.setup()
    from django.db import connections

    from assessments.models import Addressee, Country, Region

    started = time.perf_counter()
    layout = plan(scale)
    for name, _ in layout + [(WORLD_REGION, [])]:
        Region.objects.get_or_create(name=name)
    # Shared by every process: made once, first, so that none races another for them.
    Addressee.objects.find_or_create_all(ADDRESSEES)
    tasks = [(r, name, codes) for r, (name, codes) in enumerate(layout)]
    processes = max(1, min(processes, len(tasks)))
    if processes == 1:
        # In this process and its transaction, if any (the test of the builder).
        _build_regions(tasks, scale, argparse.Namespace(value=0))
    else:
        _build_in_processes(tasks, scale, processes, started, echo)
    # The 40-country edition of the page benchmarks: the first 40 countries of the set,
    # or of all countries at a small scale.
    codes = [code for _, codes in layout for code in codes]
    countries = list(Country.objects.order_by("code"))
    chosen = [c for c in countries if c.code.code in codes][:world]
    chosen += [c for c in countries if c not in chosen][: world - len(chosen)]
    build_edition(
        Region.objects.get(name=WORLD_REGION),
        month(scale.editions_per_region - 1),
        chosen,
        seed=7,
        ratings={},
        entry_index=1,
    )
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


# --- The cache ----------------------------------------------------------------------


def source_hash():
    """A hash of what makes the data set: change any of it and the data set is rebuilt."""
    import django

    django.setup()
    from assessments import derived

    files = {Path(__file__).resolve()}
    files |= set((ROOT / "assessments" / "migrations").glob("*.py"))
    files |= {ROOT / "assessments" / name for name in ("models.py", "workflow.py", "derived.py")}
    files |= {ROOT / "assessments" / "content.py"}
    # The steps' own modules: a change to any of them changes what the data set holds.
    for path in derived.STEPS:
        module = importlib.import_module(path.rpartition(".")[0])
        files.add(Path(module.__file__).resolve())
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def pg_tool(name):
    """pg_dump or pg_restore, of the server's version when the server binaries are found."""
    bindir = os.environ.get("PG_BINDIR")
    candidates = [Path(bindir) / name] if bindir else []
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install the PostgreSQL client or set PG_BINDIR")
    return found


def _database_args():
    url = urlsplit(os.environ["DATABASE_URL"])
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres", "-d", url.path.lstrip("/")]
    return args


def dump_path(scale):
    return OUT / f"dataset-{scale.label}-{source_hash()}.dump"


def ensure_dataset(scale, processes=2, *, echo=print):
    """The data set in the database of DATABASE_URL: restored from its dump if one was
    made by the same code, else built and dumped. Returns what was done and how long."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("the data set needs PostgreSQL: run through scripts/with-postgres")
    path = dump_path(scale)
    started = time.perf_counter()
    if path.exists():
        connections.close_all()
        subprocess.run(
            [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "-j", "2"]
            + _database_args()
            + [str(path)],
            check=True,
        )
        call_command("migrate", verbosity=0)  # nothing to do: the dump is of this code
        return f"restored {path.name}", time.perf_counter() - started
    call_command("migrate", verbosity=0)
    echo(f"building the data set {scale.label} ({scale.entries} entries) ...")
    took = build(scale, processes, echo=echo)
    OUT.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    partial = path.with_suffix(".partial")
    subprocess.run(
        [pg_tool("pg_dump"), "-Fc", "-Z", "1", "-f", str(partial)] + _database_args(), check=True
    )
    partial.rename(path)
    for old in OUT.glob(f"dataset-{scale.label}-*.dump"):
        if old != path:
            old.unlink()  # made by older code: never restored again
    return f"built in {took:.0f} s, dumped to {path.name}", time.perf_counter() - started


def database_size():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return cursor.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_scale_arguments(parser)
    parser.add_argument("--no-cache", action="store_true", help="build even if a dump exists")
    args = parser.parse_args()
    scale = scale_from(args)
    if args.no_cache:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        took = build(scale, args.processes)
        print(f"built {scale.label} in {took:.1f} s; database {database_size()}")
        return
    what, took = ensure_dataset(scale, args.processes)
    print(f"data set {scale.label}: {what} ({took:.1f} s in all); database {database_size()}")


if __name__ == "__main__":
    main()
