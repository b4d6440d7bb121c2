"""XLSX lists: the zip container checked before anything is unpacked, then rows streamed.

Bomb checks read only the zip's central directory: the total declared uncompressed size, the
size of the shared strings (which openpyxl holds in memory), the compression ratio of every
large member, the number of members. Declared sizes are binding:
Python's zipfile stops a member at its declared size and fails on the CRC when the data is
longer, so a member that lies about its size cannot unpack past the limit either.
Rows come from openpyxl in read-only mode (streamed XML; shared strings are held in memory),
from the first worksheet, with cached formula values (data_only); numbers that are whole
print without ".0", dates as ISO 8601. Row numbers are the sheet's own (what Excel shows).
"""

import warnings
import zipfile
from collections.abc import Generator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from rainmaker_intake.domain.model import InvalidUpload

MAX_MEMBERS = 10_000
_RATIO_FLOOR = 1 << 20  # members smaller than 1 MiB unpacked are not ratio-checked


def check_archive(path: Path, *, max_bytes: int, max_ratio: float, max_strings_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InvalidUpload(f"the file looks like a zip/XLSX but cannot be read: {error}") from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise InvalidUpload("the file is a zip archive but not an XLSX workbook")
    if len(members) > MAX_MEMBERS:
        raise InvalidUpload(f"the workbook has {len(members)} parts: refused as a zip bomb")
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        raise InvalidUpload(
            f"the workbook would unpack to {total:,} bytes, over the limit of {max_bytes:,}: "
            "refused as a possible zip bomb"
        )
    for member in members:
        strings = member.filename.lower().endswith("sharedstrings.xml")
        if strings and member.file_size > max_strings_bytes:
            # openpyxl holds every shared string in memory, even in read-only mode, and a
            # preview or upload reads the header through it: 100 MB of them took 25 s and
            # 650 MiB, 400 MB 109 s and 2.5 GiB (past the web worker's timeout).
            raise InvalidUpload(
                f"the workbook's shared strings would unpack to {member.file_size:,} bytes, over "
                f"the limit of {max_strings_bytes:,} for a workbook (they are all held in "
                "memory): save the sheet as CSV, which has no such limit"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > max_ratio:
            raise InvalidUpload(
                f"{member.filename} is compressed {ratio:,.0f}:1 (limit {max_ratio:,.0f}:1): "
                "refused as a possible zip bomb"
            )


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def xlsx_data_rows(path: Path) -> int:
    """Data rows the first worksheet declares (its dimension, minus the header): a progress
    bar's total while the import runs, 0 when the workbook declares none."""
    from openpyxl import load_workbook

    try:  # a stream: openpyxl refuses a stored upload's name without ".xlsx"
        with path.open("rb") as stream, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(stream, read_only=True, data_only=True)
            try:
                rows = book.worksheets[0].max_row if book.worksheets else None
            finally:
                book.close()
    except Exception:  # an estimate only: reading the rows reports what is wrong
        return 0
    return max((rows or 0) - 1, 0)


def xlsx_records(path: Path) -> Generator[tuple[int, list[str] | str], None, None]:
    """(sheet row number, cell texts) for every row of the first worksheet, gaps included."""
    from openpyxl import load_workbook  # heavy import, only for XLSX uploads

    with path.open("rb") as stream:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                book = load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises anything from KeyError to XML errors
            raise InvalidUpload(f"the XLSX workbook cannot be read: {error}") from None
        try:
            if not book.worksheets:
                raise InvalidUpload("the workbook has no worksheet")
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # trust the cells, not the declared sheet size
            number = 0
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [cell_text(v) for v in row]
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
            raise InvalidUpload(
                f"the XLSX workbook is damaged after row {number}: {error}"
            ) from None
        finally:
            book.close()
