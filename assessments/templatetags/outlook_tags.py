"""Template filters for analyst Markdown (assessments.markdown), on the site and in PDFs."""

from django import template

from .. import rendered_text
from ..markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text, anchor=""):
    """Render analyst Markdown, sanitised; `anchor` prefixes footnote ids on a page."""
    return render_markdown(text, anchor=anchor)


@register.filter
def markdown_inline(text, anchor=""):
    return render_markdown(text, anchor=anchor, inline=True)


@register.filter
def finding_html(finding, anchor=""):
    """A finding as `markdown` renders it, from the HTML stored at publication if any."""
    return rendered_text.finding_html(finding, anchor)


@register.filter
def recommendation_html(item, anchor=""):
    """A recommendation as `markdown_inline` renders it, from the stored HTML if any."""
    return rendered_text.recommendation_html(item, anchor)
