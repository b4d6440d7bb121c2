"""Builders of the wire data other services send pipeline (valid per the contracts)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def new_id(prefix: str = "") -> str:
    """Unique ids instead of cleanup."""
    return f"{prefix}{uuid.uuid4()}"


def at(days: float = 0) -> str:
    return (T0 + timedelta(days=days)).isoformat()


def source(kind: str, source_id: str, name: str | None = None) -> dict[str, Any]:
    return {"type": kind, "id": source_id, "name": name}


def ingested(*leads: dict[str, Any], import_id: str | None = None) -> dict[str, Any]:
    return {"import_id": import_id, "leads": list(leads)}


def lead(
    lead_id: str,
    src: dict[str, Any],
    days: float = 0,
    company: str | None = "Acme Ltd",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "source": src,
        "touched_at": at(days),
        "email": f"{lead_id[:8]}@example.com",
        "company": company,
        "industry": "software",
        "region": "north",
        **extra,
    }


def touched(*touches: tuple[str, str, dict[str, Any], float]) -> dict[str, Any]:
    """touched((touch_id, lead_id, source, days), ...)"""
    return {
        "touches": [
            {"touch_id": t, "lead_id": lead_id, "source": src, "touched_at": at(days)}
            for t, lead_id, src, days in touches
        ]
    }


def list_imported(
    list_id: str,
    name: str = "Trade list",
    vendor: str | None = "DataCo",
    cost_minor: int = 0,
    currency: str = "EUR",
) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "import_id": f"imp-{list_id}",
        "name": name,
        "vendor": vendor,
        "cost_minor": cost_minor,
        "currency": currency,
        "purchased_on": "2026-01-01",
        "rows_total": 10,
        "accepted": 10,
        "duplicates_in_file": 0,
        "duplicates_existing": 0,
        "suppressed": 0,
        "rejected": 0,
    }


def tagged(lead_id: str, *tags: str) -> dict[str, Any]:
    return {
        "leads": [
            {
                "lead_id": lead_id,
                "tags": [{"tag": t, "confidence": 0.9, "origin": "rule"} for t in tags],
            }
        ]
    }


def claimed(lead_id: str, am_id: str, days: float = 1) -> dict[str, Any]:
    return {
        "claim_id": f"claim-{lead_id[:8]}",
        "lead_id": lead_id,
        "am_id": am_id,
        "claimed_at": at(days),
    }


def merged(
    survivor: str, merged_id: str, undone: bool = False, merge_id: str | None = None
) -> dict[str, Any]:
    """An undo repeats its merge's merge_id (derived from the merged lead unless given)."""
    return {
        "merges": [
            {
                "merge_id": merge_id or f"m-{merged_id[:8]}",
                "survivor_id": survivor,
                "merged_id": merged_id,
                "rule": "email",
                "score": 1.0,
                "undone": undone,
            }
        ]
    }
