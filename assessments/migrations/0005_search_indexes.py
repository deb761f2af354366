"""GIN indexes for full-text search of findings and recommendations (PostgreSQL).

The expressions are the ones assessments.search builds with SearchVector("text",
config="english"), so that the planner can use the indexes. SQLite, the development
database, searches with icontains and needs none.
"""

from django.db import migrations

TABLES = ["assessments_finding", "assessments_recommendation"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX {table}_search ON {table} "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(text, '')))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_immutable_revisions")]

    operations = [migrations.RunPython(forwards, backwards)]
