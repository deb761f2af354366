"""The Django admin, for superusers: reference data and the libraries are edited here;
everything the workflow governs is only read here.

The workflow (assessments.workflow) is the one writer of editorial state: it asks the
permission gate, applies four eyes and writes the audit log. The admin therefore shows
editions, entries, revisions and their rows, reviews, acknowledgements, PDFs and the
audit log without offering to change them, superusers included (a draft edition's title
and introduction excepted). What published entries print from (a source, an addressee,
the risk framework, a country's code) is read-only once the record uses it, as in the
database (migration 0008). Users who appear in the record are deactivated, not deleted.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.db import IntegrityError, router, transaction
from django.http import HttpResponseRedirect

from . import search_index, workflow
from .models import (
    Addressee,
    Announcement,
    Assessment,
    AuditEvent,
    CheckAcknowledgement,
    Country,
    Delivery,
    DeliveryAttempt,
    DroppedRecommendation,
    EmbargoLink,
    EmbargoOpening,
    Finding,
    Footnote,
    LineageMatch,
    Outlook,
    OutlookPdf,
    PublicationGeneration,
    PublicationJob,
    Recommendation,
    Region,
    RenderedText,
    Review,
    ReviewComment,
    Revision,
    RiskLevel,
    RiskStatus,
    SearchEntry,
    SearchWord,
    Source,
    StoredExport,
    Subscription,
    TrackedRecommendation,
    TrackedStep,
)


class RefusalsAsMessages:
    """A write that reaches a rule of the database (migrations 0004 and 0008) which the
    page did not foresee is rolled back and reported on the page, not a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._reporting_refusals(
            request, super().changeform_view, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._reporting_refusals(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # Actions, such as deleting the selected rows, run here.
        return self._reporting_refusals(request, super().changelist_view, extra_context)

    def _reporting_refusals(self, request, view, *args):
        try:
            # A savepoint of its own, so that the refusal leaves the connection usable.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args)
        except IntegrityError as error:
            reason = str(error).splitlines()[0].rstrip(".")
            self.message_user(
                request, f"The database refused this change: {reason}.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())


class ModelAdmin(RefusalsAsMessages, admin.ModelAdmin):
    pass


class GovernedByTheWorkflow:
    """Rows only the workflow writes: shown here, never added, changed or deleted here,
    which would go around the permission gate, four eyes and the audit log."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FrozenOnceInTheRecord:
    """Reference rows that entries print from (models.InTheRecord). Once a revision under
    review or published uses one, its PRINTED_FIELDS are read-only, and the page says
    why and what to do instead; the database refuses the change too (migration 0008)."""

    instead = ""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.in_record():
            fields += [name for name in obj.PRINTED_FIELDS if name not in fields]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if request.method == "GET" and obj is not None and obj.in_record():
            what = self.model._meta.verbose_name
            printed = ", ".join(
                str(self.model._meta.get_field(name).verbose_name) for name in obj.PRINTED_FIELDS
            )
            self.message_user(
                request,
                f"This {what} is used by an entry under review or published: what the entry "
                f"prints of it ({printed}) cannot change. {self.instead}",
                messages.WARNING,
            )
        return super().change_view(request, object_id, form_url, extra_context)


# --- Reference data and the libraries ----------------------------------------------------


@admin.register(Region)
class RegionAdmin(ModelAdmin):
    list_display = ["name", "slug", "is_demo"]
    # Only seed_demo makes a demo region: a flag set here would mark real editions as
    # fictional, and one cleared would take the mark off fictional ones.
    readonly_fields = ["is_demo"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Country)
class CountryAdmin(FrozenOnceInTheRecord, ModelAdmin):
    list_display = ["official_name", "short_name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["official_name", "short_name", "code"]
    list_select_related = ["region"]
    instead = "The code identifies the country's entries; its names may still change."

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # Its names find its entries in search: the index takes the new ones.
            search_index.index_country(obj)


@admin.register(RiskLevel)
class RiskLevelAdmin(FrozenOnceInTheRecord, ModelAdmin):
    list_display = ["name", "rank", "colour"]
    instead = (
        "For another name or rank, add a new risk level; its colour and description, which "
        "explain it to readers, may still change."
    )


@admin.register(RiskStatus)
class RiskStatusAdmin(FrozenOnceInTheRecord, ModelAdmin):
    list_display = ["name", "position"]
    instead = (
        "For another name, add a new risk status; its position and description may still change."
    )


@admin.register(Addressee)
class AddresseeAdmin(FrozenOnceInTheRecord, ModelAdmin):
    list_display = ["name", "slug", "group"]
    list_filter = ["group"]
    search_fields = ["name"]
    instead = "For another name, add a new addressee and use it in a correction of the entry."


@admin.register(Source)
class SourceAdmin(FrozenOnceInTheRecord, ModelAdmin):
    list_display = ["__str__", "document_symbol", "issuer", "date", "url"]
    search_fields = ["title", "document_symbol", "issuer", "url"]
    list_filter = ["issuer"]
    date_hierarchy = "date"
    instead = "To cite a corrected source, add a new source and cite it in a correction."


# --- Editions and their entries --------------------------------------------------------


class AssessmentInline(GovernedByTheWorkflow, admin.TabularInline):
    # Countries are added, removed and ordered by the workflow, which records it.
    model = Assessment
    fields = ["position", "country", "published_revision"]
    extra = 0


@admin.register(Outlook)
class OutlookAdmin(ModelAdmin):
    list_display = ["title", "period", "region", "state", "published_on", "published_at"]
    list_filter = ["state", "region"]
    search_fields = ["title", "slug"]
    date_hierarchy = "period"
    inlines = [AssessmentInline]
    list_select_related = ["region"]
    # An edition is made (region, period, slug) and published (state, date, PDF) by the
    # workflow; a draft's title and introduction may be edited here.
    readonly_fields = [
        "region",
        "period",
        "slug",
        "state",
        "published_on",
        "published_at",
        "published_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    def get_deleted_objects(self, objs, request):
        # A draft edition goes with its entries, drafts and their rows, which have no
        # delete page of their own: their refusal does not stop it; a published edition's
        # own refusal does.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed &= {Outlook._meta.verbose_name}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        title = obj.full_title
        super().delete_model(request, obj)
        workflow.audit(request.user, "delete_edition", f"Deleted the draft edition {title}")

    def delete_queryset(self, request, queryset):
        for outlook in queryset:
            self.delete_model(request, outlook)


@admin.register(OutlookPdf)
class OutlookPdfAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["file", "outlook", "country", "created_at"]
    list_filter = ["outlook"]


@admin.register(Assessment)
class AssessmentAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["country", "outlook", "position", "published_revision"]
    list_filter = ["outlook__region", "outlook"]
    search_fields = ["country__official_name", "country__short_name", "outlook__title"]
    list_select_related = ["country", "outlook", "published_revision"]


# --- Revisions, their rows and their reviews ----------------------------------------------


class ShownInline(GovernedByTheWorkflow):
    """A revision's rows on its page, as they are: no blank rows to add."""

    extra = 0


class FindingInline(ShownInline, admin.StackedInline):
    model = Finding


class RecommendationInline(ShownInline, admin.TabularInline):
    model = Recommendation


class FootnoteInline(ShownInline, admin.TabularInline):
    model = Footnote


class ReviewInline(ShownInline, admin.TabularInline):
    model = Review


@admin.register(Revision)
class RevisionAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["assessment", "number", "state", "risk_level", "risk_status", "updated_at"]
    list_filter = ["state", "risk_level", "risk_status", "assessment__outlook"]
    search_fields = ["assessment__country__official_name", "assessment__country__short_name"]
    list_select_related = [
        "assessment__country",
        "assessment__outlook",
        "risk_level",
        "risk_status",
    ]
    inlines = [FindingInline, RecommendationInline, FootnoteInline, ReviewInline]


@admin.register(Finding)
class FindingAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["__str__", "revision", "position"]
    search_fields = ["text"]
    list_filter = ["revision__state"]
    list_select_related = ["revision__assessment__country", "revision__assessment__outlook"]


@admin.register(Recommendation)
class RecommendationAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["text", "addressee", "revision", "position"]
    search_fields = ["text", "addressee__name"]
    list_filter = ["addressee", "revision__state"]
    list_select_related = [
        "addressee",
        "revision__assessment__country",
        "revision__assessment__outlook",
    ]


@admin.register(DroppedRecommendation)
class DroppedRecommendationAdmin(GovernedByTheWorkflow, ModelAdmin):
    """Why a revision drops a recommendation of the previous edition: content, written
    in the editor with the revision."""

    list_display = ["lineage", "reason", "revision"]
    list_filter = ["reason"]
    list_select_related = ["revision__assessment__country", "revision__assessment__outlook"]


@admin.register(LineageMatch)
class LineageMatchAdmin(GovernedByTheWorkflow, ModelAdmin):
    """The importer's matches between archive recommendations: decided in the editor."""

    list_display = ["recommendation", "predecessor", "similarity", "decision", "decided_by"]
    list_filter = ["decision"]
    list_select_related = ["recommendation__addressee", "predecessor__addressee", "decided_by"]


@admin.register(TrackedRecommendation)
class TrackedRecommendationAdmin(GovernedByTheWorkflow, ModelAdmin):
    """The recommendation tracker, derived at publication (assessments.tracker): to look at."""

    list_display = ["lineage", "country", "addressee", "status", "editions", "last_period"]
    list_filter = ["status", "addressee_group"]
    search_fields = ["text"]
    list_select_related = ["country", "addressee"]


@admin.register(TrackedStep)
class TrackedStepAdmin(GovernedByTheWorkflow, ModelAdmin):
    """A tracked recommendation in one edition, derived with the tracker: to look at."""

    list_display = ["tracked", "outlook", "status", "reason"]
    list_filter = ["status"]
    list_select_related = ["tracked", "outlook__region"]


@admin.register(Footnote)
class FootnoteAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["number", "source", "pinpoint", "revision"]
    search_fields = ["source__title", "source__document_symbol", "source__url"]
    list_select_related = [
        "source",
        "revision__assessment__country",
        "revision__assessment__outlook",
    ]


@admin.register(SearchEntry)
class SearchEntryAdmin(GovernedByTheWorkflow, ModelAdmin):
    """The search index, derived at publication (assessments.search_index): to look at."""

    list_display = ["kind", "country", "period", "position", "revision"]
    list_filter = ["kind"]
    list_select_related = [
        "country",
        "revision__assessment__country",
        "revision__assessment__outlook",
    ]


@admin.register(SearchWord)
class SearchWordAdmin(GovernedByTheWorkflow, ModelAdmin):
    """The vocabulary of "did you mean", derived with the search index: to look at."""

    list_display = ["word"]
    search_fields = ["word"]


@admin.register(StoredExport)
class StoredExportAdmin(GovernedByTheWorkflow, ModelAdmin):
    """The open data stored at publication (assessments.stored_exports): to look at."""

    list_display = ["kind", "outlook", "created_at", "file"]
    list_filter = ["kind"]
    list_select_related = ["outlook__region"]


@admin.register(Review)
class ReviewAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["revision", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    list_select_related = [
        "revision__assessment__country",
        "revision__assessment__outlook",
        "reviewer",
    ]


@admin.register(CheckAcknowledgement)
class CheckAcknowledgementAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["revision", "key", "user", "created_at"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(GovernedByTheWorkflow, ModelAdmin):
    # Made, resolved and reopened in the editor (workflow.add_comment...), audited there.
    list_display = ["revision", "anchor", "position", "author", "state", "created_at"]
    list_filter = ["state", "anchor"]


@admin.register(AuditEvent)
class AuditEventAdmin(GovernedByTheWorkflow, ModelAdmin):
    # The audit log is a record: in the database too it only grows (migration 0008).
    list_display = ["created_at", "actor", "action", "description"]
    list_filter = ["action"]
    search_fields = ["description"]
    date_hierarchy = "created_at"


# --- Derived from the published record (assessments.derived): shown, made by publication --


@admin.register(PublicationGeneration)
class PublicationGenerationAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["value", "changed_at"]


@admin.register(RenderedText)
class RenderedTextAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["revision", "renderer_version", "anchor"]
    list_select_related = ["revision__assessment__country", "revision__assessment__outlook"]


@admin.register(PublicationJob)
class PublicationJobAdmin(GovernedByTheWorkflow, ModelAdmin):
    # Made by an editor's request and carried out by a worker (assessments.jobs).
    list_display = [
        "created_at",
        "kind",
        "outlook",
        "requested_by",
        "scheduled_for",
        "state",
        "attempts",
    ]
    list_filter = ["state", "kind"]
    date_hierarchy = "created_at"


@admin.register(EmbargoLink)
class EmbargoLinkAdmin(GovernedByTheWorkflow, ModelAdmin):
    # Shared and withdrawn on the edition's editor page (workflow.share_embargoed), audited.
    list_display = ["outlook", "recipient", "embargoed_until", "expires_at", "revoked_at"]
    list_select_related = ["outlook__region"]


@admin.register(EmbargoOpening)
class EmbargoOpeningAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["opened_at", "link", "what", "address"]
    list_select_related = ["link__outlook__region"]


# --- Readers who follow by email (assessments.subscriptions): made by readers, sent by ---
# --- workers; shown without the address or the key of a subscriber's links -------------


@admin.register(Subscription)
class SubscriptionAdmin(GovernedByTheWorkflow, ModelAdmin):
    # A subscriber changes or leaves through their own links; the address and the key
    # (which would open them) are not shown even here.
    list_display = ["pk", "confirmed_at", "updated_at"]
    exclude = ["email", "key"]
    date_hierarchy = "confirmed_at"


@admin.register(Announcement)
class AnnouncementAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["created_at", "kind", "outlook", "planned_at", "finished_at"]
    list_select_related = ["outlook__region"]
    list_filter = ["kind"]


@admin.register(Delivery)
class DeliveryAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["pk", "announcement", "state", "attempts", "sent_at", "error"]
    list_select_related = ["announcement__outlook__region"]
    list_filter = ["state"]
    exclude = ["subscription"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(GovernedByTheWorkflow, ModelAdmin):
    list_display = ["at", "delivery", "outcome", "error"]
    list_filter = ["outcome"]


# --- Users ------------------------------------------------------------------------------


def record_of(user):
    """What `user` did in the editorial record, as a phrase, or "" if nothing."""
    counts = {
        "audit event": AuditEvent.objects.filter(actor=user).count(),
        "revision created": Revision.objects.filter(created_by=user).count(),
        "revision contributed to": user.contributed_revisions.count(),
        "review": Review.objects.filter(reviewer=user).count(),
        "acknowledged warning": CheckAcknowledgement.objects.filter(user=user).count(),
        "review comment": ReviewComment.objects.filter(author=user).count(),
        "edition published": Outlook.objects.filter(published_by=user).count(),
    }
    return ", ".join(f"{what}: {count}" for what, count in counts.items() if count)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(RefusalsAsMessages, auth_admin.UserAdmin):
    """Who did what stays in the record: a user who appears in it is deactivated (they
    can no longer sign in, and hold no role), never deleted; the database refuses the
    deletion too. A user who did nothing may still be deleted."""

    actions = ["deactivate"]

    @admin.action(description="Deactivate selected users (they can no longer sign in)")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)

    def get_deleted_objects(self, objs, request):
        # The delete pages list these as what stops the deletion, and delete nothing.
        in_record = [
            f"{user} appears in the editorial record ({record}). Deactivate the account "
            "instead: untick Active on its page, or use the Deactivate action."
            for user in objs
            if (record := record_of(user))
        ]
        if in_record:
            return [], {}, set(), in_record
        return super().get_deleted_objects(objs, request)
