from django.urls import path

from . import public_views
from .feeds import EditionsFeed

urlpatterns = [
    path("", public_views.outlook_list, name="home"),
    path("outlooks/", public_views.outlook_list, name="outlook_list"),
    path("outlooks/<slug:slug>/", public_views.outlook_detail, name="outlook"),
    path("outlooks/<slug:slug>.pdf", public_views.outlook_pdf, name="outlook_pdf"),
    path("outlooks/<slug:slug>.json", public_views.outlook_json, name="outlook_json"),
    path("outlooks/<slug:slug>/<str:code>.pdf", public_views.country_pdf, name="country_pdf"),
    path(
        "outlooks/<slug:slug>/<str:code>/v<int:number>/",
        public_views.revision_detail,
        name="revision",
    ),
    path("countries/", public_views.country_list, name="country_list"),
    path("countries/<str:code>/", public_views.country_detail, name="country"),
    path("recommendations/", public_views.addressee_list, name="addressee_list"),
    path("recommendations/<slug:slug>/", public_views.addressee_detail, name="addressee"),
    path("search/", public_views.search, name="search"),
    path("feed/", EditionsFeed(), name="feed"),
    path("data/", public_views.open_data, name="open_data"),
    path("data/ratings.csv", public_views.ratings_csv, name="ratings_csv"),
]
