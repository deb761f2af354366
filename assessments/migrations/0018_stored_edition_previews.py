"""Stored exports gain a kind: an edition's preview image (assessments.preview), the PNG
that a link to the edition shows where it is shared. Derived, as the other exports:
nothing of the published record changes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0017_risk_descriptions'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='storedexport',
            name='stored_export_edition_for_json_only',
        ),
        migrations.AlterField(
            model_name='storedexport',
            name='kind',
            field=models.CharField(choices=[('ratings_csv', 'Ratings CSV'), ('edition_json', 'Edition JSON'), ('edition_preview', 'Edition preview image')], max_length=20),
        ),
        migrations.AlterField(
            model_name='storedexport',
            name='outlook',
            field=models.ForeignKey(blank=True, help_text="The edition of an edition's JSON or preview; empty for the ratings CSV.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='stored_exports', to='assessments.outlook'),
        ),
        migrations.AddConstraint(
            model_name='storedexport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'ratings_csv'), ('outlook__isnull', True)), models.Q(('kind__in', ['edition_json', 'edition_preview']), ('outlook__isnull', False)), _connector='OR'), name='stored_export_edition_for_edition_kinds_only'),
        ),
    ]
