"""XLSX uploads through the API and the import worker: the sheet a marketing user chooses is
the one imported (and counted for progress), and formula cells without a saved value are
reported as row errors while their rows import.

Fake-versus-real: real workbooks written with openpyxl (which stores a formula and no result,
as scripts do); the real app and database (SQLite and PostgreSQL); imports run by
`run_import` as intake's worker runs them, in process and in the helper process.
"""

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import update

from rainmaker_intake.adapters.tables import imports
from rainmaker_intake.service_layer import importer
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import HEADERS, person, to_csv


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _people(first: int, count: int) -> list[list[Any]]:
    return [list(HEADERS)] + [[person(i)[h] for h in HEADERS] for i in range(first, first + count)]


# "Notes" comes first: what the import read before, silently.
BOOK = _workbook(
    {
        "Notes": [["Note", "Email", "Company"], ["call them", "vendor@listco.com", "ListCo"]],
        "Contacts": _people(0, 5),
        "Old": _people(100, 2),
    }
)


def _errors(intake: Intake, import_id: str) -> list[dict[str, str]]:
    r = intake.client.get(f"/imports/{import_id}/errors", headers=intake.headers)
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def _preview(intake: Intake, data: bytes, filename: str = "book.xlsx", **form: str) -> Any:
    return intake.client.post(
        "/lists/preview",
        data={"file": (io.BytesIO(data), filename), **form},
        headers=intake.headers,
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
def test_the_chosen_sheet_is_imported_and_counted(
    intake: Intake, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    r = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="Contacts")
    assert r.status_code == 202, r.get_data(as_text=True)
    import_id = r.json["import_id"]

    def stop(*_: object) -> None:
        raise RuntimeError("the worker stops here, mid-import")

    monkeypatch.setattr(importer, "_store_chunk", stop)
    with pytest.raises(RuntimeError):
        importer.run_import(intake.db, import_id)
    running = intake.status(import_id)
    assert (running["rows_total"], running["sheet"]) == (5, "Contacts")  # not Notes' 1 row

    monkeypatch.undo()
    importer.run_import(intake.db, import_id, helper_min_bytes=0 if helper else 1 << 30)
    done = intake.status(import_id)
    assert (done["status"], done["accepted"], done["rows_total"]) == ("done", 5, 5)
    assert sorted(intake.emails()) == sorted(person(i)["Email"] for i in range(5))


def test_without_a_sheet_the_first_is_read_and_named(intake: Intake) -> None:
    status = intake.import_list(_workbook({"Leads": _people(0, 2)}), "One sheet",
                                filename="book.xlsx")  # fmt: skip

    assert (status["sheet"], status["accepted"]) == ("Leads", 2)


def test_another_sheet_of_the_same_file_is_another_import(intake: Intake) -> None:
    contacts = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="Contacts")
    again = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="contacts")
    old = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="Old")
    first = intake.upload(BOOK, "Workbook", filename="book.xlsx")
    first_by_name = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="Notes")

    assert [r.status_code for r in (contacts, again, old, first, first_by_name)] == [202] * 5
    assert (contacts.json["created"], again.json["created"]) == (True, False)
    assert again.json["import_id"] == contacts.json["import_id"]
    assert old.json["created"] and old.json["import_id"] != contacts.json["import_id"]
    assert first.json["created"] and first.json["import_id"] != contacts.json["import_id"]
    assert (first_by_name.json["created"], first_by_name.json["import_id"]) == (
        False,
        first.json["import_id"],
    )


def test_an_import_stored_before_sheets_counts_as_the_first_sheet(intake: Intake) -> None:
    r = intake.upload(BOOK, "Workbook", filename="book.xlsx")
    with intake.db.transaction() as session:  # as migration 0010 left it: no sheet stored
        session.execute(update(imports).values(sheet=None))

    same = intake.upload(BOOK, "Workbook", filename="book.xlsx")
    other = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="Contacts")

    assert (same.json["created"], same.json["import_id"]) == (False, r.json["import_id"])
    assert other.json["created"]
    importer.run_import(intake.db, r.json["import_id"])  # a stored import reads the first sheet
    assert intake.emails() == ["vendor@listco.com"]


def test_an_unknown_sheet_is_a_422_naming_the_sheets(intake: Intake) -> None:
    r = intake.upload(BOOK, "Workbook", filename="book.xlsx", sheet="People")
    preview = _preview(intake, BOOK, sheet="People")

    for answer in (r, preview):
        assert answer.status_code == 422
        assert answer.content_type == "application/problem+json"
        detail = answer.json["detail"]
        assert "no sheet named 'People'; its sheets: 'Notes', 'Contacts', 'Old'" in detail
    assert intake.client.get("/lists", headers=intake.headers).json == []


def test_a_sheet_on_a_csv_upload_is_a_422(intake: Intake) -> None:
    data = to_csv([person(0)])
    r = intake.upload(data, "Text", filename="list.csv", sheet="Sheet1")
    preview = _preview(intake, data, filename="list.csv", sheet="Sheet1")

    for answer in (r, preview):
        assert answer.status_code == 422
        assert "CSV/TSV text, which has no sheets" in answer.json["detail"]
    assert intake.upload(data, "Text", filename="list.csv", sheet="").status_code == 202


def test_the_preview_lists_the_sheets_and_reads_the_chosen_one(intake: Intake) -> None:
    default = _preview(intake, BOOK)
    chosen = _preview(intake, BOOK, sheet="Contacts")
    text = _preview(intake, to_csv([person(0)]), filename="list.csv")

    assert default.status_code == chosen.status_code == 200
    assert default.json["sheets"] == ["Notes", "Contacts", "Old"]
    assert default.json["sheet"] == "Notes"
    assert (chosen.json["sheet"], len(chosen.json["rows"])) == ("Contacts", 5)
    assert chosen.json["rows"][0]["values"]["email"] == person(0)["Email"]
    assert (text.json["sheets"], text.json["sheet"]) == ([], None)


def _scripted_formulas() -> bytes:
    rows = _people(0, 3)
    rows[2][HEADERS.index("Company")] = "=UPPER(A3)"  # sheet row 3
    rows[3][HEADERS.index("City")] = '=G2&""'  # sheet row 4
    return _workbook({"Leads": rows})


def test_formulas_without_a_saved_value_are_reported_and_their_rows_imported(
    intake: Intake,
) -> None:
    data = _scripted_formulas()
    preview = _preview(intake, data)
    status = intake.import_list(data, "Formulas", filename="book.xlsx")

    assert (status["accepted"], status["rejected"]) == (3, 0)
    reason = "a formula without a saved value: open and save the workbook in Excel"
    found = [(e["row"], e["column"], e["value"].lstrip("'"), e["reason"][: len(reason)])
             for e in _errors(intake, status["import_id"])]  # fmt: skip
    assert found == [("3", "company", "=UPPER(A3)", reason), ("4", "city", '=G2&""', reason)]
    assert [(e["row_number"], e["column"]) for e in preview.json["errors"]] == [
        (3, "company"),
        (4, "city"),
    ]
    lead = intake.lead(intake.lead_id_of(person(1)["Email"]))
    assert lead["company"] is None  # blank, as the cell read


def test_a_row_of_unsaved_formulas_alone_counts_as_rejected(intake: Intake) -> None:
    rows = [*_people(0, 2), ["=A2"] * len(HEADERS)]
    status = intake.import_list(_workbook({"Leads": rows}), "Formula row", filename="b.xlsx")

    assert (status["accepted"], status["rejected"]) == (2, 1)
    assert [e["column"] for e in _errors(intake, status["import_id"])][-1] == "*"
