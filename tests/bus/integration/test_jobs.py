"""JobConsumer against a real broker and database: a job whose last attempt fails is
dead-lettered, and the service hears of it once (an import can then say it stopped)."""

from typing import Any

import pytest

from rainmaker_bus import Relay, add_events
from rainmaker_bus.dlq import count_dead
from rainmaker_bus.jobs import JobConsumer
from rainmaker_contracts import Envelope
from rainmaker_contracts.topology import QUEUES_BY_NAME
from rainmaker_db import Database
from tests.support import wait_for

pytestmark = pytest.mark.integration
JOBS = QUEUES_BY_NAME["intake.imports"]
JOB = "intake.import_requested"


def test_a_job_given_up_is_dead_lettered_and_its_service_told_once(
    db: Database, bus_settings: Any, in_thread: Any
) -> None:
    attempts: list[str] = []
    told: list[tuple[str, str]] = []

    def job(_db: Database, _env: Envelope, data: dict[str, Any]) -> None:
        attempts.append(data["import_id"])
        if data["import_id"] == "imp-bad":
            raise RuntimeError("the file is unreadable today")

    def gave_up(_db: Database, _env: Envelope, data: dict[str, Any], error: str) -> None:
        told.append((data["import_id"], error))

    consumer = JobConsumer(db, bus_settings, JOBS, {JOB: job}, {JOB: gave_up})
    in_thread(consumer)
    in_thread(Relay(db, bus_settings))
    assert consumer.link.wait_ready(30)
    with db.transaction() as session:
        datas = [{"import_id": i, "list_id": "list-1"} for i in ("imp-bad", "imp-ok")]
        add_events(session, JOB, datas, producer="bus-tests")

    wait_for(lambda: count_dead(bus_settings)[JOBS.name] == 1, 30, message="one dead letter")
    wait_for(lambda: "imp-ok" in attempts, 30, message="the good job ran")
    assert attempts.count("imp-bad") == 1 + len(bus_settings.retry_delays_s)
    # Told once, after the last attempt, not on each retry; the good job is not "given up".
    assert told == [("imp-bad", "RuntimeError: the file is unreadable today")]
