"""Template helpers of the public site and the PDF."""

import html
import re

from django import template
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .. import citing
from ..markdown import plain_text
from ..models import Source, TrackedStatus, cached_reverse
from ..text_format import UN_SYMBOL_RE, URL_RE, isolate

register = template.Library()

register.filter("isolate", isolate)
register.filter("plain_text", plain_text)


@register.filter
def edition_title(outlook):
    """An edition's full title in HTML (Outlook.full_title): the stored title in <bdi>, so
    that a direction override in it leaves the period after it alone."""
    return format_html("<bdi>{}</bdi> {}", outlook.title, outlook.period_label)


# What a risk level's colour may be in a stylesheet: a hex colour, nothing that could
# close the rule (the field holds any seven characters). Anything else is neutral grey.
HEX_COLOUR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
NEUTRAL_COLOUR = "#6c757d"


@register.filter
def css_colour(colour):
    return colour if HEX_COLOUR_RE.fullmatch(colour or "") else NEUTRAL_COLOUR


@register.filter
def text_on(colour):
    """Black or white, whichever reads better on the hex `colour` (WCAG relative luminance)."""
    value = (colour or "").lstrip("#")
    if len(value) != 6:
        return "#000"
    try:
        channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    except ValueError:
        return "#000"
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Contrast with white is (1.05)/(L+0.05); with black (L+0.05)/0.05: pick the larger.
    return "#fff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000"


def symbol_url(symbol):
    """The official page of a UN document, as Source.link gives it for its symbol."""
    return Source(document_symbol=symbol).link


# In a footnote's text: web addresses, and UN document symbols (A/HRC/46/52) outside them.
NOTE_TOKEN_RE = re.compile(rf"(?P<url>{URL_RE.pattern})|(?P<symbol>{UN_SYMBOL_RE.pattern})")


@register.filter
def footnote_text(note):
    """A footnote's text with working links, as safe HTML.

    Every web address in it is a link, and every UN document symbol links to its
    official page (the source's own link when the symbol is the source's). The
    source's link is added after the text only when the text does not already carry it.
    """
    text, source = note.text, note.source
    parts, used, position = [], set(), 0
    for match in NOTE_TOKEN_RE.finditer(text):
        label = match.group(0)
        if match.group("url"):
            href = label
        else:
            label = label.rstrip(".")  # a symbol ending a sentence keeps the full stop outside
            href = source.link if label == source.document_symbol else symbol_url(label)
        parts.append(escape(text[position : match.start()]))
        parts.append(_link(href, label))
        used.add(href)
        position = match.start() + len(label)
    parts.append(escape(text[position:]))
    link = source.link
    if link and link not in used:
        label = source.url or source.document_symbol
        if text:
            parts.append(" " if text.rstrip().endswith(".") else ", ")
        parts.append(_link(link, label))
    return mark_safe("".join(str(part) for part in parts))


def _link(href, label):
    # class "url": the link shows its own address, so print CSS need not add it again.
    if href == label:
        return format_html('<a class="url" href="{}">{}</a>', href, label)
    return format_html('<a href="{}">{}</a>', href, label)


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # Rendered HTML back to its text, spaces folded: `{{ name }}` escapes it again.
        context[self.name] = " ".join(html.unescape(self.nodelist.render(context)).split())
        return ""


@register.tag
def capture(parser, token):
    """`{% capture name %}…{% endcapture %}`: what the enclosed template renders, as text,
    in the variable `name`, to be shown more than once (a block is rendered only once:
    the page's title is its <title> and its og:title)."""
    try:
        _, name = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("capture takes a variable name") from None
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, name)


register.filter("edition_citation", citing.edition_citation)
register.filter("entry_citation", citing.entry_citation)


@register.filter
def break_after_slashes(value):
    """`value` escaped, where a line may break after each slash: a rating such as
    `Moderate/Emerging` is two words to a narrow table cell, never one to cut."""
    return mark_safe(conditional_escape(value).replace("/", "/<wbr>"))


CODE_SPAN_RE = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(value):
    """`value` escaped, its `backticked` names as <code> (the data dictionary's
    meanings name fields so)."""
    return mark_safe(CODE_SPAN_RE.sub(r"<code>\1</code>", str(conditional_escape(value))))


@register.filter
def edition_month(outlook, anchor=""):
    """A link to an edition named by its month, the full title in its title attribute."""
    return format_html(
        '<a href="{}{}" title="{}">{}</a>',
        outlook.get_absolute_url(),
        anchor,
        outlook.full_title,
        outlook.period_label,
    )


@register.filter
def made_in(tracked):
    """How long a tracked recommendation has stood, each month a link to its edition:
    "Made in 5 consecutive editions since May 2021", "Made in 3 consecutive editions, May
    2021 to May 2022" once dropped, or "Made once, in May 2021"."""
    first = edition_month(tracked.first_outlook)
    if tracked.editions == 1:
        return format_html("Made once, in {}", first)
    if tracked.status == TrackedStatus.DROPPED:
        last = edition_month(tracked.last_outlook)
        return format_html(
            "Made in {} consecutive editions, {} to {}", tracked.editions, first, last
        )
    return format_html("Made in {} consecutive editions since {}", tracked.editions, first)


@register.filter
def latest_made_in(tracked):
    """A link to the latest edition that made a tracked recommendation, at the
    recommendation."""
    code = tracked.country.code.code.lower()
    return edition_month(tracked.last_outlook, f"#{code}-rec-{tracked.latest.position}")


@register.filter
def select_options(options):
    """A form list's <option>s from (value, label, chosen) triples. Written here, not in a
    template loop: the tracker's lists hold hundreds of options (every addressee, every
    country), which the template engine took tens of milliseconds to render. Options
    already rendered (HTML, as the tracker keeps them) are given as they are."""
    if isinstance(options, SafeString):
        return options
    selected = mark_safe(" selected")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, selected if chosen else "", label) for value, label, chosen in options),
    )


@register.filter
def latest_status(tracked):
    """A tracked recommendation's latest status, in which edition, and when dropped, why.
    Written here, not included from a template: the tracker's list shows fifty."""
    badge = format_html(
        '<span class="tracked-status tracked-{}">{}</span>',
        tracked.status,
        tracked.get_status_display(),
    )
    if tracked.status != TrackedStatus.DROPPED:
        return format_html("{} in {}.", badge, latest_made_in(tracked))
    note = format_html(" (<bdi>{}</bdi>)", tracked.note) if tracked.note else ""
    successor = ""
    if tracked.superseded_by:
        successor = format_html(
            '; <a href="{}">the recommendation that supersedes it</a>',
            cached_reverse("tracked_recommendation", tracked.superseded_by),
        )
    return format_html(
        "{} in {}: {}{}{}.",
        badge,
        edition_month(tracked.dropped_in),
        tracked.get_reason_display(),
        note,
        successor,
    )
