"""The risk map in a template: {% risk_map outlook %}, or {% risk_map outlook revisions %}
where the page has the edition's live revisions already (no query then)."""

from django import template

from ..riskmap import edition_map

register = template.Library()


@register.simple_tag
def risk_map(outlook, revisions=None):
    """The published edition's risk map as inline SVG (assessments.riskmap)."""
    # A template without `revisions` passes "" (an unknown variable): look them up.
    return edition_map(outlook, revisions or None)
