"""The recommendation tracker (issue 12).

A recommendation gets its lineage (its identity across editions), an implementation
assessment with a footnote as evidence; a revision records why it drops a recommendation
of the previous edition (DroppedRecommendation); the importer's matches between an
archive's recommendations wait in LineageMatch; TrackedRecommendation and TrackedStep
are what the tracker derives from the published record.

Existing recommendations get a lineage each: a copy (its revision is `based_on` another)
takes the lineage of the recommendation it copies, the same addressee and text, so that
editions made through the workflow are followed from the start; `manage.py
link_recommendations` links archives. On PostgreSQL a dropped reason is fixed with its
revision's content (the guard of 0004), and a match's decision, once taken, stays.
"""

import assessments.text_format
import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import uuid
from django.conf import settings
from django.db import migrations, models


GUARDED = "assessments_recommendation_guard"


def give_lineages(apps, schema_editor):
    Recommendation = apps.get_model("assessments", "Recommendation")
    Revision = apps.get_model("assessments", "Revision")
    Addressee = apps.get_model("assessments", "Addressee")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # The rows of published revisions are fixed (0004): this fills a new column.
        schema_editor.execute(
            f"ALTER TABLE assessments_recommendation DISABLE TRIGGER {GUARDED}", params=None
        )
    lineages = {}  # recommendation id: lineage
    based_on = dict(Revision.objects.values_list("id", "based_on_id"))
    rows = Recommendation.objects.order_by("revision_id", "position")
    by_revision = {}
    for row in rows.values("id", "revision_id", "addressee_id", "text"):
        by_revision.setdefault(row["revision_id"], []).append(row)
    updated = []
    for revision_id in sorted(by_revision):
        source = by_revision.get(based_on.get(revision_id), [])
        available = {}
        for row in source:
            available.setdefault((row["addressee_id"], row["text"]), []).append(row["id"])
        for row in by_revision[revision_id]:
            copied = available.get((row["addressee_id"], row["text"]))
            lineage = lineages[copied.pop(0)] if copied else uuid.uuid4()
            lineages[row["id"]] = lineage
            updated.append(Recommendation(id=row["id"], lineage=lineage))
    Recommendation.objects.bulk_update(updated, ["lineage"], batch_size=1000)
    if postgresql:
        schema_editor.execute(
            f"ALTER TABLE assessments_recommendation ENABLE TRIGGER {GUARDED}", params=None
        )
    for addressee in Addressee.objects.all():
        addressee.group = guess_group(addressee.name)
        addressee.save(update_fields=["group"])


def fill_tracker(apps, schema_editor):
    Revision = apps.get_model("assessments", "Revision")
    # A new database (and every test database) has nothing published: nothing to follow.
    if Revision.objects.filter(state="published").exists():
        from assessments.tracker import rebuild

        rebuild()


def guess_group(name):
    from assessments.models import Addressee

    return Addressee.guess_group(name)


GUARDS = """
CREATE TRIGGER assessments_droppedrecommendation_guard
    BEFORE INSERT OR UPDATE OR DELETE ON assessments_droppedrecommendation
    FOR EACH ROW EXECUTE FUNCTION assessments_revision_content_guard();
CREATE TRIGGER assessments_droppedrecommendation_truncate_guard
    BEFORE TRUNCATE ON assessments_droppedrecommendation
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_truncate_guard();
CREATE FUNCTION assessments_lineagematch_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (
        OLD.decision <> 'to_confirm'
        OR NEW.recommendation_id IS DISTINCT FROM OLD.recommendation_id
        OR NEW.predecessor_id IS DISTINCT FROM OLD.predecessor_id
        OR NEW.similarity IS DISTINCT FROM OLD.similarity
    ) THEN
        RAISE EXCEPTION 'lineage match % is decided (%), it cannot change', OLD.id, OLD.decision
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_lineagematch_guard
    BEFORE UPDATE ON assessments_lineagematch
    FOR EACH ROW EXECUTE FUNCTION assessments_lineagematch_guard();
CREATE TRIGGER assessments_lineagematch_truncate_guard
    BEFORE TRUNCATE ON assessments_lineagematch
    FOR EACH STATEMENT EXECUTE FUNCTION assessments_truncate_guard();
"""
UNGUARDS = """
DROP TRIGGER IF EXISTS assessments_droppedrecommendation_guard ON assessments_droppedrecommendation;
DROP TRIGGER IF EXISTS assessments_droppedrecommendation_truncate_guard
    ON assessments_droppedrecommendation;
DROP TRIGGER IF EXISTS assessments_lineagematch_guard ON assessments_lineagematch;
DROP TRIGGER IF EXISTS assessments_lineagematch_truncate_guard ON assessments_lineagematch;
DROP FUNCTION IF EXISTS assessments_lineagematch_guard();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0018_stored_edition_previews'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DroppedRecommendation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lineage', models.UUIDField()),
                ('reason', models.CharField(choices=[('implemented', 'Implemented'), ('partly_implemented', 'Partly implemented'), ('superseded', 'Superseded by another recommendation'), ('no_longer_relevant', 'No longer relevant'), ('other', 'Other')], max_length=20)),
                ('superseded_by', models.UUIDField(blank=True, null=True)),
                ('note', models.TextField(blank=True, max_length=5000, validators=[assessments.text_format.validate_text])),
            ],
            options={
                'ordering': ['revision', 'id'],
            },
        ),
        migrations.CreateModel(
            name='LineageMatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('similarity', models.FloatField(help_text='0 to 1: how alike the two texts are.')),
                ('decision', models.CharField(choices=[('linked', 'Linked by the importer'), ('to_confirm', 'To confirm'), ('confirmed', 'Confirmed'), ('split', 'Split: a new recommendation')], max_length=20)),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name_plural': 'lineage matches',
            },
        ),
        migrations.CreateModel(
            name='TrackedRecommendation',
            fields=[
                ('lineage', models.UUIDField(primary_key=True, serialize=False)),
                ('addressee_group', models.CharField(choices=[('government', 'Governments'), ('un', 'UN bodies'), ('regional', 'Regional organisations'), ('other', 'Others')], max_length=20)),
                ('text', models.TextField()),
                ('first_period', models.DateField()),
                ('last_period', models.DateField()),
                ('editions', models.PositiveIntegerField()),
                ('status', models.CharField(choices=[('new', 'New'), ('repeated', 'Repeated'), ('revised', 'Revised'), ('dropped', 'Dropped')], max_length=20)),
                ('implementation', models.CharField(blank=True, choices=[('not_implemented', 'Not implemented'), ('partly_implemented', 'Partly implemented'), ('implemented', 'Implemented')], max_length=20)),
                ('reason', models.CharField(blank=True, choices=[('implemented', 'Implemented'), ('partly_implemented', 'Partly implemented'), ('superseded', 'Superseded by another recommendation'), ('no_longer_relevant', 'No longer relevant'), ('other', 'Other'), ('not_recorded', 'No reason recorded'), ('country_left', 'The country left the outlook')], max_length=20)),
                ('note', models.TextField(blank=True)),
                ('superseded_by', models.UUIDField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-last_period', 'country__official_name', 'lineage'],
            },
        ),
        migrations.CreateModel(
            name='TrackedStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField()),
                ('status', models.CharField(choices=[('new', 'New'), ('repeated', 'Repeated'), ('revised', 'Revised'), ('dropped', 'Dropped')], max_length=20)),
                ('reason', models.CharField(blank=True, choices=[('implemented', 'Implemented'), ('partly_implemented', 'Partly implemented'), ('superseded', 'Superseded by another recommendation'), ('no_longer_relevant', 'No longer relevant'), ('other', 'Other'), ('not_recorded', 'No reason recorded'), ('country_left', 'The country left the outlook')], max_length=20)),
                ('note', models.TextField(blank=True)),
                ('superseded_by', models.UUIDField(blank=True, null=True)),
            ],
            options={
                'ordering': ['tracked', 'period'],
            },
        ),
        migrations.AddField(
            model_name='addressee',
            name='group',
            field=models.CharField(choices=[('government', 'Governments'), ('un', 'UN bodies'), ('regional', 'Regional organisations'), ('other', 'Others')], default='other', help_text='How the recommendation tracker groups addressees. Guessed from the name when the addressee is added; correct it here.', max_length=20),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='evidence',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='implementation',
            field=models.CharField(blank=True, choices=[('not_implemented', 'Not implemented'), ('partly_implemented', 'Partly implemented'), ('implemented', 'Implemented')], help_text='For a recommendation made before: how far it has been acted on.', max_length=20),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='lineage',
            field=models.UUIDField(null=True),
        ),
        migrations.RunPython(give_lineages, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='recommendation',
            name='lineage',
            field=models.UUIDField(db_index=True, default=uuid.uuid4),
        ),
        migrations.AddConstraint(
            model_name='recommendation',
            constraint=models.UniqueConstraint(fields=('revision', 'lineage'), name='unique_recommendation_lineage'),
        ),
        migrations.AddConstraint(
            model_name='recommendation',
            constraint=models.CheckConstraint(condition=models.Q(('evidence__isnull', True), models.Q(('implementation', ''), _negated=True), _connector='OR'), name='recommendation_evidence_for_implementation'),
        ),
        migrations.AddField(
            model_name='droppedrecommendation',
            name='revision',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dropped', to='assessments.revision'),
        ),
        migrations.AddField(
            model_name='lineagematch',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='lineagematch',
            name='predecessor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.recommendation'),
        ),
        migrations.AddField(
            model_name='lineagematch',
            name='recommendation',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='match', to='assessments.recommendation'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='addressee',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.addressee'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='country',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.country'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='dropped_in',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.outlook'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='first_outlook',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.outlook'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='last_outlook',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.outlook'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='latest',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.recommendation'),
        ),
        migrations.AddField(
            model_name='trackedrecommendation',
            name='region',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.region'),
        ),
        migrations.AddField(
            model_name='trackedstep',
            name='outlook',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='assessments.outlook'),
        ),
        migrations.AddField(
            model_name='trackedstep',
            name='recommendation',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='tracked_step', to='assessments.recommendation'),
        ),
        migrations.AddField(
            model_name='trackedstep',
            name='tracked',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='assessments.trackedrecommendation'),
        ),
        migrations.AddConstraint(
            model_name='droppedrecommendation',
            constraint=models.UniqueConstraint(fields=('revision', 'lineage'), name='one_drop_reason_per_recommendation'),
        ),
        migrations.AddConstraint(
            model_name='droppedrecommendation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reason', 'superseded'), ('superseded_by__isnull', False)), models.Q(models.Q(('reason', 'superseded'), _negated=True), ('superseded_by__isnull', True)), _connector='OR'), name='dropped_superseded_by_for_superseded_only'),
        ),
        migrations.AddConstraint(
            model_name='droppedrecommendation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('reason', 'other'), _negated=True), models.Q(('note', ''), _negated=True), _connector='OR'), name='dropped_other_has_note'),
        ),
        migrations.AddConstraint(
            model_name='droppedrecommendation',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('note'), 5000), name='droppedrecommendation_note_length'),
        ),
        migrations.AddIndex(
            model_name='lineagematch',
            index=models.Index(condition=models.Q(('decision', 'to_confirm')), fields=['decision'], name='match_to_confirm'),
        ),
        migrations.AddIndex(
            model_name='trackedrecommendation',
            index=models.Index(fields=['-last_period', 'lineage'], name='tracked_recent'),
        ),
        migrations.AddIndex(
            model_name='trackedrecommendation',
            index=models.Index(fields=['addressee', '-last_period'], name='tracked_addressee'),
        ),
        migrations.AddIndex(
            model_name='trackedrecommendation',
            index=models.Index(fields=['addressee_group', '-last_period'], name='tracked_group'),
        ),
        migrations.AddIndex(
            model_name='trackedrecommendation',
            index=models.Index(fields=['country', '-last_period'], name='tracked_country'),
        ),
        migrations.AddIndex(
            model_name='trackedrecommendation',
            index=models.Index(fields=['region', '-last_period'], name='tracked_region'),
        ),
        migrations.AddIndex(
            model_name='trackedrecommendation',
            index=models.Index(fields=['status', '-last_period'], name='tracked_status'),
        ),
        migrations.AddIndex(
            model_name='trackedstep',
            index=models.Index(fields=['outlook', 'status'], name='tracked_step_outlook'),
        ),
        migrations.AddConstraint(
            model_name='trackedstep',
            constraint=models.UniqueConstraint(fields=('tracked', 'outlook'), name='one_step_per_edition'),
        ),
        migrations.RunPython(on_postgresql(GUARDS), on_postgresql(UNGUARDS)),
        migrations.RunPython(fill_tracker, migrations.RunPython.noop),
]
