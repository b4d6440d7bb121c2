"""Dead letters: list, show and replay them.

Listing fetches without acking and then closes the channel, so every message goes back.
Replay re-publishes to the original queue with confirms, then acks the dead copy: a crash in
between leaves two copies, and the consumer's inbox makes the second a no-op (idempotent).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pika

from rainmaker_bus import messages as m
from rainmaker_bus.settings import BusSettings
from rainmaker_contracts.topology import CONSUMER_QUEUES, QUEUES_BY_NAME


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
    if m.FAILED_AT in headers:  # dead-lettered by a consumer: its own words
        return str(headers.get(m.ERROR, "unknown"))
    # Dead-lettered by the broker itself (delivery-limit): the reason is in x-death. A message
    # that failed a few times first still carries the handler's last error: show both.
    deaths = headers.get("x-death") or []
    reason = str(deaths[0].get("reason")) if deaths else headers.get("x-first-death-reason")
    why = f"broker: {reason or 'unknown'}"
    if reason == "delivery_limit":
        why += " (redelivered too often: did the consumer crash on it?)"
    if m.ERROR in headers:
        why += f"; last handler error: {headers[m.ERROR]}"
    return why


def _connect(settings: BusSettings) -> pika.BlockingConnection:
    return pika.BlockingConnection(pika.URLParameters(settings.amqp_url))


def iter_dead(
    settings: BusSettings, queues: list[str] | None = None, limit: int = 100
) -> Iterator[DeadLetter]:
    names = queues or [q.name for q in CONSUMER_QUEUES]
    conn = _connect(settings)
    try:
        for name in names:
            if not _depth(conn, QUEUES_BY_NAME[name].dead):
                continue
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
    """Dead letters per consumer queue (0 where the topology is not declared yet)."""
    conn = _connect(settings)
    try:
        return {q.name: _depth(conn, q.dead) for q in CONSUMER_QUEUES}
    finally:
        conn.close()


def _depth(conn: pika.BlockingConnection, queue: str) -> int:
    ch = conn.channel()  # a failed passive declare closes its channel: one channel each
    try:
        depth = int(ch.queue_declare(queue, passive=True).method.message_count)
    except pika.exceptions.ChannelClosedByBroker as exc:
        if exc.reply_code != 404:
            raise
        return 0
    ch.close()
    return depth


def replay(
    settings: BusSettings, queue: str, message_id: str | None = None, limit: int | None = None
) -> int:
    """Move dead letters of `queue` (all, or those with `message_id`) back onto `queue`.

    Each is re-published with confirms (fresh attempts: the bus's x- headers are dropped) and
    only then acked in the dead queue. Returns how many were moved.
    """
    dead = QUEUES_BY_NAME[queue].dead
    conn = _connect(settings)
    replayed = 0
    try:
        ch = conn.channel()
        ch.confirm_delivery()
        depth = _depth(conn, dead)
        for _ in range(depth if limit is None else min(limit, depth)):
            method, props, body = ch.basic_get(dead, auto_ack=False)
            if method is None:
                break
            if message_id and props.message_id != message_id:
                continue  # left unacked: returns to the queue when the channel closes
            headers = {k: v for k, v in (props.headers or {}).items() if not k.startswith("x-")}
            fresh = m.with_headers(pika.BasicProperties(**{**props.__dict__, "headers": headers}))
            # Confirmed and mandatory: raises (and leaves the dead copy) if not routed.
            ch.basic_publish("", queue, body, fresh, mandatory=True)
            ch.basic_ack(method.delivery_tag)
            replayed += 1
        ch.close()
    finally:
        conn.close()
    return replayed
