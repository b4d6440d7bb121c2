"""The transactional outbox: events are rows written in the caller's own transaction."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from rainmaker_bus.tables import outbox
from rainmaker_contracts import Envelope, make_envelope


def add_event(
    session: Session,
    event_type: str,
    data: dict[str, Any],
    *,
    producer: str,
    correlation_id: str | None = None,
) -> Envelope:
    """Validate and stage one event; it is published only if the caller's transaction commits."""
    return add_events(
        session, event_type, [data], producer=producer, correlation_id=correlation_id
    )[0]


def add_events(
    session: Session,
    event_type: str,
    datas: Iterable[dict[str, Any]],
    *,
    producer: str,
    correlation_id: str | None = None,
    validated: bool = False,
) -> list[Envelope]:
    """Stage events (validated unless the caller did: see `make_envelope`)."""
    envelopes = [
        make_envelope(event_type, data, producer, correlation_id=correlation_id,
                      validated=validated)
        for data in datas
    ]  # fmt: skip
    if envelopes:
        now = datetime.now(UTC)
        session.execute(
            insert(outbox),
            [
                {
                    "message_id": env.id,
                    "event_type": env.type,
                    "body": env.to_json().decode(),
                    "created_at": now,
                }
                for env in envelopes
            ],
        )
    return envelopes
