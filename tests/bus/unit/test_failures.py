"""Where a failing delivery goes: back-off queues in order, then the dead-letter exchange."""

from pika.spec import BasicProperties

from rainmaker_bus import BusSettings
from rainmaker_bus import messages as m
from rainmaker_bus.failures import Delivery, dead_letter, retry_or_dead
from rainmaker_contracts import make_envelope
from rainmaker_contracts.topology import DEAD_LETTER_EXCHANGE

SETTINGS = BusSettings(retry_delays_s=(1.0, 10.0, 60.0))


def delivery(headers=None):
    body = make_envelope("lead.erased", {"lead_id": "L1"}, "intake").to_json()
    props = m.properties_for(body)
    if headers:
        props = m.with_headers(props, **headers)
    return Delivery(1, 7, False, props, body)


def test_properties_come_from_the_envelope():
    d = delivery()
    assert d.props.delivery_mode == 2 and d.props.content_type == "application/json"
    assert d.props.type == "lead.erased" and d.props.app_id == "intake"
    assert d.props.message_id and d.props.headers["version"] == 1


def test_attempts_walk_the_back_off_queues_then_dead_letter():
    d = delivery()
    hops = []
    for _ in range(5):
        out = retry_or_dead(SETTINGS, "tagging.events", d, "RuntimeError: boom")
        hops.append((out.exchange, out.routing_key))
        d = Delivery(1, 8, False, out.properties, out.body)
        if out.exchange:
            break
    assert hops == [
        ("", "tagging.events.retry.1000ms"),
        ("", "tagging.events.retry.10000ms"),
        ("", "tagging.events.retry.60000ms"),
        (DEAD_LETTER_EXCHANGE, "tagging.events"),
    ]
    headers = d.props.headers
    assert headers[m.ERROR] == "RuntimeError: boom"
    assert headers[m.QUEUE] == "tagging.events"
    assert headers[m.ATTEMPT] == 4 and m.FAILED_AT in headers


def test_republished_copy_does_not_carry_delivery_state():
    d = delivery({"x-delivery-count": 3, "keep": "me"})
    out = dead_letter("tagging.events", d, "why")
    assert "x-delivery-count" not in out.properties.headers
    assert out.properties.headers["keep"] == "me"
    assert out.properties.message_id == d.props.message_id
    assert out.properties.delivery_mode == 2


def test_long_errors_are_truncated():
    out = dead_letter("tagging.events", delivery(), "x" * 10_000)
    assert len(out.properties.headers[m.ERROR]) == 2000


def test_attempt_header_garbage_counts_as_first():
    props = BasicProperties(headers={m.ATTEMPT: "nonsense"})
    assert m.attempt_of(props) == 1
