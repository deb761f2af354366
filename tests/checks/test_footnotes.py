"""Footnotes: calls of missing footnotes, uncited footnotes, gaps in the numbering, sources
that cannot be traced, malformed symbols and URLs, and the order of first citation."""

from assessments.checks import Severity
from assessments.content import FootnoteContent

from .helpers import CITED, NOTE, entry, found, run, spanned


def test_citing_a_footnote_that_does_not_exist_is_an_error():
    text = CITED + " The camps remain open.[^2]"
    (result,) = found(run(entry([text])), "footnotes.missing")
    assert result.severity == Severity.ERROR and spanned(result, text) == "[^2]"


def test_a_footnote_never_cited_is_a_warning():
    notes = [NOTE, FootnoteContent(2, "Report, A/HRC/52/64, 1 March 2023.")]
    (result,) = found(run(entry(footnotes=notes)), "footnotes.uncited")
    assert result.severity == Severity.WARNING and result.place.label == "Footnote 2"
    assert found(run(entry()), "footnotes.uncited") == []


def test_a_gap_in_footnote_numbers_is_an_error():
    notes = [NOTE, FootnoteContent(3, "Report, A/HRC/52/64, 1 March 2023.")]
    text = CITED + " The camps remain open.[^3]"
    (result,) = found(run(entry([text], footnotes=notes)), "footnotes.gap")
    assert result.severity == Severity.ERROR and "footnote 2 is missing" in result.message


def test_a_source_with_neither_url_nor_symbol_is_a_warning():
    notes = [FootnoteContent(1, "Interview with a former detainee, Seoul, 3 May 2023.")]
    (result,) = found(run(entry(footnotes=notes)), "footnotes.untraceable")
    assert result.severity == Severity.WARNING
    with_url = [FootnoteContent(1, "Interview, 3 May 2023", "https://example.org/interview")]
    assert found(run(entry(footnotes=with_url)), "footnotes.untraceable") == []


def test_a_malformed_document_symbol_is_a_warning():
    for symbol, fixed in (("A/HRC//52/64", "A/HRC/52/64"), ("a/hrc/52/64", "A/HRC/52/64")):
        notes = [FootnoteContent(1, f"Report of the Special Rapporteur, {symbol}, 1 March 2023.")]
        (result,) = found(run(entry(footnotes=notes)), "footnotes.bad_symbol")
        assert result.excerpt == symbol and result.suggestion == fixed
    for symbol in ("A/C.3/74/L.26", "A/HRC/52/L.1/Rev.1", "S/RES/2397 (2017)", "S/2023/941"):
        notes = [FootnoteContent(1, f"Resolution, {symbol}, 1 March 2023.")]
        assert found(run(entry(footnotes=notes)), "footnotes.bad_symbol") == [], symbol


def test_a_malformed_url_is_an_error_and_a_bare_www_a_warning():
    bad = [FootnoteContent(1, "Report, 1 March 2023", "https//www.hrw.org/report")]
    (result,) = found(run(entry(footnotes=bad)), "footnotes.bad_url")
    assert result.severity == Severity.ERROR and result.place.label == "Footnote 1 URL"
    bare = [FootnoteContent(1, "Report, 1 March 2023, www.hrw.org/report")]
    (result,) = found(run(entry(footnotes=bare)), "footnotes.bad_url")
    assert result.severity == Severity.WARNING and result.suggestion.startswith("https://www.")
    good = [FootnoteContent(1, "Report, 1 March 2023", "https://www.hrw.org/report")]
    assert found(run(entry(footnotes=good)), "footnotes.bad_url") == []


def test_footnotes_first_cited_out_of_order_get_a_note():
    notes = [NOTE, FootnoteContent(2, "Report, A/HRC/52/64, 1 March 2023.")]
    text = "The camps remain open, the UN reported in 2023.[^2] They are closed to monitors.[^1]"
    (result,) = found(run(entry([text], footnotes=notes)), "footnotes.order")
    assert result.severity == Severity.NOTE
