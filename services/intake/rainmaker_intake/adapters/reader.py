"""Open an uploaded list (CSV, TSV, XLSX) and stream its rows as RawRow, in bounded memory.

`open_list` sniffs the file and reads up to its first data row: whatever makes the whole file
unusable raises InvalidUpload there (empty, header only, binary, NUL bytes, too many columns,
zip/XLSX bombs, unreadable). `ListFile.rows()` then streams one RawRow per non-blank data row,
reading the file anew on each call (a generator: one row in memory at a time). A row's number
is the file line its record starts on (header = line 1; quoted newlines and blank lines count),
or the sheet row for XLSX. `values` holds every mapped column as read ('' when the cell is
empty; the normaliser strips); `attributes` the non-empty unmapped cells by header name (blank
headers become "column N", repeats "Name (2)"). Row-level problems become RowErrors, handed to
`on_error` (or collected in `ListFile.errors`): a row with more cells than the header has
columns, or past `max_rows` (both: column "*", the row is not yielded; the latter ends the
file), a cell longer than `max_field_length` (that cell is blanked, the row goes on), and an
XLSX formula cell without a saved value (read blank, the row goes on; a row that has nothing
else is not yielded and is also reported as column "*").
"""

import operator
from collections.abc import Callable, Generator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from rainmaker_intake.adapters.records import Records, csv_records, header_row, unique_headers
from rainmaker_intake.adapters.sniff import (
    SAMPLE,
    detect_delimiter,
    detect_encoding,
    file_kind,
    read_sample,
)
from rainmaker_intake.adapters.xlsx import OnUnsaved, SheetChoice, check_archive, xlsx_records
from rainmaker_intake.domain.contact import RawRow, RowError
from rainmaker_intake.domain.headers import map_headers
from rainmaker_intake.domain.model import InvalidUpload


@dataclass(frozen=True)
class Limits:
    max_rows: int = 1_000_000
    max_columns: int = 200
    max_field_length: int = 10_000  # characters in one cell
    max_xlsx_uncompressed_bytes: int = 512 * 1024 * 1024
    max_xlsx_compression_ratio: float = 200.0
    # A workbook's shared-string table, unpacked (100 MB took openpyxl 25 s and 650 MiB).
    max_xlsx_shared_strings_bytes: int = 64 * 1024 * 1024


DEFAULT_LIMITS = Limits()
UNSAVED_FORMULA = (
    "a formula without a saved value: open and save the workbook in Excel (or export it as "
    "CSV) so its results are stored"
)
# (sheet row, column index, formula text) of formula cells read so far without a saved value.
Unsaved = list[tuple[int, int, str]]


class ListFile:
    """A sniffed list: encoding, delimiter (None for XLSX), headers, column index -> field;
    for XLSX the workbook's worksheet names (`sheets`) and the one read (`sheet`).

    `errors` collects row errors only when rows() is called without `on_error`; for large
    files pass a callback (the importer writes them out in chunks) to keep memory bounded.
    """

    def __init__(
        self, path: Path, kind: str, encoding: str | None, delimiter: str | None,
        mapping: dict[str, str] | None, limits: Limits, sheet: str | None = None,
    ) -> None:  # fmt: skip
        self.path, self.format, self.encoding, self.delimiter = path, kind, encoding, delimiter
        self.limits = limits
        self.errors: list[RowError] = []
        self.headers: list[str] = []
        self._sheet = SheetChoice(sheet)
        self.header_line, cells = self._header()
        self.headers = unique_headers(cells)
        self.mapping = map_headers(self.headers, mapping)

    @property
    def sheet(self) -> str | None:
        return self._sheet.title

    @property
    def sheets(self) -> list[str]:
        return self._sheet.names

    def _header(self) -> tuple[int, list[str]]:
        """The header row; a sheet with no data but formulas without saved values says so."""
        unsaved = 0

        def count(_cell: tuple[int, int, str]) -> None:
            nonlocal unsaved
            unsaved += 1

        try:
            return header_row(self._records(count), self.limits.max_columns)
        except InvalidUpload as error:
            if not unsaved:
                raise
            raise InvalidUpload(
                f"{error}; {unsaved:,} cells are formulas without a saved value: open and save "
                "the workbook in Excel (or export it as CSV) so their results are stored"
            ) from None

    def _records(self, on_unsaved: OnUnsaved | None = None) -> Records:
        if self.format == "xlsx":
            return xlsx_records(self.path, self._sheet, on_unsaved)
        # Known once the header is read: tells a record that swallowed rows (records.py).
        width = len(self.headers) or None
        return csv_records(self.path, self.encoding or "utf-8", self.delimiter or ",", width)

    def rows(
        self, on_error: Callable[[RowError], None] | None = None
    ) -> Generator[RawRow, None, None]:
        report = on_error or self.errors.append
        width, max_len = len(self.headers), self.limits.max_field_length
        max_rows = self.limits.max_rows
        names = tuple(self.mapping.values())
        pick = _picker(tuple(self.mapping), width)
        others = tuple((i, h) for i, h in enumerate(self.headers) if i not in self.mapping)
        count, header_line = 0, self.header_line
        unsaved: Unsaved = []  # filled by an XLSX row as it is read
        for line, cells in self._records(unsaved.append):
            if line <= header_line:
                continue
            if isinstance(cells, str):
                report(RowError(line, "*", "", f"unreadable row: {cells}"))
                continue
            formulas = self._unsaved_errors(line, unsaved) if unsaved else None
            joined = "".join(cells)
            if not joined or joined.isspace():
                if formulas:
                    self._report_formula_row(line, formulas, report)
                continue
            if len(cells) != width:
                if len(cells) > width and "".join(cells[width:]).strip():
                    why = f"{len(cells)} cells but the header has {width} columns"
                    report(RowError(line, "*", (self.delimiter or ",").join(cells)[:200], why))
                    continue
                cells = cells[:width] + [""] * (width - len(cells))
            if len(joined) > max_len and max(map(len, cells)) > max_len:
                cells = self._blank_long(line, cells, report)
            count += 1
            if count > max_rows:
                report(RowError(line, "*", "", f"more than {max_rows:,} data rows: this row and "
                                "the rest of the file were not imported"))  # fmt: skip
                return
            if formulas:
                for error in formulas:
                    report(error)
            extra = {h: c for i, h in others if (c := cells[i])} if others else {}
            yield RawRow(line, dict(zip(names, pick(cells), strict=True)), extra)

    def _blank_long(
        self, line: int, cells: list[str], report: Callable[[RowError], None]
    ) -> list[str]:
        limit = self.limits.max_field_length
        for i, cell in enumerate(cells):
            if len(cell) > limit:
                column = self.mapping.get(i, self.headers[i])
                report(
                    RowError(line, column, cell[:100] + "…", f"longer than {limit:,} characters")
                )
        return [c if len(c) <= limit else "" for c in cells]

    def _unsaved_errors(self, line: int, unsaved: Unsaved) -> list[RowError]:
        """Errors for this row's formula cells without a saved value, in the header's columns
        (those of the header row, read before, are dropped); empties `unsaved`."""
        width = len(self.headers)
        errors = [
            RowError(line, self.mapping.get(i, self.headers[i]), formula[:200], UNSAVED_FORMULA)
            for row, i, formula in unsaved
            if row == line and i < width
        ]
        unsaved.clear()
        return errors

    @staticmethod
    def _report_formula_row(
        line: int, formulas: list[RowError], report: Callable[[RowError], None]
    ) -> None:
        """A row whose only values are formulas without saved values is not imported: each
        cell is reported, and the row as refused (column "*"), as the import counts it."""
        for error in formulas:
            report(error)
        why = "its values are all formulas without a saved value: the row was not imported"
        report(RowError(line, "*", "", why))

    def preview(self, n: int = 20) -> dict[str, Any]:
        """What POST /lists/preview shows: detection results, the mapping, the first n rows."""
        errors: list[RowError] = []
        rows = self.rows(on_error=errors.append)
        try:
            first = [asdict(row) for row in islice(rows, n)]
        finally:
            rows.close()
        return {
            "format": self.format, "encoding": self.encoding, "delimiter": self.delimiter,
            "sheets": self.sheets, "sheet": self.sheet, "headers": self.headers,
            "mapping": {self.headers[i]: f for i, f in sorted(self.mapping.items())},
            "columns": [{"index": i, "header": h, "field": self.mapping.get(i)}
                        for i, h in enumerate(self.headers)],
            "rows": first, "errors": [asdict(e) for e in errors],
        }  # fmt: skip


def open_list(path: Path | str, *, mapping: dict[str, str] | None = None,
              sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> ListFile:  # fmt: skip
    """Sniff and check a list file; raises InvalidUpload when it cannot be imported at all.
    `sheet` names the worksheet of an XLSX workbook to read (default: the first)."""
    path = Path(path)
    try:
        if file_kind(path) == "xlsx":
            check_archive(path, max_bytes=limits.max_xlsx_uncompressed_bytes,
                          max_ratio=limits.max_xlsx_compression_ratio,
                          max_strings_bytes=limits.max_xlsx_shared_strings_bytes)  # fmt: skip
            return ListFile(path, "xlsx", None, None, mapping, limits, sheet)
        if sheet is not None:
            raise InvalidUpload(
                f"a sheet ({sheet!r}) was named, but the file is CSV/TSV text, which has no "
                "sheets: send it without `sheet` (only an XLSX workbook has sheets)"
            )
        encoding = detect_encoding(path)
        sample = read_sample(path, encoding)
        delimiter = detect_delimiter(sample, truncated=len(sample) >= SAMPLE)
        return ListFile(path, "csv", encoding, delimiter, mapping, limits)
    except OSError as error:
        raise InvalidUpload(f"the file cannot be read: {error.strerror or error}") from None


def _picker(indices: tuple[int, ...], width: int) -> Callable[[list[str]], Sequence[str]]:
    """cells -> the mapped cells, in mapping order (C-speed: this runs once per row)."""
    if indices == tuple(range(width)):
        return lambda cells: cells
    if len(indices) == 1:
        index = indices[0]
        return lambda cells: (cells[index],)
    if not indices:
        return lambda cells: ()
    return operator.itemgetter(*indices)
