"""The checks from the command line and in the importer: `manage.py check_outlook` prints
the results by country and fails on an error, in a number of queries that does not grow
with the edition; the importer reports the results as warnings.
"""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import workflow
from assessments.checks import check_revision
from assessments.content import DraftContent
from assessments.importing import import_file
from assessments.models import CheckAcknowledgement, Country, Revision
from tests.builders import make_outlook, make_published_edition, make_revision

from .helpers import CLEAN_EDITION

# --- The command ----------------------------------------------------------------------


def test_check_outlook_prints_results_by_country_and_fails_on_an_error(
    published_sample, capsys, alice
):
    revision = Revision.objects.with_content().get(assessment__outlook=published_sample)
    warning = next(r for r in check_revision(revision) if r.check == "footnotes.uncited")
    CheckAcknowledgement.objects.create(
        revision=revision, key=warning.key, user=alice, note="Cited in the next edition."
    )
    with pytest.raises(CommandError) as error:
        call_command("check_outlook", published_sample.slug)
    assert error.value.returncode == 1
    assert "1 error(s) stand" in str(error.value)
    out = capsys.readouterr().out
    assert "DPRK (KP), revision 1, published" in out
    assert 'Finding 1, characters 916–923: "200,0000" is not a well-formed number' in out
    assert "Footnote 1: Footnote 1 is never cited in the text." in out
    assert "Acknowledged by alice: Cited in the next edition." in out
    assert "1 entry checked: 1 error(s)" in out


def test_check_outlook_succeeds_on_a_clean_edition(db, capsys):
    outlook = import_file(CLEAN_EDITION).outlook
    call_command("check_outlook", outlook.slug)
    out = capsys.readouterr().out
    assert "Myanmar (MM)" in out and "no problems found" in out
    assert "3 entries checked: 0 error(s), 0 warning(s), 0 note(s)." in out


def test_check_outlook_checks_the_latest_revision_of_a_draft_edition(db, capsys):
    outlook = make_outlook()
    assessment = outlook.assessments.create(country=Country.objects.get(code="KP"), position=1)
    make_revision(assessment, state=Revision.State.WITHDRAWN, findings=["It holds 1,0 people."])
    make_revision(assessment, findings=["The situation remains serious.[^1]"])
    call_command("check_outlook", outlook.slug)
    assert "revision 2, draft" in capsys.readouterr().out


def test_check_outlook_asks_why_a_draft_drops_a_recommendation_of_the_last_edition(
    copied_draft, alice, capsys
):
    content = DraftContent.from_revision(copied_draft)
    left_out = content.recommendations.pop(1)
    workflow.save_draft(copied_draft, content, user=alice, based_on_version=copied_draft.version)
    with pytest.raises(CommandError):
        call_command("check_outlook", copied_draft.assessment.outlook.slug)
    out = capsys.readouterr().out
    assert f"Dropped since the last edition: to {left_out.addressee}: The previous" in out
    assert "is dropped: say why." in out


def test_check_outlook_names_an_unknown_edition(db):
    with pytest.raises(CommandError, match='No edition with the slug "nowhere"'):
        call_command("check_outlook", "nowhere")


def test_check_outlook_queries_do_not_grow_with_the_edition(db):
    def queries(outlook):
        with CaptureQueriesContext(connection) as captured:
            call_command("check_outlook", outlook.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
        return len(captured)

    make_published_edition(1, period=date(2024, 4, 1))  # a previous edition for both
    small = make_published_edition(2, period=date(2024, 5, 1))
    large = make_published_edition(8, period=date(2024, 6, 1))
    assert queries(large) == queries(small)


# --- The importer ---------------------------------------------------------------------


def test_the_importer_reports_check_results_as_warnings(db, sample_path):
    warnings = import_file(sample_path).warnings
    assert (
        'line 5: Finding 1, characters 916–923: error: "200,0000" is not a well-formed number'
        in "\n".join(warnings)
    )
    assert "line 5: Footnote 4: warning: Footnote 4 is never cited in the text." in "\n".join(
        warnings
    )
    assert any(w.startswith("line 5: Country name in the heading") for w in warnings)


def test_import_outlook_prints_the_check_warnings(db, capsys, sample_path):
    call_command("import_outlook", str(sample_path))
    out = capsys.readouterr().out
    assert "warning: line 5: Finding 1, characters 916–923: error:" in out


def test_a_clean_import_has_no_check_warnings(db):
    assert import_file(CLEAN_EDITION).warnings == []
