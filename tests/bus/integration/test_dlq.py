"""Dead letters through the CLI: list, show and replay; replaying is idempotent."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from rainmaker_bus import BusSettings, Consumer, Relay
from rainmaker_bus.dlq import count_dead, iter_dead, replay
from rainmaker_bus.tables import outbox
from rainmaker_bus.topology import queue_specs
from rainmaker_cli.bus_commands import dlq, topology
from tests.bus.app import QUEUE, Behaviour, effect_counts, emit, handlers, queue_depth
from tests.support import wait_for

pytestmark = pytest.mark.integration


def cli(amqp_url, *args):
    return CliRunner().invoke(dlq, [*args[:1], "--amqp-url", amqp_url, *args[1:]])


@pytest.fixture
def dead_one(db, bus_settings, in_thread):
    """One message dead-lettered by an always-failing handler; the consumer keeps running."""
    b = Behaviour(fail_on={"lead-bad"})
    consumer = Consumer(db, bus_settings, QUEUE, handlers(b))
    in_thread(consumer)
    in_thread(Relay(db, bus_settings))
    ids = emit(db, ["lead-bad", 1])
    wait_for(lambda: count_dead(bus_settings)[QUEUE.name] == 1, 30, message="dead letter")
    return b, consumer, ids[0]


def test_list_and_show(bus_settings, dead_one):
    _, _, mid = dead_one
    out = cli(bus_settings.amqp_url, "list")
    assert out.exit_code == 0, out.output
    assert f"# {QUEUE.name}: 1 dead" in out.output
    [line] = [ln for ln in out.output.splitlines() if not ln.startswith("#")]
    queue, message_id, event_type, attempts, _failed_at, reason = line.split("\t")
    assert (queue, message_id, event_type) == (QUEUE.name, mid, "prospect.claimed")
    assert attempts == "3" and reason == "RuntimeError: handler refuses lead-bad"
    shown = cli(bus_settings.amqp_url, "show", mid)
    assert shown.exit_code == 0, shown.output
    doc = json.loads(shown.output)
    assert doc["error"] == reason and doc["body"]["id"] == mid and doc["queue"] == QUEUE.name
    # Listing and showing never consume: the dead letter is still there.
    assert count_dead(bus_settings)[QUEUE.name] == 1
    assert cli(bus_settings.amqp_url, "show", "no-such-id").exit_code != 0


def test_replay_applies_once_and_replaying_again_changes_nothing(db, bus_settings, dead_one):
    b, _, mid = dead_one
    b.fail_on.clear()  # the bug was fixed
    out = cli(bus_settings.amqp_url, "replay", QUEUE.name, "--message-id", mid)
    assert out.exit_code == 0 and "replayed 1" in out.output, out.output
    wait_for(lambda: effect_counts(db).get("lead-bad") == 1, 30, message="replayed applied")
    assert count_dead(bus_settings)[QUEUE.name] == 0
    again = cli(bus_settings.amqp_url, "replay", QUEUE.name, "--message-id", mid)
    assert again.exit_code != 0 and "replayed 0" in again.output
    assert effect_counts(db) == {"lead-bad": 1, "lead-1": 1}


def test_replaying_duplicate_dead_copies_has_one_effect(db, bus_settings, dead_one):
    """Two dead copies of one message (e.g. a replay crashed between publish and ack, or the
    relay published twice): replaying both applies it once; the inbox absorbs the second."""
    b, consumer, mid = dead_one
    with db.transaction() as s:  # the relay publishes the same message once more
        s.execute(update(outbox).where(outbox.c.message_id == mid).values(published_at=None))
    wait_for(lambda: count_dead(bus_settings)[QUEUE.name] == 2, 30, message="second copy dead")
    assert {d.message_id for d in iter_dead(bus_settings, [QUEUE.name])} == {mid}
    b.fail_on.clear()
    assert replay(bus_settings, QUEUE.name) == 2
    wait_for(lambda: consumer.duplicates >= 1, 30, message="second copy acked as duplicate")
    assert effect_counts(db) == {"lead-bad": 1, "lead-1": 1}
    assert queue_depth(bus_settings.amqp_url, QUEUE.name) == 0
    assert count_dead(bus_settings)[QUEUE.name] == 0


def test_replay_of_only_one_message_leaves_the_others(db, bus_settings, dead_one):
    b, _, mid = dead_one
    b.fail_on.add("lead-bad-too")  # before it is staged: the running relay sends it at once
    [other] = emit(db, ["lead-bad-too"])
    wait_for(lambda: count_dead(bus_settings)[QUEUE.name] == 2, 30, message="two dead")
    b.fail_on.clear()
    assert replay(bus_settings, QUEUE.name, message_id=other) == 1
    wait_for(lambda: "lead-bad-too" in effect_counts(db), 30, message="replayed one applied")
    assert [d.message_id for d in iter_dead(bus_settings, [QUEUE.name])] == [mid]


def test_topology_declare_command(amqp_url):
    out = CliRunner().invoke(topology, ["declare", "--amqp-url", amqp_url])
    assert out.exit_code == 0, out.output
    for name, _args in queue_specs(BusSettings()):
        assert queue_depth(amqp_url, name) == 0  # raises if the queue was not declared
