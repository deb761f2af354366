"""The editor area (/editor/): dashboards, outlooks, the assessment editor, reviews, subscribers.

Views are thin: they ask the permission gate (assessments.permissions) whether the
page may open, validate a form, and call a function of assessments.workflow, which
asks the gate again on the locked row and does the work. Every view needs a signed-in
user with an editorial role; what the user may not do is refused with 403 and the
gate's reason.
"""

import logging
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.forms.formsets import TOTAL_FORM_COUNT
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import (
    announcements,
    board,
    check_locations,
    checks,
    embargo,
    subscriptions,
    two_factor,
    workflow,
)
from .content import revision_content
from .diff import diff_entries, recommendation_changes, word_diff
from .forms import (
    AcknowledgeAllForm,
    AcknowledgeForm,
    AddCountryForm,
    AssignForm,
    AuditFilterForm,
    CommentForm,
    EditionForm,
    EmbargoForm,
    EntryForms,
    MatchDecisionForm,
    PlanEditionForm,
    ResolveCommentForm,
    ReviewForm,
    ScheduleForm,
    SourceSearchForm,
)
from .models import (
    Addressee,
    Announcement,
    Assessment,
    AuditEvent,
    EmbargoLink,
    LineageMatch,
    Outlook,
    PublicationJob,
    ReviewComment,
    Revision,
    Source,
)
from .permissions import EDITOR, Permissions, scheduled_time

State = Revision.State
logger = logging.getLogger(__name__)


def editor_page(question="can_open_editor"):
    """Sign-in, with the second factor where it is needed, then the gate's answer to
    `question`, a method of Permissions that takes no object (the object's own rules are
    asked in the view or the workflow)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if detour := two_factor.detour(request):
                return detour
            answer = getattr(Permissions(request.user), question)()
            if not answer:
                raise PermissionDenied(answer.reason)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _submit(request, revision, success):
    """Submit for review, and say what stops it on the edit page if anything does."""
    try:
        workflow.submit(revision, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("editor_edit", revision.pk)
    messages.success(request, success)
    return redirect("editor_revision", revision.pk)


def _publishing(request, publish, obj, *, page):
    """Ask for a publication (workflow.publish or publish_correction) for the user, now or,
    with the form's `at`, then; back to `page` (a URL name taking obj's pk), which shows
    the job's progress and result, or its schedule.

    The request returns at once: a worker publishes. A second request while one is under
    way (a double click) is told so on the page rather than with an error page.
    """
    at = None
    if "at" in request.POST:
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            for error in form.errors["at"]:
                messages.error(request, f"Publish at: {error}")
            return redirect(page, obj.pk)
        at = form.cleaned_data["at"]
    try:
        job = publish(obj, user=request.user, at=at)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as refusal:
        if not _publication_under_way(obj):
            raise
        messages.info(request, str(refusal))
    else:
        what = f"{job.get_kind_display()} of {job.outlook.full_title}"
        if at is None:
            messages.info(request, f"{what} queued: this page shows its progress.")
        else:
            messages.info(
                request,
                f"{what} scheduled for {scheduled_time(at)}: "
                "you can cancel it on this page until it starts.",
            )
    return redirect(page, obj.pk)


def _publication_under_way(obj):
    jobs = PublicationJob.objects.active()
    if isinstance(obj, Outlook):
        return jobs.filter(outlook=obj, kind=PublicationJob.Kind.PUBLISH).exists()
    return jobs.filter(revision=obj).exists()


def _publication(user, outlook_id, revision_id=None):
    """The latest publication job of an edition (or of one correction), or None, and
    whether the user may cancel it: what editor/_publication_status.html shows."""
    jobs = PublicationJob.objects.select_related("requested_by", "outlook").filter(
        outlook_id=outlook_id
    )
    if revision_id is not None:
        jobs = jobs.filter(revision_id=revision_id)
    job = jobs.first()
    can_cancel = job is not None and Permissions(user).can("cancel_publication", job)
    return {"job": job, "can_cancel": can_cancel}


def _get_revision(revision_id):
    return get_object_or_404(
        Revision.objects.with_content().prefetch_related("reviews__reviewer"), pk=revision_id
    )


# --- Dashboard -------------------------------------------------------------------


@require_GET
@editor_page()
def dashboard(request):
    user = request.user
    permissions = Permissions(user)
    revisions = Revision.objects.select_related(
        "assessment__country", "assessment__outlook", "risk_level", "risk_status"
    ).order_by("-updated_at")
    mine = Q(contributors=user) | Q(created_by=user)
    context = {"roles": sorted(permissions.roles), "assigned": board.assigned_to(user)}
    if permissions.can_draft():
        context["my_drafts"] = revisions.filter(mine, state=State.DRAFT).distinct()
        context["changes_requested"] = revisions.filter(
            mine, state=State.CHANGES_REQUESTED
        ).distinct()
        context["my_submitted"] = revisions.filter(mine, state=State.SUBMITTED).distinct()
        context["open_drafts"] = revisions.filter(state=State.DRAFT).exclude(mine).distinct()[:50]
    if permissions.can_review():
        submitted = revisions.filter(state=State.SUBMITTED).prefetch_related("contributors")
        context["awaiting_review"] = [r for r in submitted if permissions.can_approve(r)]
    if permissions.can_create_edition():
        outlooks = (
            Outlook.objects.filter(state=Outlook.State.DRAFT)
            .with_publication_problems()
            .select_related("region")
        )
        context["draft_outlooks"] = [
            {
                "outlook": outlook,
                "entries": len(outlook.entries_for_publication),
                "approved": sum(a.has_approved_revision for a in outlook.entries_for_publication),
                "ready": permissions.can_publish(outlook),
            }
            for outlook in outlooks
        ]
        approved = revisions.filter(state=State.APPROVED)
        context["corrections"] = [r for r in approved if permissions.can("publish_correction", r)]
    if permissions.can_decide_matches():
        context["matches_to_confirm"] = LineageMatch.objects.filter(
            decision=LineageMatch.Decision.TO_CONFIRM
        ).count()
    return render(request, "editor/dashboard.html", context)


# --- Outlooks --------------------------------------------------------------------


@require_GET
@editor_page()
def outlook_list(request):
    outlooks = (
        Outlook.objects.select_related("region")
        .annotate(entries=Count("assessments"))
        .order_by("-period", "region__name")
    )
    page = Paginator(outlooks, 50).get_page(request.GET.get("page"))
    return render(request, "editor/outlook_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@editor_page("can_create_edition")
def outlook_new(request):
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outlook = workflow.create_edition(
                data["region"],
                data["period"],
                user=request.user,
                title=data["title"].strip(),
                introduction=data["introduction"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Created {outlook.full_title}.")
            return redirect("editor_outlook", outlook.pk)
    return render(request, "editor/outlook_new.html", {"form": form})


def _outlook_page(request, outlook, *, add_form=None, embargo_form=None, status=200):
    in_progress = Revision.objects.in_progress().select_related("risk_level", "risk_status")
    assessments = (
        outlook.assessments.select_related(
            "country", "published_revision__risk_level", "published_revision__risk_status"
        )
        .prefetch_related(Prefetch("revisions", queryset=in_progress, to_attr="current"))
        .order_by("position")
    )
    can_edit = Permissions(request.user).can_change_countries(outlook)
    context = {
        "outlook": outlook,
        "assessments": assessments,
        "can_edit": can_edit,
        "add_form": add_form or (AddCountryForm(outlook=outlook) if can_edit else None),
        "problems": outlook.publication_problems() if can_edit else [],
        "pdfs": outlook.pdfs.all()[:5],
    }
    context.update(_publication(request.user, outlook.pk), schedule_form=ScheduleForm())
    context.update(_embargoed(request.user, outlook, embargo_form, context["job"]))
    return render(request, "editor/outlook_detail.html", context, status=status)


def _embargoed(user, outlook, form, job):
    """The edition's embargoed previews, for editors: the links, who opened them, and the
    form for a new one (its embargo ending when `job`, the edition's latest publication
    job, is scheduled to publish it)."""
    permissions = Permissions(user)
    if not permissions.can_see_embargoed_links():
        return {}
    links = outlook.embargo_links.select_related("created_by", "revoked_by").prefetch_related(
        "openings"
    )
    can_share = permissions.can("share_embargoed", outlook)
    if form is None and can_share:
        now = timezone.localtime()
        form = EmbargoForm(
            initial={
                "embargoed_until": job.scheduled_for if job and job.is_scheduled else None,
                "expires_at": (now + timedelta(days=14)).replace(second=0, microsecond=0),
            }
        )
    return {
        "embargo_links": [(link, embargo.url(link), embargo.closed_reason(link)) for link in links],
        "embargo_form": form if can_share else None,
        "show_embargo": True,
    }


@require_GET
@editor_page()
def outlook_detail(request, outlook_id):
    outlook = get_object_or_404(Outlook.objects.select_related("region"), pk=outlook_id)
    return _outlook_page(request, outlook)


@require_POST
@editor_page()
def add_country(request, outlook_id):
    outlook = get_object_or_404(Outlook, pk=outlook_id)
    Permissions(request.user).require("add_country", outlook)
    form = AddCountryForm(request.POST, outlook=outlook)
    if form.is_valid():
        try:
            assessment = workflow.add_country(
                outlook, form.cleaned_data["country"], user=request.user
            )
        except ValidationError as error:
            form.add_error("country", error)
        else:
            messages.success(request, f"Added {assessment.country}.")
            return redirect("editor_outlook", outlook.pk)
    return _outlook_page(request, outlook, add_form=form, status=400)


@require_POST
@editor_page()
def share_embargoed(request, outlook_id):
    outlook = get_object_or_404(Outlook.objects.select_related("region"), pk=outlook_id)
    Permissions(request.user).require("share_embargoed", outlook)
    form = EmbargoForm(request.POST)
    if form.is_valid():
        try:
            link = workflow.share_embargoed(outlook, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Made an embargoed preview link for {link.recipient}: copy it from the list "
                "below and send it to them.",
            )
            return redirect(reverse("editor_outlook", args=[outlook.pk]) + "#embargoed")
    return _outlook_page(request, outlook, embargo_form=form, status=400)


@require_POST
@editor_page()
def revoke_embargoed(request, link_id):
    link = get_object_or_404(EmbargoLink, pk=link_id)
    link = workflow.revoke_embargoed(link, user=request.user)
    messages.success(request, f"Withdrew the preview link of {link.recipient}: it opens no more.")
    return redirect(reverse("editor_outlook", args=[link.outlook_id]) + "#embargoed")


# --- The edition board: who writes and reviews what, by when ---------------------------


def _board_page(request, outlook, *, plan_form=None, failed=None, status=200):
    """The board; `failed` is (assessment id, bound AssignForm) when an assignment was
    refused, shown in its row with what is wrong."""
    sort = request.GET.get("sort", "position")
    if sort.lstrip("-") not in board.SORTS:
        sort = "position"
    rows = board.edition_board(outlook, sort)
    permissions = Permissions(request.user)
    can_assign = permissions.can("assign", outlook)
    items = []
    for row in rows:
        form = None
        if can_assign:
            form = failed[1] if failed and failed[0] == row.assessment.pk else None
            form = form or AssignForm(assessment=row.assessment)
        items.append((row, form, permissions.can("take", row.assessment)))
    context = {
        "outlook": outlook,
        "items": items,
        "sort": sort,
        "sort_columns": board.COLUMNS,
        "can_assign": can_assign,
        "plan_form": plan_form
        or (
            PlanEditionForm(
                initial={"drafts_due": outlook.drafts_due, "reviews_due": outlook.reviews_due}
            )
            if permissions.can("plan_edition", outlook)
            else None
        ),
        "today": timezone.localdate(),
    }
    return render(request, "editor/board.html", context, status=status)


@require_GET
@editor_page()
def edition_board(request, outlook_id):
    outlook = get_object_or_404(Outlook.objects.select_related("region"), pk=outlook_id)
    return _board_page(request, outlook)


@require_POST
@editor_page()
def plan_edition(request, outlook_id):
    outlook = get_object_or_404(Outlook.objects.select_related("region"), pk=outlook_id)
    Permissions(request.user).require("plan_edition", outlook)
    form = PlanEditionForm(request.POST)
    if form.is_valid():
        try:
            workflow.plan_edition(outlook, **form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved the dates.")
            return redirect("editor_board", outlook.pk)
    return _board_page(request, outlook, plan_form=form, status=400)


@require_POST
@editor_page()
def assign(request, assessment_id):
    assessment = get_object_or_404(
        Assessment.objects.select_related("outlook__region", "country"), pk=assessment_id
    )
    Permissions(request.user).require("assign", assessment.outlook)
    form = AssignForm(request.POST, assessment=assessment)
    if form.is_valid():
        try:
            workflow.assign(assessment, **form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved who writes and reviews {assessment.country}.")
            return redirect(
                reverse("editor_board", args=[assessment.outlook_id]) + f"#a{assessment.pk}"
            )
    return _board_page(request, assessment.outlook, failed=(assessment.pk, form), status=400)


@require_POST
@editor_page()
def take(request, assessment_id):
    assessment = get_object_or_404(
        Assessment.objects.select_related("outlook", "country"), pk=assessment_id
    )
    workflow.take(assessment, user=request.user)
    messages.success(request, f"You are writing {assessment.country}.")
    # Back where the button was: the board or the entry's page.
    if request.POST.get("from") == "board":
        return redirect(
            reverse("editor_board", args=[assessment.outlook_id]) + f"#a{assessment.pk}"
        )
    return redirect("editor_assessment", assessment.pk)


@require_POST
@editor_page()
def remove_country(request, assessment_id):
    assessment = get_object_or_404(Assessment.objects.select_related("country"), pk=assessment_id)
    workflow.remove_country(assessment, user=request.user)
    messages.success(request, f"Removed {assessment.country} and its drafts.")
    return redirect("editor_outlook", assessment.outlook_id)


@require_POST
@editor_page()
def move_country(request, assessment_id, direction):
    assessment = get_object_or_404(Assessment.objects.select_related("outlook"), pk=assessment_id)
    Permissions(request.user).require("move_country", assessment)
    offsets = {"up": -1, "down": 1}
    if direction not in offsets:
        return redirect("editor_outlook", assessment.outlook_id)
    workflow.move_country(assessment, offsets[direction], user=request.user)
    return redirect(reverse("editor_outlook", args=[assessment.outlook_id]) + f"#a{assessment.pk}")


@require_POST
@editor_page()
def publish(request, outlook_id):
    outlook = get_object_or_404(Outlook.objects.select_related("region"), pk=outlook_id)
    return _publishing(request, workflow.publish, outlook, page="editor_outlook")


@require_GET
@editor_page()
def publication_status(request, outlook_id):
    """The latest publication job of an edition (`?revision=` of one correction), as the
    part of its page that polls for it (htmx). Once the job has ended, the answer stops
    the polling (286) and reloads the page, which then shows the result."""
    outlook = get_object_or_404(Outlook, pk=outlook_id)
    revision_id = request.GET.get("revision", "")
    context = _publication(
        request.user, outlook.pk, int(revision_id) if revision_id.isdigit() else None
    )
    response = render(request, "editor/_publication_status.html", context)
    job = context["job"]
    if job is None or not job.is_active:
        response.status_code = 286
        response["HX-Refresh"] = "true"
    return response


# --- Assessments and revisions ---------------------------------------------------


@require_GET
@editor_page()
def assessment_detail(request, assessment_id):
    assessment = get_object_or_404(
        Assessment.objects.select_related("country", "outlook__region", "analyst", "reviewer"),
        pk=assessment_id,
    )
    revisions = assessment.revisions.select_related(
        "risk_level", "risk_status", "created_by"
    ).order_by("-number")
    permissions = Permissions(request.user)
    return render(
        request,
        "editor/assessment_detail.html",
        {
            "assessment": assessment,
            "revisions": revisions,
            "can_correct": permissions.can_correct(assessment),
            "can_take": permissions.can("take", assessment),
        },
    )


@require_POST
@editor_page()
def start_correction(request, assessment_id):
    assessment = get_object_or_404(Assessment, pk=assessment_id)
    revision = workflow.start_correction(assessment, user=request.user)
    messages.info(request, "A correction draft was made from the published entry.")
    return redirect("editor_edit", revision.pk)


@require_GET
@editor_page()
def revision_detail(request, revision_id):
    revision = _get_revision(revision_id)
    previous = Revision.objects.previous_entry(revision.assessment)
    return render(
        request,
        "editor/revision_detail.html",
        {
            "revision": revision,
            "can": Permissions(request.user).revision_actions(revision),
            **_publication(request.user, revision.assessment.outlook_id, revision.pk),
            "schedule_form": ScheduleForm(),
            "previous": previous,
            "recommendation_changes": recommendation_changes(revision, previous)
            if previous
            else None,
            **_comments_context(revision, request.user),
        },
    )


@require_GET
@editor_page()
def preview(request, revision_id):
    """The entry exactly as the public page will render it (the same template)."""
    revision = _get_revision(revision_id)
    return render(request, "editor/preview.html", {"revision": revision})


def _entry_forms(revision, data=None):
    return EntryForms(
        revision, data, context=checks.CheckContext.for_assessment(revision.assessment)
    )


def _typed_forms(request, revision_id):
    """The editable revision and the editor's forms as posted, for the live preview and
    checks; nothing is saved."""
    revision = _get_revision(revision_id)
    Permissions(request.user).require("save", revision)
    return revision, _entry_forms(revision, request.POST)


@require_POST
@editor_page("can_draft")
def preview_live(request, revision_id):
    """The editor form as typed, not saved, rendered as the public page will render it."""
    revision, forms = _typed_forms(request, revision_id)
    content = forms.checkable_content()
    draft = content.preview(revision) if content is not None else None
    return render(request, "editor/_live_preview.html", {"revision": draft})


def _checks_context(
    revision,
    user,
    results=None,
    *,
    context=None,
    live=False,
    incomplete=False,
    content=None,
    fields=None,
    message=None,
):
    """What the checks panel shows: each result with its acknowledgement and, beside the
    editor's form (`fields`: check_locations.FormFields), where it is in the form; and a
    `message` answering what the analyst just did, in the panel."""
    if results is None and not incomplete:
        content = revision_content(revision)
        context = context or checks.CheckContext.for_assessment(revision.assessment)
        results = checks.check_content(content, context)
    results = results or []
    paired = checks.with_acknowledgements(results, revision.acknowledgements.select_related("user"))
    if fields is not None and content is not None:
        locations = check_locations.locate(results, content, fields)
    else:
        locations = [None] * len(results)
    if message and message.get("key") not in {None, *(result.key for result in results)}:
        # The warning is gone from the panel too (the text changed): answer above the list.
        message = {**message, "key": None}
    can_acknowledge = Permissions(user).can_edit(revision)
    # What "Acknowledge all" sends: the warnings the panel shows, not yet acknowledged.
    open_warnings = [
        result.key
        for result, acknowledgement in paired
        if result.severity == checks.Severity.WARNING and acknowledgement is None
    ]
    return {
        "revision": revision,
        "check_rows": [
            (result, acknowledgement, location)
            for (result, acknowledgement), location in zip(paired, locations, strict=True)
        ],
        "check_counts": checks.counts(results),
        "checks_live": live,
        "checks_incomplete": incomplete,
        "can_acknowledge": can_acknowledge,
        "open_warnings": open_warnings if can_acknowledge else [],
        "check_message": message,
    }


def _saved_checks_context(revision, user, *, context=None, message=None):
    """The panel with the checks of the stored draft, beside the form the page renders
    from it."""
    return _checks_context(
        revision,
        user,
        context=context,
        fields=check_locations.FormFields.of_saved(revision),
        message=message,
    )


def _typed_checks_context(revision, forms, user, *, message=None):
    """The panel with the checks of the editor's form as posted, nothing saved."""
    content = forms.checkable_content()
    if content is None:
        return _checks_context(revision, user, live=True, incomplete=True, message=message)
    entry = content.to_entry(revision.assessment.country)
    return _checks_context(
        revision,
        user,
        checks.check_content(entry, forms.context),
        live=True,
        content=entry,
        fields=check_locations.FormFields.of_typed(forms),
        message=message,
    )


@require_GET
@editor_page()
def checks_panel(request, revision_id):
    """The checks of the stored revision, with the analyst's acknowledgements."""
    revision = _get_revision(revision_id)
    return render(
        request, "editor/_checks_panel.html", _saved_checks_context(revision, request.user)
    )


@require_POST
@editor_page("can_draft")
def checks_live(request, revision_id):
    """The checks of the editor form as typed, not saved (the panel beside the text)."""
    revision, forms = _typed_forms(request, revision_id)
    return render(
        request, "editor/_checks_panel.html", _typed_checks_context(revision, forms, request.user)
    )


def _panel_in_place(request, revision, message):
    """The checks panel answering an acknowledgement in place (htmx): of the text as typed
    when the page sent its form along, so the panel still shows what the analyst sees;
    else of the stored draft."""
    revision = _get_revision(revision.pk)
    if f"finding-{TOTAL_FORM_COUNT}" in request.POST:
        context = _typed_checks_context(
            revision, _entry_forms(revision, request.POST), request.user, message=message
        )
    else:
        context = _saved_checks_context(revision, request.user, message=message)
    return render(request, "editor/_checks_panel.html", context)


def _refused_acknowledgement(request, revision, problems):
    """The answer to an acknowledgement refused for what was sent: nothing is written, and
    the user is told why."""
    Permissions(request.user).require("save", revision)
    text = "Nothing was acknowledged. " + " ".join(problems)
    if request.headers.get("HX-Request"):
        # htmx swaps in no answer of status 4xx: the panel comes back as usual, with the
        # message in it, where the user is looking.
        return _panel_in_place(request, revision, {"level": "danger", "text": text})
    messages.error(request, text)
    revision = _get_revision(revision.pk)
    return _edit_page(request, revision, _entry_forms(revision), status=400)


def _form_problems(form):
    return [
        f"{form.fields[name].label or name.capitalize()}: {message}"
        if name in form.fields
        else message
        for name, messages_ in form.errors.items()
        for message in messages_
    ]


# What an analyst is told who acknowledges a warning the stored draft does not produce:
# most often one that is only in the text typed since the last save.
NOT_IN_SAVED_DRAFT = (
    "Not acknowledged: the saved draft does not have this warning; it is in text you have "
    "not saved yet. Save the draft, then acknowledge it."
)


@require_POST
@editor_page("can_draft")
def acknowledge(request, revision_id):
    """Acknowledge one warning of the checks; htmx gets the panel back, others a redirect."""
    revision = get_object_or_404(Revision, pk=revision_id)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _refused_acknowledgement(request, revision, _form_problems(form))
    key, note = form.cleaned_data["key"], form.cleaned_data["note"]
    acknowledgement = workflow.acknowledge(revision, key, user=request.user, note=note)
    if request.headers.get("HX-Request"):
        if acknowledgement is None:
            message = {"level": "warning", "text": NOT_IN_SAVED_DRAFT, "key": key}
        else:
            message = {"level": "success", "text": "Warning acknowledged.", "key": key}
        return _panel_in_place(request, revision, message)
    if acknowledgement is None:
        messages.warning(request, NOT_IN_SAVED_DRAFT)
    else:
        messages.success(request, "Warning acknowledged.")
    return redirect("editor_edit", revision.pk)


@require_POST
@editor_page("can_draft")
def acknowledge_all(request, revision_id):
    """Acknowledge every warning the panel shows with one note; htmx gets the panel back,
    others a redirect."""
    revision = get_object_or_404(Revision, pk=revision_id)
    form = AcknowledgeAllForm(request.POST)
    if not form.is_valid():
        return _refused_acknowledgement(request, revision, _form_problems(form))
    keys, note = form.cleaned_data["keys"], form.cleaned_data["note"]
    try:
        done = workflow.acknowledge_all(revision, keys, user=request.user, note=note)
    except ValidationError as error:
        return _refused_acknowledgement(request, revision, error.messages)
    text = f"{len(done)} warning{pluralize(len(done))} acknowledged."
    left = len(set(keys)) - len(done)
    level = "success"
    if left:
        level = "warning"
        them = "it" if left == 1 else "them"
        text += (
            f" {left} not: already acknowledged, or in text you have not saved yet (save the "
            f"draft, then acknowledge {them})."
        )
    if request.headers.get("HX-Request"):
        return _panel_in_place(request, revision, {"level": level, "text": text})
    getattr(messages, level)(request, text)
    return redirect("editor_edit", revision.pk)


# --- Review comments -------------------------------------------------------------------


def _comments_context(revision, user, *, form=None):
    """What the comments panel shows: each comment with what the user may do with it,
    and the form for a new one when the user may comment."""
    permissions = Permissions(user)
    comments = list(revision.comments.select_related("author", "resolved_by"))
    for comment in comments:
        comment.revision = revision
    can_comment = permissions.can("comment", revision)
    return {
        "revision": revision,
        "comments": [
            (
                comment,
                permissions.can("resolve_comment", comment),
                permissions.can("reopen_comment", comment),
            )
            for comment in comments
        ],
        "open_comments": sum(comment.is_open for comment in comments),
        "comment_form": form or (CommentForm(revision=revision) if can_comment else None),
    }


def _comments_by_place(revision):
    """{(anchor, position): [ReviewComment]} of the open comments, for the rows."""
    places = {}
    for comment in revision.comments.filter(state=ReviewComment.State.OPEN):
        places.setdefault((comment.anchor, comment.position), []).append(comment)
    return places


@require_POST
@editor_page()
def add_comment(request, revision_id):
    revision = _get_revision(revision_id)
    Permissions(request.user).require("comment", revision)
    form = CommentForm(request.POST, revision=revision)
    if form.is_valid():
        data = form.cleaned_data
        try:
            workflow.add_comment(
                revision,
                anchor=data["anchor"],
                position=data["position"],
                quote=data["quote"],
                text=data["text"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("place", error.messages)
        else:
            messages.success(request, "Comment added: the analysts see it beside the text.")
            return redirect(reverse("editor_review", args=[revision.pk]) + "#comments-panel")
    return _review_page(request, revision, ReviewForm(), comment_form=form, status=400)


@require_POST
@editor_page()
def resolve_comment(request, comment_id):
    comment = get_object_or_404(ReviewComment, pk=comment_id)
    form = ResolveCommentForm(request.POST)
    if form.is_valid():
        workflow.resolve_comment(comment, reply=form.cleaned_data["reply"], user=request.user)
    else:
        # Whoever may not resolve it is told so before being told what is wrong.
        Permissions(request.user).require("resolve_comment", comment)
        messages.error(request, "Not resolved: " + " ".join(form.errors["reply"]))
    if request.headers.get("HX-Request"):
        revision = _get_revision(comment.revision_id)
        return render(
            request, "editor/_comments_panel.html", _comments_context(revision, request.user)
        )
    return redirect(reverse("editor_edit", args=[comment.revision_id]) + "#comments-panel")


@require_POST
@editor_page()
def reopen_comment(request, comment_id):
    comment = get_object_or_404(ReviewComment, pk=comment_id)
    workflow.reopen_comment(comment, user=request.user)
    messages.success(request, "Comment reopened.")
    return redirect(reverse("editor_review", args=[comment.revision_id]) + "#comments-panel")


def _edit_page(request, revision, forms, *, status=200, conflict=None):
    addressees = Addressee.objects.values_list("name", flat=True)
    context = {
        "revision": revision,
        "forms": forms,
        "addressees": addressees,
        "reviews": revision.reviews.all(),
        "conflict": conflict,
        "can": Permissions(request.user).revision_actions(revision),
        **_saved_checks_context(revision, request.user, context=forms.context),
        **_comments_context(revision, request.user),
    }
    # Each open comment beside its row (the rows as saved; a row the analyst moves in the
    # page takes its comments along).
    places = _comments_by_place(revision)
    context["entry_comments"] = places.get(("entry", None), [])
    forms.rating.review_comments = places.get(("rating", None), [])
    for name, formset in (
        ("finding", forms.findings),
        ("recommendation", forms.recommendations),
        ("footnote", forms.footnotes),
    ):
        for number, form in enumerate(formset.forms, 1):
            form.review_comments = places.get((name, number), [])
    return render(request, "editor/edit.html", context, status=status)


def _refused_save_page(request, revision):
    """The edit page after a save that was refused because the stored revision moved on
    (someone saved it, or submitted it, since the user opened it).

    The user's text stays on screen, beside a comparison with what is stored now. If
    the revision is still editable, saving again deliberately replaces the stored
    version; if not, the text is there to copy.
    """
    stored = _get_revision(revision.pk)
    data = request.POST.copy()
    data["version"] = stored.version
    forms = _entry_forms(stored, data)
    content = forms.checkable_content()
    locked = not stored.is_editable
    events = AuditEvent.objects.filter(revision=stored).select_related("actor")
    conflict = {
        "stored": stored,
        "locked": locked,
        "sections": diff_entries(
            revision_content(stored), content.to_entry(stored.assessment.country)
        )
        if content is not None
        else None,
        "saved_by": (events if locked else events.filter(action="save")).first(),
    }
    return _edit_page(request, stored, forms, status=409, conflict=conflict)


@require_http_methods(["GET", "POST"])
@editor_page("can_draft")
def edit(request, revision_id):
    revision = _get_revision(revision_id)
    if not revision.is_editable:
        if request.method == "POST":
            # Submitted (say) by someone else since this user opened the page.
            return _refused_save_page(request, revision)
        state = revision.get_state_display().lower()
        messages.info(request, f"This revision is {state}: it can no longer be edited.")
        return redirect("editor_revision", revision.pk)
    if request.method == "GET":
        return _edit_page(request, revision, _entry_forms(revision))

    forms = _entry_forms(revision, request.POST)
    if not forms.is_valid():
        messages.error(request, "Nothing was saved: correct the fields marked below.")
        return _edit_page(request, revision, forms, status=400)
    content = forms.content()
    try:
        saved = workflow.save_draft(
            revision, content, user=request.user, based_on_version=forms.version
        )
    except workflow.ConflictError:
        return _refused_save_page(request, revision)
    except PermissionDenied:
        # Submitted between the checks above and the save: keep the text on screen too.
        if Revision.objects.get(pk=revision.pk).is_editable:
            raise
        return _refused_save_page(request, revision)
    if request.POST.get("then") == "submit":
        return _submit(request, saved, "Saved and submitted for review.")
    messages.success(request, f"Saved: revision {saved.number} · version {saved.version}.")
    if request.POST.get("then") == "preview":
        return redirect("editor_preview", saved.pk)
    return redirect("editor_edit", saved.pk)


@require_GET
def session_state(request):
    """Whether the browser is still signed in to write drafts, and the form's CSRF token
    if so: the edit page asks before saving, so that an ended session keeps the text.

    Not behind login_required: a signed-out browser must get an answer, not the sign-in
    page. The token changes at sign-in, so a page opened before it needs the new one. A
    session still owing its second factor could not save either: signed out, for this.
    """
    if not request.user.is_authenticated or two_factor.detour(request) is not None:
        response = JsonResponse({"signed_in": False})
    else:
        answer = Permissions(request.user).can_draft()
        if not answer:
            raise PermissionDenied(answer.reason)
        response = JsonResponse({"signed_in": True, "csrf_token": get_token(request)})
    add_never_cache_headers(response)
    return response


@require_POST
@editor_page()
def submit(request, revision_id):
    revision = get_object_or_404(Revision, pk=revision_id)
    return _submit(request, revision, "Submitted for review.")


@require_POST
@editor_page()
def recall(request, revision_id):
    revision = get_object_or_404(Revision, pk=revision_id)
    workflow.recall(revision, user=request.user)
    messages.info(request, "Recalled from review: the revision is a draft again.")
    return redirect("editor_edit", revision.pk)


def _review_page(request, revision, form, *, comment_form=None, status=200):
    last_approved = Revision.objects.last_approved_before(revision)
    previous = Revision.objects.previous_entry(revision.assessment)
    current = revision_content(revision)
    context = {
        "revision": revision,
        "form": form,
        "can": Permissions(request.user).revision_actions(revision),
        "last_approved": last_approved,
        "previous": previous,
        "diff_approved": diff_entries(revision_content(last_approved), current)
        if last_approved
        else None,
        "diff_previous": diff_entries(revision_content(previous), current) if previous else None,
        "recommendation_changes": recommendation_changes(revision, previous) if previous else None,
        **_checks_context(revision, request.user),
        **_comments_context(revision, request.user, form=comment_form),
    }
    return render(request, "editor/review.html", context, status=status)


@require_GET
@editor_page("can_review")
def review(request, revision_id):
    revision = _get_revision(revision_id)
    return _review_page(request, revision, ReviewForm())


def _decision(request, revision_id, action, success):
    """A reviewer's decision (workflow.approve or request_changes) with the review form's
    comment; the review page again, with what is wrong, if the form or the workflow
    refuses it."""
    revision = get_object_or_404(Revision, pk=revision_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        decide = getattr(workflow, action)
        try:
            decide(revision, user=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            form.add_error("comment", error)
        else:
            messages.success(request, success)
            return redirect("editor_dashboard")
    else:
        # Whoever may not decide is told so before being told what is wrong with the form.
        Permissions(request.user).require(action, revision)
    return _review_page(request, _get_revision(revision_id), form, status=400)


@require_POST
@editor_page()
def approve(request, revision_id):
    return _decision(request, revision_id, "approve", "Approved.")


@require_POST
@editor_page()
def request_changes(request, revision_id):
    return _decision(
        request,
        revision_id,
        "request_changes",
        "Changes requested: the analysts have your comments.",
    )


@require_POST
@editor_page()
def publish_correction(request, revision_id):
    revision = get_object_or_404(
        Revision.objects.select_related("assessment__country", "assessment__outlook"),
        pk=revision_id,
    )
    return _publishing(request, workflow.publish_correction, revision, page="editor_revision")


@require_POST
@editor_page()
def cancel_publication(request, job_id):
    job = get_object_or_404(PublicationJob.objects.select_related("outlook"), pk=job_id)
    page = (
        redirect("editor_revision", job.revision_id)
        if job.revision_id
        else redirect("editor_outlook", job.outlook_id)
    )
    try:
        workflow.cancel_publication(job, user=request.user)
    except PermissionDenied as refusal:
        # Started (or ended) since the page was shown: say so there. Anything else (a
        # role the user lacks) is a refusal page.
        if not Permissions(request.user).has_role(EDITOR):
            raise
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The scheduled publication is cancelled: nothing was published.")
    return page


# --- An archive's matches -------------------------------------------------------------


def _matches_page(request, *, status=200):
    pending = (
        LineageMatch.objects.filter(decision=LineageMatch.Decision.TO_CONFIRM)
        .select_related(
            "recommendation__addressee",
            "recommendation__revision__assessment__country",
            "recommendation__revision__assessment__outlook__region",
            "predecessor__addressee",
            "predecessor__revision__assessment__outlook",
        )
        .order_by(
            "recommendation__revision__assessment__outlook__region__name",
            "recommendation__revision__assessment__country__official_name",
            "recommendation__revision__assessment__outlook__period",
            "recommendation__position",
        )
    )
    page = Paginator(pending, 25).get_page(request.GET.get("page"))
    rows = [
        {
            "match": match,
            "entry": match.recommendation.revision.assessment,
            "earlier": match.predecessor.revision.assessment.outlook,
            "diff": word_diff(match.predecessor.text, match.recommendation.text),
        }
        for match in page
    ]
    return render(request, "editor/matches.html", {"page": page, "rows": rows}, status=status)


@require_GET
@editor_page("can_decide_matches")
def matches(request):
    """The uncertain matches of imported archives (assessments.lineage), per country and
    edition: the earlier text and the later side by side, to confirm or split."""
    return _matches_page(request)


@require_POST
@editor_page("can_decide_matches")
def decide_match(request, match_id):
    match = get_object_or_404(LineageMatch, pk=match_id)
    form = MatchDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was decided: choose to confirm or to split the match.")
        return _matches_page(request, status=400)
    try:
        match = workflow.decide_match(match, form.cleaned_data["decision"], user=request.user)
    except PermissionDenied as refusal:
        match.refresh_from_db()
        if match.decision == LineageMatch.Decision.TO_CONFIRM:
            raise
        # Decided in the meantime (a second click, or another analyst): said on the page.
        messages.info(request, str(refusal))
        return redirect("editor_matches")
    entry = match.recommendation.revision.assessment
    what = (
        "continues the earlier one"
        if match.continues
        else "is a new recommendation, not the earlier one's successor"
    )
    messages.success(
        request,
        f"{entry.country.short_name}, {entry.outlook.full_title}: recommendation "
        f"{match.recommendation.position} {what}. The tracker shows it.",
    )
    return redirect("editor_matches")


# --- Sources and the audit log -------------------------------------------------------


@require_GET
@editor_page("can_draft")
def source_search(request):
    """Library sources matching a query, as a list to pick from (an htmx fragment)."""
    form = SourceSearchForm(request.GET)
    if not form.is_valid():
        # An htmx fragment in the results' place: htmx shows no answer of status 4xx.
        return HttpResponse(
            format_html(
                '<p class="small text-danger mb-0">Not searched. {}</p>',
                " ".join(form.errors["q"]),
            )
        )
    query = form.cleaned_data["q"]
    sources = Source.objects.none()
    if len(query) >= 2:
        sources = Source.objects.filter(
            Q(title__icontains=query)
            | Q(document_symbol__icontains=query)
            | Q(issuer__icontains=query)
            | Q(url__icontains=query)
        ).order_by("-date", "title")[:15]
    return render(request, "editor/_source_results.html", {"sources": sources, "query": query})


@require_GET
@editor_page("can_view_audit_log")
def audit_log(request):
    """Every save and change of state, newest first, filtered by edition, action, person
    and words of the description (a country's name, a comment's words)."""
    events = AuditEvent.objects.select_related("actor", "outlook", "revision__assessment__country")
    form = AuditFilterForm(request.GET)
    status = 200 if form.is_valid() else 400
    for name, problems in form.errors.items():
        # Refused before any query: a control character, or more than a filter holds.
        messages.error(
            request, f"{form.fields[name].label}: {' '.join(problems)} The filter was not applied."
        )
    selected = {name: form.cleaned_data.get(name, "") for name in form.fields}
    # "²".isdigit() is true but int("²") fails: isascii too.
    if selected["outlook"].isascii() and selected["outlook"].isdigit():
        events = events.filter(outlook_id=selected["outlook"])
    if selected["action"]:
        events = events.filter(action=selected["action"])
    if selected["actor"].isascii() and selected["actor"].isdigit():
        events = events.filter(actor_id=selected["actor"])
    if selected["q"]:
        events = events.filter(
            Q(description__icontains=selected["q"]) | Q(data__comment__icontains=selected["q"])
        )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    actors = get_user_model().objects.filter(
        pk__in=AuditEvent.objects.filter(actor__isnull=False).values("actor_id")
    )
    return render(
        request,
        "editor/audit.html",
        {
            "page": page,
            "actions": actions,
            "actors": actors.order_by("username"),
            "outlooks": Outlook.objects.select_related("region"),
            "selected": selected,
            # The filters again, for the pager's links.
            "query": urlencode({k: v for k, v in selected.items() if v}),
        },
        status=status,
    )


# --- Subscribers and their mail: counts only, never an address ---------------------------


def _announcements():
    # What the list and the report name: the edition, or the corrected entry's country.
    return Announcement.objects.select_related(
        "outlook", "revision__assessment__country", "revision__assessment__outlook"
    )


@require_GET
@editor_page("can_see_subscribers")
def subscribers(request):
    """How many confirmed subscribers follow each region, country and addressee, and the
    announcements of publications with how their mail went, newest first."""
    page = Paginator(_announcements(), 25).get_page(request.GET.get("page"))
    tallies = announcements.tallies(page.object_list)
    rows = [(announcement, tallies[announcement.pk].items()) for announcement in page]
    counts = subscriptions.counts()
    followed = [
        ("Regions", "Region", counts["regions"], "Nobody follows a region."),
        ("Countries", "Country", counts["countries"], "Nobody follows a country."),
        ("Addressees", "Addressee", counts["addressees"], "Nobody follows an addressee."),
    ]
    return render(
        request,
        "editor/subscribers.html",
        {
            "total": counts["total"],
            "followed": followed,
            "page": page,
            "rows": rows,
            "tally_headings": list(announcements.TALLIES),
        },
    )


@require_GET
@editor_page("can_see_subscribers")
def announcement_report(request, announcement_id):
    """How the mail about one publication went: its messages by state, and why those
    that failed or wait did so."""
    announcement = get_object_or_404(_announcements(), pk=announcement_id)
    report = announcements.report(announcement)
    return render(
        request,
        "editor/announcement.html",
        {
            "announcement": announcement,
            "total": report["total"],
            "states": report["states"],
            "reasons": report["reasons"],
        },
    )
