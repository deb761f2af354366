"""The published record cannot be altered, broken or lost, whatever path a write takes.

0004 made a submitted, approved or published revision's own content immutable. What the
public reads also comes from rows around it, and those are guarded here, on PostgreSQL,
by triggers raising integrity_constraint_violation (an IntegrityError in Django):

- What a revision prints from is frozen once a revision under review or published
  uses it (submitted, approved or published: the revisions whose content 0004 fixes):
  a source's title, URL, document symbol, issuer and date; an addressee's name and slug
  (the address of its page); a risk level's name and rank; a risk status's name; a
  country's code. A new wording is a new row, cited by a correction. A risk level's
  colour (style) and a country's names (a country renamed is the same country) may
  still change.
- A published entry (an assessment whose published_revision is set) keeps its edition,
  country and position, is never deleted, and its published_revision only moves to a
  later published revision of the same assessment: a correction. Never to NULL, never
  back, never to a draft or another country's entry.
- A published outlook stays published and keeps its region, period, slug, title,
  introduction, publication date and publisher, and is never deleted.
- A revision starts as a draft and its state moves only along the workflow's
  transitions (STATE_MOVES below, written from assessments.permissions.TRANSITIONS:
  a new transition there needs a migration here). So an approved revision cannot be
  taken back to draft, edited and approved again behind the reviewers' back.
- The audit log only grows: an event is never deleted or changed. The one update
  allowed is Django's SET NULL of its link to a draft revision or draft edition being
  deleted (removing a country from a draft edition, replacing a draft on import):
  the event itself, who, what and when, stays. A stored PDF row is never rewritten.
- Reviews, acknowledgements and a revision's contributors are never rewritten, and a
  published revision's are never deleted. Users who appear in the record cannot be
  deleted, only deactivated: the foreign keys to them (a revision's creator, an event's
  actor, an outlook's publisher) are PROTECT, as a review's reviewer and an
  acknowledgement's user already were; in the database every foreign key to a user
  refuses the deletion of a user still referenced.
- TRUNCATE of the app's tables is refused while anything is published, and the audit
  log is never truncated. Django's flush, which empties the test database with
  TRUNCATE after each transactional test, needs a way through: a session with the
  custom setting `outlook.test_flush = 'on'` may truncate. Only the test suite's
  connections pass it, in their connection OPTIONS (tests/conftest.py); the
  application's never do. A session that sets it has chosen to bypass the guard, as
  the tables' owner could by disabling the trigger: no ordinary statement can.

What the database cannot tell is who acts, or whether a review happened: a session that
walks a new draft through submitted and approved to published (or publishes it at once,
as the import of an archive does) follows the transitions. What it guarantees is that
the published record is append-only: a published revision and its rows never change or
go (0004), what they print never changes, and a newer version can only be added beside
the old one, which stays readable with its number; four eyes are the workflow's.

SQLite (`make run`) has no triggers: there the workflow (assessments.workflow) and the
admin, read-only for all of this (assessments.admin), hold the same rules.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import deletion

FAIL = "USING ERRCODE = 'integrity_constraint_violation'"
IN_RECORD = "('submitted', 'approved', 'published')"

# The pairs (from, to) a revision's state may take: assessments.permissions.TRANSITIONS
# (each revision action's `sources` and `target`), then the moves outside that table.
# tests/test_published_record.py checks them against TRANSITIONS.
STATE_MOVES = [
    ("draft", "submitted"),  # submit
    ("changes_requested", "submitted"),  # submit
    ("submitted", "draft"),  # recall
    ("submitted", "approved"),  # approve
    ("submitted", "changes_requested"),  # request_changes
    ("approved", "published"),  # publish_correction, and publishing an edition (publish)
    # An archive's entry, imported as it was printed (workflow.store_imported, publish).
    ("draft", "published"),
    # Setting a revision aside before publication; no action takes it there yet, and
    # nothing comes back from it.
    ("draft", "withdrawn"),
    ("changes_requested", "withdrawn"),
    ("submitted", "withdrawn"),
    ("approved", "withdrawn"),
]
MOVES = ", ".join(f"('{before}', '{after}')" for before, after in STATE_MOVES)

# table: (the columns that print, when a revision in the record uses the row, what to say)
PRINTED = {
    "assessments_source": (
        ["title", "url", "document_symbol", "issuer", "date"],
        "SELECT 1 FROM assessments_footnote f JOIN assessments_revision r ON r.id = f.revision_id"
        f" WHERE f.source_id = OLD.id AND r.state IN {IN_RECORD}",
        "source % is cited by an entry under review or published: its title, URL, symbol, "
        "issuer and date print as they are. Add a new source and cite it in a correction.",
    ),
    "assessments_addressee": (
        ["name", "slug"],
        "SELECT 1 FROM assessments_recommendation m"
        " JOIN assessments_revision r ON r.id = m.revision_id"
        f" WHERE m.addressee_id = OLD.id AND r.state IN {IN_RECORD}",
        "addressee % has recommendations under review or published: its name and address "
        "print as they are. Add a new addressee for a new name.",
    ),
    "assessments_risklevel": (
        ["name", "rank"],
        f"SELECT 1 FROM assessments_revision WHERE risk_level_id = OLD.id AND state IN {IN_RECORD}",
        "risk level % rates entries under review or published: its name and rank print as "
        "they are. Add a new level instead.",
    ),
    "assessments_riskstatus": (
        ["name"],
        f"SELECT 1 FROM assessments_revision WHERE risk_status_id = OLD.id AND state IN {IN_RECORD}",
        "risk status % rates entries under review or published: its name prints as it is. "
        "Add a new status instead.",
    ),
    "assessments_country": (
        ["code"],
        "SELECT 1 FROM assessments_assessment a JOIN assessments_revision r ON r.assessment_id = a.id"
        f" WHERE a.country_id = OLD.id AND r.state IN {IN_RECORD}",
        "country % has entries under review or published: its code stays.",
    ),
}

# function name: its body, between BEGIN and END. Each raises integrity_constraint_violation.
FUNCTIONS = {
    "assessments_revision_transition": f"""
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'draft' THEN
            RAISE EXCEPTION 'a revision starts as a draft, not %', NEW.state {FAIL};
        END IF;
    ELSIF NEW.state <> OLD.state AND (OLD.state, NEW.state) NOT IN (VALUES {MOVES}) THEN
        RAISE EXCEPTION 'revision % cannot go from % to %: the workflow has no such step',
            OLD.id, OLD.state, NEW.state {FAIL};
    END IF;
    RETURN NEW;""",
    "assessments_assessment_guard": f"""
    IF TG_OP = 'DELETE' THEN
        IF OLD.published_revision_id IS NOT NULL THEN
            RAISE EXCEPTION 'entry % is published and cannot be deleted', OLD.id {FAIL};
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.published_revision_id IS NOT NULL
        AND (NEW.outlook_id, NEW.country_id, NEW.position)
            IS DISTINCT FROM (OLD.outlook_id, OLD.country_id, OLD.position) THEN
        RAISE EXCEPTION 'entry % is published: it keeps its edition, country and position',
            OLD.id {FAIL};
    END IF;
    IF NEW.published_revision_id IS NULL AND OLD.published_revision_id IS NOT NULL THEN
        RAISE EXCEPTION 'entry % is published and stays published', OLD.id {FAIL};
    END IF;
    IF NEW.published_revision_id IS DISTINCT FROM OLD.published_revision_id AND NOT EXISTS (
        SELECT 1 FROM assessments_revision
        WHERE id = NEW.published_revision_id
            AND assessment_id = NEW.id
            AND state = 'published'
            AND number > COALESCE(
                (SELECT number FROM assessments_revision WHERE id = OLD.published_revision_id),
                0)
    ) THEN
        RAISE EXCEPTION 'entry % can only show a later published revision of its own '
            '(a correction), not revision %', OLD.id, NEW.published_revision_id {FAIL};
    END IF;
    RETURN NEW;""",
    "assessments_outlook_guard": f"""
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
    END IF;
    RETURN NEW;""",
    "assessments_auditevent_guard": f"""
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit log only grows: event % cannot be deleted', OLD.id {FAIL};
    END IF;
    -- Django sets the link to a draft being deleted to NULL; nothing else changes.
    IF (NEW.id, NEW.actor_id, NEW.action, NEW.description, NEW.data, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.actor_id, OLD.action, OLD.description, OLD.data,
        OLD.created_at)
        OR (NEW.revision_id IS DISTINCT FROM OLD.revision_id AND (
            NEW.revision_id IS NOT NULL OR EXISTS (
                SELECT 1 FROM assessments_revision
                WHERE id = OLD.revision_id AND state = 'published')))
        OR (NEW.outlook_id IS DISTINCT FROM OLD.outlook_id AND (
            NEW.outlook_id IS NOT NULL OR EXISTS (
                SELECT 1 FROM assessments_outlook
                WHERE id = OLD.outlook_id AND state = 'published'))) THEN
        RAISE EXCEPTION 'the audit log only grows: event % cannot change', OLD.id {FAIL};
    END IF;
    RETURN NEW;""",
    "assessments_never_rewritten": f"""
    RAISE EXCEPTION '% rows are a record: row % is never rewritten', TG_TABLE_NAME, OLD.id
        {FAIL};""",
    "assessments_outlookpdf_guard": f"""
    -- A stored PDF is what was printed. Its one move: from the pending name it was
    -- written under to its final name, once the publication committed (pdf.promote).
    IF OLD.file LIKE 'pending/%' AND NEW.file NOT LIKE 'pending/%'
        AND NEW.outlook_id = OLD.outlook_id
        AND NEW.country_id IS NOT DISTINCT FROM OLD.country_id
        AND NEW.created_at = OLD.created_at THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'stored PDF % is a record: it is never rewritten', OLD.id {FAIL};""",
    "assessments_published_revision_record": f"""
    IF EXISTS (
        SELECT 1 FROM assessments_revision WHERE id = OLD.revision_id AND state = 'published'
    ) THEN
        RAISE EXCEPTION 'revision % is published: its % rows stay', OLD.revision_id,
            TG_TABLE_NAME {FAIL};
    END IF;
    RETURN OLD;""",
    "assessments_truncate_guard": f"""
    -- Django's flush of the test database (see the migration's docstring).
    IF current_setting('outlook.test_flush', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'assessments_auditevent'
        OR EXISTS (SELECT 1 FROM assessments_outlook WHERE state = 'published')
        OR EXISTS (SELECT 1 FROM assessments_revision WHERE state = 'published') THEN
        RAISE EXCEPTION 'TRUNCATE of % is refused: published content exists, and the audit '
            'log only grows', TG_TABLE_NAME {FAIL};
    END IF;
    RETURN NULL;""",
}

# (trigger, BEFORE what, table, function[, WHEN condition]); row-level but for TRUNCATE.
TRIGGERS = [
    (
        "assessments_revision_transition",
        "INSERT OR UPDATE OF state",
        "assessments_revision",
        "assessments_revision_transition",
    ),
    (
        "assessments_assessment_guard",
        "UPDATE OR DELETE",
        "assessments_assessment",
        "assessments_assessment_guard",
    ),
    ("assessments_outlook_guard", "UPDATE OR DELETE", "assessments_outlook", "assessments_outlook_guard"),
    (
        "assessments_auditevent_guard",
        "UPDATE OR DELETE",
        "assessments_auditevent",
        "assessments_auditevent_guard",
    ),
    ("assessments_outlookpdf_guard", "UPDATE", "assessments_outlookpdf", "assessments_outlookpdf_guard"),
]

# Rows written once and never updated by the workflow; a published revision's stay.
for table in [
    "assessments_review",
    "assessments_checkacknowledgement",
    "assessments_revision_contributors",
]:
    TRIGGERS.append((f"{table}_never_rewritten", "UPDATE", table, "assessments_never_rewritten"))
    TRIGGERS.append(
        (f"{table}_published_stay", "DELETE", table, "assessments_published_revision_record")
    )

# What prints: the trigger fires only when one of those columns changes.
for table, (columns, in_use, message) in PRINTED.items():
    FUNCTIONS[f"{table}_printed"] = f"""
    IF EXISTS ({in_use}) THEN
        RAISE EXCEPTION '{message}', OLD.id {FAIL};
    END IF;
    RETURN NEW;"""
    old = ", ".join(f"OLD.{column}" for column in columns)
    new = ", ".join(f"NEW.{column}" for column in columns)
    when = f"ROW({old}) IS DISTINCT FROM ROW({new})"
    TRIGGERS.append((f"{table}_printed", "UPDATE", table, f"{table}_printed", when))

# Every table of the app; a TRUNCATE ... CASCADE fires the trigger of each table it empties.
for table in [
    "assessments_region",
    "assessments_country",
    "assessments_risklevel",
    "assessments_riskstatus",
    "assessments_outlook",
    "assessments_outlookpdf",
    "assessments_assessment",
    "assessments_revision",
    "assessments_revision_contributors",
    "assessments_finding",
    "assessments_addressee",
    "assessments_recommendation",
    "assessments_source",
    "assessments_footnote",
    "assessments_review",
    "assessments_checkacknowledgement",
    "assessments_auditevent",
]:
    TRIGGERS.append((f"{table}_truncate_guard", "TRUNCATE", table, "assessments_truncate_guard"))


def create_trigger(name, event, table, function, when=""):
    each = "STATEMENT" if event == "TRUNCATE" else "ROW"
    condition = f" WHEN ({when})" if when else ""
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
        f"FOR EACH {each}{condition} EXECUTE FUNCTION {function}();"
    )


CREATE = "\n".join(
    [
        f"CREATE FUNCTION {name}() RETURNS trigger AS $$\nBEGIN{body}\nEND;\n$$ LANGUAGE plpgsql;"
        for name, body in FUNCTIONS.items()
    ]
    + [create_trigger(*trigger) for trigger in TRIGGERS]
)
DROP = "\n".join(
    [f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, _, table, *_ in TRIGGERS]
    + [f"DROP FUNCTION IF EXISTS {name}();" for name in FUNCTIONS]
)


def on_postgresql(sql):
    """A migration step that runs `sql` on PostgreSQL; SQLite has no triggers."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


def protect():
    return models.ForeignKey(
        null=True,
        blank=True,
        on_delete=deletion.PROTECT,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_text_limits_and_characters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Who did what stays: these were SET_NULL, which blanked them with the user.
        migrations.AlterField(model_name="outlook", name="published_by", field=protect()),
        migrations.AlterField(model_name="revision", name="created_by", field=protect()),
        migrations.AlterField(model_name="auditevent", name="actor", field=protect()),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
