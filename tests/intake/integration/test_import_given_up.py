"""An import whose job the bus gave up on (dead-lettered after its last attempt) shows as
failed, says why and how to resume, and resumes: from the dead-letter queue (the job runs
again) or when the same file is uploaded again. A file that can never be imported fails for
good: its file is deleted and a re-upload changes nothing."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from rainmaker_contracts import make_envelope
from rainmaker_intake.adapters.reader import Limits
from rainmaker_intake.service_layer import importer
from rainmaker_intake.service_layer.handlers import import_gave_up
from rainmaker_intake.service_layer.importer import run_import
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv

DATA = to_csv(person(i) for i in range(12))


def _give_up(intake: Intake, import_id: str, list_id: str) -> None:
    """What the JobConsumer does once the import's last attempt failed."""
    data = {"import_id": import_id, "list_id": list_id}
    envelope = make_envelope("intake.import_requested", data, "intake")
    import_gave_up(intake.db, envelope, data, "OperationalError: disk I/O error")


def _jobs(intake: Intake, import_id: str) -> int:
    return sum(1 for e in intake.events("intake.import_requested")
               if e["data"]["import_id"] == import_id)  # fmt: skip


def test_a_given_up_import_fails_visibly_and_resumes_from_the_dead_letter_queue(
    intake: Intake,
) -> None:
    r = intake.upload(DATA, "Given up", vendor="ListCo")
    import_id, list_id = r.json["import_id"], r.json["list_id"]
    _give_up(intake, import_id, list_id)

    status = intake.status(import_id)
    assert status["status"] == "failed" and status["finished_at"]
    assert "disk I/O error" in status["error"] and "dead-letter queue" in status["error"]

    run_import(intake.db, import_id)  # a replay of the dead letter: the job runs again
    status = intake.status(import_id)
    assert (status["status"], status["accepted"], status["error"]) == ("done", 12, None)


def test_uploading_the_same_file_again_requeues_a_given_up_import(intake: Intake) -> None:
    r = intake.upload(DATA, "Given up", vendor="ListCo")
    import_id, list_id = r.json["import_id"], r.json["list_id"]
    _give_up(intake, import_id, list_id)
    assert _jobs(intake, import_id) == 1

    again = intake.upload(DATA, "Given up", vendor="ListCo")
    assert again.status_code == 202
    assert again.json == {"list_id": list_id, "import_id": import_id, "created": False}
    assert intake.status(import_id)["status"] == "queued"
    assert _jobs(intake, import_id) == 2  # a new job message, which no inbox has seen

    run_import(intake.db, import_id)
    status = intake.status(import_id)
    assert (status["status"], status["error"]) == ("done", None)  # no stale "stopped: ..."
    assert intake.contact_count() == 12


def test_two_runs_of_one_import_at_once_store_each_row_once(
    intake: Intake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-upload queues the job again while a replay of the old one runs: both runs start
    from the same checkpoint. The one that stores second finds the checkpoint moved and stops;
    its chunk is rolled back, not stored twice."""
    r = intake.upload(DATA, "Twice", vendor="ListCo")
    import_id = r.json["import_id"]
    store = importer._store_chunk
    raced: list[bool] = []

    def store_after_the_other_run(*args: Any, **kwargs: Any) -> None:
        if not raced:  # the first run's first chunk: the second run does it all first
            raced.append(True)
            run_import(intake.db, import_id, chunk_rows=5)
        store(*args, **kwargs)

    monkeypatch.setattr(importer, "_store_chunk", store_after_the_other_run)
    run_import(intake.db, import_id, chunk_rows=5)

    status = intake.status(import_id)
    assert (status["status"], status["accepted"], status["rows_done"]) == ("done", 12, 12)
    assert intake.contact_count() == 12
    assert len(intake.events("list.imported")) == 1
    with intake.db.reader() as session:
        touches = session.scalar(text("SELECT COUNT(*) FROM touches"))
    assert touches == 12


def test_a_file_that_cannot_be_imported_fails_for_good(intake: Intake, tmp_path: Path) -> None:
    """Checked at upload, a file can still be refused by the worker: here its limits were
    lowered (a file with more columns than they allow) between upload and import."""
    r = intake.upload(DATA, "Too wide now", vendor="ListCo")
    import_id = r.json["import_id"]
    uploads = tmp_path / "uploads"
    assert [p for p in uploads.rglob("*") if p.is_file()]

    run_import(intake.db, import_id, Limits(max_columns=3))
    status = intake.status(import_id)
    assert status["status"] == "failed" and "more than the limit of 3" in status["error"]
    assert not [p for p in uploads.rglob("*") if p.is_file()]  # it can never be imported

    again = intake.upload(DATA, "Too wide now", vendor="ListCo")
    assert again.json["created"] is False and again.json["import_id"] == import_id
    assert intake.status(import_id)["status"] == "failed"
    assert _jobs(intake, import_id) == 1
    run_import(intake.db, import_id)  # a stray redelivery changes nothing
    assert intake.status(import_id) == status
