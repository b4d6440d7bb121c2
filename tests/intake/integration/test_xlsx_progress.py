"""A running XLSX import shows a total for its progress bar (the rows its sheet declares), as
a CSV import does (its line count): it showed 0 until done."""

import io

import pytest
from openpyxl import Workbook

from rainmaker_intake.service_layer import importer
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import HEADERS, person


def _xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HEADERS))
    for i in range(rows):
        sheet.append([person(i)[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_running_xlsx_import_shows_its_total(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = intake.upload(_xlsx(40), "Workbook", vendor="ListCo", filename="list.xlsx")
    assert r.status_code == 202, r.get_data(as_text=True)

    def stop(*_: object) -> None:
        raise RuntimeError("the worker stops here, mid-import")

    monkeypatch.setattr(importer, "_store_chunk", stop)
    with pytest.raises(RuntimeError):
        importer.run_import(intake.db, r.json["import_id"])
    running = intake.status(r.json["import_id"])
    assert (running["status"], running["rows_total"], running["rows_done"]) == ("running", 40, 0)

    monkeypatch.undo()
    importer.run_import(intake.db, r.json["import_id"])
    assert intake.status(r.json["import_id"])["rows_total"] == 40
