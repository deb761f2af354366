"""manage.py seed_demo: the demo data `make run` serves (demo accounts, never production)."""

from datetime import date
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import workflow
from assessments.importing import import_file
from assessments.models import Outlook, Region
from assessments.permissions import ANALYST, EDITOR, REVIEWER

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "dprk-2023-11.txt"

NEXT_EDITION = date(2024, 5, 1)

# Demo only: these accounts exist so that a developer can try each role.
ACCOUNTS = [
    ("analyst", "analyst-demo-pass", [ANALYST]),
    ("analyst2", "analyst-demo-pass", [ANALYST]),
    ("reviewer", "reviewer-demo-pass", [REVIEWER]),
    ("editor", "editor-demo-pass", [EDITOR]),
    ("admin", "admin-demo-pass", []),
]


class Command(BaseCommand):
    help = (
        "Load the demo data: the sample outlook as published, one account per role, and "
        "a draft of the next edition for the analysts to work on."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not Outlook.objects.filter(slug="asia-pacific-2023-11").exists():
            result = import_file(SAMPLE, publish=True)
            self.stdout.write(f"Imported {result.outlook.full_title} as published.")
        for username, password, groups in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.org"}
            )
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = username == "admin"
                user.save()
                user.groups.set(Group.objects.filter(name__in=groups))
        region = Region.objects.get(name="Asia Pacific")
        if not Outlook.objects.filter(region=region, period=NEXT_EDITION).exists():
            editor = User.objects.get(username="editor")
            outlook = workflow.create_edition(region, NEXT_EDITION, user=editor)
            self.stdout.write(f"Created the draft edition {outlook.full_title}.")
        self.stdout.write("Demo accounts (demo only):")
        for username, password, groups in ACCOUNTS:
            role = ", ".join(groups) or "superuser"
            self.stdout.write(f"  {username:<9} {password:<20} {role}")
