"""XLSX lists: the zip container checked before anything is unpacked, then rows streamed.

Bomb checks read only the zip's central directory: the total declared uncompressed size, the
size of the shared strings (which openpyxl holds in memory), the compression ratio of every
large member, the number of members. Declared sizes are binding:
Python's zipfile stops a member at its declared size and fails on the CRC when the data is
longer, so a member that lies about its size cannot unpack past the limit either.
Rows come from openpyxl's read-only parser (streamed XML; shared strings are held in memory),
from the worksheet asked for by name (else the first), with cached formula values
(data_only); numbers that are whole print without ".0", dates as ISO 8601. Row numbers are
the sheet's own (what Excel shows). A formula cell without a cached value (workbooks written
by scripts: openpyxl, pandas) reads as blank and is reported to `on_unsaved`.
"""

import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from rainmaker_intake.adapters.records import Records
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


@dataclass
class SheetChoice:
    """The worksheet to read, by name (`wanted`; None: the first). Reading the workbook fills
    in its worksheets' names and the title of the one read."""

    wanted: str | None = None
    names: list[str] = field(default_factory=list)
    title: str | None = None


# Told (sheet row, column index from 0, the formula as text or "") of each formula cell
# without a cached value, as its row is read.
OnUnsaved = Callable[[tuple[int, int, str]], None]


def xlsx_data_rows(path: Path, sheet: str | None = None) -> int:
    """Data rows the worksheet declares (its dimension, minus the header): a progress bar's
    total while the import runs, 0 when the workbook declares none."""
    try:  # a stream: openpyxl refuses a stored upload's name without ".xlsx"
        with path.open("rb") as stream:
            book = _load(stream)
            try:
                rows = _pick(book, SheetChoice(sheet)).max_row
            finally:
                book.close()
    except Exception:  # an estimate only: reading the rows reports what is wrong
        return 0
    return max((rows or 0) - 1, 0)


def xlsx_records(
    path: Path, choice: SheetChoice | None = None, on_unsaved: OnUnsaved | None = None
) -> Records:
    """(sheet row number, cell texts) for every row of the chosen worksheet that has cells."""
    with path.open("rb") as stream:
        book = _load(stream)
        try:
            sheet = _pick(book, choice or SheetChoice())
            number = 0
            try:
                with sheet._get_source() as source:
                    for number, cells in _parser(book, sheet, source, on_unsaved).parse():
                        if cells:
                            yield number, _texts(cells)
            except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as error:
                raise InvalidUpload(
                    f"the XLSX workbook is damaged after row {number}: {error}"
                ) from None
        finally:
            book.close()


def _load(stream: IO[bytes]) -> Any:
    from openpyxl import load_workbook  # heavy import, only for XLSX uploads

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises anything from KeyError to XML errors
        raise InvalidUpload(f"the XLSX workbook cannot be read: {error}") from None


def _pick(book: Any, choice: SheetChoice) -> Any:
    """The worksheet asked for, else the first; records the workbook's worksheet names and
    the title read in `choice`."""
    sheets = book.worksheets  # chart sheets are not worksheets: they have no rows
    if not sheets:
        raise InvalidUpload("the workbook has no worksheet")
    choice.names = [s.title for s in sheets]
    found = sheets[0] if choice.wanted is None else _named(sheets, choice.wanted)
    if found is None:
        names = ", ".join(repr(name) for name in choice.names)
        raise InvalidUpload(
            f"the workbook has no sheet named {choice.wanted!r}; its sheets: {names}"
        )
    choice.title = found.title
    return found


def _named(sheets: list[Any], name: str) -> Any:
    """The sheet of that name: exactly, else ignoring case (Excel's names are unique so)."""
    for sheet in sheets:
        if sheet.title == name:
            return sheet
    folded = name.casefold()
    return next((sheet for sheet in sheets if sheet.title.casefold() == folded), None)


def _parser(book: Any, sheet: Any, source: IO[bytes], on_unsaved: OnUnsaved | None) -> Any:
    """The parser openpyxl's read-only worksheet runs (`_cells_by_row`), set up as it does
    (from private attributes: openpyxl's version is pinned in pyproject.toml)."""
    return _parser_class()(
        source, sheet._shared_strings, data_only=True, epoch=book.epoch,
        date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        on_unsaved=on_unsaved,
    )  # fmt: skip


_column = itemgetter("column")


def _texts(cells: list[dict[str, Any]]) -> list[str]:
    """A row's cells (openpyxl's dicts) as texts by column, gaps as ''."""
    texts = [""] * max(map(_column, cells))
    for cell in cells:
        value = cell["value"]
        if value is not None:
            texts[cell["column"] - 1] = value if type(value) is str else cell_text(value)
    return texts


@cache
def _parser_class() -> type:
    """openpyxl's worksheet parser that also tells of formula cells without a cached value
    (made on first use: openpyxl is a heavy import, and only XLSX uploads need it).

    With data_only, openpyxl reads such a cell as None, like an empty one. The check runs on
    the cell elements openpyxl has just parsed, not on a scan of the raw XML: the XML parser
    has already resolved namespace prefixes (`<x:c>`), empty and self-closing tags (`<v/>`,
    `<v></v>`), shared formulas (`<f t="shared" si="0"/>`) and inline strings, which a scan
    would each have to get right, and a scan would unpack and read the sheet a second time.
    Here a row without any `<f>` costs one search in C.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
    from openpyxl.worksheet.formula import ArrayFormula

    def unsaved(element: Any) -> bool:
        """No `<v>`, or an empty one, save for a text result (`t="str"`): Excel stores that
        empty when the formula gave ''."""
        if element.find(FORMULA_TAG) is None:
            return False
        return element.get("t") != "str" or element.find(VALUE_TAG) is None

    class Parser(WorkSheetParser):  # type: ignore[misc]  # openpyxl ships no type hints
        def __init__(self, *args: Any, on_unsaved: OnUnsaved | None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.on_unsaved = on_unsaved

        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            number, cells = super().parse_row(row)
            if self.on_unsaved is not None and next(row.iter(FORMULA_TAG), None) is not None:
                for cell, element in zip(cells, row, strict=True):  # one dict per <c>
                    if cell["value"] is None and unsaved(element):
                        column, text = cell["column"] - 1, self.formula_text(element)
                        self.on_unsaved((number, column, text))
            return number, cells

        def formula_text(self, element: Any) -> str:
            """'=A2&" "&B2'; a cell of a shared formula is translated from the group's first
            cell when that one had no cached value either, else ''."""
            try:
                formula = self.parse_formula(element)
            except Exception:  # only shown with the error: never fail a read for it
                return ""
            if isinstance(formula, ArrayFormula):
                formula = formula.text
            return formula if isinstance(formula, str) and formula != "=" else ""

    return Parser
