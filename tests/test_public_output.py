"""What the public reads, whatever the database holds: the pages, the feed, the open data
and the PDF stay whole with stored control characters, right-to-left overrides and very
long words.
"""

import csv
import io
import json
import re
import subprocess
from datetime import date

import pytest

from assessments import pdf
from assessments.editions import running_header
from assessments.models import (
    Addressee,
    Country,
    Finding,
    Outlook,
    Revision,
    RiskLevel,
    Source,
)
from tests.builders import add_assessment, make_outlook, publish_correction
from tests.html import parse

pytestmark = pytest.mark.django_db

# What XML 1.0 cannot carry and what prints as an empty box: C0 controls but tab, line
# feed and carriage return, DEL, and the C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def pdf_text(data, tmp_path):
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


# --- Control characters stored before the entry points refused them ----------------------


@pytest.fixture
def controlled(db):
    """A published edition with control characters written straight into the database,
    as rows saved before the forms and the importer refused them still hold them."""
    outlook = make_outlook(period=date(2023, 11, 1), published=True, title="Europe\x01Outlook")
    assessment = add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    correction = publish_correction(
        assessment,
        note="Corrected a date\x01.",
        findings=["A finding\x0b with a vertical tab and a unit separator\x1f.[^1]"],
        recommendations=[("The Security\x02 Council", "Meet\x7f at once\x85.")],
        footnotes=[("Report\x1b of the Special Rapporteur", "")],
    )
    assert Finding.objects.filter(revision=correction, text__contains="\x0b").exists()
    assert Addressee.objects.filter(name="The Security\x02 Council").exists()
    assert Source.objects.filter(title__contains="\x1b").exists()
    return outlook


def test_stored_control_characters_leave_the_public_pages_whole(client, controlled):
    addressee = Addressee.objects.get(name__startswith="The Security")
    urls = [
        "/outlooks/",
        f"/outlooks/{controlled.slug}/",
        f"/outlooks/{controlled.slug}/kp/v2/",
        "/countries/kp/",
        "/recommendations/",
        f"/recommendations/{addressee.slug}/",
        "/search/?q=finding",
        "/data/",
    ]
    responses = {url: client.get(url) for url in urls}
    assert {url: r.status_code for url, r in responses.items()} == dict.fromkeys(urls, 200)
    # A control character is a parse error in HTML, and a browser shows it as a box.
    found = {url: CONTROL.findall(body(r)) for url, r in responses.items()}
    assert found == {url: [] for url in urls}
    page = parse(client.get(f"/outlooks/{controlled.slug}/").content)
    assert page.find("h1").words() == "EuropeOutlook November 2023"
    assert "Corrected a date." in page.find("aside", cls="correction").words()


def test_stored_control_characters_leave_the_open_data_whole(client, controlled):
    data = json.loads(body(client.get(f"/outlooks/{controlled.slug}.json")))
    assert data["title"] == "Europe\x01Outlook"
    entry = data["assessments"][0]
    assert entry["recommendations"][0]["addressee"] == "The Security\x02 Council"

    response = client.get("/data/ratings.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [(row["country"], row["edition"]) for row in rows] == [("KP", controlled.slug)]


def test_stored_control_characters_are_dropped_from_the_pdf(controlled, tmp_path):
    html = pdf.outlook_html(controlled)
    assert not CONTROL.search(html), CONTROL.search(html)
    text = pdf_text(pdf.render_outlook_pdf(controlled), tmp_path)
    # pdftotext ends each page with a form feed; nothing else of the kind is left.
    assert not CONTROL.search(text.replace("\f", "")), CONTROL.search(text.replace("\f", ""))
    words = " ".join(text.split())
    for printed in (
        "EuropeOutlook November 2023",
        "Corrected a date.",
        "A finding with a vertical tab and a unit separator.",
        "The Security Council should:",
        "Meet at once.",
        "Report of the Special Rapporteur",
    ):
        assert printed in words, printed


# --- Bidirectional text and very long words in print ---------------------------------------

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: what follows it is laid out right to left
FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE
LONG_WORD = "Pneumono" * 1250  # 10,000 characters, no break opportunity
FILLER = "Reports describe sustained restrictions on movement and arbitrary detention. "


def test_a_very_long_word_is_printed_whole(db, tmp_path):
    outlook = make_outlook(published=True)
    add_assessment(
        outlook,
        "KP",
        findings=[f"The word {LONG_WORD} is long."],
        recommendations=[("The UN Security Council", f"Read {LONG_WORD[:3000]}.")],
        state=Revision.State.PUBLISHED,
    )
    text = pdf_text(pdf.render_outlook_pdf(outlook), tmp_path)
    # The entry's pages (after the cover, the contents and the risk overview) without their
    # running header and page number: the word runs on from one page to the next.
    body = [page.strip().splitlines()[1:-1] for page in text.split("\f")[3:] if page.strip()]
    joined = "".join("".join(lines) for lines in body).replace(" ", "")
    # Broken over lines as it must be, but every character of it on the page.
    assert f"Theword{LONG_WORD}islong." in joined
    assert f"Read{LONG_WORD[:3000]}." in joined


def test_a_right_to_left_override_stays_inside_the_running_header(db, tmp_path):
    outlook = make_outlook(published=True, title=f"Asia {RLO}Pacific Regional Outlook")
    Country.objects.filter(code="KP").update(short_name=f"{RLO}DPRK")
    add_assessment(outlook, "KP", findings=[FILLER * 60] * 2, state=Revision.State.PUBLISHED)
    text = pdf_text(pdf.render_outlook_pdf(Outlook.objects.get(pk=outlook.pk)), tmp_path)
    # The cover, the contents and the risk overview come before the entry.
    entry_pages = [page for page in text.split("\f")[3:] if page.strip()]
    headers = [page.strip().splitlines()[0] for page in entry_pages]
    assert len(headers) >= 2
    for header in headers:
        # The override reverses the name it is in, and nothing after it.
        assert header.startswith("KRPD "), header
        assert header.endswith(" May 2024"), header


def test_the_running_header_isolates_each_stored_name(published_sample):
    country = published_sample.assessments.get().country
    header = running_header(published_sample, country)
    assert header == f"{FSI}DPRK{PDI} {FSI}Asia Pacific Regional Outlook{PDI} November 2023"


# --- Content-Security-Policy ----------------------------------------------------------------


def policy(response):
    """The response's Content-Security-Policy, as {directive: [sources]}."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_pages_forbid_inline_script_and_style(client, published_sample, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pass-12345")
    pages = [
        "/outlooks/",
        f"/outlooks/{published_sample.slug}/",
        "/countries/kp/",
        "/search/?q=human",
        "/accounts/login/",
        "/outlooks/no-such-edition/",
    ]
    for url in pages:
        response = client.get(url)
        rules = policy(response)
        for directive in ("default-src", "script-src", "style-src"):
            assert rules[directive] == ["'self'"], (url, directive, rules)
        assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"]
        assert not INLINE.search(body(response)), (url, INLINE.search(body(response)))
    client.force_login(root)
    outlook = published_sample
    revision = outlook.assessments.get().published_revision
    for url in ("/editor/", f"/editor/outlooks/{outlook.pk}/", f"/editor/revisions/{revision.pk}/"):
        response = client.get(url)
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
        assert not INLINE.search(body(response)), (url, INLINE.search(body(response)))


def test_risk_colours_come_from_the_risk_levels(client, published_sample):
    very_high = RiskLevel.objects.get(name="Very high")
    page = parse(client.get(f"/outlooks/{published_sample.slug}/").content)
    stylesheets = [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
    assert "/styles/risk-levels.css" in stylesheets
    badge = page.find("span", cls="risk-badge")
    assert f"risk-level-{very_high.pk}" in badge.classes and badge.words() == "Very high"

    response = client.get("/styles/risk-levels.css")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    css = response.content.decode()
    assert f".risk-level-{very_high.pk} {{ background-color: #b71c1c; color: #fff; }}" in css
    # Revalidated cheaply while the colours stay as they are, and changed when they change.
    again = client.get("/styles/risk-levels.css", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    RiskLevel.objects.filter(pk=very_high.pk).update(colour="#f5f5f5")
    changed = client.get("/styles/risk-levels.css", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert f".risk-level-{very_high.pk} {{ background-color: #f5f5f5; color: #000; }}" in (
        changed.content.decode()
    )


def test_a_colour_that_is_not_a_hex_colour_stays_out_of_the_stylesheet(client, db):
    # The field holds up to seven characters of anything: enough to close the rule.
    RiskLevel.objects.filter(name="High").update(colour="red}*{x")
    css = client.get("/styles/risk-levels.css").content.decode()
    assert "red}" not in css and "*{x" not in css
    high = RiskLevel.objects.get(name="High")
    assert f".risk-level-{high.pk} {{ background-color: #6c757d; color: #fff; }}" in css
