"""Helpers for tagging's unit tests: deliver events as the consumer does, read the outbox."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from rainmaker_bus.tables import outbox
from rainmaker_contracts import make_envelope, validate_data
from rainmaker_db import Database
from rainmaker_tagging.service_layer.handlers import EVENT_HANDLERS


def new_id() -> str:
    return str(uuid.uuid4())


def deliver(db: Database, event_type: str, data: dict[str, Any], producer: str = "test") -> None:
    """Run tagging's handler for one event the way the consumer does."""
    env = make_envelope(event_type, data, producer, correlation_id="corr-1")
    loaded = validate_data(event_type, env.version, json.loads(json.dumps(data)))
    with db.transaction() as session:
        EVENT_HANDLERS["tagging.events"][event_type](session, env, loaded)


def published(db: Database, event_type: str = "leads.tagged") -> list[dict[str, Any]]:
    """Envelopes of that type in the outbox, oldest first."""
    with db.reader() as session:
        rows = session.execute(
            select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        ).scalars()
        return [json.loads(body) for body in rows]


def last_tags(db: Database, lead_id: str) -> dict[str, dict[str, Any]]:
    """The tag set last published for a lead: tag -> {confidence, origin, reason}."""
    for env in reversed(published(db)):
        for lead in env["data"]["leads"]:
            if lead["lead_id"] == lead_id:
                return {t["tag"]: t for t in lead["tags"]}
    raise AssertionError(f"no leads.tagged for {lead_id}")


def ingested_lead(lead_id: str | None = None, **fields: Any) -> dict[str, Any]:
    source = fields.pop("source", {"type": "rented_list", "id": "list-1", "name": "Acme 2026"})
    return {
        "lead_id": lead_id or new_id(),
        "source": source,
        "touched_at": datetime.now(UTC).isoformat(),
        **fields,
    }


def ingest(db: Database, *leads: dict[str, Any]) -> None:
    deliver(db, "leads.ingested", {"import_id": "imp-1", "leads": list(leads)}, "intake")
