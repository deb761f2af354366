"""The import_outlook command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assessment
from tests.test_lineage import archive_files

from . import ENTRY, write

pytestmark = pytest.mark.django_db


def test_import_command_prints_what_it_imported_and_warnings(sample_path):
    out = StringIO()
    call_command("import_outlook", str(sample_path), "--publish", stdout=out)
    output = out.getvalue()
    assert "Asia Pacific Regional Outlook November 2023 (asia-pacific-2023-11, published)" in output
    assert "added DPRK (KP)" in output
    assert (
        "line 5: Country name in the heading, characters 1–37: warning: "
        '"Democratic Peoples\' Republic of Korea" is a misspelling of '
        '"Democratic People\'s Republic of Korea"'
    ) in output
    assert '"200,0000" is not a well-formed number' in output


def test_command_imports_good_files_and_fails_on_a_bad_one(tmp_path):
    good = write(tmp_path, "good.txt", ENTRY)
    bad = write(tmp_path, "bad.txt", ENTRY.replace("High/Ongoing", "Huge/Ongoing"))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command("import_outlook", str(good), str(bad), stdout=out, stderr=err)
    assert "added DPRK (KP)" in out.getvalue()
    assert f'{bad}, line 3: the risk level "Huge"' in err.getvalue()
    assert f"Nothing was imported from {bad}" in err.getvalue()
    assert Assessment.objects.count() == 1


def test_the_import_command_prints_what_it_linked_left_new_and_left_to_confirm(tmp_path):
    out = StringIO()
    paths = archive_files(tmp_path, "text")
    call_command("import_outlook", *map(str, paths), "--publish", stdout=out)
    lines = [line.strip() for line in out.getvalue().splitlines() if "recommendations:" in line]
    assert lines == [
        "recommendations: 0 linked, 6 unlinked (new), 0 to confirm in the editor",
        "recommendations: 4 linked, 1 unlinked (new), 1 to confirm in the editor",
        "recommendations: 5 linked, 1 unlinked (new), 1 to confirm in the editor",
    ]
