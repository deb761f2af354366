"""The sitemap (django.contrib.sitemaps): every published page, and nothing else.

/sitemap.xml is an index of the sections below, each at /sitemap-<section>.xml, a page
of at most 50,000 addresses (?p=2 and on: 200 countries over 20 years of editions make
48,000 versions). Each section is one query for its count and one for its page.

Left out: the later pages of a paginated list and search results (crawlers reach them
from the first page), downloads (PDF, JSON, CSV) and feeds. No <lastmod>: a correction
changes an edition's page, the next edition a country's, and no date here says so
exactly; none is better than a wrong one.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode

from .editions import published_addressees, published_countries, published_regions
from .models import Addressee, Country, Outlook, Revision, TrackedRecommendation

# Each page's canonical address is the one it gives itself (public_views.page): these give
# the same addresses, from the same values.


class ListsSitemap(Sitemap):
    """The pages that list what is published; they exist before anything is."""

    def items(self):
        return [
            "home",
            "outlook_list",
            "country_list",
            "tracker",
            "open_data",
            "data_dictionary",
            "method",
        ]

    def location(self, name):
        return reverse(name)


class RegionsSitemap(Sitemap):
    """Each region's list of editions."""

    def items(self):
        return published_regions().order_by("slug").values_list("slug", flat=True)

    def location(self, slug):
        return f"{reverse('outlook_list')}?{urlencode({'region': slug})}"


class EditionsSitemap(Sitemap):
    def items(self):
        return Outlook.objects.published().order_by("period", "slug").values_list("slug", flat=True)

    def location(self, slug):
        return reverse("outlook", args=[slug])


class VersionsSitemap(Sitemap):
    """Each published version of an entry: the live one and those corrections superseded."""

    def items(self):
        return (
            Revision.objects.published()
            .order_by("id")
            .values_list("assessment__outlook__slug", "assessment__country__code", "number")
        )

    def location(self, version):
        slug, code, number = version
        return reverse("revision", args=[slug, code, number])


class CountriesSitemap(Sitemap):
    def items(self):
        return published_countries().order_by("code").values_list("code", flat=True)

    def location(self, code):
        return reverse("country", args=[code])


class AddresseesSitemap(Sitemap):
    def items(self):
        return published_addressees().order_by("slug").values_list("slug", flat=True)

    def location(self, slug):
        return reverse("addressee", args=[slug])


class TrackerSitemap(Sitemap):
    """The tracker's list of each addressee's and each country's recommendations, which
    the addressee's and the country's pages link to. Two queries."""

    def items(self):
        tracked = TrackedRecommendation.objects.order_by()
        addressees = (
            Addressee.objects.filter(Exists(tracked.filter(addressee=OuterRef("pk"))))
            .order_by("slug")
            .values_list("slug", flat=True)
        )
        countries = (
            Country.objects.filter(Exists(tracked.filter(country=OuterRef("pk"))))
            .order_by("code")
            .values_list("code", flat=True)
        )
        return [("addressee", slug) for slug in addressees] + [
            ("country", code.lower()) for code in countries
        ]

    def location(self, item):
        return f"{reverse('tracker')}?{urlencode([item])}"


class LineagesSitemap(Sitemap):
    """Each tracked recommendation's history."""

    def items(self):
        return TrackedRecommendation.objects.order_by("lineage").values_list("lineage", flat=True)

    def location(self, lineage):
        return reverse("tracked_recommendation", args=[lineage])


SITEMAPS = {
    "lists": ListsSitemap,
    "regions": RegionsSitemap,
    "editions": EditionsSitemap,
    "versions": VersionsSitemap,
    "countries": CountriesSitemap,
    "addressees": AddresseesSitemap,
    "tracker": TrackerSitemap,
    "recommendations": LineagesSitemap,
}
