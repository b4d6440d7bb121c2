"""Spend per source beyond a list's price (events, referral programmes, extra list fees)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rainmaker_pipeline.adapters.tables import costs
from rainmaker_pipeline.service_layer.commands import RecordCost


def record_cost(session: Session, cmd: RecordCost) -> dict[str, Any]:
    cost = {
        "cost_id": str(uuid.uuid4()),
        "source_type": cmd.source_type,
        "source_id": cmd.source_id,
        "amount_minor": cmd.amount_minor,
        "currency": cmd.currency,
        "period": cmd.period,
        "note": cmd.note,
        "created_at": datetime.now(UTC),
    }
    session.execute(insert(costs), cost)
    return cost


def list_costs(session: Session, *, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    total = session.execute(select(func.count()).select_from(costs)).scalar_one()
    rows = session.execute(
        select(costs)
        .order_by(costs.c.created_at.desc(), costs.c.cost_id)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows], total
