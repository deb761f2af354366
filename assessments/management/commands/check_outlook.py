"""manage.py check_outlook SLUG: the editorial checks over every entry of an edition."""

from django.core.management.base import BaseCommand, CommandError

from assessments.checks import Severity, blocking_errors, check_revision, contexts_for_outlook
from assessments.exporting import current_revisions
from assessments.models import CheckAcknowledgement, Outlook


class Command(BaseCommand):
    help = (
        "Run the editorial checks over every entry of an edition (the published revision of a "
        "published edition, the latest revision otherwise) and print what they find. "
        "Exits with status 1 when any error stands."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The edition, e.g. asia-pacific-2023-11.")
        parser.add_argument(
            "--errors-only", action="store_true", help="Print errors only, not warnings or notes."
        )

    def handle(self, *args, slug, errors_only, **options):
        outlook = Outlook.objects.select_related("region").filter(slug=slug).first()
        if outlook is None:
            known = ", ".join(Outlook.objects.values_list("slug", flat=True)[:10]) or "none"
            raise CommandError(f'No edition with the slug "{slug}" (editions: {known}).')
        contexts = contexts_for_outlook(outlook)
        revisions = list(current_revisions(outlook))
        acknowledged = {
            (ack.revision_id, ack.key): ack
            for ack in CheckAcknowledgement.objects.filter(revision__in=revisions).select_related(
                "user"
            )
        }
        self.stdout.write(self.style.MIGRATE_HEADING(f"{outlook.full_title} ({outlook.slug})"))
        totals = dict.fromkeys(Severity, 0)
        errors = 0
        for revision in revisions:
            country = revision.assessment.country
            results = check_revision(revision, contexts[revision.assessment_id])
            errors += len(blocking_errors(results))
            for result in results:
                totals[result.severity] += 1
            shown = blocking_errors(results) if errors_only else results
            state = revision.get_state_display().lower()
            self.stdout.write("")
            self.stdout.write(
                self.style.MIGRATE_LABEL(
                    f"{country.short_name} ({country.code.code}), revision {revision.number}, "
                    f"{state}"
                )
            )
            if not shown:
                self.stdout.write("  no problems found" if not results else "  no errors")
            for result in shown:
                self.stdout.write(
                    self.format_result(result, acknowledged.get((revision.pk, result.key)))
                )
        summary = (
            f"{len(revisions)} entr{'y' if len(revisions) == 1 else 'ies'} checked: "
            f"{totals[Severity.ERROR]} error(s), {totals[Severity.WARNING]} warning(s), "
            f"{totals[Severity.NOTE]} note(s)."
        )
        self.stdout.write("")
        self.stdout.write(summary)
        if errors:
            raise CommandError(f"{errors} error(s) stand in {outlook.slug}; they block submission.")

    def format_result(self, result, acknowledgement):
        style = {
            Severity.ERROR: self.style.ERROR,
            Severity.WARNING: self.style.WARNING,
            Severity.NOTE: str,
        }[result.severity]
        lines = [f"  {style(f'{result.severity:<7}')} {result.place_label}: {result.message}"]
        if result.suggestion:
            lines.append(f"          Suggested: {result.suggestion}")
        if acknowledgement is not None:
            note = f": {acknowledgement.note}" if acknowledgement.note else ""
            lines.append(f"          Acknowledged by {acknowledgement.user}{note}")
        return "\n".join(lines)
