"""Search at the scale of 20 years of editions (a measurement, not a test).

    scripts/with-postgres .venv/bin/python benchmarks/search_scale.py \
        [--regions 20] [--months 240] [--countries 10] [--runs 30] \
        [--old-search FILE] [--explain]

Builds, in SQL straight into a fresh database (faster than the workflow by far; the
triggers of migration 0008 are respected: revisions are inserted as drafts with their
content, then moved to published), regions x months editions of `countries` entries
each, with 3 findings of about 100 words, 4 recommendations of about 30 words and 5
footnotes each. Words are drawn evenly from a vocabulary of about 1,000 words, so that
each one is in about 10% of paragraphs; "torture" is added to 8% of findings (a common
word) and "quokka" to 1 paragraph in 5,000 (a rare one). Then rebuilds the search index
(in SQL; with --index command, as rebuild_search_index does) and reports p50/p95 of
search() and of the search page, with and without filters, and of the form's lists.
--reuse measures again a database built by an earlier run (DATABASE_URL).

--old-search FILE times an earlier assessments/search.py on the same data (for example
`git show <main>:assessments/search.py > /tmp/old_search.py`), with main's choice lists.
"""

import argparse
import importlib.util
import os
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outlook.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

COMMON, RARE = "torture", "quokka"


def vocabulary():
    text = (ROOT / "assessments/demo/dprk-2023-11.txt").read_text(encoding="utf-8")
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} - {COMMON, RARE})
    # About 1,000 distinct words: the sample's, and made-up ones for the rest.
    return words + [f"{word}ing" for word in words[: max(0, 1000 - len(words))]]


def build(regions, months, countries):
    """The data set, in SQL; returns (entries, seconds)."""
    from django.db import connection, transaction

    start = time.perf_counter()
    words = vocabulary()
    with transaction.atomic(), connection.cursor() as cursor:

        def run(sql, params=()):
            # Always with parameters, so that %% is read as % in every statement.
            cursor.execute(sql, params)

        run(
            "INSERT INTO assessments_region (name, slug) "
            "SELECT 'Region ' || g, 'region-' || g FROM generate_series(1, %s) g",
            [regions],
        )
        run(
            """INSERT INTO assessments_outlook
                   (region_id, title, period, slug, introduction, state, created_at, published_at)
               SELECT r.id, r.name || ' Regional Outlook', p.period,
                      r.slug || '-' || to_char(p.period, 'YYYY-MM'), '', 'published', now(), now()
               FROM assessments_region r CROSS JOIN (
                   SELECT (date '2005-01-01' + make_interval(months => m))::date AS period
                   FROM generate_series(0, %s - 1) m) p
               WHERE r.name LIKE 'Region %%'""",
            [months],
        )
        run(
            """INSERT INTO assessments_assessment (outlook_id, country_id, position)
               SELECT o.id, c.id, c.n %% %(k)s + 1
               FROM assessments_outlook o
               JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                     FROM assessments_region WHERE name LIKE 'Region %%') r ON r.id = o.region_id
               JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                     FROM assessments_country) c ON c.n / %(k)s = r.n""",
            {"k": countries},
        )
        run(
            """INSERT INTO assessments_revision (assessment_id, number, state, risk_level_id,
                   risk_status_id, rationale, version, created_at, updated_at, correction_note)
               SELECT a.id, 1, 'draft', l.ids[1 + a.id %% array_length(l.ids, 1)],
                      s.ids[1 + a.id %% array_length(s.ids, 1)], '', 1, now(), now(), ''
               FROM assessments_assessment a,
                    (SELECT array_agg(id ORDER BY rank) ids FROM assessments_risklevel) l,
                    (SELECT array_agg(id ORDER BY position) ids FROM assessments_riskstatus) s"""
        )

        def paragraph(length, extra):
            # Correlated with the row (rv.id, p), so that each row draws its own words.
            word = "(%(words)s::text[])[1 + floor(random() * %(n)s)::int]"
            return f"""(SELECT string_agg({word}, ' ')
                        FROM generate_series(1, {length} + (rv.id + p) %% 20)) {extra}"""

        rare = f"|| CASE WHEN random() < 0.0002 THEN ' {RARE}' ELSE '' END"
        words_params = {"words": words, "n": len(words)}
        common = f"|| CASE WHEN random() < 0.08 THEN ' {COMMON}' ELSE '' END {rare}"
        run(
            f"""INSERT INTO assessments_finding (revision_id, position, text)
                SELECT rv.id, p, {paragraph(90, common)}
                       || '.[^' || p || ']'
                FROM assessments_revision rv CROSS JOIN generate_series(1, 3) p""",
            words_params,
        )
        run(
            "INSERT INTO assessments_addressee (name, slug) "
            "SELECT 'The Government of Addressee ' || g, 'addressee-' || g "
            "FROM generate_series(1, 40) g"
        )
        run(
            f"""INSERT INTO assessments_recommendation (revision_id, addressee_id, position, text)
                SELECT rv.id, ad.ids[1 + (rv.id * 7 + p) %% 40], p, {paragraph(25, rare)}
                FROM assessments_revision rv CROSS JOIN generate_series(1, 4) p,
                     (SELECT array_agg(id ORDER BY id) ids FROM assessments_addressee) ad""",
            words_params,
        )
        run(
            f"""INSERT INTO assessments_source (title, issuer, document_symbol, url)
                SELECT {paragraph(10, "").replace("rv.id + p", "g")} || ', A/HRC/' || g || '/1',
                       '', 'A/HRC/' || g || '/1',
                       CASE WHEN g %% 3 = 0 THEN 'https://www.example.org/doc/' || g ELSE '' END
                FROM generate_series(1, 20000) g""",
            words_params,
        )
        run(
            """INSERT INTO assessments_footnote (revision_id, number, source_id, pinpoint)
               SELECT rv.id, p, src.ids[1 + (rv.id * 5 + p * 7919) %% 20000], 'para. ' || p
               FROM assessments_revision rv CROSS JOIN generate_series(1, 5) p,
                    (SELECT array_agg(id ORDER BY id) ids FROM assessments_source) src"""
        )
        # Published once their content is written, as the workflow does.
        run("UPDATE assessments_revision SET state = 'published', published_at = now()")
        run(
            "UPDATE assessments_assessment a SET published_revision_id = rv.id "
            "FROM assessments_revision rv WHERE rv.assessment_id = a.id"
        )
        run("SELECT count(*) FROM assessments_assessment")
        entries = cursor.fetchone()[0]
    return entries, time.perf_counter() - start


def index_in_sql():
    """The index rows rebuild() writes, written in SQL (the synthetic text has no Markdown
    but its footnote calls): rebuild() reduces Markdown in Python, at about 1 ms a row on
    a busy 2-core machine, too slow to wait for at this scale."""
    from django.db import connection, transaction

    start = time.perf_counter()
    names = "c.official_name || ' ' || c.short_name || ' ' || c.code"
    live = """JOIN assessments_revision rv ON rv.id = x.revision_id
              JOIN assessments_assessment a ON a.published_revision_id = rv.id
              JOIN assessments_outlook o ON o.id = a.outlook_id AND o.state = 'published'
              JOIN assessments_country c ON c.id = a.country_id"""
    columns = """(kind, assessment_id, revision_id, region_id, country_id, risk_level_id,
                 period, addressee_id, position, text, terms)"""
    common = "a.id, rv.id, o.region_id, a.country_id, rv.risk_level_id, o.period"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO assessments_searchentry {columns}
                SELECT 'finding', {common}, NULL, x.position,
                       regexp_replace(x.text, '\\[\\^[0-9]+\\]', '', 'g'), {names}
                FROM assessments_finding x {live}
                UNION ALL
                SELECT 'recommendation', {common}, x.addressee_id, x.position, x.text,
                       ad.name || ' ' || {names}
                FROM assessments_recommendation x {live}
                JOIN assessments_addressee ad ON ad.id = x.addressee_id
                UNION ALL
                SELECT 'footnote', {common}, NULL, x.number,
                       concat_ws(', ', nullif(s.title, ''), nullif(x.pinpoint, ''))
                           || CASE WHEN s.url <> '' THEN ' ' || s.url ELSE '' END,
                       concat_ws(' ', s.document_symbol, s.issuer,
                                 regexp_replace(s.url, '\\W+', ' ', 'g'), {names})
                FROM assessments_footnote x {live}
                JOIN assessments_source s ON s.id = x.source_id"""
        )
        cursor.execute(
            "UPDATE assessments_searchentry SET vector = "
            "setweight(to_tsvector('english', text), 'A') || "
            "setweight(to_tsvector('english', terms), 'D')"
        )
    with connection.cursor() as cursor:
        # Publications write the rows edition by edition, in the order of their periods;
        # written here kind by kind, they are put back in that order.
        cursor.execute("CLUSTER assessments_searchentry USING search_entry_recent")
    return time.perf_counter() - start


def timed(function, runs):
    """(p50, p95) in ms of `runs` calls, after one to warm up."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def old_search_choices():
    """Main's search_choices (before the index), for comparison."""
    from django.db.models import Exists, OuterRef

    from assessments.models import (
        Addressee,
        Country,
        Outlook,
        Recommendation,
        Region,
        Revision,
        RiskLevel,
    )

    live = Revision.objects.live()
    return {
        "region": list(
            Region.objects.filter(Exists(Outlook.objects.published().filter(region=OuterRef("pk"))))
        ),
        "country": list(
            Country.objects.filter(Exists(live.filter(assessment__country=OuterRef("pk"))))
        ),
        "level": list(RiskLevel.objects.all()),
        "addressee": list(
            Addressee.objects.filter(
                Exists(Recommendation.objects.filter(addressee=OuterRef("pk"), revision__in=live))
            )
        ),
    }


def load_old_search(path):
    spec = importlib.util.spec_from_file_location("assessments.old_search", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--months", type=int, default=240)
    parser.add_argument("--countries", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--old-search", metavar="FILE")
    parser.add_argument("--old-runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--index",
        choices=["sql", "command"],
        default="sql",
        help="write the index in SQL (fast), or with rebuild_search_index's code",
    )
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from assessments import search as search_module
    from assessments import search_index
    from assessments.models import Addressee, Country, Region, RiskLevel, SearchEntry
    from assessments.public_views import search_choices

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if options.reuse:
        print(f"data: {SearchEntry.objects.count()} index rows of an earlier run")
    else:
        call_command("migrate", verbosity=0)
        entries, seconds = build(options.regions, options.months, options.countries)
        print(f"data: {entries} published entries built in {seconds:.0f} s")
    if options.reuse:
        pass
    elif options.index == "command":
        start = time.perf_counter()
        rows = search_index.rebuild()
        print(f"rebuild_search_index: {rows} rows in {time.perf_counter() - start:.0f} s")
    else:
        seconds = index_in_sql()
        print(f"search index written in SQL in {seconds:.0f} s: {SearchEntry.objects.count()} rows")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        database = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('assessments_searchentry'))")
        index = cursor.fetchone()[0]
    print(f"database {database}, of which the search index {index}")
    for word in (COMMON, RARE):
        print(f"rows matching {word!r}: {SearchEntry.objects.filter(text__contains=word).count()}")

    SearchFilters = search_module.SearchFilters
    country = Country.objects.filter(pk__in=SearchEntry.objects.values("country")).first()
    addressee = Addressee.objects.filter(name__startswith="The Government of Addressee").first()
    region = Region.objects.filter(name__startswith="Region ").order_by("pk")[1]
    cases = {
        "no filter": SearchFilters(),
        "country": SearchFilters(country=country),
        "region": SearchFilters(region=region),
        "risk level": SearchFilters(level=RiskLevel.objects.order_by("rank").last()),
        "last 2 years": SearchFilters(period_from=date(2023, 1, 1)),
        "addressee": SearchFilters(addressee=addressee),
        "region+level+years": SearchFilters(
            region=region,
            level=RiskLevel.objects.order_by("rank").last(),
            period_from=date(2010, 1, 1),
            period_to=date(2015, 12, 1),
        ),
    }
    old = load_old_search(options.old_search) if options.old_search else None
    print(
        f"\nsearch() in ms, p50/p95 of {options.runs} runs "
        f"(old, without and with a country: of {options.old_runs})"
    )
    for word in (COMMON, RARE):
        for label, filters in cases.items():
            hits = len(search_module.search(word, filters))
            new = timed(lambda w=word, f=filters: search_module.search(w, f), options.runs)
            line = f"  {word:8} {label:20} new {new[0]:7.1f} / {new[1]:7.1f}  ({hits} hits)"
            if old and label in ("no filter", "country"):
                legacy_filters = old.SearchFilters(**vars(filters))
                was = timed(lambda w=word, f=legacy_filters: old.search(w, f), options.old_runs)
                line += f"   old {was[0]:7.0f} / {was[1]:7.0f}"
            print(line, flush=True)

    choices = timed(search_choices, options.runs)
    line = f"\nchoice lists: new {choices[0]:.1f} / {choices[1]:.1f} ms"
    if old:
        was = timed(old_search_choices, options.old_runs)
        line += f", old {was[0]:.0f} / {was[1]:.0f} ms"
    print(line)

    client = Client()
    print("\nthe search page (view, choices, template), ms p50/p95:")
    for url in (
        f"/search/?q={COMMON}",
        f"/search/?q={RARE}",
        f"/search/?q={COMMON}&country={country.code.code.lower()}",
    ):
        assert client.get(url).status_code == 200
        page = timed(lambda u=url: client.get(u), options.runs)
        print(f"  {url:45} {page[0]:7.1f} / {page[1]:7.1f}")

    if options.explain:
        from django.contrib.postgres.search import SearchQuery

        for word in (COMMON, RARE):
            query = SearchQuery(word, search_type="websearch", config="english")
            candidates = (
                search_module.filtered_entries(SearchFilters())
                .filter(vector=query)
                .order_by("-period", "-id")
                .values("pk")[: search_module.CANDIDATES]
            )
            print(f"\nEXPLAIN ANALYZE, candidates for {word!r}:")
            print(candidates.explain(analyze=True))


if __name__ == "__main__":
    main()
