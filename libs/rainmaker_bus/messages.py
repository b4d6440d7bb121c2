"""AMQP properties for our envelopes, and the headers the bus adds on retry and dead-letter."""

from datetime import UTC, datetime
from typing import Any

import orjson
from pika.spec import BasicProperties

from rainmaker_contracts.topology import EXCHANGE

PERSISTENT = 2
ATTEMPT = "x-rainmaker-attempt"  # 1 on first delivery; bumped by every retry
ERROR = "x-rainmaker-error"  # why the last attempt failed
QUEUE = "x-rainmaker-queue"  # the consumer queue the message failed in
FAILED_AT = "x-rainmaker-failed-at"
# Set by a quorum queue on each redelivery; a copy re-published with it would look redelivered.
DELIVERY_STATE = ("x-delivery-count",)


def properties_for(body: bytes, headers: dict[str, Any] | None = None) -> BasicProperties:
    """Properties from the envelope itself, so a relay needs only the stored body."""
    env = orjson.loads(body)
    return BasicProperties(
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=PERSISTENT,
        message_id=str(env.get("id")),
        type=str(env.get("type")),
        app_id=str(env.get("producer")),
        correlation_id=env.get("correlation_id"),
        timestamp=int(datetime.now(UTC).timestamp()),
        headers={"version": env.get("version"), **(headers or {})},
    )


def routing_key_of(props: BasicProperties, body: bytes) -> str:
    if props.type:
        return str(props.type)
    try:
        return str(orjson.loads(body).get("type", "unknown"))
    except (ValueError, AttributeError):
        return "unknown"


def with_headers(props: BasicProperties, **headers: Any) -> BasicProperties:
    """A copy of `props` with extra headers (delivery state never travels)."""
    merged = {k: v for k, v in (props.headers or {}).items() if k not in DELIVERY_STATE}
    merged.update(headers)
    return BasicProperties(
        content_type=props.content_type,
        content_encoding=props.content_encoding,
        delivery_mode=PERSISTENT,
        message_id=props.message_id,
        type=props.type,
        app_id=props.app_id,
        correlation_id=props.correlation_id,
        timestamp=props.timestamp,
        headers=merged,
    )


def attempt_of(props: BasicProperties) -> int:
    try:
        return int((props.headers or {}).get(ATTEMPT, 1))
    except (TypeError, ValueError):
        return 1


__all__ = ["EXCHANGE", "attempt_of", "properties_for", "with_headers"]
