"""Publication as a background job: PublicationJob (assessments.jobs)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_stored_exports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("publish", "Publication"), ("correction", "Correction")], max_length=20)),
                ("state", models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("succeeded", "Succeeded"), ("failed", "Failed")], default="queued", max_length=20)),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("task_id", models.CharField(blank=True, max_length=64)),
                ("progress", models.CharField(blank=True, max_length=200)),
                ("step", models.PositiveIntegerField(default=0)),
                ("steps", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("outlook", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="publication_jobs", to="assessments.outlook")),
                ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("revision", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="publication_jobs", to="assessments.revision")),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.AddConstraint(
            model_name="publicationjob",
            constraint=models.UniqueConstraint(condition=models.Q(("kind", "publish"), ("state__in", ["queued", "running"])), fields=("outlook",), name="one_active_publication_per_outlook"),
        ),
        migrations.AddConstraint(
            model_name="publicationjob",
            constraint=models.UniqueConstraint(condition=models.Q(("kind", "correction"), ("state__in", ["queued", "running"])), fields=("revision",), name="one_active_publication_per_correction"),
        ),
    ]
