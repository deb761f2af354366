"""Analyst Markdown: footnote calls as a parser rule, sanitising, plain text."""

from assessments.markdown import HELD, plain_text, render_markdown, sanitise


def call(number, anchor="kp-"):
    """A footnote call as the web renders it, after sanitising."""
    return (
        f'<sup class="footnote-ref"><a href="#{anchor}fn-{number}" id="{anchor}fnref-{number}" '
        f'rel="noopener noreferrer">{number}</a></sup>'
    )


def test_a_call_links_to_its_note_under_the_entry_anchor():
    html = render_markdown("The camps remain open.[^3]", anchor="kp-")
    assert html == f"<p>The camps remain open.{call(3)}</p>\n"
    assert render_markdown("Open.[^3]") == f"<p>Open.{call(3, anchor='')}</p>\n"


def test_calls_are_one_to_four_digits():
    html = render_markdown("[^1234] [^12345] [^x] [^] [^ 1]", anchor="kp-", inline=True)
    assert html == f"{call(1234)} [^12345] [^x] [^] [^ 1]"


def test_a_call_with_leading_zeros_links_to_the_note_of_that_number():
    assert render_markdown("Open.[^01]", anchor="kp-", inline=True) == f"Open.{call(1)}"


def test_calls_in_emphasis_lists_and_quotes():
    html = render_markdown("- *grave*[^1]\n- **open.[^2]**\n\n> Quoted.[^3]", anchor="kp-")
    assert html == (
        f"<ul>\n<li><em>grave</em>{call(1)}</li>\n<li><strong>open.{call(2)}</strong></li>\n"
        f"</ul>\n<blockquote>\n<p>Quoted.{call(3)}</p>\n</blockquote>\n"
    )


def test_no_call_in_code_spans_link_titles_addresses_or_escaped_brackets():
    for text, html in (
        ("See `[^1]`.", "See <code>[^1]</code>."),
        ('[the report](https://example.org "cited as [^1]")', '"cited as [^1]"'),
        ("<https://example.org/[^1]>", ">https://example.org/[^1]</a>"),
        (r"Written \[^1].", "Written [^1]."),
    ):
        rendered = render_markdown(text, anchor="kp-", inline=True)
        assert html in rendered and "footnote-ref" not in rendered, rendered


def test_brackets_and_parentheses_around_a_call():
    # `[^1](…)` was a link before calls were a rule, and stays one.
    html = render_markdown("[^1](https://example.org)", inline=True)
    assert html == '<a href="https://example.org" rel="noopener noreferrer">^1</a>'
    # Links do not nest: the call in a link's text wins and the link is left as typed.
    html = render_markdown("[the report[^1]](https://example.org)", anchor="kp-", inline=True)
    assert html == f"[the report{call(1)}](https://example.org)"


def test_raw_html_and_scripts_are_text():
    html = render_markdown('<script>alert(1)</script><b onclick="x">bold</b>[^1]', anchor="kp-")
    assert html == (
        '<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick="x"&gt;bold&lt;/b&gt;'
        f"{call(1)}</p>\n"
    )


def test_links_keep_only_web_and_mail_addresses():
    html = render_markdown(
        "[a](https://example.org) [b](mailto:a@example.org) [c](javascript:alert(1)) "
        "[d](ftp://example.org/)",
        inline=True,
    )
    assert html == (
        '<a href="https://example.org" rel="noopener noreferrer">a</a> '
        '<a href="mailto:a@example.org" rel="noopener noreferrer">b</a> '
        "[c](javascript:alert(1)) "
        '<a rel="noopener noreferrer">d</a>'
    )


def test_the_sanitiser_drops_tags_and_attributes_outside_the_allowlist():
    html = sanitise(
        '<p class="x" onclick="y">a<span data-n="1">b</span><sup class="c" style="z">1</sup>'
        '<a href="#n" title="t" onmouseover="y">l</a><img src="x"><script>s()</script></p>'
    )
    assert html == (
        '<p>ab<sup class="c">1</sup><a href="#n" title="t" rel="noopener noreferrer">l</a></p>'
    )


def test_inline_has_no_paragraph_and_block_has_paragraphs_and_lists():
    assert render_markdown("*Grave*, open.", inline=True) == "<em>Grave</em>, open."
    assert render_markdown("One.\n\n1. Two") == "<p>One.</p>\n<ol>\n<li>Two</li>\n</ol>\n"
    assert render_markdown("") == "" and render_markdown(None, inline=True) == ""


def test_calls_can_render_differently():
    html = render_markdown(
        "A.[^1] B.[^2]", inline=True, calls=lambda n: f'<sup class="c{n}">*</sup>'
    )
    assert html == 'A.<sup class="c1">*</sup> B.<sup class="c2">*</sup>'
    # Calls render through the sanitiser, unless they ask to go in after it.
    html = render_markdown("A.[^1]", inline=True, calls=lambda n: f'<span data-n="{n}">*</span>')
    assert html == "A.*"


class Held:
    """Calls whose HTML goes in after sanitising, as print's do."""

    after_sanitising = True

    def __call__(self, number):
        return f'<span class="fn" data-n="{number}">Note {number}</span>'


def test_calls_after_sanitising_keep_their_html_and_the_text_is_still_sanitised():
    html = render_markdown("<i>A</i>.[^1] `[^2]` [c](javascript:x)[^3]", inline=True, calls=Held())
    assert html == (
        '&lt;i&gt;A&lt;/i&gt;.<span class="fn" data-n="1">Note 1</span> <code>[^2]</code> '
        '[c](javascript:x)<span class="fn" data-n="3">Note 3</span>'
    )


def test_text_cannot_forge_the_place_of_a_held_call():
    html = render_markdown(f"A{HELD}0{HELD} B.[^1]", inline=True, calls=Held())
    assert html == 'A\ufffd0\ufffd B.<span class="fn" data-n="1">Note 1</span>'


def test_plain_text_is_the_words():
    text = "*Grave* & **open**.[^1] See [the report](https://example.org) and `code`.[^2]"
    assert plain_text(text) == "Grave & open. See the report and code."
    assert plain_text("A <b>bold</b> claim") == "A <b>bold</b> claim"
    assert plain_text("Kept: `[^1]`, [^12345].") == "Kept: [^1], [^12345]."
    assert plain_text(None) == ""
