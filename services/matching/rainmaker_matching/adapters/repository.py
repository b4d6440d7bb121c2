"""Reads of matching's tables into domain objects, and the placeholder upsert events share."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, func, insert, or_, select
from sqlalchemy.orm import Session

from rainmaker_db.upserts import insert_missing
from rainmaker_matching.adapters.tables import (
    account_managers,
    claims,
    closed_deals,
    prospect_tags,
    prospects,
    undone_merges,
)
from rainmaker_matching.domain.model import (
    ACTIVE_STAGES,
    AccountManager,
    Claim,
    ProspectStatus,
    Tag,
    WonDeal,
)


def utc(value: datetime) -> datetime:
    """Stored timestamps are UTC; SQLite hands them back naive."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def get_account_manager(
    session: Session, am_id: str, *, for_update: bool = False
) -> AccountManager | None:
    query = select(account_managers).where(account_managers.c.am_id == am_id)
    row = session.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        return None
    return AccountManager(
        am_id=row.am_id,
        name=row.name,
        capacity=row.capacity,
        territory_tags=tuple(row.territory_tags),
        specialty_tags=tuple(row.specialty_tags),
        active=row.active,
    )


def won_deals(session: Session, am_id: str) -> list[WonDeal]:
    rows = session.execute(
        select(
            closed_deals.c.deal_id,
            closed_deals.c.value_minor,
            closed_deals.c.currency,
            closed_deals.c.tags,
        )
        .where(closed_deals.c.am_id == am_id, closed_deals.c.outcome == "won")
        .order_by(closed_deals.c.closed_at, closed_deals.c.deal_id)
    )
    return [
        WonDeal(r.deal_id, r.value_minor, tuple(Tag(**t) for t in r.tags), r.currency) for r in rows
    ]


def tags_of(session: Session, lead_ids: Iterable[str]) -> dict[str, list[Tag]]:
    found: dict[str, list[Tag]] = defaultdict(list)
    ids = list(lead_ids)
    if ids:
        rows = session.execute(
            select(prospect_tags)
            .where(prospect_tags.c.lead_id.in_(ids))
            .order_by(prospect_tags.c.lead_id, prospect_tags.c.confidence.desc())
        )
        for r in rows:
            found[r.lead_id].append(Tag(r.tag, r.confidence, r.origin))
    return found


def get_prospect(session: Session, lead_id: str) -> Row[Any] | None:
    return session.execute(select(prospects).where(prospects.c.lead_id == lead_id)).first()


def claim_of(session: Session, lead_id: str) -> Claim | None:
    row = session.execute(select(claims).where(claims.c.lead_id == lead_id)).first()
    if row is None:
        return None
    return Claim(row.claim_id, row.lead_id, row.am_id, utc(row.claimed_at))


def open_claims(session: Session, am_id: str) -> int:
    """Leads the AM holds that are still open: claimed, not closed, in an active stage, and
    not reassigned since to another AM."""
    query = (
        select(func.count())
        .select_from(claims.join(prospects, prospects.c.lead_id == claims.c.lead_id))
        .where(
            claims.c.am_id == am_id,
            prospects.c.status == ProspectStatus.CLAIMED,
            prospects.c.claimed_by == am_id,
            or_(prospects.c.stage.is_(None), prospects.c.stage.in_(ACTIVE_STAGES)),
        )
    )
    return int(session.execute(query).scalar_one())


def ensure_prospects(session: Session, lead_ids: Sequence[str], now: datetime) -> dict[str, str]:
    """The status of each lead, inserting an available placeholder for those never seen."""
    ids = list(dict.fromkeys(lead_ids))
    rows = session.execute(
        select(prospects.c.lead_id, prospects.c.status).where(prospects.c.lead_id.in_(ids))
    )
    known: dict[str, str] = {r.lead_id: r.status for r in rows}
    missing = [i for i in ids if i not in known]
    if missing:
        session.execute(
            insert(prospects),
            [
                {"lead_id": i, "status": ProspectStatus.AVAILABLE, "updated_at": now}
                for i in missing
            ],
        )
        known.update(dict.fromkeys(missing, ProspectStatus.AVAILABLE))
    return known


def record_undone_merge(session: Session, merge_id: str, now: datetime) -> None:
    """Remember an undone merge once: a redelivered undo keeps the first row (ON CONFLICT DO
    NOTHING, which SQLite and PostgreSQL both speak)."""
    insert_missing(session, undone_merges, [{"merge_id": merge_id, "undone_at": now}], ["merge_id"])


def merge_undone(session: Session, merge_id: str) -> bool:
    query = select(undone_merges.c.merge_id).where(undone_merges.c.merge_id == merge_id)
    return session.execute(query).first() is not None
