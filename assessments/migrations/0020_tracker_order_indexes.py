"""Indexes of the public recommendation tracker (issue 12).

tracked_order is the tracker's order (assessments.tracked.ORDER): its first page is the
index's first rows, where PostgreSQL sorted the latest editions' thousands of rows for
every request. tracked_addressee_counts counts each addressee's recommendations made,
repeated and dropped as implemented from the index alone. tracked_superseded finds, on
a recommendation's page, those it superseded.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0019_recommendation_tracker"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="trackedrecommendation",
            index=models.Index(fields=["-last_period", "country", "latest"], name="tracked_order"),
        ),
        migrations.AddIndex(
            model_name="trackedrecommendation",
            index=models.Index(
                fields=["addressee"],
                include=["editions", "status", "reason"],
                name="tracked_addressee_counts",
            ),
        ),
        migrations.AddIndex(
            model_name="trackedrecommendation",
            index=models.Index(
                condition=models.Q(("superseded_by__isnull", False)),
                fields=["superseded_by"],
                name="tracked_superseded",
            ),
        ),
    ]
