"""The printed outlook: read back page by page with pdftotext, as a reader would see it."""

import re
import subprocess
import threading

import pytest
from django.db import connection

from assessments import pdf
from assessments.models import OutlookPdf, Revision
from assessments.pdf_worker import STATIC_BASE, StaticFilesOnly
from tests.builders import ASIA_PACIFIC_CODES, add_assessment, make_outlook, publish_correction

HEADER = "DPRK Asia Pacific Regional Outlook November 2023"
FILLER = (
    "Reports describe sustained restrictions on movement, arbitrary detention and forced "
    "labour across several provinces, with little access for independent monitors. "
)


def pdf_pages(data, tmp_path):
    """The text of each page, as `pdftotext -layout` reads it."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def first_line(page):
    return next((line.strip() for line in page.splitlines() if line.strip()), "")


def entry_pages(pages, heading):
    start = next(i for i, page in enumerate(pages) if heading in page and "..." not in page)
    return list(range(start, len(pages)))


@pytest.fixture
def cited_edition(db):
    """An edition whose DPRK findings cite footnotes on different pages."""
    from datetime import date

    outlook = make_outlook(period=date(2023, 11, 1), published=True)
    add_assessment(
        outlook,
        "KP",
        risk="Very high",
        findings=(
            "Alphacite marks the first call.[^1] " + FILLER * 12,
            FILLER * 14,
            "Betacite marks the second call.[^2] " + FILLER * 6,
            FILLER * 6 + "Gammacite cites the *first* note again.[^1]",
        ),
        footnotes=(
            ("Alpha report of the Special Rapporteur, 1 March 2023, A/HRC/52/64.", ""),
            ("Beta briefing to the Security Council, 2 May 2023", "https://example.org/beta"),
        ),
        state=Revision.State.PUBLISHED,
    )
    add_assessment(outlook, "MM", findings=(FILLER * 3,), state=Revision.State.PUBLISHED)
    return outlook


def test_sample_pdf_reads_like_the_sample(published_sample, tmp_path):
    pages = pdf_pages(pdf.render_outlook_pdf(published_sample), tmp_path)
    text = "\n".join(pages)
    assert "*" not in text
    for group in (
        "The government of the DPRK should:",
        "UN Member States should:",
        "The UN Security Council should:",
        "The UN Human Rights Council should:",
    ):
        assert group in text
    assert text.index("The government of the DPRK should:") < text.index(
        "The UN Human Rights Council should:"
    )
    # The level is a coloured badge: pdftotext may set a space either side of it.
    assert re.search(r"Risk:\s*Very high\s*/Ongoing", text)
    # Four footnotes, each once, numbered as in the sample.
    for number, words in (
        (1, "Promoting Accountability"),
        (2, "Situation of Human Rights"),
        (3, "See A/C.3/74/L.26"),
        (4, "https://www.hrw.org/news/2020/10/28/north-koreas-unlawful-shoot-sight-orders"),
    ):
        assert len(re.findall(rf"^\s*{number} {re.escape(words)}", text, re.MULTILINE)) == 1


def test_running_header_is_on_every_page_of_the_entry(published_sample, tmp_path):
    pages = pdf_pages(pdf.render_outlook_pdf(published_sample), tmp_path)
    entry = entry_pages(pages, "Democratic People's Republic of Korea\n")
    assert len(entry) >= 2
    for index in entry:
        assert first_line(pages[index]) == HEADER, index + 1
    # Not on the cover.
    assert HEADER not in pages[0]


def test_footnotes_are_at_the_foot_of_the_page_that_cites_them(cited_edition, tmp_path):
    pages = pdf_pages(pdf.render_outlook_pdf(cited_edition), tmp_path)
    alpha = next(i for i, page in enumerate(pages) if "Alphacite" in page)
    beta = next(i for i, page in enumerate(pages) if "Betacite" in page)
    assert alpha != beta, "the fixture should put the two calls on different pages"
    note_1 = re.compile(r"^\s*1 Alpha report of the Special Rapporteur", re.MULTILINE)
    note_2 = re.compile(r"^\s*2 Beta briefing to the Security Council", re.MULTILINE)
    assert [i for i, page in enumerate(pages) if note_1.search(page)] == [alpha]
    assert [i for i, page in enumerate(pages) if note_2.search(page)] == [beta]
    # The note sits below the text of its page.
    lines = pages[alpha].splitlines()
    assert max(i for i, line in enumerate(lines) if note_1.search(line)) > max(
        i for i, line in enumerate(lines) if "Alphacite" in line
    )
    assert "*" not in "".join(pages)


def test_contents_page_numbers_match_where_sections_start(cited_edition, tmp_path):
    pages = pdf_pages(pdf.render_outlook_pdf(cited_edition), tmp_path)
    contents = next(page for page in pages if first_line(page) == "Contents")
    listed = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)
    titles = [title for title, _ in listed]
    assert titles == ["Risk overview", "Democratic People's Republic of Korea", "Myanmar"]
    for title, number in listed:
        page = pages[int(number) - 1]
        body = [line.strip() for line in page.splitlines() if line.strip()][1:]
        # A section begins its page, but the risk overview follows the contents on theirs.
        assert title in body, (title, number)
        if title != "Risk overview":
            assert body[0] == title, (title, number)
        # The page number printed at the foot agrees.
        assert body[-1] == number


def test_first_call_carries_the_note_and_later_calls_are_numbers(db):
    outlook = make_outlook(published=True)
    assessment = add_assessment(
        outlook,
        "KP",
        findings=("Grave.[^1] Open.[^9] Code `[^3]`.",),
        recommendations=(("The UN Security Council", "Act.[^1][^2]"),),
        footnotes=(("Report <b>one</b>", ""), ("Report two", ""), ("Report three", "")),
        state=Revision.State.PUBLISHED,
    )
    content = pdf.print_content(assessment.published_revision)
    # The finding's first call of note 1 is the note; the recommendation's is a number.
    assert content["findings"] == [
        '<p>Grave.<span class="fn" data-n="1">Report &lt;b&gt;one&lt;/b&gt;</span> '
        'Open.<sup class="call">9</sup> Code <code>[^3]</code>.</p>\n'
    ]
    [(_, items)] = content["groups"]
    assert items == ['Act.<sup class="call">1</sup><span class="fn" data-n="2">Report two</span>']
    # A call in a code span cites nothing: note 3 follows the entry.
    assert content["uncited_notes"] == ['<span class="fn uncited" data-n="3">Report three</span>']


def test_pdf_shows_risk_in_words_and_colour(cited_edition):
    html = pdf.outlook_html(cited_edition)
    assert re.search(r'class="risk-level" style="background: #b71c1c[^"]*">Very high<', html)


def test_country_pdf_holds_only_that_country(cited_edition, tmp_path):
    country = cited_edition.assessments.get(country__code="MM").country
    pages = pdf_pages(pdf.render_country_pdf(cited_edition, country), tmp_path)
    text = "\n".join(pages)
    assert "Myanmar Asia Pacific Regional Outlook November 2023" in text
    assert "Alphacite" not in text


def test_publishing_stores_the_pdf_and_a_correction_keeps_the_old(cited_edition, client):
    first = pdf.store_pdfs(cited_edition)
    # The edition's, then each country's in the edition's order.
    assert [record.country and record.country.code for record in first] == [None, "KP", "MM"]
    assert all(record.file.read().startswith(b"%PDF") for record in first)
    response = client.get(f"/outlooks/{cited_edition.slug}.pdf")
    assert response["Content-Type"] == "application/pdf"
    served = b"".join(response.streaming_content)
    assert served == first[0].file.open("rb").read()
    served = b"".join(client.get(f"/outlooks/{cited_edition.slug}/mm.pdf").streaming_content)
    assert served == first[2].file.open("rb").read()  # stored, not rendered on request

    second = pdf.store_pdfs(cited_edition)
    assert OutlookPdf.objects.filter(outlook=cited_edition, country=None).count() == 2
    served = b"".join(client.get(f"/outlooks/{cited_edition.slug}.pdf").streaming_content)
    assert served == second[0].file.open("rb").read()


def test_an_edition_without_a_pdf_gets_one_on_first_request_only(published_sample, client):
    assert not OutlookPdf.objects.exists()
    for _ in range(2):
        response = client.get(f"/outlooks/{published_sample.slug}.pdf")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert OutlookPdf.objects.count() == 1


def test_a_correction_newer_than_the_stored_pdf_renders_a_new_one(published_sample, client):
    client.get(f"/outlooks/{published_sample.slug}/kp.pdf")
    assessment = published_sample.assessments.get()
    publish_correction(assessment, findings=("Corrected finding.",))
    client.get(f"/outlooks/{published_sample.slug}/kp.pdf")
    assert OutlookPdf.objects.filter(country=assessment.country).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_at_once_store_one_pdf(client, sample_path):
    from assessments.importing import import_file

    outlook = import_file(sample_path, publish=True).outlook
    results = []

    def fetch():
        try:
            results.append(pdf.latest_pdf(outlook).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert OutlookPdf.objects.count() == 1


def test_url_fetcher_serves_only_project_static_files(settings):
    fetcher = StaticFilesOnly(settings.STATICFILES_DIRS)
    assert fetcher.fetch(STATIC_BASE + "css/pdf.css").read().startswith(b"/*")
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/static/css/pdf.css",
        STATIC_BASE + "../../outlook/settings.py",
        STATIC_BASE + "%2e%2e/%2e%2e/outlook/settings.py",
        STATIC_BASE + "css/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_rendering_fetches_no_local_file(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: url(data:,) } h1::after { content: 'LEAKED' }")
    html = (
        f'<link rel="stylesheet" href="file://{secret}"><h1>Title</h1>'
        f'<img src="file:///usr/share/pixmaps/debian-logo.png" alt="">'
    )
    data = pdf.html_to_pdf(html)
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Title" in text and "LEAKED" not in text
    assert b"/Subtype /Image" not in data


def test_render_runs_under_a_memory_limit(settings, published_sample):
    settings.PDF_MEMORY_LIMIT_MB = 40
    with pytest.raises(pdf.PdfRenderError):
        pdf.render_outlook_pdf(published_sample)


def test_after_a_failed_render_the_next_one_works(settings, published_sample):
    settings.PDF_MEMORY_LIMIT_MB = 40
    with pytest.raises(pdf.PdfRenderError, match="more than 40 MB"):
        pdf.render_outlook_pdf(published_sample)
    settings.PDF_MEMORY_LIMIT_MB = 1024
    assert pdf.render_outlook_pdf(published_sample).startswith(b"%PDF")


def test_a_render_past_the_timeout_is_stopped_and_the_next_one_works(settings, published_sample):
    pdf.html_to_pdf("<p>Start the render server.</p>")
    server = pdf._server
    settings.PDF_TIMEOUT_SECONDS = 0.001
    with pytest.raises(pdf.PdfRenderError, match="longer than"):
        pdf.render_outlook_pdf(published_sample)
    # The server and its render child were killed, not left running.
    assert server.poll() is not None
    settings.PDF_TIMEOUT_SECONDS = 300
    assert pdf.render_outlook_pdf(published_sample).startswith(b"%PDF")


def test_renders_reuse_one_warm_server(published_sample):
    pdf.html_to_pdf("<p>Start the render server.</p>")
    server = pdf._server
    rendered = pdf.render_in_child(pdf.outlook_html(published_sample))
    assert pdf._server is server and server.poll() is None
    assert rendered.data.startswith(b"%PDF") and rendered.peak_kb > 0


def test_a_renderer_that_dies_mid_answer_is_a_clear_error(monkeypatch):
    """A server that goes away before answering is reported, and the next PDF starts anew."""
    import os
    import subprocess
    import sys

    from assessments import pdf

    dying = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.readline()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    dying.owner = os.getpid()
    monkeypatch.setattr(pdf, "_server", dying)
    with pytest.raises(pdf.PdfRenderError, match="stopped unexpectedly"):
        pdf.html_to_pdf("<p>Hello</p>")
    assert pdf._server is None
    assert pdf.html_to_pdf("<p>Hello</p>").startswith(b"%PDF")


def heading_page(pages, heading):
    """The page where `heading` stands on its own line (not the contents' entry)."""
    lines = [[line.strip() for line in page.splitlines()] for page in pages]
    return next(n for n, page in enumerate(lines) if heading in page)


def overview_text(pages):
    """The risk overview's text, from its heading (the contents precede it on its page)."""
    page = pages[heading_page(pages, "Risk overview")]
    return flat(page[page.rindex("Risk overview") :])


def test_the_introduction_is_printed_after_the_risk_overview(db, tmp_path):
    outlook = make_outlook(
        published=True, introduction="This edition covers *one* country, on its own page."
    )
    add_assessment(outlook, "KP", state=Revision.State.PUBLISHED)
    pages = pdf_pages(pdf.render_outlook_pdf(outlook), tmp_path)
    introduction = heading_page(pages, "Introduction")
    text = " ".join(pages[introduction].split())
    assert "This edition covers one country, on its own page." in text
    assert introduction > heading_page(pages, "Risk overview")


def test_the_contents_and_the_risk_overview_share_a_page(cited_edition, tmp_path):
    pages = pdf_pages(pdf.render_outlook_pdf(cited_edition), tmp_path)
    assert heading_page(pages, "Contents") == heading_page(pages, "Risk overview") == 1


def flat(text):
    return " ".join(text.split())


def unspaced(text):
    # A line may break inside an address (after a slash): compare without white space.
    return "".join(text.split())


def test_the_cover_names_the_publisher_the_licence_and_how_to_cite(
    cited_edition, tmp_path, settings
):
    settings.OUTLOOK_PUBLISHER = {
        "name": "Centre for Outlooks",
        "address": "2 Example Square, Example City",
        "email": "desk@outlooks.example.org",
        "url": "https://outlooks.example.org/",
    }
    cover = flat(pdf_pages(pdf.render_outlook_pdf(cited_edition), tmp_path)[0])
    assert (
        "Published by Centre for Outlooks 2 Example Square, Example City "
        "desk@outlooks.example.org https://outlooks.example.org/"
    ) in cover
    assert "Text under CC BY 4.0: https://creativecommons.org/licenses/by/4.0/" in cover
    assert unspaced(
        "Cite as: Centre for Outlooks. Asia Pacific Regional Outlook November 2023. "
        f"{settings.SITE_URL}/outlooks/asia-pacific-2023-11/"
    ) in unspaced(cover)

    country = cited_edition.assessments.get(country__code="MM").country
    cover = flat(pdf_pages(pdf.render_country_pdf(cited_edition, country), tmp_path)[0])
    assert "Published by Centre for Outlooks" in cover
    # The entry cited by its version; undated, as its edition is (the builders give none).
    citation = unspaced(cover[cover.index("Cite as:") :])
    assert citation.startswith(
        unspaced("Cite as: Centre for Outlooks. “Myanmar.” In Asia Pacific Regional Outlook")
    )
    assert unspaced("November 2023, version 1. http") in citation
    assert citation.endswith(f"{settings.SITE_URL}/outlooks/asia-pacific-2023-11/mm/v1/")


def test_the_risk_overview_has_the_legend_of_levels_and_statuses(cited_edition, tmp_path):
    from assessments.models import RiskLevel, RiskStatus

    RiskLevel.objects.filter(name="Moderate").update(description="Reworded for the legend.")
    pages = pdf_pages(pdf.render_outlook_pdf(cited_edition), tmp_path)
    overview = overview_text(pages)
    legend = overview[: overview.index("Country Risk level Status")]
    expected = " ".join(f"{level.name} {level.description}" for level in RiskLevel.objects.all())
    assert f"Risk levels {expected}" in flat(legend)
    assert "Moderate Reworded for the legend." in legend
    for status in RiskStatus.objects.all():
        assert f"{status.name} {status.description}" in legend
    assert "/method/" in legend
    html = pdf.outlook_html(cited_edition)
    # Each level's badge in its colour, from the same stylesheet the site serves.
    very_high = RiskLevel.objects.get(name="Very high")
    assert f".risk-level-{very_high.pk} {{ background-color: #b71c1c; color: #fff; }}" in html
    assert f'class="risk-badge risk-level-{very_high.pk}">Very high<' in html


def pdf_file(data, tmp_path, name="out.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_pdf_is_tagged_pdf_ua_with_its_metadata(db, tmp_path, settings):
    from datetime import date

    settings.OUTLOOK_PUBLISHER = {**settings.OUTLOOK_PUBLISHER, "name": "Centre for Outlooks"}
    edition = make_outlook(
        period=date(2023, 11, 1), published=True, published_on=date(2023, 11, 15)
    )
    add_assessment(edition, "KP", state=Revision.State.PUBLISHED)
    entry = add_assessment(edition, "MM", state=Revision.State.PUBLISHED)
    publish_correction(entry, findings=("A corrected finding.",), note="Corrected.")
    path = pdf_file(pdf.render_outlook_pdf(edition), tmp_path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Author:\s+Centre for Outlooks$", info, re.M), info
    assert re.search(r"^Title:\s+Asia Pacific Regional Outlook November 2023$", info, re.M)
    assert re.search(r"^CreationDate:.*Nov 15 .*2023", info, re.M), info
    xmp = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True).stdout
    assert 'pdfuaid:part="1"' in xmp
    assert (
        '<rdf:li xml:lang="x-default">Asia Pacific Regional Outlook November 2023</rdf:li>' in xmp
    )
    assert "<dc:creator><rdf:Seq><rdf:li>Centre for Outlooks</rdf:li>" in xmp
    assert "<dc:publisher><rdf:Bag><rdf:li>Centre for Outlooks</rdf:li>" in xmp
    assert f"<dc:language><rdf:Bag><rdf:li>{settings.LANGUAGE_CODE}</rdf:li>" in xmp
    assert "<xmp:CreateDate>2023-11-15</xmp:CreateDate>" in xmp
    corrected_on = Revision.objects.get(assessment=entry, number=2).published_at.date()
    assert f"<xmp:ModifyDate>{corrected_on:%Y-%m-%d}</xmp:ModifyDate>" in xmp
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


def test_an_entry_pdf_is_tagged_too(cited_edition, tmp_path):
    country = cited_edition.assessments.get(country__code="KP").country
    path = pdf_file(pdf.render_country_pdf(cited_edition, country), tmp_path)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0


def test_print_has_typographic_quotes(db, tmp_path):
    outlook = make_outlook(published=True)
    add_assessment(
        outlook,
        "KP",
        findings=('The regime\'s "re-education" camps hold thousands.',),
        recommendations=(("The UN Security Council", 'Refer the "situation" to the ICC.'),),
        state=Revision.State.PUBLISHED,
    )
    text = flat(" ".join(pdf_pages(pdf.render_outlook_pdf(outlook), tmp_path)))
    assert "The regime’s “re-education” camps hold thousands." in text
    assert "Refer the “situation” to the ICC." in text


def test_the_cover_gives_the_sites_canonical_address(cited_edition, tmp_path, settings):
    settings.SITE_URL = "https://outlooks.example.org"
    cover = unspaced(pdf_pages(pdf.render_outlook_pdf(cited_edition), tmp_path)[0])
    # Under the title, and in the citation.
    assert cover.count("https://outlooks.example.org/outlooks/asia-pacific-2023-11/") == 2


RECOMMENDATION_ITEMS = tuple(
    ("The UN Security Council" if n < 3 else "UN Member States", f"Act on point {n} now.")
    for n in range(6)
)


def test_no_heading_ends_a_page(db, tmp_path):
    # Entries whose findings end at every height of a page: wherever the recommendations
    # begin, their heading, an addressee and its first item never sit alone at the foot.
    outlook = make_outlook(published=True)
    # A line holds about thirteen words: each entry's findings end half a line lower.
    for n, code in enumerate(ASIA_PACIFIC_CODES[:26]):
        add_assessment(
            outlook,
            code,
            findings=(FILLER * 20 + "Monitors were refused entry again. " * n,),
            recommendations=RECOMMENDATION_ITEMS,
            footnotes=(),
            state=Revision.State.PUBLISHED,
        )
    pages = pdf_pages(pdf.render_outlook_pdf(outlook), tmp_path)
    bodies = []
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        # The last line is the page number.
        bodies.append(lines[:-1] if lines and lines[-1].isdigit() else lines)
    ends = [body[-1] for body in bodies if body]
    assert not [end for end in ends if end == "Recommendations" or end.endswith("should:")]
    # An addressee is followed on its page by two of its recommendations at least.
    for body in bodies:
        for index, line in enumerate(body):
            if line.endswith("should:"):
                following = body[index + 1 : index + 3]
                assert len(following) == 2 and all("Act on point" in item for item in following), (
                    body[index:]
                )


def test_the_risk_overview_says_what_a_changed_rating_was_and_only_that(db, tmp_path):
    from datetime import date

    earlier = make_outlook(period=date(2023, 11, 1), published=True)
    later = make_outlook(period=date(2024, 5, 1), published=True)
    for outlook, mm_risk in ((earlier, "High"), (later, "Very high")):
        add_assessment(outlook, "KP", risk="High", state=Revision.State.PUBLISHED)
        add_assessment(outlook, "MM", risk=mm_risk, state=Revision.State.PUBLISHED)
    overview = overview_text(pdf_pages(pdf.render_outlook_pdf(later), tmp_path))
    assert "Democratic People's Republic of Korea High Ongoing Unchanged Myanmar" in overview
    assert "Myanmar Very high Ongoing Raised (was High/Ongoing)" in overview


def test_each_entry_says_what_became_of_the_recommendations_since_the_last_edition(db, tmp_path):
    from datetime import date

    from assessments.models import TrackedRecommendation
    from tests.builders import publish_history

    kept, *_ = publish_history(2, kept=2, first=date(2023, 11, 1))
    second = TrackedRecommendation.objects.get(lineage=kept).last_outlook
    # A country new in the edition has no previous entry to compare with.
    add_assessment(second, "MM", state=Revision.State.PUBLISHED)
    text = " ".join("\n".join(pdf_pages(pdf.render_outlook_pdf(second), tmp_path)).split())
    note = "Recommendations since the last edition: 1 new, 2 repeated, 1 revised, 1 dropped."
    assert text.count(note) == 1
    assert text.count("Recommendations since the last edition") == 1
    first = TrackedRecommendation.objects.get(lineage=kept).first_outlook
    assert "since the last edition" not in pdf.outlook_html(first)
    kp = second.assessments.get(country__code="KP").country
    assert note in " ".join(pdf.outlook_html(second, country=kp).split())
