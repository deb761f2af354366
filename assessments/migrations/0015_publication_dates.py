"""An edition's publication date, as readers got it (Outlook.published_on).

Editions published through the workflow (they have a publisher) are dated by their
publication; archives imported before this migration are left undated: the day of
their import was shown as if it were theirs, and what their date was is not known here.

The guard of migration 0008 is replaced so that a published edition keeps its
publication date (or its lack of one) too.
"""

from django.db import migrations, models
from django.utils import timezone

FAIL = "USING ERRCODE = 'integrity_constraint_violation'"


def guard(dated):
    """The guard of a published outlook (0008's), with its publication date or without."""
    date_check = (
        f"""
    IF NEW.published_on IS DISTINCT FROM OLD.published_on THEN
        RAISE EXCEPTION 'outlook % is published: its publication date stays as it is',
            OLD.id {FAIL};
    END IF;"""
        if dated
        else ""
    )
    return f"""
CREATE OR REPLACE FUNCTION assessments_outlook_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.state <> 'published' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'outlook % is published and cannot be deleted', OLD.id {FAIL};
    END IF;
    IF (NEW.state, NEW.region_id, NEW.period, NEW.slug, NEW.title, NEW.introduction,
        NEW.published_at, NEW.published_by_id)
        IS DISTINCT FROM (OLD.state, OLD.region_id, OLD.period, OLD.slug, OLD.title,
        OLD.introduction, OLD.published_at, OLD.published_by_id) THEN
        RAISE EXCEPTION 'outlook % is published: it stays published, with its region, period, '
            'address, title, introduction and publication as they were', OLD.id {FAIL};
    END IF;{date_check}
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


def date_publications(apps, schema_editor):
    Outlook = apps.get_model("assessments", "Outlook")
    for outlook in Outlook.objects.filter(state="published", published_by__isnull=False):
        outlook.published_on = timezone.localdate(outlook.published_at)
        outlook.save(update_fields=["published_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0014_demo_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="outlook",
            name="published_on",
            field=models.DateField(
                blank=True,
                help_text="The day readers got the edition: the day an editor published it, "
                "or the date an archive's file gives. Empty for an archive that gives none: "
                "then only the period is shown.",
                null=True,
                verbose_name="publication date",
            ),
        ),
        migrations.RunPython(date_publications, migrations.RunPython.noop),
        migrations.RunPython(on_postgresql(guard(True)), on_postgresql(guard(False))),
    ]
