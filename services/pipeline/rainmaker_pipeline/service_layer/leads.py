"""Commands on one lead: stage moves, activities and deals."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_pipeline.adapters.tables import activities, deals
from rainmaker_pipeline.domain.model import DealRequired
from rainmaker_pipeline.domain.stages import CLOSING_STAGES, Stage
from rainmaker_pipeline.service_layer import queries
from rainmaker_pipeline.service_layer.commands import (
    Actor,
    ChangeStage,
    CloseDeal,
    LogActivity,
)
from rainmaker_pipeline.service_layer.lead_state import PRODUCER, lead_for_command, move_stage


def change_stage(
    session: Session, cmd: ChangeStage, actor: Actor, correlation_id: str | None = None
) -> dict[str, Any]:
    if cmd.to_stage in CLOSING_STAGES:
        raise DealRequired(
            f"A lead becomes {cmd.to_stage} by closing a deal: POST /leads/{cmd.lead_id}/deals."
        )
    lead = lead_for_command(session, cmd.lead_id, actor)
    move_stage(
        session,
        lead,
        cmd.to_stage,
        by=actor.by,
        at=datetime.now(UTC),
        reason=cmd.reason,
        correlation_id=correlation_id,
    )
    return queries.lead_summary(session, cmd.lead_id)


def log_activity(
    session: Session, cmd: LogActivity, actor: Actor, correlation_id: str | None = None
) -> dict[str, Any]:
    lead = lead_for_command(session, cmd.lead_id, actor)
    now = datetime.now(UTC)
    occurred_at = cmd.occurred_at or now
    activity: dict[str, Any] = {
        "activity_id": str(uuid.uuid4()),
        "lead_id": lead.lead_id,
        "am_id": lead.am_id,
        "kind": cmd.kind.value,
        "notes": cmd.notes,
    }
    session.execute(
        insert(activities),
        {
            **activity,
            "occurred_at": occurred_at,
            "original_lead_id": lead.lead_id,
            "created_at": now,
        },
    )
    add_event(
        session,
        "activity.logged",
        {**activity, "occurred_at": occurred_at.isoformat()},
        producer=PRODUCER,
        correlation_id=correlation_id,
    )
    return {**activity, "occurred_at": occurred_at}


def close_deal(
    session: Session, cmd: CloseDeal, actor: Actor, correlation_id: str | None = None
) -> dict[str, Any]:
    """Record the deal and move the lead to won or lost (only an opportunity can close)."""
    lead = lead_for_command(session, cmd.lead_id, actor)
    closed_at = cmd.closed_at or datetime.now(UTC)
    reason = f"deal {cmd.outcome}" + (f": {cmd.product}" if cmd.product else "")
    move_stage(
        session,
        lead,
        Stage(cmd.outcome.value),
        by=actor.by,
        at=closed_at,
        reason=reason,
        correlation_id=correlation_id,
    )
    deal = {
        "deal_id": str(uuid.uuid4()),
        "lead_id": lead.lead_id,
        "am_id": lead.am_id,
        "outcome": cmd.outcome.value,
        "value_minor": cmd.value_minor,
        "currency": cmd.currency,
        "product": cmd.product,
        "closed_at": closed_at,
    }
    session.execute(insert(deals), {**deal, "original_lead_id": lead.lead_id})
    add_event(
        session,
        "deal.closed",
        {**deal, "closed_at": closed_at.isoformat()},
        producer=PRODUCER,
        correlation_id=correlation_id,
    )
    return deal
