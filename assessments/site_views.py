"""The files the web expects of any site: /robots.txt and /favicon.ico."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

# Where no crawler has anything to read: the sign-in forms and what lies behind them,
# embargoed previews, and the forms and secret links of following by email.
NOT_CRAWLED = ["/editor/", "/admin/", "/accounts/", "/embargoed/", "/follow/"]


def robots_txt(request):
    """Crawlers may read every public page; the sitemap lists them."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in NOT_CRAWLED), ""]
    # Absolute, as the protocol asks, on the host that serves it (as the sitemap's are).
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Browsers ask for /favicon.ico of any document without an icon of its own (a PDF, the
# feed): they get the icon's static file, whose address changes with its content.
@cache_control(public=True, max_age=86400)
def favicon(request):
    return redirect(static("favicon.ico"))
