"""manage.py seed_demo: the demo data `make run` serves (assessments.demo), never production."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assessments import demo


class Command(BaseCommand):
    help = (
        "Load the demo data: the sample outlook as published, one account per role, and a "
        "fictional region with five published editions and a draft one in every workflow "
        "state. Loads only what is missing; refuses to run with DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo editions (and their files) first, and load them again "
            "(SQLite only).",
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Load the demo although DEBUG is off (a staging server, say).",
        )

    def handle(self, *args, reset=False, not_production=False, **options):
        try:
            demo.refuse_production(allowed=not_production)
            demo.load(reset=reset, log=self.stdout.write)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write("Demo accounts (demo only):")
        for username, password, groups in demo.ACCOUNTS:
            role = ", ".join(groups) or "superuser"
            self.stdout.write(f"  {username:<9} {password:<20} {role}")
