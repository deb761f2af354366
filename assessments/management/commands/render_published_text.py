"""Render the published revisions' Markdown that has no stored HTML of this renderer.

    python manage.py render_published_text

Publication stores it (assessments.rendered_text); run this after a change of the
renderer (markdown.RENDERER_VERSION). Pages show the same meanwhile, rendering the text.
"""

from django.core.management.base import BaseCommand

from assessments.rendered_text import fill_missing


class Command(BaseCommand):
    help = "Store the HTML of published revisions that have none of this renderer version."

    def handle(self, *args, **options):
        count = fill_missing()
        self.stdout.write(f"Rendered {count} published revision(s).")
