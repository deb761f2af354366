"""Derived data of publication (assessments.derived): the publication generation that keys
cached public pages (assessments.caching), and the published revisions' Markdown rendered
to HTML once (assessments.rendered_text), filled here for what is already published.
Tables of their own, outside the frozen record of migration 0008."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def first_generation(apps, schema_editor):
    apps.get_model("assessments", "PublicationGeneration").objects.get_or_create(
        pk=1, defaults={"value": 1, "changed_at": timezone.now()}
    )


def render_published(apps, schema_editor):
    from assessments.rendered_text import fill_missing

    fill_missing(
        apps.get_model("assessments", "Revision"), apps.get_model("assessments", "RenderedText")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_published_record"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationGeneration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="RenderedText",
            fields=[
                (
                    "revision",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="rendered",
                        serialize=False,
                        to="assessments.revision",
                    ),
                ),
                ("renderer_version", models.PositiveIntegerField()),
                ("anchor", models.CharField(max_length=20)),
                ("findings", models.JSONField(default=dict)),
                ("recommendations", models.JSONField(default=dict)),
            ],
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
        migrations.RunPython(render_published, migrations.RunPython.noop),
    ]
