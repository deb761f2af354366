"""Every editor URL x every role x every object state, with the expected status code.

The URLs come from the editor URL configuration: a view added without a rule
here makes test_every_editor_url_has_a_rule fail. A refused request (403) must
change nothing: no audit event, no change of state or content.
"""

from datetime import date

import pytest
from django.urls import URLResolver, get_resolver, reverse

from assessments.models import AuditEvent, EmbargoLink, Outlook, PublicationJob, Revision

from .builders import add_assessment, make_outlook, make_revision

State = Revision.State
ROLES = ["anonymous", "none", "analyst", "reviewer", "editor"]
REVISION_STATES = [
    "draft",
    "changes_requested",
    "submitted",
    "approved",
    "published",
    "correction_draft",
    "correction_approved",
]
OUTLOOK_STATES = ["draft", "published"]

ANY_ROLE = {"analyst", "reviewer", "editor"}


def only(role, *, when=None, ok=302, otherwise=403):
    """A rule: `ok` for `role` in the states `when` (all when None), else `otherwise`;
    403 for every other role."""

    def expect(user_role, state):
        if user_role != role:
            return 403
        return ok if when is None or state in when else otherwise

    return expect


def everyone(user_role, state):
    return 200 if user_role in ANY_ROLE else 403


EDITABLE = {"draft", "changes_requested", "correction_draft"}
DRAFT, PUBLISHED, SUBMITTED = {"draft"}, {"published"}, {"submitted"}
OS, AS, RS = OUTLOOK_STATES, OUTLOOK_STATES, REVISION_STATES
COMMENT_STATES = [
    "open_changes_requested",
    "open_submitted",
    "resolved_submitted",
    "resolved_approved",
]

# url name: (method, object kind, states, expectation(role, state))
RULES = {
    "editor_dashboard": ("get", None, [None], everyone),
    "editor_outlooks": ("get", None, [None], everyone),
    "editor_outlook_new": ("get", None, [None], only("editor", ok=200)),
    "editor_outlook": ("get", "outlook", OS, everyone),
    "editor_add_country": ("post", "outlook", OS, only("editor", when=DRAFT)),
    "editor_publish": ("post", "outlook", OS, only("editor", when=DRAFT)),
    # No publication job: 286, htmx's "stop asking".
    "editor_publication": (
        "get",
        "outlook",
        OS,
        lambda role, state: 286 if role in ANY_ROLE else 403,
    ),
    "editor_board": ("get", "outlook", OS, everyone),
    "editor_share_embargoed": ("post", "outlook", OS, only("editor", when=DRAFT)),
    "editor_plan_edition": ("post", "outlook", OS, only("editor", when=DRAFT)),
    "editor_assessment": ("get", "assessment", AS, everyone),
    "editor_assign": ("post", "assessment", AS, only("editor", when=DRAFT)),
    "editor_take": ("post", "assessment", AS, only("analyst", when=DRAFT)),
    "editor_remove_country": ("post", "assessment", AS, only("editor", when=DRAFT)),
    "editor_move_country": ("post", "assessment", AS, only("editor", when=DRAFT)),
    "editor_start_correction": ("post", "assessment", AS, only("analyst", when=PUBLISHED)),
    "editor_revision": ("get", "revision", RS, everyone),
    "editor_preview": ("get", "revision", RS, everyone),
    "editor_edit": ("get", "revision", RS, only("analyst", when=EDITABLE, ok=200, otherwise=302)),
    "editor_submit": ("post", "revision", RS, only("analyst", when=EDITABLE)),
    "editor_recall": ("post", "revision", RS, only("analyst", when=SUBMITTED)),
    "editor_checks": ("get", "revision", RS, everyone),
    "editor_preview_live": ("post", "revision", RS, only("analyst", when=EDITABLE, ok=200)),
    "editor_checks_live": ("post", "revision", RS, only("analyst", when=EDITABLE, ok=200)),
    "editor_acknowledge": ("post", "revision", RS, only("analyst", when=EDITABLE)),
    "editor_acknowledge_all": ("post", "revision", RS, only("analyst", when=EDITABLE)),
    "editor_review": ("get", "revision", RS, only("reviewer", ok=200)),
    "editor_approve": ("post", "revision", RS, only("reviewer", when=SUBMITTED)),
    "editor_request_changes": ("post", "revision", RS, only("reviewer", when=SUBMITTED)),
    "editor_publish_correction": (
        "post",
        "revision",
        RS,
        only("editor", when={"correction_approved"}),
    ),
    "editor_add_comment": ("post", "revision", RS, only("reviewer", when=SUBMITTED)),
    # A comment, open or resolved, on a revision in the state after the underscore.
    "editor_resolve_comment": (
        "post",
        "comment",
        COMMENT_STATES,
        only("analyst", when={"open_changes_requested"}),
    ),
    "editor_reopen_comment": (
        "post",
        "comment",
        COMMENT_STATES,
        only("reviewer", when={"resolved_submitted"}),
    ),
    # A publication job in the state given: the editor is told on the page when it is no
    # longer scheduled (302 either way); nobody else may cancel anything.
    "editor_cancel_publication": (
        "post",
        "job",
        ["scheduled", "queued", "running", "cancelled"],
        only("editor"),
    ),
    # An embargoed preview's link, open or already withdrawn.
    "editor_revoke_embargoed": (
        "post",
        "embargo",
        ["open", "revoked"],
        only("editor", when={"open"}),
    ),
    "editor_matches": ("get", None, [None], only("analyst", ok=200)),
    # A match already decided is said so on the page it redirects to.
    "editor_decide_match": ("post", "match", ["to_confirm", "linked"], only("analyst")),
    "editor_source_search": ("get", None, [None], only("analyst", ok=200)),
    "editor_audit": ("get", None, [None], only("editor", ok=200)),
    "editor_subscribers": ("get", None, [None], only("editor", ok=200)),
    # The mail about a published edition, or about a correction of one of its entries.
    "editor_announcement": (
        "get",
        "announcement",
        ["edition", "correction"],
        only("editor", ok=200),
    ),
    # Signed out, the answer is "signed out" (JSON), not the sign-in page: see below.
    "editor_session": ("get", None, [None], only("analyst", ok=200)),
}
# The URLs that answer a signed-out browser themselves rather than send it to sign in.
ANONYMOUS_ANSWERS = {"editor_session": 200}


def editor_url_names(patterns=None):
    """The name of every editor URL, those grouped under an include() too."""
    if patterns is None:
        patterns = get_resolver("assessments.editor_urls").url_patterns
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= editor_url_names(pattern.url_patterns)
        else:
            names.add(pattern.name)
    return names


def test_every_editor_url_has_a_rule():
    assert editor_url_names() == set(RULES)


def make_object(kind, state, author):
    if kind is None:
        return {}
    if kind == "match":
        return {"match_id": make_match(state).pk}
    if kind == "job":
        return {"job_id": make_job(state, author).pk}
    if kind == "embargo":
        return {"link_id": make_embargo_link(state, author).pk}
    if kind == "announcement":
        return {"announcement_id": make_announcement(state, author).pk}
    if kind == "comment":
        from assessments.models import ReviewComment

        comment_state, revision_state = state.split("_", 1)
        outlook = make_outlook(period=date(2024, 5, 1))
        assessment = add_assessment(outlook, "KP", with_revision=False)
        revision = make_revision(assessment, state=revision_state, user=author)
        comment = ReviewComment.objects.create(
            revision=revision,
            anchor="entry",
            text="Say more.",
            author=author,
            state=comment_state,
        )
        return {"comment_id": comment.pk}
    if kind in ("outlook", "assessment"):
        outlook = make_outlook(period=date(2024, 5, 1), published=state == "published")
        revision_state = State.PUBLISHED if state == "published" else State.DRAFT
        assessment = add_assessment(outlook, "KP", state=revision_state, user=author)
        add_assessment(outlook, "JP", state=revision_state, user=author)
        if kind == "outlook":
            return {"outlook_id": outlook.pk}
        return {"assessment_id": assessment.pk, "direction": "down"}
    published = state.startswith("correction") or state == "published"
    outlook = make_outlook(period=date(2024, 5, 1), published=published)
    if state.startswith("correction"):
        assessment = add_assessment(outlook, "KP", state=State.PUBLISHED)
        target = State.DRAFT if state == "correction_draft" else State.APPROVED
        revision = make_revision(assessment, state=target, user=author)
    else:
        assessment = add_assessment(outlook, "KP", with_revision=False)
        revision = make_revision(assessment, state=state, user=author)
    revision.contributors.add(author)
    return {"revision_id": revision.pk}


def make_job(state, author, outlook=None):
    """A publication job of a ready draft edition: scheduled (in an hour), asked for at
    once (queued), running, or a cancelled schedule."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import PublicationJob

    if outlook is None:
        outlook = make_outlook(period=date(2024, 5, 1))
        add_assessment(outlook, "KP", state=State.APPROVED, user=author)
    scheduled = state in ("scheduled", "cancelled")
    return PublicationJob.objects.create(
        outlook=outlook,
        kind="publish",
        requested_by=author,
        scheduled_for=timezone.now() + timedelta(hours=1) if scheduled else None,
        state={"scheduled": "queued"}.get(state, state),
    )


def make_embargo_link(state, author, outlook=None):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import EmbargoLink

    now = timezone.now()
    return EmbargoLink.objects.create(
        outlook=outlook or make_outlook(period=date(2024, 5, 1)),
        recipient="Jane Doe",
        embargoed_until=now + timedelta(days=1),
        expires_at=now + timedelta(days=2),
        created_by=author,
        revoked_at=now if state == "revoked" else None,
    )


def make_announcement(kind, author):
    """The mail to subscribers about a published edition, or about a correction of its
    entry: one message sent, one failed."""
    from assessments.models import Announcement, Delivery

    outlook = make_outlook(period=date(2024, 5, 1), published=True)
    entry = add_assessment(outlook, "KP", state=State.PUBLISHED, user=author)
    revision = entry.published_revision if kind == "correction" else None
    announcement = Announcement.objects.create(kind=kind, outlook=outlook, revision=revision)
    for state in (Delivery.State.SENT, Delivery.State.FAILED):
        Delivery.objects.create(announcement=announcement, state=state, error="550 refused")
    return announcement


def make_match(decision):
    """An archive's match between the sample's first recommendation and the one of a
    later archive's entry, with `decision`."""
    from assessments.models import LineageMatch, Recommendation

    earlier = Recommendation.objects.order_by("pk").first()
    outlook = make_outlook(period=date(2024, 2, 1), published=True)
    entry = add_assessment(outlook, "KP", state=State.PUBLISHED).published_revision
    return LineageMatch.objects.create(
        recommendation=entry.recommendations.get(),
        predecessor=earlier,
        similarity=0.7,
        decision=decision,
    )


def url_kwargs(name, objects):
    kwargs = dict(objects)
    if name != "editor_move_country":
        kwargs.pop("direction", None)
    return kwargs


def snapshot():
    return (
        AuditEvent.objects.count(),
        list(PublicationJob.objects.order_by("pk").values_list("pk", "state")),
        list(EmbargoLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(Revision.objects.order_by("pk").values_list("pk", "state", "version")),
        list(Outlook.objects.order_by("pk").values_list("pk", "state")),
        list(
            Outlook.objects.order_by("pk").values_list("assessments__pk", "assessments__position")
        ),
    )


CASES = [
    (name, role, state)
    for name, (_, _, states, _) in RULES.items()
    for role in ROLES
    for state in states
]


@pytest.mark.parametrize("name, role, state", CASES)
def test_permission_matrix(client, make_user, published_sample, name, role, state):
    method, kind, _, expect = RULES[name]
    author = make_user("author", "analyst")
    objects = make_object(kind, state, author)
    if role != "anonymous":
        client.force_login(make_user(f"user-{role}", *([] if role == "none" else [role])))
    url = reverse(name, kwargs=url_kwargs(name, objects))
    data = {"comment": "Please cite the 2024 report."} if name == "editor_request_changes" else {}
    if name == "editor_decide_match":
        data = {"decision": "split"}
    if name == "editor_acknowledge_all":
        data = {"note": "Each was read.", "key": ["numbers.grouping:finding:0"]}
    if name == "editor_add_comment":
        data = {"place": "entry", "text": "Say more."}
    if name == "editor_share_embargoed":
        from datetime import timedelta

        from django.utils import timezone

        soon = timezone.localtime() + timedelta(days=1)
        data = {
            "recipient": "Jane Doe",
            "embargoed_until": soon.strftime("%Y-%m-%dT%H:%M"),
            "expires_at": soon.strftime("%Y-%m-%dT%H:%M"),
        }
    if name == "editor_add_country":
        from assessments.models import Country

        data = {"country": Country.objects.get(code="KR").pk}
    before = snapshot()
    response = getattr(client, method)(url, data)
    if role == "anonymous" and name in ANONYMOUS_ANSWERS:
        assert response.status_code == ANONYMOUS_ANSWERS[name]
        assert snapshot() == before
        return
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert snapshot() == before
        return
    expected = expect(role, state)
    assert response.status_code == expected, f"{method.upper()} {url} as {role} in {state}"
    if expected in (403, 405) or method == "get":
        assert snapshot() == before


def test_transitions_are_refused_for_get(client, erin, published_sample):
    """A transition is a POST: a GET (a link, a prefetch) never changes anything."""
    client.force_login(erin)
    outlook = published_sample
    response = client.get(reverse("editor_publish", args=[outlook.pk]))
    assert response.status_code == 405


# --- The gate itself -------------------------------------------------------------------


def test_a_superuser_holds_every_role_and_an_inactive_user_none(django_user_model, alice):
    from assessments.permissions import ROLES, Permissions

    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "pass-12345")
    assert Permissions(boss).roles == frozenset(ROLES)
    alice.is_active = False
    assert Permissions(alice).roles == frozenset()
    assert not Permissions(alice).can_open_editor()


def test_the_four_eyes_rule_says_why(ready_draft, alice, bob, make_user):
    from assessments import workflow
    from assessments.permissions import Permissions

    submitted = workflow.submit(ready_draft, user=alice)
    both = make_user("petra", "analyst", "reviewer")
    submitted.contributors.add(both)
    answer = Permissions(both).can_approve(submitted)
    assert not answer
    assert answer.reason == "You contributed to this revision: another reviewer must approve it."
    assert Permissions(bob).can_approve(submitted)


def test_a_refusal_names_the_state(ready_draft, alice):
    from assessments.permissions import Permissions

    assert Permissions(alice).can("recall", ready_draft).reason == (
        "This revision is draft: it cannot be recalled now."
    )


def test_can_publish_says_what_is_missing(edition, erin, alice):
    from assessments.permissions import Permissions

    answer = Permissions(erin).can_publish(edition)
    assert not answer and answer.reason == "DPRK has no approved revision."
    assert Permissions(alice).can_publish(edition).reason == "This needs the editor role."


def refused_by_the_table(
    action, ready_draft, edition, published_sample, match, user, *, job=None, link=None
):
    """Call the workflow function of `action` as `user`, who lacks its role (`job` is a
    scheduled publication, `link` an embargoed preview's)."""
    from assessments import workflow
    from assessments.content import DraftContent
    from assessments.models import Country, ReviewComment

    assessment = edition.assessments.get()
    comment = ReviewComment.objects.create(
        revision=ready_draft, anchor="entry", text="x", author=ready_draft.created_by or user
    )
    calls = {
        "save": lambda: workflow.save_draft(
            ready_draft,
            DraftContent.from_revision(ready_draft),
            user=user,
            based_on_version=ready_draft.version,
        ),
        "submit": lambda: workflow.submit(ready_draft, user=user),
        "recall": lambda: workflow.recall(ready_draft, user=user),
        "approve": lambda: workflow.approve(ready_draft, user=user),
        "request_changes": lambda: workflow.request_changes(ready_draft, user=user, comment="x"),
        "create_edition": lambda: workflow.create_edition(
            edition.region, date(2025, 1, 1), user=user
        ),
        "add_country": lambda: workflow.add_country(
            edition, Country.objects.get(code="JP"), user=user
        ),
        "remove_country": lambda: workflow.remove_country(assessment, user=user),
        "assign": lambda: workflow.assign(assessment, analyst=None, reviewer=None, user=user),
        "take": lambda: workflow.take(assessment, user=user),
        "plan_edition": lambda: workflow.plan_edition(
            edition, drafts_due=None, reviews_due=None, user=user
        ),
        "move_country": lambda: workflow.move_country(assessment, 1, user=user),
        "publish": lambda: workflow.publish(edition, user=user),
        "cancel_publication": lambda: workflow.cancel_publication(job, user=user),
        "share_embargoed": lambda: workflow.share_embargoed(
            edition,
            recipient="x",
            embargoed_until=link.embargoed_until,
            expires_at=link.expires_at,
            user=user,
        ),
        "revoke_embargoed": lambda: workflow.revoke_embargoed(link, user=user),
        "start_correction": lambda: workflow.start_correction(
            published_sample.assessments.get(), user=user
        ),
        "publish_correction": lambda: workflow.publish_correction(ready_draft, user=user),
        "comment": lambda: workflow.add_comment(ready_draft, anchor="entry", text="x", user=user),
        "resolve_comment": lambda: workflow.resolve_comment(comment, user=user),
        "reopen_comment": lambda: workflow.reopen_comment(comment, user=user),
        "confirm_match": lambda: workflow.decide_match(match, "confirmed", user=user),
        "split_match": lambda: workflow.decide_match(match, "split", user=user),
        "import": lambda: workflow.store_imported_edition(
            edition.region,
            date(2025, 1, 1),
            title="T",
            introduction="",
            publish=False,
            acting_user=user,
        ),
    }
    return calls[action]


def test_every_action_of_the_table_is_guarded_by_it(
    ready_draft, edition, published_sample, charlie
):
    """Each workflow action asks the gate: someone without the role is refused with the
    table's reason, and nothing is written."""
    from django.core.exceptions import PermissionDenied

    from assessments.permissions import TRANSITIONS

    match = make_match("to_confirm")
    job = make_job("scheduled", charlie, outlook=edition)
    link = make_embargo_link("open", charlie, outlook=edition)
    for action, rule in TRANSITIONS.items():
        before = snapshot()
        call = refused_by_the_table(
            action, ready_draft, edition, published_sample, match, charlie, job=job, link=link
        )
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert str(refused.value) == f"This needs the {rule.role} role.", action
        assert snapshot() == before, action


# --- Two-factor sign-in ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("has_authenticator", [True, False])
def test_an_editor_signed_in_with_the_password_alone_opens_no_editor_url(
    client, make_user, published_sample, name, has_authenticator
):
    """Until the second factor: the code step for an editor who has an authenticator, the
    set-up page for one who has none; nothing changes."""
    from tests.second_factor import authenticator

    method, kind, states, _ = RULES[name]
    author = make_user("author", "analyst")
    objects = make_object(kind, states[0], author)
    editor = make_user("user-editor", "editor")
    if has_authenticator:
        authenticator(editor)
    response = client.post(
        reverse("login"), {"username": "user-editor", "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    url = reverse(name, kwargs=url_kwargs(name, objects))
    before = snapshot()
    response = getattr(client, method)(url, {})
    if name == "editor_session":
        # The edit page's question gets an answer, not a page: not signed in to save.
        assert response.json() == {"signed_in": False}
        return
    step = "two_factor_verify" if has_authenticator else "two_factor_setup"
    assert response.status_code == 302
    assert response.url.startswith(reverse(step) + "?next="), response.url
    assert snapshot() == before


def account_url_names():
    from outlook.urls import accounts

    return {pattern.name for pattern in accounts if pattern.name.startswith("two_factor")}


def redirects(role):
    return 302


# The account pages of two-factor sign-in, as each role signed in with both factors
# (force_login, tests/conftest.py): editors have an authenticator, which they may not turn
# off; the others have none, so there are no recovery codes to show or make and nothing to
# turn off or verify.
ACCOUNT_RULES = {
    "two_factor": ("get", lambda role: 200),
    "two_factor_setup": ("get", lambda role: 200),
    "two_factor_verify": ("get", redirects),
    "two_factor_codes": ("get", redirects),
    "two_factor_new_codes": ("post", redirects),
    "two_factor_off": ("post", lambda role: 403 if role == "editor" else 302),
}


def test_every_two_factor_url_has_a_rule():
    assert account_url_names() == set(ACCOUNT_RULES)


@pytest.mark.parametrize("name", sorted(ACCOUNT_RULES))
@pytest.mark.parametrize("role", ROLES)
def test_two_factor_permission_matrix(client, make_user, name, role):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    method, expect = ACCOUNT_RULES[name]
    user = None
    if role != "anonymous":
        user = make_user(f"user-{role}", *([] if role == "none" else [role]))
        client.force_login(user)
    devices = list(TOTPDevice.objects.values_list("pk", "key"))
    response = getattr(client, method)(reverse(name), {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expect(role), f"{method.upper()} {name} as {role}"
    if method == "post" and name != "two_factor_new_codes":
        assert list(TOTPDevice.objects.values_list("pk", "key")) == devices
