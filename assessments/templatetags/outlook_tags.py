"""Template filters for analyst Markdown (assessments.markdown), on the site and in PDFs."""

from django import template

from ..markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text, anchor=""):
    """Render analyst Markdown, sanitised; `anchor` prefixes footnote ids on a page."""
    return render_markdown(text, anchor=anchor)


@register.filter
def markdown_inline(text, anchor=""):
    return render_markdown(text, anchor=anchor, inline=True)
