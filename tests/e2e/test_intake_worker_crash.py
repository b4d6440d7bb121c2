"""kill -9 of the intake worker in the middle of an import, then a new worker: the import
completes, every accepted row is exactly one lead at intake, and exactly one record in each
downstream consumer (tagging's leads, pipeline's leads and touches, matching's prospects).

Real processes throughout (tests/e2e/stack.py: gunicorn, consumers, relays) on a real RabbitMQ
vhost with SQLite files; the list is the generator's (rainmaker_intake.testing.listgen), with
duplicates, bad rows, formula cells and quoted newlines.
"""

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
import requests
from sqlalchemy import create_engine, text

from infra.devnodes import RabbitNode
from rainmaker_intake.domain.dedup_words import ROLE_ACCOUNTS
from rainmaker_intake.testing.listgen import generate
from tests.e2e.stack import BIN, SERVICES, Stack, base_env
from tests.support.imports import import_directly

ROWS = 20_000
KILL_AFTER_ROWS = 6_000
COUNTS = ("accepted", "duplicates_in_file", "duplicates_existing", "suppressed", "rejected")
IMPORTS_CONSUMER = "intake.imports-consumer"

pytestmark = [pytest.mark.e2e, pytest.mark.fault]


class CrashStack(Stack):
    """The stack, plus killing and replacing one of its processes."""

    def kill9(self, name: str) -> int:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait(timeout=30)

    def spawn_consumer(self, name: str, queue: str) -> None:
        self._spawn(name, [str(BIN / "rainmaker"), "consume", queue])

    def sqlite(self, service: str) -> Any:
        return create_engine(self.env[f"{service.upper()}_DATABASE_URL"])


@pytest.fixture
def crash_stack(tmp_path: Path, amqp_url: str) -> Iterator[CrashStack]:
    env = base_env(tmp_path, amqp_url)
    env.update(
        # The worker reads and normalises through its helper process however small the file
        # (killed with it: the process group); the baseline below imports without one.
        INTAKE_IMPORT_HELPER_MIN_BYTES="0",
        # Ten chunks, so the kill lands between checkpoints with several stored before it.
        INTAKE_IMPORT_CHUNK_ROWS="2000",
    )
    for svc in SERVICES:
        env[f"{svc.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / svc}.db"
    (tmp_path / "logs").mkdir()
    stack = CrashStack(env=env, log_dir=tmp_path / "logs")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def queue_depths(rabbit: RabbitNode, amqp_url: str) -> dict[str, int]:
    vhost = unquote(urlparse(amqp_url).path[1:])
    out = rabbit.ctl("list_queues", "-p", vhost, "name", "messages", "--no-table-headers", "-q")
    depths = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            depths[parts[0]] = int(parts[1])
    return depths


def uninterrupted(path: Path, region: str, work: Path) -> dict[str, Any]:
    """The same list imported in one go by the service layer, on a SQLite file of its own:
    what the crashed-and-resumed import must come to."""
    (work / "baseline").mkdir()  # not beside the stack's own intake.db
    db = import_directly(path, work / "baseline", region)
    with db.reader() as session:
        row = session.execute(text("SELECT * FROM imports")).one()._mapping
        shared = session.execute(text(
            "SELECT email FROM contacts WHERE email IS NOT NULL GROUP BY email "
            "HAVING COUNT(*) > 1"
        )).scalars().all()  # fmt: skip
    db.dispose()
    return {**{k: row[k] for k in COUNTS}, "shared_emails": sorted(shared)}


def ids(engine: Any, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text(sql))]


def test_kill9_of_the_import_worker_mid_import(
    crash_stack: CrashStack, rabbit: RabbitNode, amqp_url: str, tmp_path: Path
) -> None:
    stack = crash_stack
    generated = generate(tmp_path / "big.csv", ROWS, seed=11, bad_rate=0.02, dup_rate=0.1,
                         formula_rate=0.01)  # fmt: skip
    marketing = {
        "Authorization": f"Bearer {stack.run_cli('keys', 'create', '--role', 'marketing')}"
    }
    intake = stack.url("intake")

    with generated.path.open("rb") as f:
        r = requests.post(
            f"{intake}/lists",
            data={"name": "Twenty thousand", "vendor": "BigLists", "cost": "2000.00",
                  "currency": "EUR", "default_region": generated.default_region},
            files={"file": ("big.csv", f, "text/csv")},
            headers=marketing, timeout=120,
        )  # fmt: skip
    assert r.status_code == 202, r.text
    import_id = r.json()["import_id"]

    def status() -> dict[str, Any]:
        body: dict[str, Any] = requests.get(
            f"{intake}/imports/{import_id}", headers=marketing, timeout=10
        ).json()
        return body

    def mid_import() -> dict[str, Any] | None:
        s = status()
        assert s["status"] != "done", f"the import finished before the kill: {s}"
        # A few chunks in, so the resumed job must rebuild a sizeable in-file index.
        return s if KILL_AFTER_ROWS <= s["rows_done"] < s["rows_total"] else None

    seen = stack.wait_for(mid_import, timeout=120, message="the import to be under way")
    returncode = stack.kill9(IMPORTS_CONSUMER)
    assert returncode == -signal.SIGKILL
    # The kill hit: the import stopped half way, and nothing else is running it.
    stalled = status()
    assert stalled["status"] == "running" and stalled["rows_done"] < ROWS, stalled
    time.sleep(2.0)  # no consumer: the job must not move (a deliberate pause, not a wait)
    assert status()["rows_done"] == stalled["rows_done"]

    stack.spawn_consumer(f"{IMPORTS_CONSUMER}-2", "intake.imports")

    def finished() -> dict[str, Any] | None:
        s = status()
        return s if s["status"] in ("done", "failed") else None

    final = stack.wait_for(finished, timeout=400, message=f"import {import_id} to finish")
    assert final["status"] == "done", final
    log = (stack.log_dir / f"{IMPORTS_CONSUMER}-2.log").read_text(errors="replace")
    assert "resuming after row" in log, log[-3000:]

    accepted = final["accepted"]
    assert final["rows_total"] == final["rows_done"] == ROWS
    assert final["rejected"] == len(generated.bad_rows)
    assert accepted + final["duplicates_in_file"] + final["rejected"] == ROWS
    assert seen["rows_done"] <= stalled["rows_done"] < ROWS
    # The crash changed nothing: the same counts as the list imported in one go.
    expected = uninterrupted(generated.path, generated.default_region, tmp_path)
    assert {k: final[k] for k in COUNTS} == {k: expected[k] for k in COUNTS}

    # Intake: every accepted row is exactly one lead; every non-rejected row one touch. Only
    # shared role mailboxes (info@, office@ of colleagues) may appear twice, as in one go.
    db = stack.sqlite("intake")
    lead_ids = ids(db, "SELECT lead_id FROM contacts")
    assert len(lead_ids) == len(set(lead_ids)) == accepted
    emails = ids(db, "SELECT email FROM contacts WHERE email IS NOT NULL")
    shared = sorted(e for e, n in Counter(emails).items() if n > 1)
    assert shared == expected["shared_emails"]
    assert all(e.split("@")[0] in ROLE_ACCOUNTS for e in shared), shared
    touch_rows = ids(db, f"SELECT row_number FROM touches WHERE import_id = '{import_id}'")
    assert len(touch_rows) == len(set(touch_rows)) == accepted + final["duplicates_in_file"]
    error_rows = ids(db, f"SELECT DISTINCT row_number FROM import_errors "
                         f"WHERE import_id = '{import_id}' AND column_name = '*'")  # fmt: skip
    assert sorted(error_rows) == sorted(generated.bad_rows)
    repeat_touches = set(
        ids(db, f"SELECT touch_id FROM dedup_decisions WHERE import_id = '{import_id}'")
    )
    assert len(repeat_touches) == final["duplicates_in_file"]

    # Downstream: wait until everything is published and every queue has drained.
    def drained() -> dict[str, int] | None:
        stack.check_alive()
        unsent = ids(db, "SELECT COUNT(*) FROM bus_outbox WHERE published_at IS NULL")[0]
        depths = queue_depths(rabbit, amqp_url)
        counts = {
            "tagging": ids(stack.sqlite("tagging"), "SELECT COUNT(*) FROM leads")[0],
            "pipeline": ids(stack.sqlite("pipeline"), "SELECT COUNT(*) FROM leads")[0],
            "matching": ids(stack.sqlite("matching"), "SELECT COUNT(*) FROM prospects")[0],
        }
        settled = unsent == 0 and not any(depths.values())
        return counts if settled and set(counts.values()) == {accepted} else None

    stack.wait_for(drained, timeout=400, message="downstream consumers to drain the queues")
    every_lead = set(lead_ids)
    assert set(ids(stack.sqlite("tagging"), "SELECT lead_id FROM leads")) == every_lead
    assert set(ids(stack.sqlite("pipeline"), "SELECT lead_id FROM leads")) == every_lead
    assert set(ids(stack.sqlite("matching"), "SELECT lead_id FROM prospects")) == every_lead
    # Pipeline: one first touch per lead, plus the touches of the rows that repeated one.
    pipeline_touches = ids(stack.sqlite("pipeline"), "SELECT touch_id FROM touches")
    assert len(pipeline_touches) == accepted + final["duplicates_in_file"]
    assert repeat_touches <= set(pipeline_touches)
    dead = {q: n for q, n in queue_depths(rabbit, amqp_url).items() if q.endswith(".dead") and n}
    assert dead == {}
