"""What each risk level and status means (RiskLevel.description, RiskStatus.description),
shown on the method page and in the legend beside every risk table.

The levels and statuses of the default framework (migration 0002) get a description;
one an organisation added or renamed is left blank for it to write in the admin.

A description explains a tier; it is not what an entry printed (its level's name and
rank, its status's name: migration 0008 guards those columns alone, and its triggers
fire only when they change), so it stays editable once entries use the tier.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models

import assessments.text_format

LEVELS = {
    "Very low": "Few of the risk factors for atrocity crimes are present, and the state "
    "protects its population. No particular concern is raised.",
    "Low": "Some risk factors are present, but institutions, the rule of law and other "
    "protective factors contain them. The situation is watched for change.",
    "Moderate": "Several risk factors are present, or serious violations of human rights are "
    "reported in part of the country, and protection is weakening. Preventive action is "
    "warranted.",
    "High": "Serious and systematic violations of human rights are reported, many risk "
    "factors are present and protection is limited: atrocity crimes may be committed. "
    "Urgent preventive action is needed.",
    "Very high": "Atrocity crimes (genocide, war crimes, crimes against humanity or ethnic "
    "cleansing) are being committed, or credible reports say they are likely. Protecting "
    "the population is urgent.",
}
STATUSES = {
    "Ongoing": "The crimes or violations the level describes are taking place now.",
    "Imminent": "The crimes or violations the level describes are likely to begin or "
    "escalate soon, within months, unless action is taken to prevent them.",
    "Emerging": "Risk factors are developing that could lead to the crimes or violations the "
    "level describes in the longer term.",
}


def describe(apps, schema_editor):
    for model, descriptions in (("RiskLevel", LEVELS), ("RiskStatus", STATUSES)):
        rows = apps.get_model("assessments", model).objects
        for name, description in descriptions.items():
            rows.filter(name=name, description="").update(description=description)


def description_field(what):
    return models.TextField(
        blank=True,
        help_text=f"What the {what} means, in a sentence or two: shown on the method page and "
        "in the legend beside every risk table.",
        max_length=500,
        validators=[assessments.text_format.validate_text],
    )


def at_most_500(model):
    return models.CheckConstraint(
        condition=django.db.models.lookups.LessThanOrEqual(
            django.db.models.functions.text.Length("description"), 500
        ),
        name=f"{model}_description_length",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0016_search_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="risklevel", name="description", field=description_field("level")
        ),
        migrations.AddField(
            model_name="riskstatus", name="description", field=description_field("status")
        ),
        migrations.AddConstraint(model_name="risklevel", constraint=at_most_500("risklevel")),
        migrations.AddConstraint(model_name="riskstatus", constraint=at_most_500("riskstatus")),
        migrations.RunPython(describe, migrations.RunPython.noop),
    ]
