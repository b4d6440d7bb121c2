"""A messy list, in every encoding and with every delimiter, imports every valid row and
rejects exactly the invalid ones, each with its row number, column and reason; the error CSV
re-parses safely, its formula cells neutralised and its row numbers true to the file.

Upload, status and errors go through the HTTP app; the import job runs through the service
layer (`run_import`), as intake's worker runs it.
"""

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from rainmaker_intake.service_layer.importer import run_import
from tests.intake.integration.conftest import Intake
from tests.intake.integration.messy import (
    EMAIL,
    FIRST,
    JOB,
    LAST,
    NOTES,
    SOURCE,
    TOO_WIDE,
    MessyList,
    Problem,
    build,
)

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1"]
DELIMITERS = [",", ";", "\t", "|"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def file_lines(messy: MessyList) -> dict[int, list[str]]:
    """Records by the line they start on, read back with the csv module (an independent
    check of the builder's own line numbers)."""
    decoded = messy.data.decode("utf-8-sig" if messy.encoding.startswith("utf-8") else
                                messy.encoding)  # fmt: skip
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=messy.delimiter)
    out, end = {}, 0
    for cells in reader:
        out[end + 1] = cells
        end = reader.line_num
    return out


@pytest.mark.parametrize("delimiter", DELIMITERS, ids=["comma", "semicolon", "tab", "pipe"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_messy_list_imports_valid_rows_and_reports_the_rest(
    intake: Intake, encoding: str, delimiter: str
) -> None:
    messy = build(encoding, delimiter)
    records = file_lines(messy)
    for row in messy.rows:  # the builder's line numbers are the file's
        assert records[row.line] == row.cells

    r = intake.upload(messy.data, f"messy {encoding} {delimiter!r}", default_region="DE",
                      filename="messy.csv")  # fmt: skip
    assert r.status_code == 202, r.get_data(as_text=True)
    assert r.json["created"] is True
    import_id = r.json["import_id"]
    assert intake.status(import_id)["status"] == "queued"

    run_import(intake.db, import_id)
    status = intake.status(import_id)
    assert status["status"] == "done", status
    assert status["delimiter"] == delimiter
    expected_encoding = {"utf-8": {"utf-8"}, "utf-8-sig": {"utf-8-sig"},
                         "cp1252": {"cp1252"}, "latin-1": {"cp1252", "latin-1"}}  # fmt: skip
    assert status["encoding"] in expected_encoding[encoding]
    counts = {
        k: status[k]
        for k in (
            "rows_total",
            "rows_done",
            "accepted",
            "rejected",
            "duplicates_in_file",
            "duplicates_existing",
            "suppressed",
        )
    }
    assert counts == {
        "rows_total": len(messy.rows), "rows_done": len(messy.rows),
        "accepted": len(messy.valid), "rejected": len(messy.invalid),
        "duplicates_in_file": 0, "duplicates_existing": 0, "suppressed": 0,
    }  # fmt: skip
    quality = status["quality"]
    assert quality["invalid_emails"] == sum(
        any(p.column == "email" for p in row.problems) for row in messy.rows
    )
    assert quality["invalid_phones"] == sum(
        any(p.column == "phone" for p in row.problems) for row in messy.rows
    )

    check_error_csv(intake, import_id, messy)
    check_stored_leads(intake, import_id, messy)


def check_error_csv(intake: Intake, import_id: str, messy: MessyList) -> None:
    r = intake.client.get(f"/imports/{import_id}/errors", headers=intake.headers)
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    body = r.get_data(as_text=True)
    table = list(csv.reader(io.StringIO(body, newline="")))
    assert table[0] == ["row", "column", "value", "reason"]
    reported: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for cells in table[1:]:
        assert len(cells) == 4, cells
        line, column, value, reason = cells
        for cell in cells:  # nothing a spreadsheet would run
            assert not cell.startswith(FORMULA_START), cells
        if value.startswith("'") and value[1:].startswith(FORMULA_START):
            value = value[1:]
        reported.setdefault((int(line), column), []).append((value, reason))

    expected: dict[tuple[int, str], list[Problem]] = {}
    for each in messy.rows:
        for p in each.problems:
            expected.setdefault((each.line, p.column), []).append(p)
    assert sorted(reported) == sorted(expected)
    for key, problems in expected.items():
        left = list(reported[key])
        assert len(left) == len(problems), (key, left)
        for problem in problems:
            value = problem.value
            if problem.reason == TOO_WIDE:
                wide = next(r for r in messy.rows if r.line == key[0])
                value = messy.delimiter.join(wide.cells)[:200]
            hit = next((x for x in left if x[0] == value and problem.reason in x[1]), None)
            assert hit is not None, (key, problem, left)
            left.remove(hit)
    # Formula cells really were in the report, and came back neutralised.
    raw_values = [cells[2] for cells in table[1:]]
    assert {"'=1+2", "'@SUM(A1)", "'-12 34", "'+1 for the demo"} <= set(raw_values)
    assert any(v.startswith("'@Evil") for v in raw_values)
    rejected_rows = {int(cells[0]) for cells in table[1:] if cells[1] == "*"}
    assert rejected_rows == {row.line for row in messy.invalid}


def check_stored_leads(intake: Intake, import_id: str, messy: MessyList) -> None:
    with intake.db.reader() as session:
        stored = session.execute(
            text(
                "SELECT c.email, c.phone, c.first_name, c.last_name, c.company, c.job_title, "
                "c.notes, c.attributes, t.row_number FROM contacts c "
                "JOIN touches t ON t.lead_id = c.lead_id WHERE t.import_id = :i"
            ),
            {"i": import_id},
        ).all()
    assert len(stored) == len(messy.valid) == intake.contact_count()
    by_row = {s.row_number: s for s in stored}
    assert set(by_row) == {row.line for row in messy.valid}  # row numbers true to the file
    for row in messy.valid:
        s, c = by_row[row.line], row.cells
        assert s.email == c[EMAIL].lower()
        assert (s.first_name, s.last_name) == (c[FIRST].strip(), c[LAST]), row.line
        assert s.phone == row.phone_e164
        assert s.job_title == c[JOB]  # formulas are data: kept verbatim
        assert (s.notes or "") == c[NOTES]
        attributes = json.loads(s.attributes) if isinstance(s.attributes, str) else s.attributes
        assert attributes.get("Lead Source") == c[SOURCE]


EXCEL_EXPORT = Path(__file__).parents[1] / "fixtures" / "messy" / "excel_export_cp1252.csv"


def test_a_hand_written_excel_export(intake: Intake) -> None:
    """A German Excel export (Windows-1252, semicolons, CRLF), checked by hand line by line:
    an oracle that does not share the builder's idea of row numbers."""
    status = intake.import_list(EXCEL_EXPORT.read_bytes(), "Messe", default_region="DE")
    assert (status["encoding"], status["delimiter"]) == ("cp1252", ";")
    assert (status["rows_total"], status["accepted"], status["rejected"]) == (8, 5, 3)
    r = intake.client.get(f"/imports/{status['import_id']}/errors", headers=intake.headers)
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True), newline="")))
    got = sorted((int(row), column, value, reason) for row, column, value, reason in table[1:])
    assert [g[:3] for g in got] == [
        (7, "*", ""),
        (7, "email", """'=HYPERLINK("http://evil.example.com")"""),
        (9, "phone", "'-12 34"),
        (10, "*", ""),
        (12, "*", "Ivo;Extra;ivo@extra.de;Extra AG;;;Wien;zu viel;überzählig"),
    ]
    reasons = [g[3] for g in got]
    assert "no way to reach" in reasons[0] and reasons[1].startswith("invalid email")
    assert reasons[2].startswith("invalid phone") and "no name or company" in reasons[3]
    assert reasons[4] == "9 cells but the header has 8 columns"

    with intake.db.reader() as session:
        stored = {
            row.row_number: row
            for row in session.execute(
                text(
                    "SELECT t.row_number, c.email, c.first_name, c.last_name, c.company, "
                    "c.job_title, c.phone, c.notes FROM contacts c "
                    "JOIN touches t ON t.lead_id = c.lead_id"
                )
            )
        }
    assert sorted(stored) == [2, 3, 6, 9, 11]
    assert (stored[2].first_name, stored[2].last_name, stored[2].phone) == (
        "Jürgen",
        "Müller",
        "+49301234567",
    )
    assert stored[2].notes == "Messe 2024 – “sehr interessiert”"  # noqa: RUF001
    assert (stored[3].company, stored[3].phone) == ("Café €uro SARL", "+33142685300")
    assert stored[3].notes == "Rückruf am Montag;\r\ndanach Angebot"
    assert (stored[6].email, stored[6].first_name, stored[6].job_title) == (
        "sarka@zak-trading.cz",
        "Šárka",
        "=1+2",
    )
    assert stored[9].phone is None and stored[9].notes == 'Notiz mit "Anführungszeichen"'
    assert (stored[11].first_name, stored[11].notes) == ("Œdipe", "+1 für die Demo")
