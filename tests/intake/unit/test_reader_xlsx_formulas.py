"""The list reader on XLSX formula cells and on workbooks with several sheets.

Fake-versus-real: workbooks are written with openpyxl in tmp_path, as scripts write them
(formulas without a cached value); an Excel-saved workbook (cached values, shared and array
formulas, a saved empty text result, a namespace prefix) is a real XLSX whose sheet XML is
written here, since openpyxl cannot store a formula's result.
"""

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from rainmaker_intake.adapters.reader import open_list
from rainmaker_intake.adapters.xlsx import xlsx_data_rows
from rainmaker_intake.domain.contact import RowError
from rainmaker_intake.domain.model import InvalidUpload

HEADER = ["Email", "First Name", "Last Name", "Company", "Label"]
UNSAVED = (
    "a formula without a saved value: open and save the workbook in Excel (or export it as "
    "CSV) so its results are stored"
)


def scripted(path: Path) -> Path:
    """As a script writes it: openpyxl stores a formula and no result."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["ann@acme.com", "Ann", "Lee", "Acme", "vip"])
    sheet.append(["bob@acme.com", "Bob", "=UPPER(B2)", "=D2", '=B3&" "&C3'])
    sheet.append(["cy@acme.com", "Cy", "Wu", "Acme", "x"])
    book.save(path)
    return path


def test_formulas_without_a_saved_value_are_row_errors_and_the_row_imports(
    tmp_path: Path,
) -> None:
    listed = open_list(scripted(tmp_path / "list.xlsx"))
    errors: list[RowError] = []

    ann, bob, cy = listed.rows(on_error=errors.append)

    assert (bob.row_number, bob.values["last_name"], bob.values["company"]) == (3, "", "")
    assert bob.values["email"] == "bob@acme.com"
    assert errors == [
        RowError(3, "last_name", "=UPPER(B2)", UNSAVED),
        RowError(3, "company", "=D2", UNSAVED),
        RowError(3, "Label", '=B3&" "&C3', UNSAVED),  # unmapped: by header name
    ]
    assert (ann.values["last_name"], cy.values["last_name"]) == ("Lee", "Wu")


def test_the_preview_shows_the_formula_errors(tmp_path: Path) -> None:
    preview = open_list(scripted(tmp_path / "list.xlsx")).preview(20)

    assert [(e["row_number"], e["column"]) for e in preview["errors"]] == [
        (3, "last_name"),
        (3, "company"),
        (3, "Label"),
    ]


def test_a_row_of_formulas_alone_is_reported_as_not_imported(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Company"])
    sheet.append(["a@x.com", "X"])
    sheet.append(["=LOWER(A2)", "=B2"])
    book.save(tmp_path / "list.xlsx")
    errors: list[RowError] = []

    rows = list(open_list(tmp_path / "list.xlsx").rows(on_error=errors.append))

    assert [r.row_number for r in rows] == [2]
    assert [(e.row_number, e.column) for e in errors] == [(3, "email"), (3, "company"), (3, "*")]
    assert "not imported" in errors[-1].reason


def test_a_sheet_of_unsaved_formulas_says_why_it_has_no_data(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Company"])
    for i in range(2, 5):
        sheet.append([f"=Data!A{i}", f"=Data!B{i}"])
    book.save(tmp_path / "list.xlsx")

    with pytest.raises(InvalidUpload, match=r"no data rows; 6 cells are formulas without a sav"):
        open_list(tmp_path / "list.xlsx")


NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# As Excel saves a sheet: every formula with its result. Row 2: a cached string, number and
# an empty text result; row 3 starts a shared formula (cached) whose next cell (row 4) has
# no value; row 4 also has an array formula without a value, and an inline string. The
# x: prefix is legal XML that a scan for "<c " and "<f>" would miss.
EXCEL_SHEET = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="{NS}"><x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Email</x:t></x:is></x:c>
<x:c r="B1" t="inlineStr"><x:is><x:t>Company</x:t></x:is></x:c>
<x:c r="C1" t="inlineStr"><x:is><x:t>Employees</x:t></x:is></x:c>
<x:c r="D1" t="inlineStr"><x:is><x:t>Label</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" t="str"><x:f>LOWER("ANN@ACME.COM")</x:f><x:v>ann@acme.com</x:v></x:c>
<x:c r="B2" t="inlineStr"><x:is><x:t>Acme</x:t></x:is></x:c>
<x:c r="C2"><x:f>6*7</x:f><x:v>42</x:v></x:c>
<x:c r="D2" t="str"><x:f>IF(C2&gt;100,"big","")</x:f><x:v></x:v></x:c></x:row>
<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>bob@acme.com</x:t></x:is></x:c>
<x:c r="B3" t="inlineStr"><x:is><x:t>Bobco</x:t></x:is></x:c>
<x:c r="C3"><x:f t="shared" ref="C3:C4" si="0">C2+1</x:f><x:v>43</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t>cy@acme.com</x:t></x:is></x:c>
<x:c r="B4"><x:f t="array" ref="B4">UPPER(B3)</x:f></x:c>
<x:c r="C4"><x:f t="shared" si="0"/><x:v/></x:c>
<x:c r="D4" t="inlineStr"><x:is><x:t>=not a formula</x:t></x:is></x:c></x:row>
</x:sheetData></x:worksheet>"""


def test_cached_formula_values_are_read_and_only_missing_ones_reported(tmp_path: Path) -> None:
    path = tmp_path / "saved.xlsx"
    book = Workbook()
    assert book.active is not None
    book.active.append(["placeholder"])
    book.save(path)
    rewritten = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = EXCEL_SHEET.encode()
            out.writestr(item, data)
    errors: list[RowError] = []

    ann, bob, cy = open_list(rewritten).rows(on_error=errors.append)

    assert ann.values == {"email": "ann@acme.com", "company": "Acme", "employees": "42"}
    assert ann.attributes == {}  # D2: a saved empty text result is a value, not an error
    assert bob.values["employees"] == "43"
    assert (cy.values["company"], cy.values["employees"]) == ("", "")
    assert cy.attributes == {"Label": "=not a formula"}
    assert [(e.row_number, e.column, e.value) for e in errors] == [
        (4, "company", "=UPPER(B3)"),
        (4, "employees", ""),  # the shared formula's text lives on a cell that was saved
    ]


def sheets(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Note", "Email"])
    notes.append(["call back", "not-a-lead@x.com"])
    contacts = book.create_sheet("Contacts")
    contacts.append(["Email", "Company"])
    for i in range(3):
        contacts.append([f"p{i}@acme.com", "Acme"])
    book.save(path)
    return path


def test_a_named_sheet_is_read_and_the_workbook_lists_its_sheets(tmp_path: Path) -> None:
    path = sheets(tmp_path / "book.xlsx")

    first = open_list(path)
    chosen = open_list(path, sheet="Contacts")
    folded = open_list(path, sheet="contacts")  # Excel's sheet names ignore case

    assert (first.sheets, first.sheet) == (["Notes", "Contacts"], "Notes")
    assert [r.values["email"] for r in first.rows()] == ["not-a-lead@x.com"]
    assert chosen.sheet == folded.sheet == "Contacts"
    assert [r.values["email"] for r in chosen.rows()] == [f"p{i}@acme.com" for i in range(3)]
    preview = chosen.preview(20)
    assert (preview["sheets"], preview["sheet"]) == (["Notes", "Contacts"], "Contacts")
    assert (xlsx_data_rows(path), xlsx_data_rows(path, "Contacts")) == (1, 3)


def test_an_unknown_sheet_is_refused_naming_the_sheets(tmp_path: Path) -> None:
    path = sheets(tmp_path / "book.xlsx")

    with pytest.raises(InvalidUpload, match="no sheet named 'People'; its sheets: 'Notes', 'Con"):
        open_list(path, sheet="People")


def test_a_sheet_for_a_csv_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Email\na@x.com\n")

    with pytest.raises(InvalidUpload, match="CSV/TSV text, which has no sheets"):
        open_list(path, sheet="Sheet1")
    assert (open_list(path).sheets, open_list(path).sheet) == ([], None)
