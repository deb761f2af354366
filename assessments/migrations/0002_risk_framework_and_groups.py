"""Seed the default risk framework and the three editorial groups.

The levels and statuses are the sample publisher's; organisations change them in the admin.
"""

from django.db import migrations

LEVELS = [
    ("Very low", 1, "#2e7d32"),
    ("Low", 2, "#689f38"),
    ("Moderate", 3, "#f9a825"),
    ("High", 4, "#ef6c00"),
    ("Very high", 5, "#b71c1c"),
]
STATUSES = [("Ongoing", 1), ("Imminent", 2), ("Emerging", 3)]
GROUPS = ["analyst", "reviewer", "editor"]


def seed(apps, schema_editor):
    RiskLevel = apps.get_model("assessments", "RiskLevel")
    RiskStatus = apps.get_model("assessments", "RiskStatus")
    Group = apps.get_model("auth", "Group")
    for name, rank, colour in LEVELS:
        RiskLevel.objects.get_or_create(name=name, defaults={"rank": rank, "colour": colour})
    for name, position in STATUSES:
        RiskStatus.objects.get_or_create(name=name, defaults={"position": position})
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
