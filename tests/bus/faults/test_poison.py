"""Poison messages never block the queue.

- A contract-invalid event and an always-failing one, then 1,000 good ones: both poisons are
  dead-lettered with their reason in a header, all 1,000 good ones take effect once.
- A handler that kills its process (os._exit) on one message, ahead of 1,000 good ones, with
  a supervisor restarting the consumer: the message is dead-lettered and the rest flow. The
  negative control turns the consumer's crash guard off and leaves it to the broker's
  delivery-limit alone: the good messages that sat in the prefetch window with the poison at
  each crash reach the limit with it and are dead-lettered too.
"""

import json
import time
import uuid

import pytest

from rainmaker_bus import BusSettings
from rainmaker_bus.dlq import count_dead, iter_dead
from tests.bus.app import QUEUE, claim, effect_counts, emit, emit_raw, queue_depth, setup_db
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.fault

GOOD = 1000


def good_leads():
    return list(range(GOOD))


def test_invalid_and_failing_events_are_dead_lettered_and_the_rest_flow(fault_url, procs, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'svc.db'}"
    db = setup_db(db_url)
    invalid_id = str(uuid.uuid4())
    body = {
        "id": invalid_id,
        "type": "prospect.claimed",
        "version": 1,
        "occurred_at": "2024-05-01T12:00:00+00:00",
        "producer": "buggy",
        "data": {**claim("x"), "claimed_at": "not a date"},
    }
    emit_raw(db, json.dumps(body).encode(), invalid_id)
    [failing_id] = emit(db, ["lead-always-fails"])
    emit(db, good_leads())
    settings = fast_settings(fault_url)
    procs.start("relay", db_url, settings)
    procs.start("consumer", db_url, settings, "--fail-on", "lead-always-fails")
    wait_for(lambda: len(effect_counts(db)) == GOOD, 120, message="good ones applied")
    wait_for(lambda: count_dead(settings)[QUEUE.name] == 2, 60, message="two dead letters")
    assert set(effect_counts(db).values()) == {1}
    dead = {d.message_id: d for d in iter_dead(settings, [QUEUE.name])}
    assert set(dead) == {invalid_id, failing_id}
    assert dead[invalid_id].error.startswith("contract:") and "claimed_at" in dead[invalid_id].error
    assert dead[invalid_id].attempts == 1
    assert dead[failing_id].error == "RuntimeError: handler refuses lead-always-fails"
    assert dead[failing_id].attempts == 1 + len(settings.retry_delays_s)
    assert dead[failing_id].headers["x-rainmaker-error"] == dead[failing_id].error


def supervise(procs, db, db_url, settings: BusSettings, max_restarts: int):
    """A process manager: restart the consumer whenever it dies, until the queue is settled."""
    restarts = 0
    p = procs.start("consumer", db_url, settings, "--exit-on", "lead-crash")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = len(effect_counts(db))
        dead = count_dead(settings)[QUEUE.name]
        if done + dead >= GOOD + 1 and p.poll() is None:
            return restarts, done, dead
        if p.poll() is not None:
            assert p.returncode == 70, f"consumer died with {p.returncode}"
            restarts += 1
            assert restarts <= max_restarts, "the poison keeps killing the consumer"
            p = procs.start("consumer", db_url, settings, "--exit-on", "lead-crash")
        time.sleep(0.1)
    raise AssertionError("queue never settled")


def start_with_crasher(fault_url, declared, procs, tmp_path, **overrides):
    """The crasher first, then 1,000 good ones, all in the queue before any consumer starts
    (so every crash returns a full prefetch window behind the crasher)."""
    db_url = f"sqlite:///{tmp_path / 'svc.db'}"
    db = setup_db(db_url)
    [crash_id] = emit(db, ["lead-crash"])
    emit(db, good_leads())
    settings = fast_settings(fault_url, **overrides)
    declared(settings)
    procs.start("relay", db_url, settings)
    wait_for(lambda: queue_depth(fault_url, QUEUE.name) == GOOD + 1, 60, message="all queued")
    return db, db_url, settings, crash_id


def test_process_killing_message_is_dead_lettered_and_the_rest_flow(
    fault_url, declared, procs, tmp_path
):
    db, db_url, settings, crash_id = start_with_crasher(fault_url, declared, procs, tmp_path)
    restarts, done, dead = supervise(procs, db, db_url, settings, max_restarts=8)
    assert (done, dead) == (GOOD, 1)
    assert set(effect_counts(db).values()) == {1}
    [letter] = list(iter_dead(settings, [QUEUE.name]))
    assert letter.message_id == crash_id
    assert "crashed the consumer" in letter.error
    # The first crash, then crash_limit guarded starts: far below the broker's delivery-limit.
    assert restarts == 1 + settings.crash_limit
    print(f"\ncrash guard on: {restarts} crashes; poison dead-lettered: {letter.error}")


def test_control_broker_delivery_limit_alone_takes_neighbours_along(
    fault_url, declared, procs, tmp_path
):
    db, db_url, settings, crash_id = start_with_crasher(
        fault_url, declared, procs, tmp_path, crash_limit=0
    )
    restarts, done, dead = supervise(procs, db, db_url, settings, max_restarts=15)
    letters = list(iter_dead(settings, [QUEUE.name], limit=GOOD))
    reasons = {d.error.split(" (")[0] for d in letters}
    print(f"\ncrash guard off: {restarts} crashes, {done} applied, {dead} dead: {reasons}")
    assert crash_id in {d.message_id for d in letters}
    assert reasons == {"broker: delivery_limit"}  # the broker's limit did dead-letter it ...
    assert restarts == settings.delivery_limit + 1
    assert dead > 1 and done < GOOD  # ... and good neighbours with it: the rest did not flow
