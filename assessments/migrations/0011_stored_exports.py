"""Stored exports (the ratings CSV, each edition's JSON, generated at publication), and an
index of the published revisions by date (is a stored export older than what is published?).

Derived data in a table of its own: nothing of the published record changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0010_search_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoredExport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('ratings_csv', 'Ratings CSV'), ('edition_json', 'Edition JSON')], max_length=20)),
                ('file', models.FileField(max_length=300, upload_to='')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='revision',
            index=models.Index(condition=models.Q(('state', 'published')), fields=['published_at'], name='revision_published_at'),
        ),
        migrations.AddField(
            model_name='storedexport',
            name='outlook',
            field=models.ForeignKey(blank=True, help_text="The edition of an edition's JSON; empty for the ratings CSV.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='stored_exports', to='assessments.outlook'),
        ),
        migrations.AddIndex(
            model_name='storedexport',
            index=models.Index(fields=['kind', 'outlook', '-created_at'], name='stored_export_latest'),
        ),
        migrations.AddConstraint(
            model_name='storedexport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'ratings_csv'), ('outlook__isnull', True)), models.Q(('kind', 'edition_json'), ('outlook__isnull', False)), _connector='OR'), name='stored_export_edition_for_json_only'),
        ),
    ]
