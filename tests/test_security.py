"""Security and robustness, probed as an attacker and as a careless user would.

Hostile text typed by analysts and reviewers never runs in a browser; nothing a user
can put in a URL, a query string or a form answers with a server error; every POST
needs a CSRF token; sign-in never redirects off the site; the PDF renderer fetches
nothing but the project's static files; the importer refuses hostile files cleanly.
"""

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from assessments import emails, workflow
from assessments.importing import ImportFileError, import_file
from assessments.markdown import render_markdown
from assessments.models import (
    Addressee,
    AuditEvent,
    EmbargoLink,
    LineageMatch,
    Outlook,
    PublicationJob,
    Region,
    ReviewComment,
    Revision,
    Source,
)
from assessments.pdf import outlook_html, render_outlook_pdf

from .builders import (
    add_assessment,
    entry_data,
    import_json,
    make_outlook,
    make_revision,
    publish_correction,
    publish_entry,
)

pytestmark = pytest.mark.django_db
State = Revision.State

# Every payload carries 1337 or the tag xss-probe, so that what survives is easy to find.
HOSTILE_MARKDOWN = [
    "<script>alert(1337)</script>",
    '<img src=x onerror="alert(1337)">',
    "<xss-probe onclick=alert(1337)>probe</xss-probe>",
    '"><xss-probe>',
    "[link](javascript:alert(1337))",
    "[link](JaVaScRiPt:alert(1337))",
    "[link](java&#x09;script:alert(1337))",
    "[link](  javascript:alert(1337))",
    "[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMzM3KTwvc2NyaXB0Pg==)",
    "[link](vbscript:alert(1337))",
    "<javascript:alert(1337)>",
    '[link](https://example.org/" onmouseover="alert(1337))',
    "![image](https://example.org/x.png?1337)",
    "[^1]<style>@import url(file:///etc/passwd); /* 1337 */</style>",
]
HOSTILE_TEXT = '<xss-probe onclick="alert(1337)">"\'&</xss-probe>'


class Scanner(HTMLParser):
    """Collects what would run in a browser: probe tags, event handlers, script URLs."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}
    BAD_SCHEMES = ("javascript:", "vbscript:", "data:")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in ("xss-probe", "iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            source = dict(attrs).get("src") or ""
            if source and not (source.startswith("/") and not source.startswith("//")):
                self.problems.append(f"script from {source}")
            self.in_script = True
        if tag == "style":
            self.in_script = True
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "1337" in value:
                self.problems.append(f"handler {name}={value!r}")
            # Browsers drop tabs and line breaks inside a URL: "java\tscript:" runs.
            compact = "".join(value.split()).lower()
            if name in self.URL_ATTRIBUTES and compact.startswith(self.BAD_SCHEMES):
                self.problems.append(f"{name}={value!r}")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "1337" in data:
            self.problems.append(f"script or style holding the payload: {data[:80]!r}")


def dangers(html):
    scanner = Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.fixture
def lenient_client():
    """A client that gets the 500 page instead of the exception, as a visitor would."""
    return Client(raise_request_exception=False)


# --- Hostile text from analysts and reviewers ----------------------------------------


@pytest.fixture
def hostile(alice, bob):
    """A published edition whose entry, correction note and sources carry payloads, and a
    correction draft sent back by a reviewer with a hostile comment."""
    outlook = make_outlook(period=date(2024, 5, 1), published=True, introduction=HOSTILE_TEXT)
    assessment = add_assessment(
        outlook,
        "KP",
        findings=[f"Finding {i}: {text} [^1]" for i, text in enumerate(HOSTILE_MARKDOWN)],
        recommendations=[(HOSTILE_TEXT, "Do " + payload) for payload in HOSTILE_MARKDOWN[:4]],
        footnotes=[(HOSTILE_TEXT, "")],
        state=State.PUBLISHED,
    )
    publish_correction(
        assessment,
        note=HOSTILE_TEXT,
        findings=["A corrected finding " + HOSTILE_MARKDOWN[0]],
        recommendations=[(HOSTILE_TEXT, "Corrected.")],
        footnotes=[],
    )
    draft = make_revision(
        assessment,
        findings=["Draft " + payload for payload in HOSTILE_MARKDOWN],
        recommendations=[(HOSTILE_TEXT, "Draft " + HOSTILE_MARKDOWN[1])],
        footnotes=[(HOSTILE_TEXT, "")],
        user=alice,
    )
    Revision.objects.filter(pk=draft.pk).update(correction_note=HOSTILE_TEXT)
    Revision.objects.filter(pk=draft.pk).update(state=State.SUBMITTED)
    draft.contributors.add(alice)
    workflow.request_changes(draft, user=bob, comment=HOSTILE_TEXT + " alert(1337)")
    return outlook, assessment, Revision.objects.get(pk=draft.pk)


def test_the_scanner_sees_active_content():
    for html in (
        '<a href=" Java\tScript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        "<xss-probe>",
        '<p onclick="alert(1337)">',
        "<script>alert(1337)</script>",
        '<script src="https://evil.example/x.js"></script>',
    ):
        assert dangers(html), html
    assert not dangers('<a href="/x">x</a><script src="/static/js/editor.js"></script>')


def test_markdown_renders_no_active_content():
    for payload in HOSTILE_MARKDOWN:
        html = str(render_markdown(payload, anchor="kp-"))
        assert not dangers(html), (payload, html)
        assert "<style" not in html and "@import" not in html.replace("@import url", ""), html


def test_hostile_text_is_inert_on_public_pages(client, hostile):
    outlook, assessment, _ = hostile
    addressee = Addressee.objects.get(name=HOSTILE_TEXT)
    for url in (
        f"/outlooks/{outlook.slug}/",
        f"/outlooks/{outlook.slug}/kp/v1/",
        f"/outlooks/{outlook.slug}/kp/v2/",
        "/countries/kp/",
        "/recommendations/",
        f"/recommendations/{addressee.slug}/",
        "/search/?q=alert",
        "/search/?q=probe",
        "/search/?q=" + HOSTILE_TEXT,
        "/outlooks/?region=" + HOSTILE_TEXT,
        "/accounts/login/?next=%22%3E%3Cxss-probe%3E",
    ):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert not dangers(body(response)), url
    # The payloads are on the pages, as text.
    for url in (f"/outlooks/{outlook.slug}/", f"/outlooks/{outlook.slug}/kp/v1/"):
        text = body(client.get(url))
        assert "&lt;xss-probe" in text and "alert(1337)" in text, url
    # In the feed a summary is HTML inside XML: the payload is text in that HTML, escaped
    # once for HTML and once more for XML (tests/test_feeds.py reads it as a reader would).
    feed = body(client.get("/feed/"))
    assert "<xss-probe" not in feed and "&amp;lt;xss-probe" in feed
    data = client.get(f"/outlooks/{outlook.slug}.json")
    assert data["Content-Type"].startswith("application/json")
    assert data["X-Content-Type-Options"] == "nosniff"


def test_hostile_text_is_inert_in_the_editor(client, django_user_model, hostile):
    outlook, assessment, draft = hostile
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    client.force_login(root)
    for url in (
        "/editor/",
        f"/editor/outlooks/{outlook.pk}/",
        f"/editor/assessments/{assessment.pk}/",
        f"/editor/revisions/{draft.pk}/",
        f"/editor/revisions/{draft.pk}/preview/",
        f"/editor/revisions/{draft.pk}/edit/",
        f"/editor/revisions/{draft.pk}/review/",
        f"/editor/revisions/{draft.pk}/checks/",
        "/editor/audit/",
        "/editor/sources/search/?q=xss",
        f"/admin/assessments/revision/{draft.pk}/change/",
        "/admin/assessments/auditevent/",
        "/admin/assessments/review/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not dangers(body(response)), url
    for url in (f"/editor/revisions/{draft.pk}/edit/", "/editor/audit/"):
        assert "&lt;xss-probe" in body(client.get(url)), url


def test_hostile_text_is_inert_in_the_pdf_html(hostile):
    outlook, _, _ = hostile
    html = outlook_html(outlook)
    assert "<xss-probe" not in html
    assert "<img" not in html and "<style>@import" not in html
    assert "file:///etc/passwd" not in html.replace("@import url(file:///etc/passwd)", "")


# --- Source URLs: only web addresses become links -------------------------------------


def edition_json(**entry):
    return {
        "region": "Asia Pacific",
        "title": "Asia Pacific Regional Outlook",
        "period": "2023-11",
        "assessments": [
            {
                "country": "KP",
                "short_name": "DPRK",
                "risk": {"level": "Very high", "status": "Ongoing"},
                "findings": ["The situation remains serious.[^1]"],
                "recommendations": [
                    {"addressee": "The UN Security Council", "items": ["Act now."]}
                ],
                "footnotes": [{"number": 1, "text": "A report, 1 March 2023.", "url": None}],
                **entry,
            }
        ],
    }


HOSTILE_URLS = [
    "javascript:alert(1337)",
    " JavaScript:alert(1337)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxMzM3KTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_imported_footnote_url_never_becomes_a_script_link(client, tmp_path, url):
    footnotes = [{"number": 1, "text": "A report, 1 March 2023.", "url": url}]
    with pytest.raises(ImportFileError, match="not a web address"):
        import_json(tmp_path, edition_json(footnotes=footnotes), publish=True)
    assert not Source.objects.filter(url=url).exists()
    assert client.get("/outlooks/asia-pacific-2023-11/").status_code == 404


# --- No 500 for what anyone can type into a URL ----------------------------------------


PUBLIC_PROBES = [
    "/countries/zz/",
    "/countries/k/",
    "/countries/kpx/",
    "/countries/%C3%A9%C3%A9/",
    "/countries/%E2%80%AE%E2%80%AE/",
    "/countries/" + "x" * 5000 + "/",
    "/outlooks/{slug}/zz/v1/",
    "/outlooks/{slug}/kp/v0/",
    "/outlooks/{slug}/kp/v99999999999999999999999/",
    "/outlooks/{slug}/zz.pdf",
    "/outlooks/{slug}/%C3%A9.pdf",
    "/outlooks/nope.pdf",
    "/outlooks/nope.json",
    "/outlooks/?page=0",
    "/outlooks/?page=-1",
    "/outlooks/?page=99999999999999999999999999",
    "/outlooks/?page=1e3",
    "/outlooks/?page=%00",
    "/outlooks/?region=%00",
    "/outlooks/?region=" + "r" * 10000,
    "/outlooks/?region=%F0%9F%92%A3",
    "/search/?q=%22",
    "/search/?q=%27%20OR%201%3D1--",
    "/search/?q=a%20%26%20%7C%20!%20%3A*%20(",
    "/search/?q=-",
    "/search/?q=" + "war%20" * 2000,
    "/search/?q=%F0%9F%92%A3%E2%80%AE",
    "/search/?q=war&from=0-1",
    "/search/?q=war&from=2023-13",
    "/search/?q=war&from=99999-01",
    "/search/?q=war&from=2023-11-30",
    "/search/?q=war&from=" + "9" * 5000 + "-1",
    "/search/?q=war&to=%00",
    "/search/?q=war&level=%00&country=%00&region=%00&addressee=%00",
    "/search/?q=war&level=99999999999999999999",
    "/search/?q=war&from=2025-01&to=2020-01",
    "/recommendations/%C3%A9/",
    "/feed/?page=2",
    "/data/ratings.csv?x=%00",
]


# A NUL byte is refused by PostgreSQL: none may reach a query.
NUL_PROBES = [
    "/countries/%00/",
    "/countries/k%00/",
    "/outlooks/{slug}/%00/v1/",
    "/outlooks/{slug}/%00.pdf",
    "/search/?q=%00",
    "/search/?q=war%00peace",
]


@pytest.mark.parametrize(
    "url",
    PUBLIC_PROBES + NUL_PROBES,
    ids=[probe[:60] for probe in PUBLIC_PROBES + NUL_PROBES],
)
def test_hostile_public_urls_are_never_a_server_error(lenient_client, published_sample, url):
    response = lenient_client.get(url.format(slug=published_sample.slug))
    assert response.status_code in (200, 400, 404), url


EDITOR_PROBES = [
    "/editor/outlooks/?page=%00",
    "/editor/audit/?page=banana",
    "/editor/audit/?outlook=banana",
    "/editor/audit/?outlook=99999999999999999999999",
    "/editor/audit/?action=" + "a" * 5000,
    "/editor/sources/search/?q=%00",
    "/editor/sources/search/?q=%25_%5C",
    "/editor/revisions/99999999999999999999/",
    "/editor/outlooks/999999/",
]


@pytest.mark.parametrize("url", EDITOR_PROBES)
def test_hostile_editor_urls_are_never_a_server_error(lenient_client, erin, alice, url):
    user = alice if "sources" in url else erin
    lenient_client.force_login(user)
    assert lenient_client.get(url).status_code in (200, 400, 404), url


@pytest.mark.parametrize("query", ["outlook=%C2%B2", "actor=%C2%B2", "action=%00", "q=%00"])
def test_audit_log_filters_are_never_a_server_error(lenient_client, erin, query):
    lenient_client.force_login(erin)
    assert lenient_client.get(f"/editor/audit/?{query}").status_code in (200, 400, 404)


# --- Addressees whose names make no slug ------------------------------------------------


def save_with_addressees(client, user, names):
    """`user` saves a DPRK and a Japan draft, one addressee of `names` each; the status codes."""
    outlook = make_outlook()
    revisions = [add_assessment(outlook, code).revisions.get() for code in ("KP", "JP")]
    client.force_login(user)
    statuses = []
    for revision, name in zip(revisions, names, strict=True):
        data = entry_data(
            revision, recommendation=[{"addressee": name, "text": "Act within the year."}]
        )
        statuses.append(client.post(reverse("editor_edit", args=[revision.pk]), data).status_code)
    return statuses


def test_addressees_in_other_scripts_can_be_saved(lenient_client, alice):
    names = ["Правительство КНДР", "日本政府"]
    assert save_with_addressees(lenient_client, alice, names) == [302, 302]


def test_addressees_differing_in_punctuation_can_be_saved(lenient_client, alice):
    names = ["UN Member States", "UN Member-States."]
    assert save_with_addressees(lenient_client, alice, names) == [302, 302]


def test_published_addressee_in_another_script_does_not_break_the_public_list(
    lenient_client,
):
    outlook = make_outlook(published=True)
    add_assessment(outlook, "KP", recommendations=[("Правительство КНДР", "Act.")])
    Revision.objects.update(state=State.PUBLISHED)
    for assessment in outlook.assessments.all():
        assessment.published_revision = assessment.revisions.get()
        assessment.save()
    assert lenient_client.get("/recommendations/").status_code == 200


# --- Numbers longer than Python converts (sys.get_int_max_str_digits(), 4300) ---------


LONG_NUMBERS = {
    "ungrouped": "Some " + "1" * 5000 + " people fled.",
    "grouped": "Some 1," + "0" * 5000 + " people fled.",
    "footnote_call": "People fled.[^" + "1" * 5000 + "]",
}


# What the checks say of each: a note, a malformed number, a call that is no call.
LONG_NUMBER_CHECKS = {
    "ungrouped": "numbers.ungrouped",
    "grouped": "numbers.grouping",
    "footnote_call": "footnotes.bad_call",
}


@pytest.mark.parametrize("name", list(LONG_NUMBERS))
def test_checks_report_numbers_too_long_to_convert(name):
    from assessments.checks import check_content
    from assessments.content import EntryContent, FootnoteContent

    entry = EntryContent(
        country="KP", findings=[LONG_NUMBERS[name]], footnotes=[FootnoteContent(1, "A report.", "")]
    )
    (result,) = [r for r in check_content(entry) if r.check == LONG_NUMBER_CHECKS[name]]
    # Too long to be a figure: no grouped suggestion, which would need int() of it.
    assert result.suggestion == ""


@pytest.mark.parametrize("text", list(LONG_NUMBERS.values()), ids=list(LONG_NUMBERS))
def test_editor_survives_numbers_too_long_to_convert(lenient_client, alice, text):
    outlook = make_outlook()
    revision = add_assessment(outlook, "KP").revisions.get()
    lenient_client.force_login(alice)
    data = entry_data(revision, finding=[{"text": text}])
    saved = lenient_client.post(reverse("editor_edit", args=[revision.pk]), data)
    assert saved.status_code in (302, 400)
    assert lenient_client.get(reverse("editor_edit", args=[revision.pk])).status_code == 200
    live = lenient_client.post(reverse("editor_checks_live", args=[revision.pk]), data)
    assert live.status_code == 200


# --- CSRF and redirects --------------------------------------------------------------------


def comment_author():
    from django.contrib.auth.models import User

    return User.objects.get_or_create(username="commenter")[0]


def post_urls(outlook, assessment, revision):
    from .test_permissions import RULES

    match = LineageMatch.objects.create(
        recommendation=revision.recommendations.first(),
        predecessor=publish_entry("JP", period=date(2023, 11, 1))
        .assessments.get()
        .published_revision.recommendations.get(),
        similarity=0.7,
        decision=LineageMatch.Decision.TO_CONFIRM,
    )
    kwargs = {
        "outlook": {"outlook_id": outlook.pk},
        "assessment": {"assessment_id": assessment.pk},
        "revision": {"revision_id": revision.pk},
        "match": {"match_id": match.pk},
        "job": {
            "job_id": PublicationJob.objects.create(
                outlook=outlook,
                kind="publish",
                requested_by=comment_author(),
                scheduled_for=timezone.now() + timedelta(hours=1),
            ).pk
        },
        "embargo": {
            "link_id": EmbargoLink.objects.create(
                outlook=outlook,
                recipient="Jane Doe",
                embargoed_until=timezone.now() + timedelta(days=1),
                expires_at=timezone.now() + timedelta(days=1),
                created_by=comment_author(),
            ).pk
        },
        "comment": {
            "comment_id": ReviewComment.objects.create(
                revision=revision, anchor="entry", text="Say more.", author=comment_author()
            ).pk
        },
    }
    urls = []
    for name, (method, kind, _, _) in RULES.items():
        if method != "post":
            continue
        extra = {"direction": "up"} if name == "editor_move_country" else {}
        urls.append(reverse(name, kwargs={**kwargs[kind], **extra}))
    return urls


def test_every_post_needs_a_csrf_token(django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    outlook = make_outlook()
    assessment = add_assessment(outlook, "KP", state=State.SUBMITTED)
    revision = assessment.revisions.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(root)
    urls = post_urls(outlook, assessment, revision) + [
        "/editor/outlooks/new/",
        f"/admin/assessments/region/{Region.objects.first().pk}/delete/",
        "/accounts/logout/",
    ]
    before = AuditEvent.objects.count(), list(Revision.objects.values_list("state", "version"))
    for url in urls:
        response = client.post(url, {"comment": "x", "post": "yes"})
        assert response.status_code == 403, url
    after = AuditEvent.objects.count(), list(Revision.objects.values_list("state", "version"))
    assert before == after
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/accounts/login/", {"username": "root", "password": "pass-12345"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "http://testserver@evil.example/",
        "javascript:alert(1337)",
        "/%09/evil.example",
        " //evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_site(client, alice, target):
    response = client.post(
        "/accounts/login/?next=" + target,
        {"username": "alice", "password": "secret-pass-123", "next": target},
    )
    assert response.status_code == 302
    assert url_has_allowed_host_and_scheme(
        response["Location"], allowed_hosts={"testserver"}, require_https=False
    ), response["Location"]


def test_sign_out_is_post_only(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/editor/").status_code == 200


# --- The PDF renderer ------------------------------------------------------------------


def test_pdf_of_hostile_content_fetches_nothing(hostile, tmp_path):
    outlook, _, _ = hostile
    data = render_outlook_pdf(outlook)
    assert data.startswith(b"%PDF")
    assert b"/Subtype /Image" not in data
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "root:x:0:0" not in text


def test_pdf_worker_refuses_every_address_but_static_files(settings):
    from assessments import pdf_worker

    fetcher = pdf_worker.StaticFilesOnly(settings.STATICFILES_DIRS)
    for url in (
        "http://127.0.0.1:8000/admin/",
        "https://127.0.0.1/",
        "https://static.outlook.invalid@127.0.0.1/static/css/pdf.css",
        "https://static.outlook.invalid:443/static/css/pdf.css",
        "https://STATIC.outlook.invalid/static/../../../../etc/passwd",
        pdf_worker.STATIC_BASE + "%00",
        pdf_worker.STATIC_BASE + "..%2f..%2foutlook%2fsettings.py",
        pdf_worker.STATIC_BASE + "/etc/passwd",
        pdf_worker.STATIC_BASE + "css",
        "data:text/css,body{}",
        "ftp://example.org/",
    ):
        with pytest.raises((ValueError, OSError)):
            fetcher.fetch(url)


# --- The importer with hostile files -------------------------------------------------------


def assert_refused(tmp_path, raw, name="edition.json"):
    path = tmp_path / name
    path.write_bytes(raw)
    counts = Outlook.objects.count(), Source.objects.count(), Addressee.objects.count()
    with pytest.raises(ImportFileError):
        import_file(path, publish=True)
    assert (Outlook.objects.count(), Source.objects.count(), Addressee.objects.count()) == counts


@pytest.mark.parametrize(
    "raw",
    [
        b"[]",
        b"{}",
        b'{"region": 1}',
        b"\xff\xfe{}",
        b"{" * 10,
        b"\x00\x00",
        json.dumps({**edition_json(), "period": "0000-01"}).encode(),
        json.dumps({**edition_json(), "period": "2023-11-01"}).encode(),
        json.dumps(edition_json(footnotes=[{"number": True, "text": "x"}] * 2)).encode(),
        json.dumps(edition_json(recommendations=[{"addressee": None, "items": []}])).encode(),
        json.dumps(edition_json(country="Atlantis")).encode(),
        json.dumps(edition_json(risk={"level": "Apocalyptic", "status": "Ongoing"})).encode(),
    ],
    ids=lambda raw: raw[:40].decode("utf-8", "replace"),
)
def test_malformed_files_are_refused_with_a_message(tmp_path, raw):
    assert_refused(tmp_path, raw)


def test_deeply_nested_json_is_refused_with_a_message(tmp_path):
    assert_refused(tmp_path, b"[" * 100_000 + b"]" * 100_000)


OVERLONG_ENTRIES = {
    "url_too_long": {
        "footnotes": [{"number": 1, "text": "A report.", "url": "https://e.org/" + "a" * 600}]
    },
    "addressee_too_long": {"recommendations": [{"addressee": "A" * 300, "items": ["Act."]}]},
}


@pytest.mark.parametrize("entry", list(OVERLONG_ENTRIES), ids=list(OVERLONG_ENTRIES))
def test_values_too_long_for_the_database_are_reported_by_the_importer(tmp_path, entry):
    assert_refused(tmp_path, json.dumps(edition_json(**OVERLONG_ENTRIES[entry])).encode())


NUL_ENTRIES = {
    "finding": {"findings": ["War\u0000 and peace."]},
    "addressee": {"recommendations": [{"addressee": "The UN\u0000", "items": ["Act."]}]},
    "footnote": {"footnotes": [{"number": 1, "text": "A report\u0000.", "url": None}]},
}


@pytest.mark.parametrize("entry", list(NUL_ENTRIES), ids=list(NUL_ENTRIES))
def test_escaped_nul_characters_are_reported_by_the_importer(tmp_path, entry):
    assert_refused(tmp_path, json.dumps(edition_json(**NUL_ENTRIES[entry])).encode())


def test_overlong_region_is_reported_by_the_importer(tmp_path):
    assert_refused(tmp_path, json.dumps({**edition_json(), "region": "R" * 150}).encode())


# --- Control characters through the admin ---------------------------------------------------


ADMIN_FIELDS = [
    ("region", {"name": "Europe\x01Outlook", "slug": "europe"}, "name"),
    ("addressee", {"name": "The UN\x1c Council", "slug": "the-un"}, "name"),
    ("source", {"title": "A report\x1b[31m", "url": ""}, "title"),
    ("source", {"title": "A report", "issuer": "OH\x85CHR", "url": ""}, "issuer"),
]


@pytest.mark.parametrize(
    "model, data, field", ADMIN_FIELDS, ids=[f"{m}-{f}" for m, _, f in ADMIN_FIELDS]
)
def test_the_admin_refuses_control_characters_with_a_message(
    lenient_client, django_user_model, model, data, field
):
    from django.apps import apps

    root = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    lenient_client.force_login(root)
    model_class = apps.get_model("assessments", model)
    count = model_class.objects.count()
    response = lenient_client.post(reverse(f"admin:assessments_{model}_add"), data)
    assert response.status_code == 200  # the form again, not a redirect to the list
    assert "Remove the unprintable character U+" in body(response)
    assert model_class.objects.count() == count


# --- Emails ---------------------------------------------------------------------------------


def test_email_subjects_are_plain_text(erin):
    outlook = make_outlook(published=True, title="Asia & Pacific's Outlook")
    emails.send_published(outlook)
    assert mail.outbox[0].subject == "Published: Asia & Pacific's Outlook May 2024"


def test_a_line_break_in_a_title_does_not_lose_the_mail(client, erin):
    client.force_login(erin)
    region = Region.objects.get_or_create(name="Asia Pacific")[0]
    client.post(
        "/editor/outlooks/new/",
        {"region": region.pk, "period": "2024-06", "title": "Outlook\r\nBcc: x@evil.example"},
    )
    outlook = Outlook.objects.get(period=date(2024, 6, 1))
    emails.send_published(outlook)
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject


# --- Settings -------------------------------------------------------------------------------


def production_settings(**env):
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'X_FRAME_OPTIONS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'ALLOWED_HOSTS', "
        "'SECURE_PROXY_SSL_HEADER', 'SECURE_REFERRER_POLICY']}))"
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": "outlook.settings",
        "SECRET_KEY": "a-long-random-production-secret-for-this-test-only-0123456789",
        "PATH": "/usr/bin:/bin",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_production_settings_are_safe_by_default():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == []
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_debug_needs_an_explicit_true():
    for value in ("0", "false", "no", "off", "", "False "):
        assert production_settings(DEBUG=value)["DEBUG"] is False, value


def test_error_pages_say_nothing_of_the_code(lenient_client):
    response = lenient_client.get("/outlooks/no-such-edition/")
    assert response.status_code == 404
    text = body(response)
    for leak in ("Traceback", "urlpatterns", "DoesNotExist"):
        assert leak not in text, leak
    # A module's dotted path (assessments.models), not the site's "risk assessments." footer.
    assert not re.search(r"assessments\.\w", text), re.search(r"assessments\.\w", text)
