from django.urls import path

from . import editor_views

urlpatterns = [
    path("", editor_views.dashboard, name="editor_dashboard"),
]
