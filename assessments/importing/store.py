"""Storing read content: names resolved against the database (countries, the risk
framework, the region) and everything written through `assessments.workflow`, in one
transaction.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .. import derived, lineage, stored_files, workflow
from ..checks import (
    CheckContext,
    check_content,
    country_names_except,
    previous_edition_ratings,
)
from ..content import DraftContent, FootnoteDraft, RecommendationDraft
from ..models import (
    Assessment,
    Country,
    Outlook,
    Region,
    RiskLevel,
    RiskStatus,
    Source,
    find_country,
)
from ..text_format import UN_SYMBOL_RE, validate_url
from .errors import ImportFileError, shorten
from .schema import (
    ADDRESSEE_MAX,
    CITATION_MAX,
    EDITION_SLUG_MAX,
    REGION_MAX,
    REGION_SLUG_MAX,
    SYMBOL_MAX,
    TEXT_MAX,
    URL_MAX,
)


@dataclass
class ImportResult:
    outlook: Outlook
    created: list[Assessment] = field(default_factory=list)
    replaced: list[Assessment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What became of the recommendations against the previous edition (assessments.lineage).
    linking: lineage.Linking = field(default_factory=lineage.Linking)


def store_outlook(content, *, publish=False, replace=False, user=None, path=None):
    """Store parsed content as an edition's assessments, all or nothing (the files an
    archive's publication stores too)."""
    with stored_files.deleted_unless_committed(), transaction.atomic():
        store = _Store(content, path=path)
        return store.run(publish=publish, replace=replace, user=user)


class _Store:
    def __init__(self, content, *, path):
        self.content = content
        self.path = path
        self.warnings = []
        self.levels = {level.name.casefold(): level for level in RiskLevel.objects.all()}
        self.statuses = {status.name.casefold(): status for status in RiskStatus.objects.all()}
        self.countries = list(Country.objects.select_related("region"))

    def error(self, message, entry=None):
        return ImportFileError(message, path=self.path, line=entry.line if entry else None)

    def warn(self, message, entry=None):
        where = f"line {entry.line}: " if entry and entry.line else ""
        self.warnings.append(where + message)

    def run(self, *, publish, replace, user):
        resolved = [(entry, self.resolve_entry(entry)) for entry in self.content.assessments]
        region = self.resolve_region(resolved)
        outlook = self.get_outlook(region, publish=publish, user=user)
        result = ImportResult(outlook=outlook, warnings=self.warnings)
        self.check_entries(resolved, outlook)
        seen = set()
        for entry, (country, level, status) in resolved:
            if country.pk in seen:
                raise self.error(
                    f"{country.code.code} ({country.short_name}) appears twice in the file", entry
                )
            seen.add(country.pk)
            if not replace and outlook.assessments.filter(country=country).exists():
                raise self.error(
                    f"{outlook.full_title} already holds an entry for {country.short_name} "
                    f"({country.code.code}); give --replace to replace it",
                    entry,
                )
            content = self.draft_content(entry, level, status)
            if not publish:
                # A draft's rows may take the lineages they surely continue.
                place = Assessment(outlook=outlook, country=country)
                result.linking += lineage.link_draft(place, content)
            assessment, replaced = workflow.store_imported(
                outlook, country, content, publish=publish, acting_user=user
            )
            if publish:
                # Before the tracker is rebuilt (record_published), which reads the links.
                result.linking += lineage.link_entry(assessment.published_revision)
            (result.replaced if replaced else result.created).append(assessment)
        if publish:
            derived.record_published(
                outlook, [a.published_revision for a in result.created + result.replaced]
            )
        workflow.audit(
            user,
            "import",
            (
                f"Imported {len(resolved)} entr{'y' if len(resolved) == 1 else 'ies'} "
                f"from {Path(self.path).name if self.path else 'input'}"
                + (" as published" if publish else "")
            ),
            outlook=outlook,
            countries=[c.code.code for _, (c, _, _) in resolved],
            warnings=self.warnings,
            linking=asdict(result.linking),
        )
        return result

    def check_entries(self, resolved, outlook):
        """Report what the editorial checks find in each entry, as warnings."""
        ratings = previous_edition_ratings(outlook)
        for entry, (country, _, _) in resolved:
            context = CheckContext.for_country(
                country,
                period=outlook.period,
                previous_rating=ratings.get(country.pk),
                other_country_names=country_names_except(country, self.countries),
            )
            for result in check_content(entry, context):
                message = f"{result.severity}: {result.message}"
                if result.suggestion:
                    message += f" Suggested: {result.suggestion}"
                if not entry.line:  # JSON has no lines: say which entry
                    message = f"{country.short_name}: {result.place_label}: {message}"
                else:
                    message = f"{result.place_label}: {message}"
                self.warn(message, entry)

    def resolve_entry(self, entry):
        country = find_country(self.countries, entry.country)
        if country is None:
            raise self.error(
                f'unknown country "{shorten(entry.country)}"; expected the official name, '
                "short name, ISO code or an alias of a country in the database "
                "(aliases are added in the admin)",
                entry,
            )
        # A name other than the official one is reported by the checks (names).
        level = self.framework_term(self.levels, "risk level", entry.risk_level, entry)
        status = self.framework_term(self.statuses, "risk status", entry.risk_status, entry)
        if not entry.findings:
            self.warn(f"the entry for {country.short_name} has no findings", entry)
        self.check_fields(entry, country)
        return country, level, status

    def framework_term(self, terms, kind, name, entry):
        """The risk level or status of that name, in any case, or an error listing them."""
        term = terms.get(name.casefold())
        if term is None:
            names = ", ".join(term.name for term in terms.values())
            raise self.error(
                f'the {kind} "{shorten(name)}" is not in the risk framework; '
                f"expected one of: {names}",
                entry,
            )
        return term

    def check_fields(self, entry, country):
        """What the database or a reader's browser would refuse, said before writing."""
        texts = [("finding", text) for text in entry.findings] + [
            ("recommendation", item) for group in entry.recommendations for item in group.items
        ]
        for kind, text in texts:
            if len(text) > TEXT_MAX:
                raise self.error(
                    f'a {kind} of {country.short_name} ("{shorten(text, 40)}") is longer than '
                    f"{TEXT_MAX} characters; split it",
                    entry,
                )
        for group in entry.recommendations:
            if not group.addressee:
                # "** ** should:" is emphasis around nothing: no one to address.
                raise self.error(
                    f"recommendations of {country.short_name} have an empty addressee; "
                    'expected a name before "should:", such as "The UN Security Council"',
                    entry,
                )
            if len(group.addressee) > ADDRESSEE_MAX:
                raise self.error(
                    f'the addressee "{shorten(group.addressee)}" of {country.short_name} is '
                    f"longer than {ADDRESSEE_MAX} characters; expected a name such as "
                    '"The UN Security Council"',
                    entry,
                )
        for note in entry.footnotes:
            self.check_citation(note, country, entry)
            if not note.url:
                continue
            try:
                validate_url(note.url)
            except ValidationError as error:
                raise self.error(
                    f'footnote {note.number} of {country.short_name}: "{shorten(note.url)}" '
                    "is not a web address; expected an http:// or https:// URL",
                    entry,
                ) from error
            if len(note.url) > URL_MAX:
                raise self.error(
                    f"footnote {note.number} of {country.short_name}: the URL is longer than "
                    f"{URL_MAX} characters",
                    entry,
                )

    def check_citation(self, note, country, entry):
        """A footnote's text becomes a library source's title, and the UN document symbol
        it names the source's symbol (Source.objects.for_citation): both have limits."""
        where = f"footnote {note.number} of {country.short_name}"
        if len(note.text) > CITATION_MAX:
            raise self.error(
                f'{where}: the citation ("{shorten(note.text, 40)}") is {len(note.text)} '
                f"characters long; a citation holds at most {CITATION_MAX}",
                entry,
            )
        symbol = UN_SYMBOL_RE.search(note.text) or UN_SYMBOL_RE.search(note.url)
        if symbol and len(symbol.group(0).rstrip(".")) > SYMBOL_MAX:
            raise self.error(
                f'{where}: the UN document symbol "{shorten(symbol.group(0), 40)}" is longer '
                f"than {SYMBOL_MAX} characters; expected a symbol such as A/HRC/46/52",
                entry,
            )

    def resolve_region(self, resolved):
        """The region is named in JSON; in text, it is what the header has after the short name."""
        if self.content.region:
            return self.find_or_create_region(self.content.region)
        known = sorted(Region.objects.all(), key=lambda r: -len(r.name))
        for entry, (country, _, _) in resolved:
            prefix = entry.short_name
            region = next(
                (r for r in known if prefix.casefold().endswith(" " + r.name.casefold())), None
            )
            if region:
                entry.short_name = prefix[: -len(region.name)].strip()
            else:
                name = next(
                    (
                        n
                        for n in country.names()
                        if n and prefix.casefold().startswith(n.casefold() + " ")
                    ),
                    None,
                )
                if name is None:
                    raise self.error(
                        f'cannot tell the region from the header "{prefix} Regional Outlook …"; '
                        f'expected "<short name> <region> Regional Outlook <Month> <Year>" '
                        f'with a short name of {country.code.code} such as "{country.short_name}"',
                        entry,
                    )
                region = self.find_or_create_region(prefix[len(name) :].strip(), entry)
                entry.short_name = name
            if entry.short_name != country.short_name:
                self.warn(
                    f'the header calls {country.code.code} "{entry.short_name}"; '
                    f'its short name is "{country.short_name}"',
                    entry,
                )
            if self.content.region and self.content.region != region.name:
                raise self.error(
                    "the entries belong to different regions; one file holds one edition", entry
                )
            self.content.region = region.name
        self.content.title = f"{self.content.region} Regional Outlook"
        return Region.objects.get(name=self.content.region)

    def find_or_create_region(self, name, entry=None):
        """The region of that name, or of that slug ("Asia-Pacific" is "Asia Pacific");
        `entry` is the entry whose header names it, in a text file."""
        if len(name) > REGION_MAX:
            raise self.error(
                f'the region "{shorten(name)}" is longer than {REGION_MAX} characters; '
                'expected a name such as "Asia Pacific"',
                entry,
            )
        # The region's and the edition's web addresses are made of the name's Latin
        # letters and digits: a name without any has none (and would be taken for any
        # other such region), and a long one makes an edition's too long.
        slug = slugify(name)
        edition_slug = Outlook.make_slug(name, self.content.period)
        if not slug:
            raise self.error(
                f'the region "{shorten(name)}" has no Latin letters or digits to make its web '
                'address from; expected a name such as "Asia Pacific"',
                entry,
            )
        if len(slug) > REGION_SLUG_MAX or len(edition_slug) > EDITION_SLUG_MAX:
            raise self.error(
                f'the region "{shorten(name)}" makes an edition\'s web address of '
                f"{len(edition_slug)} characters, more than {EDITION_SLUG_MAX}; expected a "
                'shorter name such as "Asia Pacific"',
                entry,
            )
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            return Region.objects.create(name=name)
        if region.name != name:
            self.warn(f'read the region "{name}" as "{region.name}"')
        return region

    def get_outlook(self, region, *, publish, user):
        try:
            return workflow.store_imported_edition(
                region,
                self.content.period,
                title=self.content.title,
                introduction=self.content.introduction,
                publish=publish,
                published_on=self.content.published_on,
                acting_user=user,
            )
        except ValidationError as error:
            hint = {
                "draft": "import without --publish to add to it, or publish it from the editor",
                "published": "give --publish to add to the archive, or correct entries "
                "through the editor",
            }[error.code]
            raise self.error(f"{error.message}; {hint}") from error

    def draft_content(self, entry, level, status):
        return DraftContent(
            risk_level=level,
            risk_status=status,
            rationale=entry.rationale,
            findings=entry.findings,
            recommendations=[
                RecommendationDraft(group.addressee, item)
                for group in entry.recommendations
                for item in group.items
            ],
            footnotes=[
                FootnoteDraft(note.number, Source.objects.for_citation(note.text, note.url))
                for note in entry.footnotes
            ],
        )
