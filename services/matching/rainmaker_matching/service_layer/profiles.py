"""What matching knows about account managers: who they are, and the deals they closed."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from rainmaker_matching.adapters import repository as repo
from rainmaker_matching.adapters.tables import account_managers, closed_deals, prospects
from rainmaker_matching.domain.model import TOMBSTONES, ProspectStatus


def upsert_account_manager(session: Session, am: Mapping[str, Any], now: datetime) -> None:
    values = {
        "name": am["name"],
        "capacity": am["capacity"],
        "territory_tags": list(dict.fromkeys(am["territory_tags"])),
        "specialty_tags": list(dict.fromkeys(am["specialty_tags"])),
        "active": am["active"],
        "updated_at": now,
    }
    known = session.execute(
        select(account_managers.c.am_id).where(account_managers.c.am_id == am["am_id"])
    ).first()
    if known is None:
        session.execute(insert(account_managers).values(am_id=am["am_id"], **values))
    else:
        session.execute(
            update(account_managers).where(account_managers.c.am_id == am["am_id"]).values(values)
        )


def record_closed_deal(session: Session, deal: Mapping[str, Any], now: datetime) -> None:
    """Keep the deal (with the prospect's tags as they are now) and take the lead out."""
    exists = session.execute(
        select(closed_deals.c.deal_id).where(closed_deals.c.deal_id == deal["deal_id"])
    ).first()
    if exists is not None:
        return
    lead_id = deal["lead_id"]
    status = repo.ensure_prospects(session, [lead_id], now)[lead_id]
    erased = status == ProspectStatus.ERASED
    tags = [] if erased else repo.tags_of(session, [lead_id]).get(lead_id, [])
    session.execute(
        insert(closed_deals).values(
            deal_id=deal["deal_id"],
            lead_id=None if erased else lead_id,
            am_id=deal["am_id"],
            outcome=deal["outcome"],
            value_minor=deal["value_minor"],
            currency=deal["currency"],
            tags=[{"tag": t.tag, "confidence": t.confidence, "origin": t.origin} for t in tags],
            closed_at=deal["closed_at"].astimezone(UTC),
        )
    )
    if status not in TOMBSTONES:
        session.execute(
            update(prospects)
            .where(prospects.c.lead_id == lead_id)
            .values(status=ProspectStatus.CLOSED, updated_at=now)
        )
