"""The list reader on XLSX: rows, row numbers, cell types, and zip/XLSX bombs refused unopened.

Fake-versus-real: workbooks are written with openpyxl in tmp_path; bombs are real zip files.
"""

import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from rainmaker_intake.adapters.reader import Limits, open_list
from rainmaker_intake.adapters.xlsx import xlsx_data_rows
from rainmaker_intake.domain.model import InvalidUpload


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_rows_stream_with_sheet_row_numbers_and_text_cells(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "list.xlsx",
        [
            ["E-mail Address", "Full Name", "Company Name", "No. of Employees", "Since", "Ok"],
            [],
            ["jane@acme.com", "Jane Doe", "Acme", 1200, date(2024, 5, 1), True],
            [None, None, None, None, None, None],
            ["ivan@x.ru", "Иван Петров", "Ромашка", 12.5, datetime(2024, 5, 1, 9, 30), False],
        ],
    )

    listed = open_list(path)

    assert (listed.format, listed.encoding, listed.delimiter) == ("xlsx", None, None)
    assert listed.mapping == {0: "email", 1: "full_name", 2: "company", 3: "employees"}
    jane, ivan = listed.rows()
    assert (jane.row_number, ivan.row_number) == (3, 5)
    assert jane.values["employees"] == "1200"
    assert jane.attributes == {"Since": "2024-05-01", "Ok": "TRUE"}
    assert ivan.values["full_name"] == "Иван Петров"
    assert ivan.values["employees"] == "12.5"
    assert ivan.attributes == {"Since": "2024-05-01T09:30:00", "Ok": "FALSE"}


def test_formula_like_text_in_xlsx_stays_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Email", "Company"])
    sheet.append(["a@x.com", "placeholder"])
    sheet["B2"].value = "=cmd|' /C calc'!A0"
    sheet["B2"].data_type = "s"  # a string cell that merely looks like a formula
    book.save(tmp_path / "list.xlsx")

    row = next(open_list(tmp_path / "list.xlsx").rows())

    assert row.values["company"] == "=cmd|' /C calc'!A0"


def test_an_uploaded_xlsx_without_extension_opens(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx", [["Email"], ["a@x.com"]])
    stored = path.rename(tmp_path / "3f1c9e2a-upload")

    assert [r.values for r in open_list(stored).rows()] == [{"email": "a@x.com"}]


def test_header_only_and_empty_workbooks_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidUpload, match="header row but no data"):
        open_list(workbook(tmp_path / "a.xlsx", [["Email", "Company"]]))
    with pytest.raises(InvalidUpload, match="empty"):
        open_list(workbook(tmp_path / "b.xlsx", []))


def test_too_many_columns_in_xlsx_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wide.xlsx", [[f"c{i}" for i in range(30)], ["x"] * 30])

    with pytest.raises(InvalidUpload, match="30 columns"):
        open_list(path, limits=Limits(max_columns=10))


def _fake_xlsx(path: Path, sheet: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def test_a_highly_compressed_xlsx_is_refused_as_a_bomb(tmp_path: Path) -> None:
    path = _fake_xlsx(tmp_path / "bomb.xlsx", b"\0" * (20 << 20))  # 20 MiB -> ~20 KiB
    assert path.stat().st_size < 100_000

    with pytest.raises(InvalidUpload, match="zip bomb"):
        open_list(path)


def test_an_xlsx_over_the_uncompressed_limit_is_refused(tmp_path: Path) -> None:
    path = _fake_xlsx(tmp_path / "big.xlsx", b"<row/>" * 200_000)

    with pytest.raises(InvalidUpload, match="would unpack to 1,200,"):
        open_list(path, limits=Limits(max_xlsx_uncompressed_bytes=1_000_000))


def test_an_xlsx_whose_shared_strings_are_over_their_limit_is_refused(tmp_path: Path) -> None:
    """Inside the total and the ratio limits, a shared-string table can still take GBs of
    memory in openpyxl: it has a limit of its own, checked before anything is unpacked."""
    path = workbook(tmp_path / "strings.xlsx", [["First Name", "Email"], ["Ann", "a@x.com"]])
    strings = b"<sst>" + b"".join(b"<si><t>s%d</t></si>" % i for i in range(5000)) + b"</sst>"
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:  # openpyxl writes none
        archive.writestr("xl/sharedStrings.xml", strings)
    size = len(strings)
    assert open_list(path, limits=Limits(max_xlsx_shared_strings_bytes=size)).headers
    with pytest.raises(InvalidUpload, match=r"shared strings would unpack to .* save the sheet"):
        open_list(path, limits=Limits(max_xlsx_shared_strings_bytes=size - 1))


def test_a_zip_that_claims_a_huge_size_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = workbook(tmp_path / "liar.xlsx", [["Email"], ["a@x.com"]])
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")  # central directory: patch each uncompressed size
    while entry != -1:
        struct.pack_into("<I", data, entry + 24, 0xF0000000)  # ~4 GB claimed
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))

    with pytest.raises(InvalidUpload, match="zip bomb"):
        open_list(path)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.txt", "hello")

    with pytest.raises(InvalidUpload, match="not an XLSX workbook"):
        open_list(path)


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    path = _fake_xlsx(tmp_path / "broken.xlsx", b"<not really a sheet")

    with pytest.raises(InvalidUpload, match="cannot be read"):
        open_list(path)


def test_a_workbook_declares_its_data_rows_for_the_progress_bar(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx", [["Email"], *([f"u{i}@x.com"] for i in range(40))])
    assert xlsx_data_rows(path) == 40
    assert xlsx_data_rows(path.rename(tmp_path / "upload-1234")) == 40  # as uploads are stored
    assert xlsx_data_rows(_fake_xlsx(tmp_path / "bad.xlsx", b"<not a sheet")) == 0
