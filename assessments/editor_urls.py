"""Addresses of the editor area, /editor/ (assessments.editor_views)."""

from django.urls import include, path

from . import editor_views as views

# Below /editor/outlooks/<outlook_id>/: one edition.
outlook_patterns = [
    path("", views.outlook_detail, name="editor_outlook"),
    path("countries/", views.add_country, name="editor_add_country"),
    path("publish/", views.publish, name="editor_publish"),
    path("publication/", views.publication_status, name="editor_publication"),
    path("board/", views.edition_board, name="editor_board"),
    path("plan/", views.plan_edition, name="editor_plan_edition"),
    path("embargoed/", views.share_embargoed, name="editor_share_embargoed"),
]

# Below /editor/assessments/<assessment_id>/: one country's entry in an edition.
assessment_patterns = [
    path("", views.assessment_detail, name="editor_assessment"),
    path("remove/", views.remove_country, name="editor_remove_country"),
    path("move/<str:direction>/", views.move_country, name="editor_move_country"),
    path("correction/", views.start_correction, name="editor_start_correction"),
    path("assign/", views.assign, name="editor_assign"),
    path("take/", views.take, name="editor_take"),
]

# Below /editor/revisions/<revision_id>/: one revision, its editor, checks and review.
revision_patterns = [
    path("", views.revision_detail, name="editor_revision"),
    path("edit/", views.edit, name="editor_edit"),
    path("preview/", views.preview, name="editor_preview"),
    path("preview/live/", views.preview_live, name="editor_preview_live"),
    path("submit/", views.submit, name="editor_submit"),
    path("checks/", views.checks_panel, name="editor_checks"),
    path("checks/live/", views.checks_live, name="editor_checks_live"),
    path("checks/acknowledge/", views.acknowledge, name="editor_acknowledge"),
    path("checks/acknowledge-all/", views.acknowledge_all, name="editor_acknowledge_all"),
    path("recall/", views.recall, name="editor_recall"),
    path("review/", views.review, name="editor_review"),
    path("approve/", views.approve, name="editor_approve"),
    path("request-changes/", views.request_changes, name="editor_request_changes"),
    path("publish/", views.publish_correction, name="editor_publish_correction"),
    path("comments/", views.add_comment, name="editor_add_comment"),
]

urlpatterns = [
    path("", views.dashboard, name="editor_dashboard"),
    path("outlooks/", views.outlook_list, name="editor_outlooks"),
    path("outlooks/new/", views.outlook_new, name="editor_outlook_new"),
    path("outlooks/<int:outlook_id>/", include(outlook_patterns)),
    path("assessments/<int:assessment_id>/", include(assessment_patterns)),
    path("revisions/<int:revision_id>/", include(revision_patterns)),
    path(
        "comments/<int:comment_id>/resolve/", views.resolve_comment, name="editor_resolve_comment"
    ),
    path("comments/<int:comment_id>/reopen/", views.reopen_comment, name="editor_reopen_comment"),
    path(
        "publications/<int:job_id>/cancel/",
        views.cancel_publication,
        name="editor_cancel_publication",
    ),
    path(
        "embargoed/<int:link_id>/revoke/",
        views.revoke_embargoed,
        name="editor_revoke_embargoed",
    ),
    path("matches/", views.matches, name="editor_matches"),
    path("matches/<int:match_id>/decide/", views.decide_match, name="editor_decide_match"),
    path("sources/search/", views.source_search, name="editor_source_search"),
    path("audit/", views.audit_log, name="editor_audit"),
    path("subscribers/", views.subscribers, name="editor_subscribers"),
    path(
        "subscribers/announcements/<int:announcement_id>/",
        views.announcement_report,
        name="editor_announcement",
    ),
    path("session/", views.session_state, name="editor_session"),
]
