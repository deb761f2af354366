"""Template helpers of the public site and the PDF."""

from django import template

register = template.Library()


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
