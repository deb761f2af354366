"""Addresses of the public site (assessments.public_views, the feed).

Every page and download but the PDFs and the preview images (which carry their own ETag)
is a `public_page`: cached and revalidated for anonymous readers by assessments.caching."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from . import public_views, site_views, subscription_views
from .caching import VALIDATED, public_page
from .feeds import CountryFeed, EditionsFeed, RegionFeed
from .sitemaps import SITEMAPS


class CountryCodeConverter:
    """An ISO 3166 alpha-2 code in an address (kp or KP): anything else is a 404 at
    routing, so that no odd string (a NUL byte, which PostgreSQL refuses) reaches a query."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return str(value).lower()


register_converter(CountryCodeConverter, "country_code")

urlpatterns = [
    path("", public_page(public_views.home), name="home"),
    path("robots.txt", public_page(site_views.robots_txt), name="robots_txt"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public_page(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("outlooks/", public_page(public_views.outlook_list), name="outlook_list"),
    path("outlooks/<slug:slug>/", public_page(public_views.outlook_detail), name="outlook"),
    path("outlooks/<slug:slug>.pdf", public_views.outlook_pdf, name="outlook_pdf"),
    path("outlooks/<slug:slug>/preview.png", public_views.outlook_preview, name="outlook_preview"),
    path(
        "outlooks/<slug:slug>.json",
        public_page(public_views.outlook_json, mode=VALIDATED),
        name="outlook_json",
    ),
    path(
        "outlooks/<slug:slug>/<country_code:code>.pdf", public_views.country_pdf, name="country_pdf"
    ),
    path(
        "outlooks/<slug:slug>/<country_code:code>/v<int:number>/",
        public_page(public_views.revision_detail),
        name="revision",
    ),
    path("countries/", public_page(public_views.country_list), name="country_list"),
    path(
        "countries/<country_code:code>/", public_page(public_views.country_detail), name="country"
    ),
    path("countries/<country_code:code>/feed/", public_page(CountryFeed()), name="country_feed"),
    path("recommendations/", public_page(public_views.tracker), name="tracker"),
    # Before the addressee's slug: a lineage's UUID would match a slug too.
    path(
        "recommendations/<uuid:lineage>/",
        public_page(public_views.tracked_recommendation),
        name="tracked_recommendation",
    ),
    path(
        "recommendations/<slug:slug>/", public_page(public_views.addressee_detail), name="addressee"
    ),
    path("search/", public_page(public_views.search), name="search"),
    # Not public pages: never cached (assessments.embargo).
    path("embargoed/<str:token>/", public_views.embargoed_page, name="embargo_page"),
    path("embargoed/<str:token>/pdf/", public_views.embargoed_pdf, name="embargo_pdf"),
    # Following by email: forms and secret links, never cached (assessments.subscriptions).
    path("follow/", subscription_views.follow, name="subscription_follow"),
    path("follow/confirm/<str:token>/", subscription_views.confirm, name="subscription_confirm"),
    path("follow/manage/<str:token>/", subscription_views.manage, name="subscription_manage"),
    path(
        "follow/manage/<str:token>/data.json",
        subscription_views.stored_data,
        name="subscription_data",
    ),
    path(
        "follow/unsubscribe/<str:token>/",
        subscription_views.unsubscribe,
        name="subscription_unsubscribe",
    ),
    path("feed/", public_page(EditionsFeed()), name="feed"),
    path("feed/regions/<slug:slug>/", public_page(RegionFeed()), name="region_feed"),
    path("data/", public_page(public_views.open_data), name="open_data"),
    path("method/", public_page(public_views.method), name="method"),
    path(
        "data/ratings.csv",
        public_page(public_views.ratings_csv, mode=VALIDATED),
        name="ratings_csv",
    ),
    path(
        "data/ratings-excel.csv",
        public_page(public_views.ratings_csv_excel, mode=VALIDATED),
        name="ratings_csv_excel",
    ),
    path(
        "data/recommendations.csv",
        public_page(public_views.tracker_csv, mode=VALIDATED),
        name="tracker_csv",
    ),
    path(
        "data/recommendations.json",
        public_page(public_views.tracker_json, mode=VALIDATED),
        name="tracker_json",
    ),
    path("data/editions.json", public_page(public_views.editions_index), name="editions_index"),
    path("data/dictionary/", public_page(public_views.data_dictionary), name="data_dictionary"),
]
