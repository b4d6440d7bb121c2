"""SIGKILL the consumer process three times mid-stream; each event takes effect exactly once.

Two of the kills come from inside, right after a commit and before its acks leave (the worst
moment: the effect is durable, the broker will redeliver); one from outside at a random point.
The negative control (inbox off) must show doubles, proving the kills hit between commit and ack.
"""

import signal

import pytest

from rainmaker_bus import Relay
from tests.bus.app import effect_counts, emit, setup_db
from tests.bus.conftest import fast_settings
from tests.support import wait_for

pytestmark = pytest.mark.fault

N = 3000


def crash_three_times(fault_url, procs, tmp_path, in_thread, *extra):
    producer = setup_db(f"sqlite:///{tmp_path / 'producer.db'}")
    consumer_url = f"sqlite:///{tmp_path / 'consumer.db'}"
    consumer_db = setup_db(consumer_url)
    settings = fast_settings(fault_url)
    in_thread(Relay(producer, settings))
    emit(producer, list(range(N)))
    exits = []
    for lead in ("lead-600", "lead-1500"):
        p = procs.start("consumer", consumer_url, settings, "--kill-after-commit-on", lead, *extra)
        exits.append(p.wait(120))
    p = procs.start("consumer", consumer_url, settings, *extra)
    wait_for(lambda: len(effect_counts(consumer_db)) >= 0.8 * N, 120, message="80% applied")
    p.send_signal(signal.SIGKILL)
    exits.append(p.wait(30))
    assert exits == [-signal.SIGKILL] * 3  # three real SIGKILLs
    procs.start("consumer", consumer_url, settings, *extra)
    wait_for(lambda: len(effect_counts(consumer_db)) == N, 120, message=f"{N} effects")
    return consumer_db


def test_consumer_killed_three_times_each_effect_once(fault_url, procs, tmp_path, in_thread):
    consumer_db = crash_three_times(fault_url, procs, tmp_path, in_thread)
    counts = effect_counts(consumer_db)
    assert len(counts) == N
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}


def test_control_without_inbox_effects_double(fault_url, procs, tmp_path, in_thread):
    consumer_db = crash_three_times(fault_url, procs, tmp_path, in_thread, "--no-inbox")
    counts = effect_counts(consumer_db)
    doubles = {k: v for k, v in counts.items() if v > 1}
    print(f"\ninbox off: {len(doubles)} of {N} events took effect more than once")
    assert doubles, "the kills did not hit between commit and ack"
    assert "lead-600" in doubles and "lead-1500" in doubles
