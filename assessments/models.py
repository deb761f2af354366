"""The domain: regions, countries, the risk framework, outlooks and their content.

An Outlook is one edition of a regional report. Each country's entry in it is an
Assessment, whose content lives in Revisions. What the public sees is only ever
reached through `Assessment.published_revision` or `Revision.objects.published()`.
"""

import re
import unicodedata
import uuid
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries as iso_countries
from django_countries.fields import CountryField

from .text_format import (
    UN_SYMBOL_RE,
    citation,
    cited_date,
    month_label,
    validate_line,
    validate_text,
)

# A paragraph longer than this is a mistake (a paste gone wrong), and would slow every check.
TEXT_MAX_LENGTH = 20_000
# A note beside the text: a rationale, a correction note, a comment, a citation.
NOTE_MAX_LENGTH = 5_000
# The words a review comment quotes from the text it is about.
QUOTE_MAX_LENGTH = 500
# What a risk level or status means: printed in the legend beside every risk table, so
# a sentence or two.
DESCRIPTION_MAX_LENGTH = 500


def cached_reverse(name, key):
    """reverse(name, args=[key]) for a page whose address depends on one key (a slug, a
    code), kept once resolved: the public lists link to hundreds of them on one page."""
    return _resolved(get_script_prefix(), name, str(key))


@lru_cache(maxsize=8192)
def _resolved(prefix, name, key):
    # `prefix` is in the key: reverse() puts the script prefix before the path.
    return reverse(name, args=[key])


def at_most(field, length):
    """A database constraint that `field` (text) holds at most `length` characters: the
    limit holds whatever path a write takes, not only in forms."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), length), name=f"%(class)s_{field}_length"
    )


def description_field(what):
    """What a tier of the risk framework (a level, a status) means, for readers."""
    return models.TextField(
        blank=True,
        max_length=DESCRIPTION_MAX_LENGTH,
        validators=[validate_text],
        help_text=f"What the {what} means, in a sentence or two: shown on the method page "
        "and in the legend beside every risk table.",
    )


def normalize_name(name):
    """Fold a country name for matching: case, accents, apostrophes, spacing."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(c for c in name if not unicodedata.combining(c))
    name = re.sub(r"['’`´]", "", name.casefold())
    name = re.sub(r"[^a-z0-9]+", " ", name)
    return name.strip()


def reading_order(name):
    """A sort key that orders names as people read them: letters with accents among the
    plain ones (Åland with the A's, Türkiye before Tuvalu), case aside."""
    return (normalize_name(name), name)


class InTheRecord:
    """A row that published entries print from (a source, an addressee, a tier of the
    risk framework, a country). Once a revision under review or published uses it, the
    fields in PRINTED_FIELDS are part of the record: migration 0008 refuses changing
    them, and the admin shows them read-only. A new row takes a new wording."""

    PRINTED_FIELDS = ()

    def revisions_using(self):
        """The revisions that print from this row."""
        raise NotImplementedError

    def in_record(self):
        return self.pk is not None and self.revisions_using().filter(state__in=IN_RECORD).exists()


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[validate_line])
    slug = models.SlugField(max_length=100, unique=True)
    is_demo = models.BooleanField(
        "demo data",
        default=False,
        help_text="Made by manage.py seed_demo: its editions are fictional, and every "
        "page, PDF and download says so.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


def find_country(countries, name):
    """Of `countries`, the one `name` designates (its ISO code, official name, short name
    or an alias, ignoring case, accents and apostrophes), or None."""
    name = name.strip()
    if re.fullmatch(r"[A-Za-z]{2}", name):
        return next((c for c in countries if c.code.code == name.upper()), None)
    wanted = normalize_name(name)
    if not wanted:
        return None
    return next((c for c in countries if wanted in c.normalized_names()), None)


class Country(InTheRecord, models.Model):
    code = CountryField(unique=True)
    official_name = models.CharField(max_length=200, validators=[validate_line])
    short_name = models.CharField(
        max_length=100,
        validators=[validate_line],
        help_text="The name used in running text and headers, e.g. DPRK.",
    )
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names to recognise on import, one per item."
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="countries", null=True, blank=True
    )

    # The code is the entry's identity (its flag, its address, its history). Names may
    # still change: a country renamed is the same country.
    PRINTED_FIELDS = ("code",)

    class Meta:
        ordering = ["official_name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.official_name

    def get_absolute_url(self):
        return cached_reverse("country", self.code.code.lower())

    def revisions_using(self):
        return Revision.objects.filter(assessment__country=self)

    def names(self):
        return [self.official_name, self.short_name, self.code.name, *self.aliases]

    def normalized_names(self):
        return normalized_country_names(
            self.code.code, self.official_name, self.short_name, tuple(self.aliases)
        )


@lru_cache(maxsize=4096)
def normalized_country_names(code, official_name, short_name, aliases):
    """A country's names, normalised (normalize_name), by what they are made of.

    Kept for the process: every check of an entry compares it with every other country's
    names, and normalising some thousand names again took 80 ms a check. Names that an
    administrator edits make another key, so nothing stale is ever returned."""
    names = [official_name, short_name, iso_countries.name(code), *aliases]
    return frozenset(normalize_name(name) for name in names if name)


class RiskLevel(InTheRecord, models.Model):
    """A tier of the risk framework; rank orders the tiers (higher is worse)."""

    name = models.CharField(max_length=50, unique=True, validators=[validate_line])
    rank = models.PositiveSmallIntegerField(unique=True)
    colour = models.CharField(max_length=7, help_text="Hex colour, e.g. #b71c1c.")
    description = description_field("level")

    # The rank decides the change shown against the previous edition; the colour is style.
    # The description explains the tier to readers, as the method page does, and may be
    # reworded: an entry rated at the level printed its name, not this text (a tier that
    # comes to mean something else is a new level).
    PRINTED_FIELDS = ("name", "rank")

    class Meta:
        ordering = ["rank"]
        constraints = [at_most("description", DESCRIPTION_MAX_LENGTH)]

    def __str__(self):
        return self.name

    def revisions_using(self):
        return Revision.objects.filter(risk_level=self)


class RiskStatus(InTheRecord, models.Model):
    name = models.CharField(max_length=50, unique=True, validators=[validate_line])
    position = models.PositiveSmallIntegerField(unique=True)
    description = description_field("status")

    # As a level's: the description explains; the name is what entries printed.
    PRINTED_FIELDS = ("name",)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "risk statuses"
        constraints = [at_most("description", DESCRIPTION_MAX_LENGTH)]

    def __str__(self):
        return self.name

    def revisions_using(self):
        return Revision.objects.filter(risk_status=self)


class Rating(NamedTuple):
    """An entry's rating as the public reads it: `High/Ongoing`, and the level's rank."""

    level: str
    status: str
    rank: int

    def __str__(self):
        return f"{self.level}/{self.status}"


class OutlookQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Outlook.State.PUBLISHED)

    def newest_first(self):
        """Ordered by Outlook.dated, newest first: the day readers got each edition (an
        undated archive by its period), not the day it was imported."""
        return self.order_by(Coalesce("published_on", "period").desc(), "-published_at")

    def with_publication_problems(self):
        """Fetch what `Outlook.publication_problems()` reads, for many editions at once."""
        entries = Assessment.objects.with_approval().select_related("country").order_by("position")
        return self.prefetch_related(
            Prefetch("assessments", queryset=entries, to_attr="entries_for_publication")
        )


class Outlook(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="outlooks")
    title = models.CharField(max_length=200, validators=[validate_line])
    period = models.DateField(help_text="The first day of the edition's month.")
    slug = models.SlugField(max_length=100, unique=True)
    introduction = models.TextField(
        blank=True, max_length=TEXT_MAX_LENGTH, validators=[validate_text], help_text="Markdown."
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the edition entered this system as published: a publication's moment, or an
    # archive's import. Readers are shown published_on instead.
    published_at = models.DateTimeField(null=True, blank=True)
    published_on = models.DateField(
        "publication date",
        null=True,
        blank=True,
        help_text="The day readers got the edition: the day an editor published it, or "
        "the date an archive's file gives. Empty for an archive that gives none: then "
        "only the period is shown.",
    )
    # Who did what stays in the record: a user who published cannot be deleted, only
    # deactivated (the same for a revision's creator and an audit event's actor).
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The newsroom's plan (not the record): when drafts and reviews are due.
    drafts_due = models.DateField("drafts due", null=True, blank=True)
    reviews_due = models.DateField("reviews due", null=True, blank=True)

    objects = OutlookQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "region__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period"], name="one_outlook_per_region_period"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(published_at__isnull=False),
                name="published_outlook_has_date",
            ),
            at_most("introduction", TEXT_MAX_LENGTH),
        ]

    def __str__(self):
        return self.full_title

    def get_absolute_url(self):
        return cached_reverse("outlook", self.slug)

    @property
    def period_label(self):
        return month_label(self.period)

    @property
    def dated(self):
        """The publication date, or failing one (an undated archive) the first day of the
        period: what orders and dates editions where a date is needed (the feed)."""
        return self.published_on or self.period

    @property
    def full_title(self):
        return f"{self.title} {self.period_label}"

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    @staticmethod
    def make_slug(region_name, period):
        return f"{slugify(region_name)}-{period:%Y-%m}"

    def publication_problems(self):
        """Why the edition cannot be published yet (empty when it can): every entry
        needs an approved revision."""
        entries = getattr(self, "entries_for_publication", None)
        if entries is None:
            entries = (
                self.assessments.with_approval().select_related("country").order_by("position")
            )
        problems = [] if entries else ["The edition has no countries."]
        for assessment in entries:
            if not assessment.has_approved_revision:
                problems.append(f"{assessment.country.short_name} has no approved revision.")
        return problems

    def live_ratings(self):
        """{country id: Rating} of the edition's live entries, in one query."""
        rows = (
            Revision.objects.live()
            .filter(assessment__outlook=self)
            .values_list(
                "assessment__country_id",
                "risk_level__name",
                "risk_status__name",
                "risk_level__rank",
            )
        )
        return {country_id: Rating(*rating) for country_id, *rating in rows}

    def previous_edition(self):
        """The latest published edition of the same region before this one."""
        return (
            Outlook.objects.published()
            .filter(region_id=self.region_id, period__lt=self.period)
            .order_by("-period")
            .first()
        )


class OutlookPdf(models.Model):
    """A rendered PDF of a published edition; corrections add one, old ones are kept."""

    outlook = models.ForeignKey(Outlook, on_delete=models.PROTECT, related_name="pdfs")
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Set for a single country's PDF; empty for the whole edition.",
    )
    file = models.FileField(upload_to="pdf/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"
        verbose_name = "outlook PDF"

    def __str__(self):
        return self.file.name


class StoredExport(models.Model):
    """A download generated at publication and stored (assessments.stored_exports): the
    ratings CSV (no edition), an edition's JSON or its preview image (assessments.preview).
    Derived: the latest of its kind is served, the ones it supersedes are deleted, and any
    can be generated again."""

    class Kind(models.TextChoices):
        RATINGS_CSV = "ratings_csv", "Ratings CSV"
        EDITION_JSON = "edition_json", "Edition JSON"
        EDITION_PREVIEW = "edition_preview", "Edition preview image"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    outlook = models.ForeignKey(
        Outlook,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stored_exports",
        help_text="The edition of an edition's JSON or preview; empty for the ratings CSV.",
    )
    file = models.FileField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "outlook", "-created_at"], name="stored_export_latest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ratings_csv", outlook__isnull=True)
                | Q(kind__in=["edition_json", "edition_preview"], outlook__isnull=False),
                name="stored_export_edition_for_edition_kinds_only",
            )
        ]

    def __str__(self):
        return self.file.name


class AssessmentQuerySet(models.QuerySet):
    def live(self):
        """Entries the public reads: published, in a published edition. Their published
        revision is each one's live revision (RevisionQuerySet.live), reached by an index."""
        return self.filter(outlook__state=Outlook.State.PUBLISHED, published_revision__isnull=False)

    def with_approval(self):
        """Annotate `has_approved_revision`: a revision of the entry awaits publication."""
        approved = Revision.objects.filter(assessment=OuterRef("pk"), state=Revision.State.APPROVED)
        return self.annotate(has_approved_revision=Exists(approved))


class Assessment(models.Model):
    """One country's entry in one outlook."""

    outlook = models.ForeignKey(Outlook, on_delete=models.CASCADE, related_name="assessments")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="assessments")
    position = models.PositiveIntegerField()
    published_revision = models.ForeignKey(
        "Revision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision the public sees. Nothing else is ever shown publicly.",
    )
    # Who is asked to write the entry and who to review it (workflow.assign): not who
    # may; any analyst may help, and any reviewer who did not write it may approve.
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries_to_write",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries_to_review",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["outlook", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlook", "country"], name="one_assessment_per_country_per_outlook"
            ),
            models.UniqueConstraint(
                fields=["outlook", "position"], name="unique_assessment_position"
            ),
        ]

    def __str__(self):
        return f"{self.country.short_name} in {self.outlook}"

    def get_absolute_url(self):
        return reverse("outlook", args=[self.outlook.slug]) + f"#{self.country.code.code.lower()}"

    def next_revision_number(self):
        last = self.revisions.aggregate(last=models.Max("number"))["last"]
        return (last or 0) + 1


class RevisionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Revision.State.PUBLISHED, assessment__outlook__state="published")

    def live(self):
        """Published revisions that are their entry's live version (not superseded by a
        correction): what the public reads today."""
        return self.published().filter(assessment__published_revision_id=F("id"))

    def live_by_id(self):
        """The revisions of live(), selected by id among the entries of published editions.

        The same rows (an entry's published revision is one of its own), in a query
        PostgreSQL estimates well: live()'s join on two columns at once it takes for a
        single row, and at 48,000 entries picks nested loops that take seconds.
        """
        ids = Assessment.objects.live().values("published_revision_id")
        return self.filter(state=Revision.State.PUBLISHED, id__in=ids)

    def previous_entry(self, assessment):
        """The country's live revision in the latest earlier edition of the region, with
        its content, or None: what a new edition copies, and what reviewers compare with."""
        return self.previous_entries(assessment).with_content().first()

    def previous_entries(self, assessment):
        """The country's live revisions in earlier editions of the region, latest first."""
        outlook = assessment.outlook
        return (
            self.live()
            .filter(
                assessment__country_id=assessment.country_id,
                assessment__outlook__region_id=outlook.region_id,
                assessment__outlook__period__lt=outlook.period,
            )
            .order_by("-assessment__outlook__period")
        )

    def last_approved_before(self, revision):
        """The entry's latest approved or published revision before `revision`, with its
        content, or None."""
        return (
            self.with_content()
            .filter(
                assessment_id=revision.assessment_id,
                state__in=[Revision.State.APPROVED, Revision.State.PUBLISHED],
                number__lt=revision.number,
            )
            .order_by("-number")
            .first()
        )

    def in_progress(self):
        return self.filter(state__in=Revision.IN_PROGRESS)

    def with_content(self):
        """Fetch everything a page needs to show a revision, in a fixed number of queries."""
        return self.select_related(
            "assessment__country",
            "assessment__outlook__region",
            "risk_level",
            "risk_status",
            # The stored HTML of a published revision (RenderedText), if any: no query more.
            "rendered",
        ).prefetch_related(
            "findings",
            # With its step in the tracker, if it is live (a draft has none): the page
            # marks it new, repeated or revised with no query more.
            models.Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("addressee", "tracked_step"),
            ),
            models.Prefetch("footnotes", queryset=Footnote.objects.select_related("source")),
            "dropped",
        )


class Revision(models.Model):
    """A version of an assessment's content. Only a draft may change."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    IN_PROGRESS = [State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.APPROVED]

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    risk_level = models.ForeignKey(RiskLevel, on_delete=models.PROTECT, related_name="+")
    risk_status = models.ForeignKey(RiskStatus, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_text],
        help_text="Why the rating differs from the previous edition.",
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Incremented on every save of a draft: a save based on an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="contributed_revisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    correction_note = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_text],
        help_text="Shown publicly with a correction to a published entry.",
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "number"]
        indexes = [
            # The newest publication, in one index step: whether a stored export is
            # older than what is published (assessments.stored_exports).
            models.Index(
                fields=["published_at"],
                condition=Q(state="published"),
                name="revision_published_at",
            ),
            # The newest corrections (the feed): a correction has an earlier published
            # version, so its number is above 1; the first versions, nearly every
            # published revision, are not read.
            models.Index(
                fields=["-published_at"],
                condition=Q(state="published", number__gt=1),
                name="revision_later_published_at",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="unique_revision_number"),
            # At most one revision being worked on or reviewed per assessment.
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(state__in=["draft", "submitted", "changes_requested", "approved"]),
                name="one_revision_in_progress",
            ),
            at_most("rationale", NOTE_MAX_LENGTH),
            at_most("correction_note", NOTE_MAX_LENGTH),
        ]

    def __str__(self):
        return f"{self.assessment} (revision {self.number}, {self.get_state_display().lower()})"

    def get_absolute_url(self):
        return reverse(
            "revision",
            args=[
                self.assessment.outlook.slug,
                self.assessment.country.code.code.lower(),
                self.number,
            ],
        )

    @property
    def is_editable(self):
        return self.state in (self.State.DRAFT, self.State.CHANGES_REQUESTED)

    @property
    def in_published_edition(self):
        """A revision of an entry already published: a correction, once published."""
        return self.assessment.outlook.is_published

    @property
    def published_on(self):
        """The day readers got this version: its edition's publication date for the
        entry's first published version (None for an undated archive, whose entries were
        published on the day of the import), a correction's own day for a later one."""
        if self.published_at is None:
            return None
        if not self.corrects_an_earlier_version():
            return self.assessment.outlook.published_on
        return timezone.localdate(self.published_at)

    def corrects_an_earlier_version(self):
        """Whether an earlier version of the entry was published: read from the
        `is_correction` annotation (editions.with_correction_flag) where there is one."""
        flagged = getattr(self, "is_correction", None)
        if flagged is not None:
            return flagged
        return Revision.objects.filter(
            assessment_id=self.assessment_id, state=Revision.State.PUBLISHED, number__lt=self.number
        ).exists()

    @property
    def rating_label(self):
        return f"{self.risk_level.name}/{self.risk_status.name}"

    def add_content(self, findings=(), recommendations=(), footnotes=(), dropped=()):
        """Write the content's rows, in order: findings are texts, recommendations unsaved
        Recommendations or (addressee, text) pairs, footnotes (number, source, pinpoint)
        triples, dropped unsaved DroppedRecommendations."""
        Finding.objects.bulk_create(
            Finding(revision=self, position=i, text=text) for i, text in enumerate(findings, 1)
        )
        rows = []
        for i, item in enumerate(recommendations, 1):
            if isinstance(item, tuple):
                item = Recommendation(addressee=item[0], text=item[1])
            item.revision, item.position = self, i
            rows.append(item)
        Recommendation.objects.bulk_create(rows)
        Footnote.objects.bulk_create(
            Footnote(revision=self, number=number, source=source, pinpoint=pinpoint)
            for number, source, pinpoint in footnotes
        )
        for item in dropped:
            item.revision = self
        DroppedRecommendation.objects.bulk_create(dropped)

    def recommendation_groups(self):
        """Recommendations grouped by addressee, in the order they were written."""
        return [
            (addressee, list(items))
            for addressee, items in groupby(self.recommendations.all(), key=lambda r: r.addressee)
        ]


# A revision in these states is in the record: what it says is fixed (migration 0004), and
# so is what it prints from the library and the risk framework (InTheRecord, migration 0008).
IN_RECORD = [Revision.State.SUBMITTED, Revision.State.APPROVED, Revision.State.PUBLISHED]


class Finding(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveIntegerField()
    text = models.TextField(
        max_length=TEXT_MAX_LENGTH,
        validators=[validate_text],
        help_text="Markdown; cite footnotes as [^1].",
    )

    class Meta:
        ordering = ["revision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="unique_finding_position"
            ),
            at_most("text", TEXT_MAX_LENGTH),
        ]

    def __str__(self):
        return self.text[:80]


# Words of an addressee's name that suggest its group (Addressee.guess_group), in order.
UN_WORDS = ["un", "united nations", "human rights council", "security council", "ohchr", "unhcr"]
REGIONAL_WORDS = [
    "asean",
    "african union",
    "european union",
    "eu",
    "pacific islands forum",
    "saarc",
    "organization of american states",
    "council of europe",
    "osce",
    "ecowas",
]
GOVERNMENT_WORDS = ["government", "governments", "authorities", "ministry", "military"]


class AddresseeQuerySet(models.QuerySet):
    def find_or_create(self, name):
        """The addressee of that name, whatever its case, added if it is new."""
        return self.filter(name__iexact=name).first() or self.create(name=name)

    def find_or_create_all(self, names):
        """{name.casefold(): Addressee} for the names, adding those that are new."""
        addressees = {}
        for name in names:
            if name.casefold() not in addressees:
                addressees[name.casefold()] = self.find_or_create(name)
        return addressees


class Addressee(InTheRecord, models.Model):
    """Whom a recommendation is to, e.g. The UN Security Council."""

    class Group(models.TextChoices):
        GOVERNMENT = "government", "Governments"
        UN = "un", "UN bodies"
        REGIONAL = "regional", "Regional organisations"
        OTHER = "other", "Others"

    name = models.CharField(max_length=200, unique=True, validators=[validate_line])
    slug = models.SlugField(max_length=200, unique=True)
    group = models.CharField(
        max_length=20,
        choices=Group.choices,
        default=Group.OTHER,
        help_text="How the recommendation tracker groups addressees. Guessed from the "
        "name when the addressee is added; correct it here.",
    )

    objects = AddresseeQuerySet.as_manager()

    # The slug is the address of the public page of the addressee's recommendations.
    PRINTED_FIELDS = ("name", "slug")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.free_slug(self.name)
        if self._state.adding and self.group == self.Group.OTHER:
            self.group = self.guess_group(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return cached_reverse("addressee", self.slug)

    @classmethod
    def guess_group(cls, name):
        """The group a new addressee's name suggests; an editor corrects it in the admin."""
        folded = f" {' '.join(re.findall(r'[a-z0-9]+', name.casefold()))} "
        if any(f" {word} " in folded for word in UN_WORDS):
            return cls.Group.UN
        if any(f" {word} " in folded for word in REGIONAL_WORDS):
            return cls.Group.REGIONAL
        if any(f" {word} " in folded for word in GOVERNMENT_WORDS):
            return cls.Group.GOVERNMENT
        return cls.Group.OTHER

    @property
    def in_sentence(self):
        """The name inside a sentence ("Recommendations to the UN Security Council"):
        a leading "The" loses its capital; at the start of one ("The UN Security Council
        should:") the name is used as it is."""
        first, space, rest = self.name.partition(" ")
        return f"the {rest}" if first == "The" and rest else self.name

    def revisions_using(self):
        return Revision.objects.filter(recommendations__addressee=self)

    @classmethod
    def free_slug(cls, name):
        """A slug for `name` no other addressee has: names in other scripts slugify to
        nothing, and names that differ in punctuation alone to the same slug."""
        base = slugify(name)[:190] or "addressee"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class Implementation(models.TextChoices):
    """How far a repeated recommendation has been acted on, in the analyst's judgement."""

    NOT_IMPLEMENTED = "not_implemented", "Not implemented"
    PARTLY_IMPLEMENTED = "partly_implemented", "Partly implemented"
    IMPLEMENTED = "implemented", "Implemented"


class Recommendation(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="recommendations")
    addressee = models.ForeignKey(
        Addressee, on_delete=models.PROTECT, related_name="recommendations"
    )
    position = models.PositiveIntegerField()
    text = models.TextField(
        max_length=TEXT_MAX_LENGTH, validators=[validate_text], help_text="Markdown."
    )
    # The recommendation's identity across editions (assessments.tracker): a new edition's
    # copy and a correction's copy keep it, a recommendation written afresh gets a new one.
    # Part of the content, fixed with it once submitted.
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    implementation = models.CharField(
        max_length=20,
        choices=Implementation.choices,
        blank=True,
        help_text="For a recommendation made before: how far it has been acted on.",
    )
    # The footnote (by number, in the same revision) that gives the evidence for it.
    evidence = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["revision", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="unique_recommendation_position"
            ),
            # One recommendation continues another at most once in an entry.
            models.UniqueConstraint(
                fields=["revision", "lineage"], name="unique_recommendation_lineage"
            ),
            models.CheckConstraint(
                condition=Q(evidence__isnull=True) | ~Q(implementation=""),
                name="recommendation_evidence_for_implementation",
            ),
            at_most("text", TEXT_MAX_LENGTH),
        ]

    def __str__(self):
        return f"{self.addressee}: {self.text[:60]}"


class DropReason(models.TextChoices):
    IMPLEMENTED = "implemented", "Implemented"
    PARTLY_IMPLEMENTED = "partly_implemented", "Partly implemented"
    SUPERSEDED = "superseded", "Superseded by another recommendation"
    NO_LONGER_RELEVANT = "no_longer_relevant", "No longer relevant"
    OTHER = "other", "Other"


class DroppedRecommendation(models.Model):
    """Why a recommendation of the country's previous edition is not made in this revision:
    part of the revision's content, reviewed and published with it (and fixed with it,
    migration 0019). `lineage` names the recommendation dropped (Recommendation.lineage)."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="dropped")
    lineage = models.UUIDField()
    reason = models.CharField(max_length=20, choices=DropReason.choices)
    # For SUPERSEDED: the lineage of the recommendation of this revision that replaces it.
    superseded_by = models.UUIDField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_text])

    class Meta:
        ordering = ["revision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "lineage"], name="one_drop_reason_per_recommendation"
            ),
            models.CheckConstraint(
                condition=Q(reason="superseded", superseded_by__isnull=False)
                | (~Q(reason="superseded") & Q(superseded_by__isnull=True)),
                name="dropped_superseded_by_for_superseded_only",
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="dropped_other_has_note"
            ),
            at_most("note", NOTE_MAX_LENGTH),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.lineage})"


class LineageMatch(models.Model):
    """An archive's recommendation that the importer found like one of the country's
    previous edition (assessments.lineage): linked to it when alike enough, else left
    for an analyst to confirm (it continues the earlier one) or split (it is new). The
    tracker reads a linked or confirmed match as the recommendation's lineage.

    Not the entry's content: the text stays as published; this records how the
    archive's recommendations follow one another, and who decided it."""

    class Decision(models.TextChoices):
        LINKED = "linked", "Linked by the importer"
        TO_CONFIRM = "to_confirm", "To confirm"
        CONFIRMED = "confirmed", "Confirmed"
        SPLIT = "split", "Split: a new recommendation"

    CONTINUES = (Decision.LINKED, Decision.CONFIRMED)

    recommendation = models.OneToOneField(
        Recommendation, on_delete=models.CASCADE, related_name="match"
    )
    predecessor = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(help_text="0 to 1: how alike the two texts are.")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lineage matches"
        indexes = [
            models.Index(
                fields=["decision"], condition=Q(decision="to_confirm"), name="match_to_confirm"
            )
        ]

    def __str__(self):
        return (
            f"{self.get_decision_display()}: {self.recommendation_id} after {self.predecessor_id}"
        )

    @property
    def continues(self):
        return self.decision in self.CONTINUES


class SourceQuerySet(models.QuerySet):
    def for_citation(self, text, url=""):
        """The library's source for a footnote as printed, added if it is new, with the
        UN document symbol and the date the citation names."""
        existing = self.filter(title=text, url=url).order_by("pk").first()
        if existing:
            return existing
        symbol = UN_SYMBOL_RE.search(text) or UN_SYMBOL_RE.search(url)
        return self.create(
            title=text,
            url=url,
            document_symbol=symbol.group(0).rstrip(".") if symbol else "",
            date=cited_date(text),
        )


class Source(InTheRecord, models.Model):
    """A reusable citation: a UN document, a report, a web page."""

    title = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_text],
        help_text="The citation as printed in a footnote; empty for a bare URL.",
    )
    issuer = models.CharField(max_length=200, blank=True, validators=[validate_line])
    document_symbol = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_line],
        help_text="UN document symbol, e.g. A/HRC/46/52.",
    )
    date = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)

    objects = SourceQuerySet.as_manager()

    # What a footnote prints of its source, and where its link leads.
    PRINTED_FIELDS = ("title", "issuer", "document_symbol", "date", "url")

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["document_symbol"])]
        constraints = [at_most("title", NOTE_MAX_LENGTH)]

    def __str__(self):
        return self.title or self.url

    def revisions_using(self):
        return Revision.objects.filter(footnotes__source=self)

    @property
    def link(self):
        """Where a reader follows the citation: its URL, or the UN document's official page."""
        if self.url:
            # Forms and the importer accept only web addresses; never link anything else.
            return self.url if self.url.startswith(("https://", "http://")) else ""
        if self.document_symbol:
            return f"https://docs.un.org/en/{self.document_symbol}"
        return ""


class Footnote(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="footnotes")
    number = models.PositiveIntegerField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="footnotes")
    pinpoint = models.CharField(
        max_length=200, blank=True, validators=[validate_line], help_text="e.g. para. 12, p. 4"
    )

    class Meta:
        ordering = ["revision", "number"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "number"], name="unique_footnote_number")
        ]

    def __str__(self):
        return f"{self.number}. {self.text}"

    @property
    def text(self):
        return citation(self.source.title, self.pinpoint)


class Review(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH, validators=[validate_text])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [at_most("comment", TEXT_MAX_LENGTH)]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.reviewer} on {self.revision}"


class ReviewComment(models.Model):
    """A reviewer's comment on one part of a revision (the rating, a finding, a
    recommendation, a footnote, or the entry as a whole), with the words it is about
    when the reviewer selected some. The analyst resolves it, with a reply if they like;
    the reviewer may reopen it. Part of the audit, never public."""

    class Anchor(models.TextChoices):
        ENTRY = "entry", "The entry as a whole"
        RATING = "rating", "The rating"
        FINDING = "finding", "Finding"
        RECOMMENDATION = "recommendation", "Recommendation"
        FOOTNOTE = "footnote", "Footnote"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    # The anchors that name a row, by its number in the revision when commented on.
    NUMBERED = (Anchor.FINDING, Anchor.RECOMMENDATION, Anchor.FOOTNOTE)

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="comments")
    anchor = models.CharField(max_length=20, choices=Anchor.choices)
    position = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True, max_length=QUOTE_MAX_LENGTH, validators=[validate_text])
    text = models.TextField(max_length=NOTE_MAX_LENGTH, validators=[validate_text])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_text])

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            at_most("quote", QUOTE_MAX_LENGTH),
            at_most("text", NOTE_MAX_LENGTH),
            at_most("reply", NOTE_MAX_LENGTH),
            models.CheckConstraint(
                condition=Q(anchor__in=["finding", "recommendation", "footnote"], position__gte=1)
                | Q(anchor__in=["entry", "rating"], position__isnull=True),
                name="comment_position_with_its_anchor",
            ),
        ]
        indexes = [
            models.Index(
                fields=["revision"], condition=Q(state="open"), name="comment_open_by_revision"
            )
        ]

    def __str__(self):
        return f"{self.place} on {self.revision}: {self.text[:40]}"

    @property
    def place(self):
        """Where it is, as people say it: "Finding 2", "The rating"."""
        if self.position:
            return f"{self.get_anchor_display()} {self.position}"
        return self.get_anchor_display()

    @property
    def is_open(self):
        return self.state == self.State.OPEN


class CheckAcknowledgement(models.Model):
    """An analyst's note that a warning from the editorial checks was read and stands."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    key = models.CharField(max_length=200, help_text="Identifies the check result acknowledged.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_text])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "key"], name="one_acknowledgement_per_result"
            ),
            at_most("note", NOTE_MAX_LENGTH),
        ]

    def __str__(self):
        return f"{self.key} acknowledged by {self.user}"


class AuditEvent(models.Model):
    """Who did what to which object, and when. Written by the workflow and importer."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=50)
    outlook = models.ForeignKey(
        Outlook, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    description = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}: {self.description}"


# --- Derived from the published record (assessments.derived): never the record itself ---


class PublicationGeneration(models.Model):
    """One row: a counter bumped, with its time, whenever anything a public page shows
    changes (assessments.caching). Cached public pages are keyed by it."""

    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"generation {self.value} of {self.changed_at:%Y-%m-%d %H:%M:%S}"


class RenderedText(models.Model):
    """A published revision's findings and recommendations as sanitised HTML, rendered
    once at publication (assessments.rendered_text), by position."""

    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, primary_key=True, related_name="rendered"
    )
    # markdown.RENDERER_VERSION when rendered: another version is rendered again.
    renderer_version = models.PositiveIntegerField()
    # The prefix of footnote ids the HTML links to (the country code and a hyphen).
    anchor = models.CharField(max_length=20)
    findings = models.JSONField(default=dict)
    recommendations = models.JSONField(default=dict)

    def __str__(self):
        return f"rendered text of revision {self.revision_id}"


class SearchEntry(models.Model):
    """One paragraph of published text as search reads it: derived from the live revision
    of an entry, never part of the record (assessments.search_index writes it at each
    publication and can rebuild it from the published revisions).

    `text` is what a hit shows (Markdown reduced to its words); `terms` are the other
    words that find it without being shown: its country's names, a recommendation's
    addressee, a footnote's source symbol and address. `vector` is both, stored once
    (PostgreSQL; NULL on SQLite, which searches `text` and `terms` with icontains), with
    its GIN index created by migration 0010. The filters of the search form are columns
    here, so that a search reads this table alone.
    """

    class Kind(models.TextChoices):
        FINDING = "finding", "Finding"
        RECOMMENDATION = "recommendation", "Recommendation"
        FOOTNOTE = "footnote", "Footnote"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Derived rows never hold anything back: they go with what they were derived from.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    # The filters' columns: indexed with the period in Meta.indexes, not alone.
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+", db_index=False)
    risk_level = models.ForeignKey(
        RiskLevel, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    addressee = models.ForeignKey(
        Addressee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    period = models.DateField()
    # A finding's or recommendation's position, a footnote's number: the paragraph's anchor.
    position = models.PositiveIntegerField()
    text = models.TextField()
    terms = models.TextField(blank=True)
    vector = SearchVectorField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name_plural = "search entries"
        # Most recent first, within each filter of the search form.
        indexes = [
            models.Index(fields=["-period", "-id"], name="search_entry_recent"),
            models.Index(fields=["region", "-period"], name="search_entry_region"),
            models.Index(fields=["country", "-period"], name="search_entry_country"),
            models.Index(fields=["risk_level", "-period"], name="search_entry_level"),
            models.Index(fields=["addressee", "-period"], name="search_entry_addressee"),
        ]

    def __str__(self):
        return f"{self.kind} {self.position} of {self.revision_id}"


class SearchWord(models.Model):
    """A word of the search index's text and terms, in lower case: the vocabulary that
    "did you mean" draws on (assessments.search.suggest). Derived like SearchEntry and
    only ever added to at a publication: a word a correction removed may stay, so a
    suggestion is offered only when it finds something. Its trigram index (pg_trgm,
    PostgreSQL) is created by migration 0016."""

    word = models.CharField(max_length=40, primary_key=True)

    def __str__(self):
        return self.word


class TrackedStatus(models.TextChoices):
    """What became of a recommendation in an edition, against the country's previous one."""

    NEW = "new", "New"
    REPEATED = "repeated", "Repeated"
    REVISED = "revised", "Revised"
    DROPPED = "dropped", "Dropped"


# Why a recommendation was dropped, as the tracker says it: the analyst's reason
# (DropReason, whose values and labels it takes), or what it can say when none was given.
TrackedReason = models.TextChoices(
    "TrackedReason",
    [(reason.name, (reason.value, reason.label)) for reason in DropReason]
    + [
        ("NOT_RECORDED", ("not_recorded", "No reason recorded")),
        ("COUNTRY_LEFT", ("country_left", "The country left the outlook")),
        # An archive's reworded recommendation may continue it (LineageMatch TO_CONFIRM):
        # dropped until an analyst confirms the match, and said so.
        (
            "TO_CONFIRM",
            ("to_confirm", "Perhaps continued in other words, not yet confirmed"),
        ),
    ],
)


class TrackedRecommendation(models.Model):
    """A recommendation followed across editions (one lineage), as the tracker lists it:
    derived from the published record (assessments.tracker), rebuilt at each publication,
    never the record itself. `lineage` is its stable id."""

    lineage = models.UUIDField(primary_key=True)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    # As in its latest edition.
    addressee = models.ForeignKey(Addressee, on_delete=models.CASCADE, related_name="+")
    addressee_group = models.CharField(max_length=20, choices=Addressee.Group.choices)
    text = models.TextField()
    latest = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="+")
    first_outlook = models.ForeignKey(Outlook, on_delete=models.CASCADE, related_name="+")
    first_period = models.DateField()
    last_outlook = models.ForeignKey(Outlook, on_delete=models.CASCADE, related_name="+")
    last_period = models.DateField()
    # The editions it was made in, one after another (a lineage has no gaps).
    editions = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=TrackedStatus.choices)
    implementation = models.CharField(max_length=20, choices=Implementation.choices, blank=True)
    # When dropped: in which edition, and why.
    dropped_in = models.ForeignKey(
        Outlook, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=TrackedReason.choices, blank=True)
    note = models.TextField(blank=True)
    superseded_by = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-last_period", "country__official_name", "lineage"]
        indexes = [
            models.Index(fields=["-last_period", "lineage"], name="tracked_recent"),
            # The public tracker's order (assessments.tracked.ORDER): its first page is
            # the index's first rows, where the latest editions' thousands were sorted.
            models.Index(fields=["-last_period", "country", "latest"], name="tracked_order"),
            # What a recommendation superseded, on its page.
            models.Index(
                fields=["superseded_by"],
                condition=Q(superseded_by__isnull=False),
                name="tracked_superseded",
            ),
            models.Index(fields=["addressee", "-last_period"], name="tracked_addressee"),
            # Counts per addressee (assessments.tracked.addressee_counts) from the index alone.
            models.Index(
                fields=["addressee"],
                include=["editions", "status", "reason"],
                name="tracked_addressee_counts",
            ),
            models.Index(fields=["addressee_group", "-last_period"], name="tracked_group"),
            models.Index(fields=["country", "-last_period"], name="tracked_country"),
            models.Index(fields=["region", "-last_period"], name="tracked_region"),
            models.Index(fields=["status", "-last_period"], name="tracked_status"),
        ]

    def __str__(self):
        return f"{self.lineage}: {self.text[:60]}"

    def get_absolute_url(self):
        return cached_reverse("tracked_recommendation", self.lineage)


class TrackedStep(models.Model):
    """A tracked recommendation in one edition: made (new, repeated, revised) with its
    recommendation, or dropped (with no recommendation) and why. Derived like
    TrackedRecommendation."""

    tracked = models.ForeignKey(
        TrackedRecommendation, on_delete=models.CASCADE, related_name="steps"
    )
    outlook = models.ForeignKey(Outlook, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    recommendation = models.OneToOneField(
        Recommendation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tracked_step",
    )
    status = models.CharField(max_length=20, choices=TrackedStatus.choices)
    reason = models.CharField(max_length=20, choices=TrackedReason.choices, blank=True)
    note = models.TextField(blank=True)
    superseded_by = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["tracked", "period"]
        constraints = [
            models.UniqueConstraint(fields=["tracked", "outlook"], name="one_step_per_edition")
        ]
        indexes = [models.Index(fields=["outlook", "status"], name="tracked_step_outlook")]

    def __str__(self):
        return f"{self.get_status_display()} in {self.outlook_id}"


class PublicationJobQuerySet(models.QuerySet):
    def active(self):
        """Jobs waiting for a worker or running: at most one per edition or correction."""
        return self.filter(state__in=PublicationJob.ACTIVE)


class PublicationJob(models.Model):
    """An editor's request to publish an edition or a correction, carried out by a worker.

    Made in the transaction of the request, with its task (assessments.jobs): the worker
    renders the PDFs, then publishes in one transaction that also marks the job
    succeeded. The editor's pages show its progress and, if it failed, the reason.
    """

    class Kind(models.TextChoices):
        PUBLISH = "publish", "Publication"
        CORRECTION = "correction", "Correction"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (State.QUEUED, State.RUNNING)

    outlook = models.ForeignKey(Outlook, on_delete=models.CASCADE, related_name="publication_jobs")
    # The correction published (kind CORRECTION); empty for an edition's publication.
    revision = models.ForeignKey(
        "Revision",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="publication_jobs",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    # When a worker may carry it out, for a publication scheduled ahead; empty for "now".
    # A scheduled job is queued, and so holds the edition as a running one does.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # How many times a worker has started it (a worker that died counts).
    attempts = models.PositiveIntegerField(default=0)
    # The id of its latest task on the queue (django-tasks' TaskResult.id).
    task_id = models.CharField(max_length=64, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    step = models.PositiveIntegerField(default=0)
    steps = models.PositiveIntegerField(default=0)
    # Why it failed, for the editor (the traceback goes to the log).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the running worker every few seconds: a stale one means it died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PublicationJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A second request while one waits or runs is refused by the permission gate;
            # two at the same instant are refused here.
            models.UniqueConstraint(
                fields=["outlook"],
                condition=Q(kind="publish", state__in=["queued", "running"]),
                name="one_active_publication_per_outlook",
            ),
            models.UniqueConstraint(
                fields=["revision"],
                condition=Q(kind="correction", state__in=["queued", "running"]),
                name="one_active_publication_per_correction",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.outlook} ({self.get_state_display()})"

    @property
    def is_active(self):
        return self.state in self.ACTIVE

    @property
    def is_scheduled(self):
        """Waiting for its time: a scheduled job that no worker has started."""
        return self.state == self.State.QUEUED and self.scheduled_for is not None

    def is_due(self, now=None):
        return self.scheduled_for is None or self.scheduled_for <= (now or timezone.now())

    @property
    def percent(self):
        return round(100 * self.step / self.steps) if self.steps else 0


class EmbargoLink(models.Model):
    """A preview of a draft edition for a named reader outside the team (a partner, a
    journalist) before publication: a signed address (assessments.embargo) to the
    edition's page and PDF, marked "Embargoed until …", that expires and can be revoked.
    Once the edition is published it leads to the public page."""

    outlook = models.ForeignKey(Outlook, on_delete=models.CASCADE, related_name="embargo_links")
    recipient = models.CharField(
        max_length=200,
        validators=[validate_line],
        help_text="Who it is for, as the editors will recognise them: name and organisation.",
    )
    # Shown on every page and every PDF page: until when the reader may not publish.
    embargoed_until = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Embargoed preview of {self.outlook} for {self.recipient}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())

    def is_open(self, now=None):
        """Whether the link still opens the preview."""
        return not self.is_revoked and not self.is_expired(now)


class EmbargoOpening(models.Model):
    """One opening of an embargoed preview: when, what, and from where."""

    class What(models.TextChoices):
        PAGE = "page", "Page"
        PDF = "pdf", "PDF"

    link = models.ForeignKey(EmbargoLink, on_delete=models.CASCADE, related_name="openings")
    opened_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=10, choices=What.choices)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self):
        return f"{self.get_what_display()} opened {self.opened_at:%Y-%m-%d %H:%M}"


# --- Readers who follow by email (assessments.subscriptions, assessments.announcements) -


class Subscription(models.Model):
    """A reader's email address and what it follows: any countries, regions and addressees.

    A row exists only once the address has confirmed (double opt-in: what it asked to
    follow travels in the signed confirmation link until then), so every row is a
    confirmed subscriber. Unsubscribing deletes the row, and with it everything stored
    about the address; its past deliveries keep no trace of it."""

    # Lower-cased: one subscription per address, however it is typed.
    email = models.EmailField(max_length=254, unique=True)
    # The secret in the links to manage the subscription and to unsubscribe: a new one for
    # each subscription, so that a link of a deleted one never opens a later one.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    countries = models.ManyToManyField(Country, blank=True, related_name="subscriptions")
    regions = models.ManyToManyField(Region, blank=True, related_name="subscriptions")
    addressees = models.ManyToManyField(Addressee, blank=True, related_name="subscriptions")
    confirmed_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["confirmed_at", "id"]

    def __str__(self):
        return f"Subscription {self.pk}"


class Announcement(models.Model):
    """The mail to subscribers about one publication (an edition, or a correction): one
    message per subscriber it concerns, each a Delivery, sent by the queue's workers."""

    class Kind(models.TextChoices):
        EDITION = "edition", "Edition"
        CORRECTION = "correction", "Correction"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    outlook = models.ForeignKey(Outlook, on_delete=models.PROTECT, related_name="announcements")
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="announcements"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When its deliveries were listed (who it concerns, as subscribed at that moment).
    planned_at = models.DateTimeField(null=True, blank=True)
    # The last time a worker did something for it: a worker that stops leaves this behind.
    active_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One announcement per publication: a publication carried out again (a job
            # retried) never mails anyone twice.
            models.UniqueConstraint(
                fields=["outlook"],
                condition=Q(revision__isnull=True),
                name="one_announcement_per_edition",
            ),
            models.UniqueConstraint(
                fields=["revision"],
                condition=Q(revision__isnull=False),
                name="one_announcement_per_correction",
            ),
        ]
        indexes = [
            models.Index(
                fields=["active_at"],
                condition=Q(finished_at__isnull=True),
                name="announcement_unfinished",
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.CORRECTION:
            return f"Correction to {self.outlook}"
        return str(self.outlook)


class Delivery(models.Model):
    """One subscriber's message of an announcement, and what became of it.

    A worker claims a batch (CLAIMED), marks each message SENDING just before it hands it
    to the mail server and SENT once the server took it, committing each mark. A worker
    that dies leaves its CLAIMED messages (never handed over, sent later) and at most one
    SENDING message (perhaps handed over): that one becomes UNCERTAIN and is never sent
    again, so that nobody gets the same announcement twice."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        CLAIMED = "claimed", "Claimed by a worker"
        SENDING = "sending", "Being handed to the mail server"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNCERTAIN = "uncertain", "Perhaps sent (its worker stopped)"
        UNSUBSCRIBED = "unsubscribed", "Not sent: unsubscribed"

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Emptied when the subscriber unsubscribes: a delivery keeps no address.
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not before then: a message the server turned away for now waits.
    due_at = models.DateTimeField(default=timezone.now)
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "subscription"], name="one_delivery_per_subscriber"
            )
        ]
        indexes = [
            models.Index(
                fields=["announcement", "due_at", "id"],
                condition=Q(state="pending"),
                name="delivery_waiting",
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(state__in=["claimed", "sending"]),
                name="delivery_in_hand",
            ),
            models.Index(fields=["announcement", "state"], name="delivery_state"),
        ]

    def __str__(self):
        return f"Delivery {self.pk} of {self.announcement_id}: {self.state}"


class DeliveryAttempt(models.Model):
    """A try at handing a subscriber's message over that did not end in its being sent:
    when, and what the server (or the connection) said. With the delivery's own record
    of the try that succeeded (`sent_at`), every attempt is on record."""

    class Outcome(models.TextChoices):
        LATER = "later", "Turned away for now: tried again later"
        REFUSED = "refused", "Refused"
        UNCERTAIN = "uncertain", "Perhaps sent: not tried again"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts_made")
    at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "at", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()} at {self.at:%Y-%m-%d %H:%M}"
