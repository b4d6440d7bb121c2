"""Records of a text list and the header row: shared by CSV/TSV and XLSX reading."""

import csv
from collections.abc import Generator
from pathlib import Path

from rainmaker_intake.domain.model import InvalidUpload

Records = Generator[tuple[int, list[str] | str], None, None]  # (line, cells) or (line, why)


def csv_records(path: Path, encoding: str, delimiter: str) -> Records:
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        end = 0  # the line the previous record ended on
        while True:
            try:
                for cells in reader:
                    yield end + 1, cells
                    end = reader.line_num
                return
            except csv.Error as error:  # the reader resumes on the next line
                yield end + 1, str(error)
                end = reader.line_num


def header_row(records: Records, max_columns: int) -> tuple[int, list[str]]:
    """(line, cells) of the header; checks there is a data row after it."""
    header: tuple[int, list[str]] | None = None
    try:
        for line, cells in records:
            if isinstance(cells, str):
                if header is not None:
                    return header  # a broken data row is a row error, reported by rows()
                raise InvalidUpload(f"line {line} cannot be read: {cells}")
            if not "".join(cells).strip():
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
