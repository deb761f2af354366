"""Submitted, approved and published revisions are immutable in the database too.

On PostgreSQL, triggers refuse any change to such a revision's content or to its
findings, recommendations and footnotes, and refuse deleting a published
revision. They raise integrity_constraint_violation, which Django reports as an
IntegrityError. SQLite (the development database) relies on the workflow alone.
"""

from django.db import migrations

EDITABLE = "('draft', 'changes_requested')"

CREATE = f"""
CREATE FUNCTION assessments_revision_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state = 'published' THEN
            RAISE EXCEPTION 'revision % is published and cannot be deleted', OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state NOT IN {EDITABLE} AND (
        NEW.assessment_id IS DISTINCT FROM OLD.assessment_id
        OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.risk_level_id IS DISTINCT FROM OLD.risk_level_id
        OR NEW.risk_status_id IS DISTINCT FROM OLD.risk_status_id
        OR NEW.rationale IS DISTINCT FROM OLD.rationale
        OR NEW.correction_note IS DISTINCT FROM OLD.correction_note
    ) THEN
        RAISE EXCEPTION 'revision % is %, its content cannot change', OLD.id, OLD.state
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.state = 'published' AND (
        NEW.state <> 'published' OR NEW.published_at IS DISTINCT FROM OLD.published_at
    ) THEN
        RAISE EXCEPTION 'revision % is published and stays published', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER assessments_revision_guard
    BEFORE UPDATE OR DELETE ON assessments_revision
    FOR EACH ROW EXECUTE FUNCTION assessments_revision_guard();

CREATE FUNCTION assessments_revision_content_guard() RETURNS trigger AS $$
DECLARE
    parent_state text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT state INTO parent_state FROM assessments_revision WHERE id = OLD.revision_id;
        -- Deleting the rows of a submitted revision is allowed so that a whole draft
        -- edition can be deleted; a published revision's rows never go.
        IF parent_state = 'published' OR (TG_OP = 'UPDATE' AND parent_state NOT IN {EDITABLE}) THEN
            RAISE EXCEPTION 'revision % is %, its content cannot change', OLD.revision_id, parent_state
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT state INTO parent_state FROM assessments_revision WHERE id = NEW.revision_id;
        IF parent_state NOT IN {EDITABLE} THEN
            RAISE EXCEPTION 'revision % is %, its content cannot change', NEW.revision_id, parent_state
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
"""

CONTENT_TABLES = ["assessments_finding", "assessments_recommendation", "assessments_footnote"]

for table in CONTENT_TABLES:
    CREATE += f"""
CREATE TRIGGER {table}_guard
    BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION assessments_revision_content_guard();
"""

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};\n" for table in CONTENT_TABLES) + """
DROP TRIGGER IF EXISTS assessments_revision_guard ON assessments_revision;
DROP FUNCTION IF EXISTS assessments_revision_content_guard();
DROP FUNCTION IF EXISTS assessments_revision_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_countries")]

    operations = [migrations.RunPython(forwards, backwards)]
