"""Addresses of the editor area, /editor/ (assessments.editor_views)."""

from django.urls import path

from . import editor_views as views

urlpatterns = [
    path("", views.dashboard, name="editor_dashboard"),
    path("outlooks/", views.outlook_list, name="editor_outlooks"),
    path("outlooks/new/", views.outlook_new, name="editor_outlook_new"),
    path("outlooks/<int:outlook_id>/", views.outlook_detail, name="editor_outlook"),
    path("outlooks/<int:outlook_id>/countries/", views.add_country, name="editor_add_country"),
    path("outlooks/<int:outlook_id>/publish/", views.publish, name="editor_publish"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="editor_assessment"),
    path(
        "assessments/<int:assessment_id>/remove/",
        views.remove_country,
        name="editor_remove_country",
    ),
    path(
        "assessments/<int:assessment_id>/move/<str:direction>/",
        views.move_country,
        name="editor_move_country",
    ),
    path(
        "assessments/<int:assessment_id>/correction/",
        views.start_correction,
        name="editor_start_correction",
    ),
    path("revisions/<int:revision_id>/", views.revision_detail, name="editor_revision"),
    path("revisions/<int:revision_id>/edit/", views.edit, name="editor_edit"),
    path("revisions/<int:revision_id>/preview/", views.preview, name="editor_preview"),
    path(
        "revisions/<int:revision_id>/preview/live/",
        views.preview_live,
        name="editor_preview_live",
    ),
    path("revisions/<int:revision_id>/submit/", views.submit, name="editor_submit"),
    path("revisions/<int:revision_id>/checks/", views.checks_panel, name="editor_checks"),
    path("revisions/<int:revision_id>/checks/live/", views.checks_live, name="editor_checks_live"),
    path(
        "revisions/<int:revision_id>/checks/acknowledge/",
        views.acknowledge,
        name="editor_acknowledge",
    ),
    path("revisions/<int:revision_id>/recall/", views.recall, name="editor_recall"),
    path("revisions/<int:revision_id>/review/", views.review, name="editor_review"),
    path("revisions/<int:revision_id>/approve/", views.approve, name="editor_approve"),
    path(
        "revisions/<int:revision_id>/request-changes/",
        views.request_changes,
        name="editor_request_changes",
    ),
    path(
        "revisions/<int:revision_id>/publish/",
        views.publish_correction,
        name="editor_publish_correction",
    ),
    path("sources/search/", views.source_search, name="editor_source_search"),
    path("audit/", views.audit_log, name="editor_audit"),
]
