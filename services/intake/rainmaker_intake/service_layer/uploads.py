"""Checks an upload must pass before it becomes an import job (answered with 422 at once)."""

from pathlib import Path

from rainmaker_intake.adapters.reader import Limits, ListFile, open_list
from rainmaker_intake.domain.model import InvalidUpload


def check_upload(
    path: Path, mapping: dict[str, str] | None, limits: Limits, sheet: str | None = None
) -> ListFile:
    """Sniff the file and read its first data row; on failure delete it and raise. Returns
    the list as sniffed (for XLSX: the worksheet it read, by name, and the others)."""
    try:
        listfile = open_list(path, mapping=mapping, sheet=sheet, limits=limits)
        rows = listfile.rows(on_error=lambda _e: None)
        try:
            first = next(rows, None)
        finally:
            rows.close()
        if first is None:
            raise InvalidUpload("the file has a header but no data rows")
        if not listfile.mapping:
            raise InvalidUpload(
                "no column could be mapped to a contact field; send a `mapping` such as "
                '{"Mail": "email"}'
            )
    except InvalidUpload:
        path.unlink(missing_ok=True)
        raise
    return listfile
