from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.outlook_list, name="home"),
    path("outlooks/", public_views.outlook_list, name="outlook_list"),
    path("outlooks/<slug:slug>/", public_views.outlook_detail, name="outlook"),
    path(
        "outlooks/<slug:slug>/<str:code>/v<int:number>/",
        public_views.revision_detail,
        name="revision",
    ),
    path("countries/<str:code>/", public_views.country_detail, name="country"),
    path("recommendations/<slug:slug>/", public_views.addressee_detail, name="addressee"),
]
