"""Event builders in wire form (ISO strings, as producers put them in the outbox)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def am_event(am_id: str, capacity: int = 10, **kw: Any) -> dict[str, Any]:
    return {"am_id": am_id, "name": kw.pop("name", f"AM {am_id}"), "capacity": capacity, **kw}


def lead(lead_id: str, minutes: int = 0, **kw: Any) -> dict[str, Any]:
    """One ingested lead; `minutes` after T0 (later = newer)."""
    return {
        "lead_id": lead_id,
        "source": kw.pop("source", {"type": "rented_list", "id": "list-1"}),
        "touched_at": (T0 + timedelta(minutes=minutes)).isoformat(),
        "company": kw.pop("company", f"Company {lead_id[:8]}"),
        **kw,
    }


def tagged(lead_id: str, *tags: str | tuple[str, float, str]) -> dict[str, Any]:
    items = [t if isinstance(t, tuple) else (t, 1.0, "rule") for t in tags]
    return {
        "lead_id": lead_id,
        "tags": [{"tag": t, "confidence": c, "origin": o} for t, c, o in items],
    }


def deal(lead_id: str, am_id: str, value_minor: int = 100_000, outcome: str = "won") -> dict:
    return {
        "deal_id": new_id(),
        "lead_id": lead_id,
        "am_id": am_id,
        "outcome": outcome,
        "value_minor": value_minor,
        "currency": "EUR",
        "closed_at": T0.isoformat(),
    }


def stage(lead_id: str, to_stage: str, minutes: int = 0) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "to_stage": to_stage,
        "changed_at": (T0 + timedelta(minutes=minutes)).isoformat(),
    }
