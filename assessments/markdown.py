"""Analyst Markdown to safe HTML.

Everything an analyst types is rendered here and sanitised with nh3 before it
reaches a page or the PDF. Footnote calls `[^3]` become links to the entry's
footnote list, which the page renders itself from the Footnote rows.
"""

import html as html_module
import re

import nh3
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

# Footnotes are numbered in the tens at most; a longer "number" is not a call.
FOOTNOTE_CALL_RE = re.compile(r"\[\^([0-9]{1,4})\]")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable(["image", "heading", "lheading", "hr", "code", "fence", "html_block"])

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "sup", "br", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class", "id"}, "sup": {"class", "id"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def render_markdown(text, *, anchor="", inline=False):
    """Markdown to sanitised HTML; footnote calls link to `#{anchor}fn-N`."""
    html = _markdown.renderInline(text or "") if inline else _markdown.render(text or "")

    def call(match):
        number = match.group(1)
        return (
            f'<sup class="footnote-ref"><a href="#{anchor}fn-{number}" '
            f'id="{anchor}fnref-{number}">{number}</a></sup>'
        )

    html = FOOTNOTE_CALL_RE.sub(call, html)
    return mark_safe(sanitise(html))


def footnote_calls(text):
    """The footnote numbers a text cites, in order of appearance."""
    return [int(number) for number in FOOTNOTE_CALL_RE.findall(text or "")]


def plain_text(text):
    """Markdown reduced to its words, for search, meta descriptions and diffs."""
    html = _markdown.renderInline(FOOTNOTE_CALL_RE.sub("", text or ""))
    return html_module.unescape(nh3.clean(html, tags=set()))
