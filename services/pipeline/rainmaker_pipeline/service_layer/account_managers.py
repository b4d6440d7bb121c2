"""Account managers: pipeline owns them and announces every change to matching."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_pipeline.adapters.tables import account_managers, leads
from rainmaker_pipeline.domain.model import Conflict, NotFound
from rainmaker_pipeline.domain.stages import OPEN_STAGES
from rainmaker_pipeline.service_layer.commands import UpsertAccountManager
from rainmaker_pipeline.service_layer.lead_state import PRODUCER


def _with_open_leads() -> Select[Any]:
    open_leads = (
        select(func.count())
        .select_from(leads)
        .where(
            leads.c.am_id == account_managers.c.am_id,
            leads.c.stage.in_(OPEN_STAGES),
            leads.c.merged_into.is_(None),
            # An erased lead takes no more commands, so it could never free the capacity.
            leads.c.erased_at.is_(None),
        )
        .scalar_subquery()
    )
    return select(account_managers, open_leads.label("open_leads"))


def upsert_account_manager(
    session: Session,
    cmd: UpsertAccountManager,
    *,
    create_only: bool = False,
    correlation_id: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Create or replace an account manager; returns (it, created) and publishes
    `account_manager.upserted` with its full state."""
    am_id = cmd.am_id or str(uuid.uuid4())
    exists = session.execute(
        select(account_managers.c.am_id).where(account_managers.c.am_id == am_id)
    ).first()
    if exists and create_only:
        raise Conflict(f"Account manager {am_id} already exists; PUT replaces it.")
    if cmd.email is not None:
        holder = session.execute(
            select(account_managers.c.am_id).where(
                func.lower(account_managers.c.email) == cmd.email.lower(),
                account_managers.c.am_id != am_id,
            )
        ).scalar()
        if holder is not None:
            raise Conflict(f"Account manager {holder} already has the email {cmd.email}.")
    values = {
        "name": cmd.name,
        "email": cmd.email,
        "capacity": cmd.capacity,
        "territory_tags": list(cmd.territory_tags),
        "specialty_tags": list(cmd.specialty_tags),
        "active": cmd.active,
    }
    now = datetime.now(UTC)
    if exists:
        where = account_managers.c.am_id == am_id
        session.execute(update(account_managers).where(where).values(**values, updated_at=now))
    else:
        session.execute(
            insert(account_managers),
            {"am_id": am_id, **values, "created_at": now, "updated_at": now},
        )
    add_event(
        session,
        "account_manager.upserted",
        {"am_id": am_id, **values},
        producer=PRODUCER,
        correlation_id=correlation_id,
    )
    return get_account_manager(session, am_id), not exists


def get_account_manager(session: Session, am_id: str) -> dict[str, Any]:
    row = session.execute(_with_open_leads().where(account_managers.c.am_id == am_id)).first()
    if row is None:
        raise NotFound(f"Account manager {am_id} does not exist.")
    return dict(row._mapping)


def list_account_managers(
    session: Session, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    total = session.execute(select(func.count()).select_from(account_managers)).scalar_one()
    rows = session.execute(
        _with_open_leads()
        .order_by(account_managers.c.name, account_managers.c.am_id)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows], total
