"""The Django admin, for superusers: reference data and the libraries are edited here;
editorial records are read here and changed only through the workflow (a published
revision is read-only, and what the workflow makes cannot be added by hand)."""

from django.contrib import admin

from .models import (
    Addressee,
    Assessment,
    AuditEvent,
    CheckAcknowledgement,
    Country,
    Finding,
    Footnote,
    Outlook,
    OutlookPdf,
    Recommendation,
    Region,
    Review,
    Revision,
    RiskLevel,
    RiskStatus,
    Source,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["official_name", "short_name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["official_name", "short_name", "code"]
    list_select_related = ["region"]


@admin.register(RiskLevel)
class RiskLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "rank", "colour"]


@admin.register(RiskStatus)
class RiskStatusAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]


class MadeByTheWorkflow:
    """Rows that only the workflow creates (assessments.workflow): an edition and its
    entries, their PDFs, reviews, acknowledgements and the audit log. Adding one here
    would go around the permission gate and the audit log."""

    def has_add_permission(self, request, obj=None):
        return False


class AssessmentInline(MadeByTheWorkflow, admin.TabularInline):
    model = Assessment
    fields = ["position", "country", "published_revision"]
    readonly_fields = ["published_revision"]
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(Outlook)
class OutlookAdmin(MadeByTheWorkflow, admin.ModelAdmin):
    list_display = ["title", "period", "region", "state", "published_at"]
    list_filter = ["state", "region"]
    search_fields = ["title", "slug"]
    date_hierarchy = "period"
    inlines = [AssessmentInline]
    list_select_related = ["region"]
    # Publishing is a workflow step (it renders the PDF and moves every entry at once).
    readonly_fields = ["state", "published_at", "published_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_published


@admin.register(OutlookPdf)
class OutlookPdfAdmin(MadeByTheWorkflow, admin.ModelAdmin):
    list_display = ["file", "outlook", "country", "created_at"]
    list_filter = ["outlook"]


@admin.register(Assessment)
class AssessmentAdmin(MadeByTheWorkflow, admin.ModelAdmin):
    list_display = ["country", "outlook", "position", "published_revision"]
    list_filter = ["outlook__region", "outlook"]
    search_fields = ["country__official_name", "country__short_name", "outlook__title"]
    readonly_fields = ["published_revision"]
    list_select_related = ["country", "outlook", "published_revision"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.outlook.is_published


class RevisionContentMixin:
    """A revision's rows change only while it is a draft; the database says so too."""

    def _editable(self, obj):
        revision = obj if isinstance(obj, Revision) else getattr(obj, "revision", None)
        return revision is None or revision.is_editable

    def has_add_permission(self, request, obj=None):
        if not isinstance(self, admin.options.InlineModelAdmin):
            return False  # rows are added on their revision's page
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class FindingInline(RevisionContentMixin, admin.StackedInline):
    model = Finding
    extra = 0


class RecommendationInline(RevisionContentMixin, admin.TabularInline):
    model = Recommendation
    extra = 0
    autocomplete_fields = ["addressee"]


class FootnoteInline(RevisionContentMixin, admin.TabularInline):
    model = Footnote
    extra = 0
    autocomplete_fields = ["source"]


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    readonly_fields = ["reviewer", "decision", "comment", "created_at"]
    can_delete = False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["assessment", "number", "state", "risk_level", "risk_status", "updated_at"]
    list_filter = ["state", "risk_level", "risk_status", "assessment__outlook"]
    search_fields = ["assessment__country__official_name", "assessment__country__short_name"]
    list_select_related = [
        "assessment__country",
        "assessment__outlook",
        "risk_level",
        "risk_status",
    ]
    raw_id_fields = ["assessment", "based_on", "created_by"]
    filter_horizontal = ["contributors"]
    inlines = [FindingInline, RecommendationInline, FootnoteInline, ReviewInline]
    # States move only through the workflow (assessments.workflow), which checks
    # permissions, four eyes and the audit log.
    readonly_fields = ["state", "version", "submitted_at", "published_at", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [field.name for field in self.model._meta.fields] + ["contributors"]
        return self.readonly_fields

    def has_add_permission(self, request):
        return False  # a revision starts from an edition or a correction, in the editor

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.state != Revision.State.PUBLISHED


@admin.register(Addressee)
class AddresseeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "document_symbol", "issuer", "date", "url"]
    search_fields = ["title", "document_symbol", "issuer", "url"]
    list_filter = ["issuer"]
    date_hierarchy = "date"


@admin.register(Review)
class ReviewAdmin(MadeByTheWorkflow, admin.ModelAdmin):
    list_display = ["revision", "reviewer", "decision", "created_at"]
    list_filter = ["decision"]
    raw_id_fields = ["revision"]
    list_select_related = [
        "revision__assessment__country",
        "revision__assessment__outlook",
        "reviewer",
    ]


@admin.register(CheckAcknowledgement)
class CheckAcknowledgementAdmin(MadeByTheWorkflow, admin.ModelAdmin):
    list_display = ["revision", "key", "user", "created_at"]
    raw_id_fields = ["revision"]


@admin.register(AuditEvent)
class AuditEventAdmin(MadeByTheWorkflow, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "description"]
    list_filter = ["action"]
    search_fields = ["description"]
    date_hierarchy = "created_at"
    raw_id_fields = ["outlook", "revision"]

    # The audit log is a record: nobody edits or deletes it, superusers included.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(RevisionContentMixin, admin.ModelAdmin):
    list_display = ["__str__", "revision", "position"]
    search_fields = ["text"]
    list_filter = ["revision__state"]
    readonly_fields = ["revision"]
    list_select_related = ["revision__assessment__country", "revision__assessment__outlook"]


@admin.register(Recommendation)
class RecommendationAdmin(RevisionContentMixin, admin.ModelAdmin):
    list_display = ["text", "addressee", "revision", "position"]
    search_fields = ["text", "addressee__name"]
    list_filter = ["addressee", "revision__state"]
    readonly_fields = ["revision"]
    list_select_related = [
        "addressee",
        "revision__assessment__country",
        "revision__assessment__outlook",
    ]


@admin.register(Footnote)
class FootnoteAdmin(RevisionContentMixin, admin.ModelAdmin):
    list_display = ["number", "source", "pinpoint", "revision"]
    search_fields = ["source__title", "source__document_symbol", "source__url"]
    raw_id_fields = ["source"]
    readonly_fields = ["revision"]
    list_select_related = [
        "source",
        "revision__assessment__country",
        "revision__assessment__outlook",
    ]
