"""Corpus tests: thousands of malformed inputs, made by mutating good ones, fed to the
importer and posted to the editor. Whatever the input, the answer is a refusal with a
message (ImportFileError, a 4xx page) or a success, never a crash or a server error, and
a refusal leaves the database as it was.

Hypothesis makes the inputs from a fixed seed (derandomize), so a run is repeatable; a
failure is shrunk to a small input. Every input runs in a transaction rolled back
afterwards, so all of them meet the same database state, set up once per test. Each test
prints what it fed and how the inputs were answered.
"""

import json
import time
from collections import Counter
from datetime import date
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assessments import checks
from assessments.importing import ImportFileError, parse_bytes, store_outlook
from assessments.models import Country, Revision

from .builders import add_assessment, entry_data, make_outlook
from .importing import ENTRY, SECOND_ENTRY, VALID_JSON

pytestmark = pytest.mark.django_db

IMPORTS = 2_000  # mutated files, text and JSON
POSTS = 1_000  # malformed posts


def corpus_settings(examples):
    """A fixed seed; no example database; no health check on purpose: the inputs are
    large and slow by design, and every example rolls its own transaction back."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )


def report(capsys, title, counts, started):
    """Print the counts, past pytest's capture, so that a run shows them."""
    with capsys.disabled():
        details = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
        print(f"\n{title} in {time.monotonic() - started:.1f} s: {details}")


# What the database holds, in one query: the rows of every table a user's action or an
# import writes, and each revision's version and state.
TABLES = [
    "outlook",
    "region",
    "assessment",
    "revision",
    "finding",
    "recommendation",
    "footnote",
    "source",
    "addressee",
    "review",
    "checkacknowledgement",
    "auditevent",
]
SNAPSHOT_SQL = (
    "SELECT "
    + ", ".join(f"(SELECT count(*) FROM assessments_{table})" for table in TABLES)
    + ", (SELECT string_agg(id || ':' || version || ':' || state, ',' ORDER BY id)"
    " FROM assessments_revision)"
)


def snapshot():
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT_SQL)
        return cursor.fetchone()


@pytest.fixture
def few_countries(db):
    """The database with only the countries the inputs name, and their neighbours.

    The importer and the checks normalise every country's names for each entry; with
    250 countries that costs more than everything else an input does, and would make the
    corpus ten times slower without testing anything more about malformed input.
    """
    Country.objects.exclude(code__in=["KP", "KR", "MM", "JP", "CN", "TH"]).delete()


class Rollback(Exception):
    """Leaves the transaction of one example, undoing whatever it wrote."""


def rolled_back(work):
    """work()'s result, in a transaction that is rolled back afterwards."""
    try:
        with transaction.atomic():
            result = work()
            raise Rollback(result)
    except Rollback as done:
        return done.args[0]


# --- Pieces of malformed input ----------------------------------------------------------

# What breaks readers: control characters, a lone surrogate, line and paragraph
# separators, a noncharacter, the format's keywords out of place, figures and symbols.
NASTY = [
    "\x00",
    "\x01",
    "\x0b",
    "\x0c",
    "\x1b[31m",
    "\x1c",
    "\x7f",
    "\x85",
    "\ud800",
    "\u2028",
    "\ufeff",
    "\ufdd0",
    "¹",
    "²³",
    "⁹" * 40,
    "[^1]",
    "[^99999]",
    "**",
    "__",
    " should:",
    " Risk: ",
    "Risk: High/Ongoing",
    " Regional Outlook May 2024",
    " Regional Outlook May 0000",
    "Recommendations",
    "- ",
    "\n",
    "\r",
    "\t",
    "1899",
    "0000-01",
    "A/" + "B" * 150,
    "日本",
    "!!!",
    "https://",
    "javascript:alert(1)",
    "<script>",
    "'",
    '"',
    "%",
    "\\",
    "9" * 5_000,
]


def texts_with_runs(*lengths):
    """Text made of pieces: any text, the nasty pieces, and long runs (of spaces, which
    slow regular expressions down; of letters, past the limits; of calls)."""
    pieces = st.one_of(
        st.text(max_size=20),
        st.sampled_from(NASTY),
        st.builds(
            lambda piece, count: piece * count,
            st.sampled_from([" ", "x", "a ", "¹", "*", "_", "\t"]),
            st.sampled_from(lengths),
        ),
    )
    return st.lists(pieces, min_size=1, max_size=4).map("".join)


# Files get runs longer than any line may be; posts runs just past the fields' limits
# (a longer value is refused the same way, and costs more to encode and decode).
texts = texts_with_runs(100, 5_001, 20_001, 80_000)
post_texts = texts_with_runs(100, 201, 5_001, 20_001)


# --- The importer ----------------------------------------------------------------------

TEXT_SEEDS = [ENTRY, SECOND_ENTRY, ENTRY + "\n" + SECOND_ENTRY]


@st.composite
def text_files(draw):
    """A text-format file: a good one, its lines edited, inserted, removed or repeated."""
    lines = draw(st.sampled_from(TEXT_SEEDS)).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["insert", "into", "replace", "remove", "repeat"]))
        if edit == "insert":
            lines.insert(at, draw(texts))
        elif edit == "into":
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + draw(texts) + lines[at][cut:]
        elif edit == "replace":
            lines[at] = draw(texts)
        elif edit == "remove" and len(lines) > 1:
            del lines[at]
        else:
            lines.insert(at, lines[at])
    return "\n".join(lines).encode("utf-8", "surrogatepass")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def places(data, place=()):
    """The place of every value in `data`, containers included."""
    yield place
    if isinstance(data, dict | list):
        children = data.items() if isinstance(data, dict) else enumerate(data)
        for key, value in children:
            yield from places(value, (*place, key))


@st.composite
def json_files(draw):
    """An interchange file: a good one with values replaced, removed or added, written
    out and sometimes cut short or spliced."""
    data = json.loads(json.dumps(VALID_JSON))
    data["introduction"] = "An introduction."
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from([p for p in places(data) if p]))
        parent = data
        for step in place[:-1]:
            parent = parent[step]
        edit = draw(st.sampled_from(["text", "value", "remove"]))
        if edit == "remove":
            del parent[place[-1]]
        else:
            parent[place[-1]] = draw(texts if edit == "text" else json_values)
    raw = json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(max_size=8)) + raw[cut + draw(st.integers(0, 8)) :]
    return raw


def test_the_importer_refuses_thousands_of_mutated_files_cleanly(
    few_countries, published_sample, capsys
):
    before = snapshot()
    counts = Counter()
    started = time.monotonic()

    def import_raw(raw):
        content = parse_bytes(raw, path="corpus")
        return store_outlook(content, publish=False, replace=False, path="corpus")

    def check(raw):
        def work():
            try:
                import_raw(raw)
            except ImportFileError as error:
                str(error).encode("utf-8")  # a message that can be printed
                assert snapshot() == before, f"a refused file left rows behind: {error}"
                return "refused"
            return "imported"

        counts[rolled_back(work)] += 1
        counts["files"] += 1

    @corpus_settings(IMPORTS // 2)
    @given(text_files())
    def text_corpus(raw):
        counts["text files"] += 1
        check(raw)

    @corpus_settings(IMPORTS // 2)
    @given(json_files())
    def json_corpus(raw):
        counts["JSON files"] += 1
        check(raw)

    text_corpus()
    json_corpus()
    report(capsys, "Importer corpus", counts, started)
    assert counts["files"] >= 2_000
    assert counts["refused"] >= 1_000
    assert snapshot() == before


# --- The editor ---------------------------------------------------------------------------


@pytest.fixture
def editor_state(few_countries, alice, bob, erin):
    """A short draft an analyst edits, in an edition the editors add countries to; a
    submitted entry a reviewer decides on; a signed-in client for each of them. (Short
    entries: a post's cost is mostly its page, and the checks of long findings.)"""
    edition = make_outlook(period=date(2024, 5, 1))
    draft = add_assessment(edition, "KP", user=alice).revisions.get()
    elsewhere = make_outlook(period=date(2024, 6, 1))
    submitted = add_assessment(elsewhere, "JP", state=Revision.State.SUBMITTED).revisions.get()
    clients = {}
    for user in (alice, bob, erin):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    return {"draft": draft, "submitted": submitted, "edition": edition, "clients": clients}


def rows_and_values(base):
    """Edits of the editor form's post: fields changed, removed or added, rows declared
    and not sent, rows added."""
    fields = sorted(base)
    management = [key for key in fields if key.endswith(("TOTAL_FORMS", "INITIAL_FORMS"))]
    numbers = st.one_of(st.integers(-3, 10**7).map(str), post_texts)
    row_field = st.tuples(
        st.sampled_from(["finding", "recommendation", "footnote"]),
        st.integers(0, 6),
        st.sampled_from(
            ["text", "addressee", "number", "source", "pinpoint", "new_title", "new_url"]
            + ["new_date", "new_symbol", "ORDER", "DELETE"]
        ),
    ).map(lambda t: f"{t[0]}-{t[1]}-{t[2]}")
    return st.lists(
        st.one_of(
            st.tuples(st.just("set"), st.sampled_from(fields), post_texts),
            st.tuples(st.just("set"), st.sampled_from(management), numbers),
            st.tuples(st.just("set"), row_field, post_texts),
            st.tuples(st.just("remove"), st.sampled_from(fields), st.just("")),
        ),
        min_size=1,
        max_size=4,
    )


# Each of these gets its share of the posts.
VIEWS = ["edit", "checks_live", "preview_live", "acknowledge", "approve", "request_changes"]
VIEWS += ["outlook_new", "add_country"]


def encoded(data):
    """A form's body as a browser sends it; a lone surrogate arrives as invalid UTF-8."""
    return urlencode(data, doseq=True, encoding="utf-8", errors="surrogatepass")


def test_the_editor_answers_a_thousand_malformed_posts_without_a_server_error(editor_state, capsys):
    draft, submitted = editor_state["draft"], editor_state["submitted"]
    clients = editor_state["clients"]
    base = entry_data(draft)
    warnings = [r for r in checks.check_revision(draft) if r.severity == checks.Severity.WARNING]
    warning_keys = [r.key for r in warnings] + ["numbers.grouping:finding:1"]
    region = editor_state["edition"].region_id
    countries = [str(c.pk) for c in Country.objects.filter(code__in=["KP", "JP"])]
    before = snapshot()
    counts = Counter()
    started = time.monotonic()

    def post(user, name, pk, data, *, writes, htmx=False):
        """Post `data`: never a server error; if anything was written, the post was one
        that may write and was accepted (a redirect, or htmx's panel)."""

        def work():
            response = clients[user].post(
                reverse(name, args=[pk]) if pk else reverse(name),
                encoded(data),
                content_type="application/x-www-form-urlencoded",
                headers={"HX-Request": "true"} if htmx else {},
            )
            assert response.status_code < 500, (name, data)
            wrote = snapshot() != before
            if wrote:
                assert writes and response.status_code in (200, 302), (name, data)
            return response.status_code, wrote

        status, wrote = rolled_back(work)
        counts["posts"] += 1
        counts[f"{name.removeprefix('editor_')} {status}"] += 1
        counts["wrote nothing"] += not wrote

    # The edit page is the dearest answer: one post in eight goes there, the others to
    # the live checks and preview, which read the same forms.
    entry_views = st.sampled_from(
        ["editor_checks_live"] * 4 + ["editor_preview_live"] * 3 + ["editor_edit"]
    )

    @corpus_settings(POSTS * 6 // 10)
    @given(entry_views, rows_and_values(base))
    def entry_posts(view, edits):
        data = dict(base)
        for edit, key, value in edits:
            if edit == "remove":
                data.pop(key, None)
            else:
                data[key] = value
        post("alice", view, draft.pk, data, writes=view == "editor_edit")

    other_posts = st.one_of(
        st.tuples(
            # Mostly from the checks panel (htmx), which gets the panel back; without
            # JavaScript, the whole edit page.
            st.sampled_from(["editor_acknowledge"] + ["editor_acknowledge htmx"] * 3),
            st.fixed_dictionaries(
                {"key": st.sampled_from(warning_keys) | post_texts, "note": post_texts}
            ),
        ),
        st.tuples(
            st.sampled_from(["editor_approve", "editor_request_changes"]),
            st.fixed_dictionaries({"comment": post_texts}),
        ),
        st.tuples(
            st.just("editor_outlook_new"),
            st.fixed_dictionaries(
                {
                    "region": st.just(str(region)) | post_texts,
                    "period": st.sampled_from(["2024-07", "2023-11"]) | post_texts,
                    "title": post_texts,
                    "introduction": post_texts,
                }
            ),
        ),
        st.tuples(
            st.just("editor_add_country"),
            st.fixed_dictionaries({"country": st.sampled_from(countries) | post_texts}),
        ),
    )

    targets = {
        "editor_acknowledge": ("alice", draft.pk),
        "editor_acknowledge htmx": ("alice", draft.pk),
        "editor_approve": ("bob", submitted.pk),
        "editor_request_changes": ("bob", submitted.pk),
        "editor_outlook_new": ("erin", None),
        "editor_add_country": ("erin", editor_state["edition"].pk),
    }

    @corpus_settings(POSTS * 4 // 10)
    @given(other_posts)
    def other_post(name_and_data):
        name, data = name_and_data
        user, pk = targets[name]
        view, _, htmx = name.partition(" ")
        post(user, view, pk, data, writes=True, htmx=bool(htmx))

    entry_posts()
    other_post()
    report(capsys, "Editor corpus", counts, started)
    assert counts["posts"] >= 1_000
    for view in VIEWS:
        assert sum(n for key, n in counts.items() if key.startswith(f"{view} ")) >= 20, view
    assert snapshot() == before
