"""Analyst Markdown to safe HTML.

Everything an analyst types is rendered here and sanitised with nh3 before it
reaches a page or the PDF. A footnote call `[^3]` is a token of the Markdown parser
(`footnote_call`); what it becomes is up to the caller of `render_markdown`: on the
web a link to the entry's footnote list (`LinkedCalls`, the default), in print the
footnote itself (`assessments.pdf.PrintedCalls`). The footnotes are Footnote rows,
not definitions in the text, so the page or the PDF renders them itself.
"""

import html as html_module
import re

import nh3
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

# The version of what render_markdown writes: change it with any change of its output, so
# that the HTML stored for published revisions (assessments.rendered_text) is rendered again.
RENDERER_VERSION = 1

# Footnotes are numbered in the tens at most; a longer "number" is not a call.
FOOTNOTE_CALL_RE = re.compile(r"\[\^([0-9]{1,4})\]")

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "sup", "br", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class", "id"}, "sup": {"class", "id"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Marks where a call's HTML goes in after sanitising. A Unicode noncharacter, which no
# analyst means to type: it is taken out of the text before parsing, so only a call
# can put it in the HTML, and the sanitiser keeps it as text.
HELD = "\ufdd0"


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


class LinkedCalls:
    """Footnote calls on the web: each links to its note, `#{anchor}fn-N`.

    The anchor (country code and hyphen) keeps ids unique on a page of many entries.
    """

    # The markup is within the allowlist: it is sanitised with the text around it.
    after_sanitising = False

    def __init__(self, anchor=""):
        self.anchor = anchor

    def __call__(self, number):
        return format_html(
            '<sup class="footnote-ref"><a href="#{}fn-{}" id="{}fnref-{}">{}</a></sup>',
            self.anchor,
            number,
            self.anchor,
            number,
            number,
        )


def render_markdown(text, *, anchor="", inline=False, calls=None, typographic=False):
    """Markdown to sanitised HTML; `calls(number)` gives each footnote call's HTML.

    By default calls link to `#{anchor}fn-N`. The HTML of `calls` whose
    `after_sanitising` is true goes in after sanitising, as it is: it must be safe.
    `typographic` turns straight quotes and apostrophes into curly ones (print).
    """
    env = {"calls": LinkedCalls(anchor) if calls is None else calls, "held": []}
    source = (text or "").replace(HELD, "\ufffd")
    parser = _typographic if typographic else _markdown
    html = parser.renderInline(source, env) if inline else parser.render(source, env)
    html = sanitise(html)
    if env["held"]:
        parts = html.split(HELD)
        # Between each pair of marks is the index of a held call's HTML.
        parts[1::2] = [env["held"][int(index)] for index in parts[1::2]]
        html = "".join(parts)
    return mark_safe(html)


def plain_text(text):
    """Markdown reduced to its words, for search, meta descriptions and diffs."""
    html = _markdown.renderInline(text or "", {"calls": lambda number: ""})
    return html_module.unescape(nh3.clean(html, tags=set()))


def _footnote_call(state, silent):
    """Inline rule: `[^N]` is a `footnote_call` token with meta {"number": N}."""
    match = FOOTNOTE_CALL_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        token = state.push("footnote_call", "", 0)
        token.markup = match.group(0)
        token.meta = {"number": int(match.group(1))}
    state.pos = match.end()
    return True


def _render_footnote_call(renderer, tokens, idx, options, env):
    calls = env["calls"]
    html = calls(tokens[idx].meta["number"])
    if not getattr(calls, "after_sanitising", False):
        return html
    env["held"].append(html)
    return f"{HELD}{len(env['held']) - 1}{HELD}"


def _parser(typographer):
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": typographer})
    parser.disable(["image", "heading", "lheading", "hr", "code", "fence", "html_block"])
    if typographer:
        # Quotes only: "replacements" would also turn (c) into © and -- into a dash, which
        # the analyst did not write.
        parser.enable("smartquotes")
    # After "link": `[^1](https://…)` stays the link it always was.
    parser.inline.ruler.after("link", "footnote_call", _footnote_call)
    parser.add_render_rule("footnote_call", _render_footnote_call)
    return parser


_markdown = _parser(typographer=False)
_typographic = _parser(typographer=True)
