"""Streaming CSV downloads that spreadsheets cannot be tricked into executing.

Formula injection: a cell such as `=HYPERLINK(...)` or `@SUM(...)` typed into a lead's name
runs as a formula when the export is opened in Excel or Sheets. Every text cell beginning
with `=`, `+`, `-`, `@`, tab or carriage return gets a leading apostrophe (OWASP's advice),
which spreadsheets display as text. So does a cell starting with a full-width form of those
signs (U+FF1D and kin), or with blanks or line breaks before any of them, which spreadsheets
skip. Numbers are left alone, so -5 stays a number; a text cell "-5" becomes "'-5". None
becomes an empty cell.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from flask import Response, stream_with_context

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    if value is None:
        return ""
    # lstrip(): " =1+1" or "\n=1+1" is a formula too once the spreadsheet skips the blanks.
    if isinstance(value, str) and (
        value.startswith(_FORMULA_START) or value.lstrip().startswith(_FORMULA_START)
    ):
        return "'" + value
    return value


def _lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[Any]) -> str:
        writer.writerow([neutralise(v) for v in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    # One chunk per row: memory stays flat however many rows the cursor yields.
    yield line(header)
    for row in rows:
        yield line(row)


def csv_response(rows: Iterable[Sequence[Any]], header: Sequence[str], filename: str) -> Response:
    """Stream rows as a `text/csv` attachment; `rows` may be a lazy database cursor."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or "export.csv"
    return Response(
        # stream_with_context keeps the request (and its session) alive while rows stream.
        stream_with_context(_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe_name}"'},
    )
