"""The topology as data: what every queue must declare for the guarantees of DESIGN.md §5."""

import json

import pytest
from click.testing import CliRunner

from rainmaker_bus import BusSettings
from rainmaker_bus.topology import bindings, definitions, queue_specs, retry_queue
from rainmaker_cli.bus_commands import DEFINITIONS, export
from rainmaker_contracts import EVENT_TYPES
from rainmaker_contracts.topology import CONSUMER_QUEUES, DEAD_LETTER_EXCHANGE, EXCHANGE
from tests.bus.conftest import REPO

SETTINGS = BusSettings()
SPECS = dict(queue_specs(SETTINGS))


@pytest.mark.parametrize("q", CONSUMER_QUEUES, ids=lambda q: q.name)
def test_consumer_queue_is_quorum_with_delivery_limit_and_safe_dead_lettering(q):
    assert SPECS[q.name] == {
        "x-queue-type": "quorum",
        "x-delivery-limit": SETTINGS.delivery_limit,
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": q.name,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",  # at-least-once dead-lettering requires it
    }
    assert q.name.startswith(f"{q.service}.")


@pytest.mark.parametrize("q", CONSUMER_QUEUES, ids=lambda q: q.name)
def test_one_retry_queue_per_back_off_step_dead_letters_back(q):
    for delay in SETTINGS.retry_delays_s:
        assert SPECS[retry_queue(q.name, delay)] == {
            "x-queue-type": "quorum",
            "x-message-ttl": round(delay * 1000),
            "x-dead-letter-exchange": "",  # the default exchange: straight back to q
            "x-dead-letter-routing-key": q.name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
    retries = [n for n in SPECS if n.startswith(f"{q.name}.retry.")]
    assert len(retries) == len(SETTINGS.retry_delays_s)


@pytest.mark.parametrize("q", CONSUMER_QUEUES, ids=lambda q: q.name)
def test_dead_queue_is_bound_to_the_dead_letter_exchange(q):
    assert SPECS[q.dead] == {"x-queue-type": "quorum"}
    assert (DEAD_LETTER_EXCHANGE, q.dead, q.name) in bindings(q)
    routed = {key for ex, queue, key in bindings(q) if ex == EXCHANGE and queue == q.name}
    assert routed == set(q.routing_keys)


def test_every_queue_has_exactly_its_three_kinds():
    expected = len(CONSUMER_QUEUES) * (2 + len(SETTINGS.retry_delays_s))
    assert len(SPECS) == expected == len(queue_specs(SETTINGS))


def test_every_event_type_reaches_a_queue_and_every_binding_is_an_event():
    routed = {key for q in CONSUMER_QUEUES for key in q.routing_keys}
    assert routed == set(EVENT_TYPES)


def test_delivery_limit_and_retries_follow_settings():
    s = BusSettings(delivery_limit=4, retry_delays_s=(0.5,))
    specs = dict(queue_specs(s))
    assert specs["tagging.events"]["x-delivery-limit"] == 4
    assert specs["tagging.events.retry.500ms"]["x-message-ttl"] == 500


def test_definitions_hold_the_same_queues_exchanges_and_bindings():
    d = definitions(SETTINGS, vhost="crm")
    assert {x["name"]: x["type"] for x in d["exchanges"]} == {
        EXCHANGE: "topic",
        DEAD_LETTER_EXCHANGE: "direct",
    }
    assert {q["name"]: q["arguments"] for q in d["queues"]} == SPECS
    assert all(q["durable"] and not q["auto_delete"] and q["vhost"] == "crm" for q in d["queues"])
    triples = {(b["source"], b["destination"], b["routing_key"]) for b in d["bindings"]}
    assert triples == {t for q in CONSUMER_QUEUES for t in bindings(q)}


def test_checked_in_definitions_json_is_current():
    """infra/rabbitmq/definitions.json must be regenerated (`rainmaker topology export`)."""
    on_disk = json.loads((REPO / DEFINITIONS).read_text())
    assert on_disk == definitions(SETTINGS)


def test_export_command_writes_the_definitions(tmp_path):
    out = tmp_path / "defs.json"
    result = CliRunner().invoke(export, ["--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == definitions(SETTINGS)
