"""The search index (assessments.search_index): SearchEntry, its GIN index, and its rows
for what is already published.

The GIN index is PostgreSQL's (SQLite, the development database, searches with
icontains and has no vector), so it is created here rather than in the model's Meta.
The rows are derived from the live published revisions by the current code, as
`manage.py rebuild_search_index` writes them: derived data, which the command rebuilds
whenever in doubt. Should a later migration change what that code reads, this step
becomes a no-op and the release notes say to run the command.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


GIN = "CREATE INDEX search_entry_vector ON assessments_searchentry USING gin (vector)"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN)


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")


def fill(apps, schema_editor):
    Revision = apps.get_model("assessments", "Revision")
    # A new database (and every test database) has nothing published: nothing to read.
    if Revision.objects.filter(state="published").exists():
        from assessments.search_index import rebuild

        rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_publication_generation_and_rendered_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("finding", "Finding"),
                            ("recommendation", "Recommendation"),
                            ("footnote", "Footnote"),
                        ],
                        max_length=20,
                    ),
                ),
                ("period", models.DateField()),
                ("position", models.PositiveIntegerField()),
                ("text", models.TextField()),
                ("terms", models.TextField(blank=True)),
                ("vector", django.contrib.postgres.search.SearchVectorField(blank=True, null=True)),
                (
                    "addressee",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.addressee",
                    ),
                ),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.assessment",
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.country",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.region",
                    ),
                ),
                (
                    "revision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.revision",
                    ),
                ),
                (
                    "risk_level",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="assessments.risklevel",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "search entries",
                "ordering": ["-period", "-id"],
                "indexes": [
                    models.Index(fields=["-period", "-id"], name="search_entry_recent"),
                    models.Index(fields=["region", "-period"], name="search_entry_region"),
                    models.Index(fields=["country", "-period"], name="search_entry_country"),
                    models.Index(fields=["risk_level", "-period"], name="search_entry_level"),
                    models.Index(fields=["addressee", "-period"], name="search_entry_addressee"),
                ],
            },
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
