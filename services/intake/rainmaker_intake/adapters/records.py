"""Records of a text list and the header row: shared by CSV/TSV and XLSX reading."""

import csv
import io
from collections import deque
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TextIO

from rainmaker_intake.domain.model import InvalidUpload

Records = Generator[tuple[int, list[str] | str], None, None]  # (line, cells) or (line, why)

# A quoted cell may hold line breaks (notes), but a record running past this many lines is a
# quote that was never closed: csv would read the rest of the file into one cell.
MAX_RECORD_LINES = 100


class _Runaway(Exception):
    """The record being read ran past MAX_RECORD_LINES."""


class _Lines:
    """The file's lines for csv.reader, numbered, remembering those of the record being read,
    so that after a runaway quote the lines after its first can be handed out again."""

    def __init__(self, f: TextIO) -> None:
        self._f: Iterator[str] = iter(f)
        self._next_no = 1
        self._back: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []
        self.at_end = False

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if len(self.record) >= MAX_RECORD_LINES:
            raise _Runaway
        if self._back:
            number, text = self._back.popleft()
        else:
            try:
                text = next(self._f)
            except StopIteration:
                self.at_end = True
                raise
            number, self._next_no = self._next_no, self._next_no + 1
        self.record.append((number, text))
        return text

    def skip_first(self) -> int:
        """Drop the record's first line and hand out the others again; returns its number."""
        first = self.record[0][0]
        self._back.extendleft(reversed(self.record[1:]))
        self.record = []
        return first


def csv_records(path: Path, encoding: str, delimiter: str, width: int | None = None) -> Records:
    """(line, cells) per record, or (line, why) for one that cannot be read. A quote that is
    never closed costs its own line only: the record is reported and the lines after its
    first are read again (see `_unclosed`)."""
    with path.open(encoding=encoding, newline="") as f:
        lines = _Lines(f)
        while True:
            reader = csv.reader(lines, delimiter=delimiter)
            why = ""
            try:
                while True:
                    lines.record = []
                    cells = next(reader, None)
                    if cells is None:
                        return
                    why = _unclosed(lines, delimiter, width)
                    if why:
                        break
                    yield lines.record[0][0], cells
            except _Runaway:
                why = f"spans more than {MAX_RECORD_LINES} lines"
            except csv.Error as error:  # e.g. a cell past csv's field size limit
                why = str(error)
            if not lines.record:
                return
            first = lines.skip_first()
            skipped = "the line is skipped and the lines after it are read as rows again"
            yield first, f"a quoted value on line {first} is not closed ({why}): {skipped}"


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Does `text` end inside a quoted value? csv's strict mode says so exactly, where
    counting quotes would count one inside an unquoted cell too (5" tall)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _unclosed(lines: _Lines, delimiter: str, width: int | None) -> str:
    """Why a record read over several lines looks like an unclosed quote, or ''."""
    if len(lines.record) < 2:
        return ""
    texts = [text for _, text in lines.record]
    if lines.at_end and _ends_inside_quotes("".join(texts), delimiter):
        return "the file ends inside it"
    # A line wholly inside a quoted cell (not the first, which starts the record, nor the
    # last, which ends the cell and holds the record's remaining cells) with as many
    # delimiters as a whole record is one.
    if width and width >= 4 and any(t.count(delimiter) >= width - 1 for t in texts[1:-1]):
        return "a line inside it reads as a whole row"
    return ""


def header_row(records: Records, max_columns: int) -> tuple[int, list[str]]:
    """(line, cells) of the header; checks there is a data row after it."""
    header: tuple[int, list[str]] | None = None
    first = True
    try:
        for line, cells in records:
            if isinstance(cells, str):
                if header is not None:
                    return header  # a broken data row is a row error, reported by rows()
                raise InvalidUpload(f"line {line} cannot be read: {cells}")
            if not "".join(cells).strip():
                continue
            hint, first = first and _is_sep_hint(cells), False
            if hint:  # Excel's "sep=;" line: the header is the next one
                continue
            if header is not None:
                return header
            if len(cells) > max_columns:
                raise InvalidUpload(f"{len(cells)} columns, more than the limit of {max_columns}")
            header = (line, cells)
    finally:
        records.close()
    if header is None:
        raise InvalidUpload("the file is empty: no header row and no data")
    raise InvalidUpload("the file has a header row but no data rows")


def _is_sep_hint(cells: list[str]) -> bool:
    """Excel's "sep=<delimiter>" first line, as the delimiter it names splits it."""
    return [c.strip().lower().lstrip("\ufeff") for c in cells] == ["sep=", ""]


def unique_headers(cells: list[str]) -> list[str]:
    """Trimmed header names; blanks become 'column N', repeats get ' (2)', ' (3)'..."""
    names: list[str] = []
    for i, cell in enumerate(cells):
        name = " ".join(cell.split()) or f"column {i + 1}"
        base, k = name, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return names
