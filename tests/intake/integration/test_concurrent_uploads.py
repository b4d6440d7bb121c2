"""Two uploads of one file for one list at the same moment make one import, on PostgreSQL
too (read committed: both could find no first import and both create one). SQLite's writers
go one at a time already."""

import hashlib
import threading
from typing import Any

from sqlalchemy import text

from rainmaker_intake.service_layer.lists import upload_lock
from tests.intake.integration.conftest import Intake
from tests.intake.integration.people import person, to_csv


def test_an_upload_waits_for_another_of_the_same_file(intake: Intake) -> None:
    if intake.db.engine.dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE, one writer at a time
    data = to_csv(person(i) for i in range(3))
    answers: list[Any] = []
    with intake.db.engine.connect() as other:  # another upload of it, not yet committed
        held = other.begin()
        key = upload_lock(hashlib.sha256(data).hexdigest())
        other.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        upload = threading.Thread(target=lambda: answers.append(intake.upload(data, "Same")))
        upload.start()
        upload.join(1.5)
        assert upload.is_alive() and answers == []  # it waits
        held.rollback()
    upload.join(15)
    assert [a.status_code for a in answers] == [202]


def test_uploads_of_one_file_at_once_make_one_import(intake: Intake) -> None:
    data = to_csv(person(i) for i in range(3))
    start = threading.Barrier(4)
    answers: list[Any] = []

    def upload() -> None:
        start.wait()
        answers.append(intake.upload(data, "Same"))

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(a.json["created"] for a in answers) == [False, False, False, True]
    assert len({a.json["import_id"] for a in answers}) == 1
