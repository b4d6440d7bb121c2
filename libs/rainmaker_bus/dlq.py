"""Dead letters: list, show and replay them.

Listing fetches without acking and then closes the channel, so every message goes back.
Replay re-publishes to the original queue with confirms, then acks the dead copy: a crash in
between leaves two copies, and the consumer's inbox makes the second a no-op (idempotent).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pika
from rainmaker_contracts.topology import CONSUMER_QUEUES, QUEUES_BY_NAME

from rainmaker_bus import messages as m
from rainmaker_bus.settings import BusSettings


@dataclass
class DeadLetter:
    queue: str  # the consumer queue it died in
    message_id: str | None
    event_type: str | None
    error: str
    attempts: int
    failed_at: str | None
    body: bytes
    headers: dict[str, Any]


def _reason(headers: dict[str, Any]) -> str:
    if m.ERROR in headers:
        return str(headers[m.ERROR])
    # Dead-lettered by the broker itself (delivery-limit): the reason is in x-death.
    deaths = headers.get("x-death") or []
    if deaths:
        return f"broker: {deaths[0].get('reason')} (delivery limit reached; consumer crashed?)"
    return str(headers.get("x-first-death-reason", "unknown"))


def _connect(settings: BusSettings) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.URLParameters(settings.amqp_url))


def iter_dead(
    settings: BusSettings, queues: list[str] | None = None, limit: int = 100
) -> Iterator[DeadLetter]:
    names = queues or [q.name for q in CONSUMER_QUEUES]
    conn = _connect(settings)
    try:
        for name in names:
            ch = conn.channel()
            for _ in range(limit):
                method, props, body = ch.basic_get(QUEUES_BY_NAME[name].dead, auto_ack=False)
                if method is None:
                    break
                headers = dict(props.headers or {})
                yield DeadLetter(
                    queue=name,
                    message_id=props.message_id,
                    event_type=props.type,
                    error=_reason(headers),
                    attempts=m.attempt_of(props),
                    failed_at=headers.get(m.FAILED_AT),
                    body=body,
                    headers=headers,
                )
            ch.close()  # un-acked gets return to the dead queue
    finally:
        conn.close()


def count_dead(settings: BusSettings) -> dict[str, int]:
    conn = _connect(settings)
    try:
        ch = conn.channel()
        return {
            q.name: ch.queue_declare(q.dead, passive=True).method.message_count
            for q in CONSUMER_QUEUES
        }
    finally:
        conn.close()


def replay(
    settings: BusSettings, queue: str, message_id: str | None = None, limit: int = 1000
) -> int:
    """Move dead letters of `queue` (all, or the one with `message_id`) back onto `queue`."""
    dead = QUEUES_BY_NAME[queue].dead
    conn = _connect(settings)
    replayed = 0
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        for _ in range(limit):
            method, props, body = ch.basic_get(dead, auto_ack=False)
            if method is None:
                break
            if message_id and props.message_id != message_id:
                continue  # left unacked: returns to the queue when the channel closes
            headers = {k: v for k, v in (props.headers or {}).items() if not k.startswith("x-")}
            fresh = m.with_headers(pika.BasicProperties(**{**props.__dict__, "headers": headers}))
            ch.basic_publish("", queue, body, fresh)  # confirmed: raises if not
            ch.basic_ack(method.delivery_tag)
            replayed += 1
        ch.close()
    finally:
        conn.close()
    return replayed
