"""manage.py export_outlook SLUG: an edition as interchange JSON or Markdown."""

import json

from django.core.management.base import BaseCommand, CommandError

from assessments.exporting import to_json, to_markdown
from assessments.models import Outlook


class Command(BaseCommand):
    help = "Write an edition to standard output as interchange JSON or as Markdown."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "markdown"], default="json")

    def handle(self, *args, slug, format, **options):
        outlook = Outlook.objects.select_related("region").filter(slug=slug).first()
        if outlook is None:
            raise CommandError(f'No outlook with the slug "{slug}".')
        if format == "json":
            self.stdout.write(json.dumps(to_json(outlook), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(to_markdown(outlook), ending="")
