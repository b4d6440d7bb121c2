"""`rainmaker lists import|preview FILE --sheet NAME` against the real intake API over HTTP."""

from pathlib import Path

from openpyxl import Workbook

from tests.intake.cli.test_cli_lists import api, import_args, import_id_of
from tests.support import unique_id


def workbook(tmp_path: Path) -> Path:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Note", "Email", "Company"])
    notes.append(["call them", "vendor@listco.com", "ListCo"])
    contacts = book.create_sheet("Contacts")
    contacts.append(["First Name", "Last Name", "Email"])
    contacts.append(["Ada", "Lovelace", "ada@analytical-engines.co.uk"])
    contacts.append(["Alan", "Turing", "alan@bletchley-park.org"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


def test_preview_names_the_sheets_and_reads_the_one_asked_for(cli, tmp_path):
    path = workbook(tmp_path)

    default = cli("lists", "preview", str(path))
    chosen = cli("lists", "preview", str(path), "--sheet", "Contacts")

    assert default.exit_code == 0 and chosen.exit_code == 0, default.output + chosen.output
    assert "sheet:     'Notes' (sheets: 'Notes', 'Contacts'; choose one with --sheet)" in (
        default.stdout
    )
    assert "sheet:     'Contacts' (sheets: 'Notes', 'Contacts'" in chosen.stdout
    assert "alan@bletchley-park.org" in chosen.stdout
    assert "vendor@listco.com" not in chosen.stdout


def test_import_reads_the_sheet_asked_for(cli, worker, tmp_path, intake_url, keys):
    worker()
    result = cli(*import_args(workbook(tmp_path), unique_id("list"), "--sheet", "Contacts"))

    assert result.exit_code == 0, result.output
    job = api(intake_url, keys["marketing"], f"/imports/{import_id_of(result.stderr)}")
    assert (job["status"], job["sheet"], job["accepted"]) == ("done", "Contacts", 2)


def test_an_unknown_sheet_is_refused_with_the_sheets_named(cli, tmp_path):
    result = cli(*import_args(workbook(tmp_path), unique_id("list"), "--sheet", "People"))

    assert result.exit_code == 1
    assert "no sheet named 'People'; its sheets: 'Notes', 'Contacts'" in result.stderr
