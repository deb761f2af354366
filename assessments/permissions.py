"""Who may do what: the one gate every permission question goes through.

TRANSITIONS is the table of the workflow: for each action, the role that may take it,
the states its object must be in, the state it leaves the object in, and any further
condition (four eyes, corrections only). `Permissions(user)` answers for one user, with
the reason when the answer is no. The workflow's actions ask it (on the locked row)
before they act; views ask it which pages to open, templates (through the context
processor) which buttons and links to show, emails whom to tell. Nothing else decides
a permission, and the editorial group names appear only here and in migrations.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import dateformat, timezone

from .models import (
    Assessment,
    EmbargoLink,
    LineageMatch,
    Outlook,
    PublicationJob,
    ReviewComment,
    Revision,
)

# The Django groups of the editorial roles; a superuser holds every role.
ANALYST, REVIEWER, EDITOR = "analyst", "reviewer", "editor"
ROLES = (ANALYST, REVIEWER, EDITOR)

State = Revision.State
Edition = Outlook.State
Match = LineageMatch.Decision
Comment = ReviewComment.State
EDITABLE = frozenset({State.DRAFT, State.CHANGES_REQUESTED})


@dataclass(frozen=True)
class Answer:
    """Yes, or no with the reason a person can read."""

    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


YES = Answer(True)


def no(reason):
    return Answer(False, reason)


# --- Conditions beyond role and state -----------------------------------------------
# Each takes the user and the object and returns the reason for a no, or "".


def _not_a_contributor(user, revision):
    # Four eyes: whoever wrote any part of a revision cannot be the one to approve it.
    if any(contributor.pk == user.pk for contributor in revision.contributors.all()):
        return "You contributed to this revision: another reviewer must approve it."
    return ""


def _a_correction(user, revision):
    if not revision.in_published_edition:
        return "This revision is published with its outlook, not on its own."
    return ""


def _not_being_published(user, obj):
    # A publication under way (a worker's job) publishes what the edition held when it
    # was asked for: its countries stay as they are, and a second request waits its turn.
    outlook = _outlook_of(obj)
    job = PublicationJob.objects.active().filter(outlook=outlook, kind="publish").first()
    if job is None:
        return ""
    if job.is_scheduled:
        return (
            f"{outlook.full_title} is scheduled to be published on {_when(job)}: "
            "cancel the schedule to change it."
        )
    return f"A publication of {outlook.full_title} is already under way."


def _a_correction_not_under_way(user, revision):
    reason = _a_correction(user, revision)
    job = PublicationJob.objects.active().filter(revision=revision).first() if not reason else None
    if job is not None and job.is_scheduled:
        return f"This correction is scheduled to be published on {_when(job)}."
    if job is not None:
        return "The publication of this correction is already under way."
    return reason


def _when(job):
    return scheduled_time(job.scheduled_for)


def scheduled_time(moment):
    """A scheduled moment as editors read it: "1 December 2026 at 09:00 (UTC)"."""
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y')} at {local:%H:%M} ({local.tzname()})"


def _not_revoked(user, link):
    if link.revoked_at is not None:
        return "This preview link is already withdrawn."
    return ""


def _cancellable(user, job):
    # Until a worker starts it: a publication that has begun finishes, all or nothing.
    if job.state == PublicationJob.State.RUNNING:
        return "This publication has started: it can no longer be cancelled."
    if not job.is_active:
        return f"This publication is {job.get_state_display().lower()}: there is nothing to cancel."
    if job.scheduled_for is None:
        return "This publication was asked for at once: a worker is about to carry it out."
    return ""


def _correctable(user, assessment):
    if assessment.published_revision_id is None:
        return "Only a published entry can be corrected."
    if assessment.revisions.in_progress().exists():
        return "This entry already has a revision in progress."
    return ""


def _free_to_take(user, assessment):
    if assessment.analyst_id == user.pk:
        return "You are already asked to write this entry."
    if assessment.analyst_id is not None:
        writer = assessment.analyst.get_full_name() or assessment.analyst.username
        return f"{writer} is asked to write this entry: an editor can change that."
    if assessment.reviewer_id == user.pk:
        # Four eyes, in the plan too: the one asked to review it is not its writer.
        return "You are asked to review this entry: an editor can ask someone else first."
    return ""


def _revision_being_revised(user, comment):
    # The analyst answers comments while the revision is back with them.
    revision = comment.revision
    if revision.state not in EDITABLE:
        return (
            f"This revision is {revision.get_state_display().lower()}: its comments are "
            "resolved while it is a draft."
        )
    return ""


def _revision_under_review(user, comment):
    revision = comment.revision
    if revision.state not in (State.SUBMITTED, State.CHANGES_REQUESTED):
        return f"This revision is {revision.get_state_display().lower()}: its comments are closed."
    return ""


@dataclass(frozen=True)
class Rule:
    role: str
    # The states the object (a revision, or an assessment's or outlook's edition) must
    # be in, and what the action leaves it in; None for actions that create the object.
    sources: frozenset | None
    target: str | None
    # Why not, when the object is in another state; {state} and {title} are filled in.
    refusal: str = ""
    condition: Callable[..., str] | None = None


def _states(*states):
    return frozenset(states)


TRANSITIONS = {
    # Review comments (ReviewComment): a reviewer's on a submitted revision, resolved by
    # an analyst while it is back with them, reopened by a reviewer.
    "comment": Rule(
        REVIEWER,
        _states(State.SUBMITTED),
        None,
        "This revision is {state}: comments are made while it is submitted for review.",
    ),
    "resolve_comment": Rule(
        ANALYST,
        _states(Comment.OPEN),
        Comment.RESOLVED,
        "This comment is already {state}.",
        _revision_being_revised,
    ),
    "reopen_comment": Rule(
        REVIEWER,
        _states(Comment.RESOLVED),
        Comment.OPEN,
        "This comment is {state}.",
        _revision_under_review,
    ),
    # A revision of an entry: drafted by analysts, decided by reviewers.
    "save": Rule(ANALYST, EDITABLE, None, "This revision is {state}: it cannot be edited now."),
    "submit": Rule(
        ANALYST, EDITABLE, State.SUBMITTED, "This revision is {state}: it cannot be submitted now."
    ),
    "recall": Rule(
        ANALYST,
        _states(State.SUBMITTED),
        State.DRAFT,
        "This revision is {state}: it cannot be recalled now.",
    ),
    "approve": Rule(
        REVIEWER,
        _states(State.SUBMITTED),
        State.APPROVED,
        "This revision is {state}: it cannot be approved now.",
        _not_a_contributor,
    ),
    "request_changes": Rule(
        REVIEWER,
        _states(State.SUBMITTED),
        State.CHANGES_REQUESTED,
        "This revision is {state}: it cannot be sent back now.",
    ),
    # An edition: made and published by editors, whose countries are fixed once published.
    "create_edition": Rule(EDITOR, None, Edition.DRAFT),
    "add_country": Rule(
        EDITOR,
        _states(Edition.DRAFT),
        None,
        "{title} is published: its countries are fixed.",
        _not_being_published,
    ),
    "remove_country": Rule(
        EDITOR,
        _states(Edition.DRAFT),
        None,
        "{title} is published: its countries are fixed.",
        _not_being_published,
    ),
    "move_country": Rule(
        EDITOR,
        _states(Edition.DRAFT),
        None,
        "{title} is published: its countries are fixed.",
        _not_being_published,
    ),
    # The newsroom's plan of a draft edition: who is asked to write and review each
    # entry, and by when. Editors assign; an analyst may take an entry nobody writes.
    "assign": Rule(EDITOR, _states(Edition.DRAFT), None, "{title} is published: nothing is due."),
    "take": Rule(
        ANALYST,
        _states(Edition.DRAFT),
        None,
        "{title} is published: nothing is due.",
        _free_to_take,
    ),
    "plan_edition": Rule(
        EDITOR, _states(Edition.DRAFT), None, "{title} is published: nothing is due."
    ),
    # Asked for by the editor, carried out by a worker (assessments.jobs).
    "publish": Rule(
        EDITOR,
        _states(Edition.DRAFT),
        Edition.PUBLISHED,
        "{title} is already published.",
        _not_being_published,
    ),
    # A scheduled publication (edition or correction), until a worker starts it.
    "cancel_publication": Rule(EDITOR, None, PublicationJob.State.CANCELLED, "", _cancellable),
    # Embargoed previews of a draft edition for readers outside the team.
    "share_embargoed": Rule(
        EDITOR, _states(Edition.DRAFT), None, "{title} is published: everyone can read it."
    ),
    "revoke_embargoed": Rule(EDITOR, None, None, "", _not_revoked),
    # A published entry: corrected through a new revision, reviewed like any other.
    "start_correction": Rule(
        ANALYST,
        _states(Edition.PUBLISHED),
        None,
        "Only a published entry can be corrected.",
        _correctable,
    ),
    "publish_correction": Rule(
        EDITOR,
        _states(State.APPROVED),
        State.PUBLISHED,
        "This revision is {state}: it cannot be published now.",
        _a_correction_not_under_way,
    ),
    # Storing a file of outlooks (the importer); the system (no user) always may.
    "import": Rule(EDITOR, None, None),
    # An archive's uncertain match (assessments.lineage): an analyst says whether the
    # recommendation continues the earlier one or is a new one.
    "confirm_match": Rule(
        ANALYST, _states(Match.TO_CONFIRM), Match.CONFIRMED, "This match is already {state}."
    ),
    "split_match": Rule(
        ANALYST, _states(Match.TO_CONFIRM), Match.SPLIT, "This match is already {state}."
    ),
}

# The actions offered on a revision's pages.
REVISION_ACTIONS = (
    "save",
    "submit",
    "recall",
    "approve",
    "request_changes",
    "publish_correction",
    "comment",
)


def _outlook_of(obj):
    if isinstance(obj, Outlook):
        return obj
    if isinstance(obj, Assessment):
        return obj.outlook
    if isinstance(obj, ReviewComment):
        return obj.revision.assessment.outlook
    if isinstance(obj, PublicationJob | EmbargoLink):
        return obj.outlook
    return obj.assessment.outlook


def _state_of(obj):
    """The state a rule's `sources` are about: a revision's own, a match's decision, or
    an entry's or edition's edition."""
    if isinstance(obj, LineageMatch):
        return obj.decision
    return obj.state if isinstance(obj, Revision | ReviewComment) else _outlook_of(obj).state


def _refusal(rule, obj):
    state = ""
    if isinstance(obj, Revision | ReviewComment):
        state = obj.get_state_display()
    elif isinstance(obj, LineageMatch):
        state = obj.get_decision_display()
    title = _outlook_of(obj).full_title if "{title}" in rule.refusal else ""
    return rule.refusal.format(state=state.lower(), title=title)


def roles(user):
    """The editorial roles a user holds; a superuser holds them all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    # Asked many times per request (views, templates): read the groups once per user object.
    cached = getattr(user, "_outlook_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._outlook_roles = cached
    return cached


def two_factor_required(user):
    """Whether the user must sign in with a second factor: editors and superusers (who hold
    every role), unless the site turns the requirement off (OUTLOOK_REQUIRE_TWO_FACTOR)."""
    return settings.OUTLOOK_REQUIRE_TWO_FACTOR and EDITOR in roles(user)


class Permissions:
    """What one user may do: `can(action, obj)` answers from TRANSITIONS; the other
    methods answer the questions pages ask. Every answer carries its reason."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def roles(self):
        return roles(self.user)

    def has_role(self, role):
        return role in self.roles

    def _role(self, role, what):
        if self.has_role(role):
            return YES
        return no(f"{what} needs the {role} role.")

    # --- Pages --------------------------------------------------------------------

    def can_open_editor(self):
        if self.roles:
            return YES
        return no("Your account has no role that may open this page.")

    def can_draft(self):
        """Write drafts: the entry editor, its previews and checks, the source library."""
        return self._role(ANALYST, "Writing drafts")

    def can_review(self):
        """Open review pages."""
        return self._role(REVIEWER, "Reviewing")

    def can_view_audit_log(self):
        return self._role(EDITOR, "The audit log")

    def can_see_subscribers(self):
        """See how many subscribers follow what, and how each announcement's mail went
        (counts only: no page shows a subscriber's address)."""
        return self._role(EDITOR, "Subscribers and their mail")

    def can_create_edition(self):
        return self.can("create_edition")

    def can_see_embargoed_links(self):
        """See the embargoed previews' links (bearer secrets) and who opened them."""
        return self._role(EDITOR, "Embargoed previews")

    def can_decide_matches(self):
        """Open the list of an archive's matches to confirm or split."""
        return self._role(TRANSITIONS["confirm_match"].role, "Confirming matches")

    def must_use_two_factor(self):
        return two_factor_required(self.user)

    def can_turn_off_two_factor(self):
        """Turn off one's own two-factor sign-in: not those of whom it is required."""
        if self.must_use_two_factor():
            return no(
                "Editors and administrators sign in with two factors: it cannot be turned off. "
                "Set up a new authenticator instead if you are replacing yours."
            )
        return YES

    # --- Actions --------------------------------------------------------------------

    def can(self, action, obj=None):
        """Whether this user may apply `action` to `obj` now, by the table."""
        rule = TRANSITIONS[action]
        if not self.has_role(rule.role):
            return no(f"This needs the {rule.role} role.")
        if rule.sources is not None and _state_of(obj) not in rule.sources:
            return no(_refusal(rule, obj))
        if rule.condition is not None:
            reason = rule.condition(self.user, obj)
            if reason:
                return no(reason)
        return YES

    def can_carry_out(self, action):
        """Whether a job this user asked for (a publication) may still be done for them:
        the rule's role, asked again when a worker runs it. The states are the job's to
        check, and the rule's "already under way" condition is the job itself."""
        role = TRANSITIONS[action].role
        if self.has_role(role):
            return YES
        return no(f"This needs the {role} role, which {self.user} no longer holds.")

    def require(self, action, obj=None):
        """Raise PermissionDenied, with the reason, unless the user may."""
        answer = self.can(action, obj)
        if not answer:
            raise PermissionDenied(answer.reason)

    def revision_actions(self, revision):
        """{action: Answer} for the buttons of a revision's pages."""
        actions = {action: self.can(action, revision) for action in REVISION_ACTIONS}
        # Opening the review page of a submitted revision (deciding may still be refused).
        actions["review"] = self.can_review() if revision.state == State.SUBMITTED else no("")
        return actions

    def can_edit(self, revision):
        return self.can("save", revision)

    def can_approve(self, revision):
        return self.can("approve", revision)

    def can_change_countries(self, outlook):
        return self.can("add_country", outlook)

    def can_correct(self, assessment):
        return self.can("start_correction", assessment)

    def can_publish(self, outlook):
        """May publish the edition now: the permission, and an edition ready for it."""
        answer = self.can("publish", outlook)
        if not answer:
            return answer
        problems = outlook.publication_problems()
        return no(" ".join(problems)) if problems else YES


def users_with_role(role):
    """Active users who hold `role` (superusers hold every role)."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=role) | Q(is_superuser=True), is_active=True)
        .distinct()
    )


def editorial_team():
    """Active users who hold any editorial role."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name__in=ROLES) | Q(is_superuser=True), is_active=True)
        .distinct()
    )
