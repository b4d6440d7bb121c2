"""Claims: an account manager takes a prospect; nobody else can have it afterwards.

Atomicity is the database's: `claims.lead_id` is UNIQUE. The checks before the insert give
clear answers in the common case; two AMs racing past them both (possible on PostgreSQL)
meet the constraint, and the loser gets the same 409 as if it had come second.
"""

import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_matching.adapters import repository as repo
from rainmaker_matching.adapters.tables import claims, prospects
from rainmaker_matching.domain.commands import ClaimProspect
from rainmaker_matching.domain.model import (
    AccountManagerInactive,
    AlreadyClaimed,
    CapacityReached,
    Claim,
    NotClaimable,
    ProspectStatus,
    UnknownAccountManager,
    UnknownProspect,
    stage_is_active,
)

PRODUCER = "matching"
# The status a claim shows once an admin has reassigned its lead to another AM.
REASSIGNED = "reassigned"


def _check_claimable(row: Any, lead_id: str, am_id: str) -> None:
    if row is None or row.status == ProspectStatus.ERASED or row.ingested_at is None:
        raise UnknownProspect(lead_id)
    if row.status == ProspectStatus.CLAIMED and row.claimed_by != am_id:
        raise AlreadyClaimed(lead_id)  # pipeline assigned it to another AM (no claim here)
    if row.status == ProspectStatus.MERGED:
        raise NotClaimable(lead_id, f"it was merged into {row.merged_into}")
    if row.status == ProspectStatus.CLOSED:
        raise NotClaimable(lead_id, "a deal was closed on it")
    if not stage_is_active(row.stage):
        raise NotClaimable(lead_id, f"its stage is {row.stage}")


def insert_claim(session: Session, claim: Claim) -> Claim | None:
    """Insert the claim; None when it went in, else the claim that already holds the lead."""
    try:
        with session.begin_nested():
            session.execute(insert(claims).values(asdict(claim)))
    except IntegrityError:
        return repo.claim_of(session, claim.lead_id)
    return None


def claim_prospect(
    session: Session, cmd: ClaimProspect, correlation_id: str | None = None
) -> tuple[Claim, bool]:
    """(the claim, True) when made now; (the AM's existing claim, False) when already theirs."""
    am = repo.get_account_manager(session, cmd.am_id, for_update=True)  # serialises an AM
    if am is None:
        raise UnknownAccountManager(cmd.am_id)
    held = repo.claim_of(session, cmd.lead_id)
    prospect = repo.get_prospect(session, cmd.lead_id)
    if held is not None:
        # The claim row stays with its claimer after an admin reassigns the lead: who holds
        # the lead now is the prospect's `claimed_by`.
        owner = prospect.claimed_by if prospect is not None else None
        if owner == cmd.am_id and held.am_id != cmd.am_id:
            raise NotClaimable(cmd.lead_id, "it is already yours (an admin assigned it to you)")
        if held.am_id == cmd.am_id and owner in (None, cmd.am_id):
            return held, False
        raise AlreadyClaimed(cmd.lead_id)
    _check_claimable(prospect, cmd.lead_id, am.am_id)
    if not am.active:
        raise AccountManagerInactive(am.am_id)
    if repo.open_claims(session, am.am_id) >= am.capacity:
        raise CapacityReached(am.am_id, am.capacity)
    claim = Claim(str(uuid.uuid4()), cmd.lead_id, am.am_id, datetime.now(UTC))
    winner = insert_claim(session, claim)
    if winner is not None:
        if winner.am_id == cmd.am_id:
            return winner, False
        raise AlreadyClaimed(cmd.lead_id)
    session.execute(
        update(prospects)
        .where(prospects.c.lead_id == claim.lead_id)
        .values(status=ProspectStatus.CLAIMED, claimed_by=am.am_id, claimed_at=claim.claimed_at)
    )
    add_event(
        session,
        "prospect.claimed",
        {**asdict(claim), "claimed_at": claim.claimed_at.isoformat()},
        producer=PRODUCER,
        correlation_id=correlation_id or claim.claim_id,
    )
    return claim, True


def list_claims(
    session: Session, am_id: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The AM's claims, newest first, with the state of each lead."""
    if repo.get_account_manager(session, am_id) is None:
        raise UnknownAccountManager(am_id)
    where = claims.c.am_id == am_id
    total = session.execute(select(func.count()).select_from(claims).where(where)).scalar_one()
    rows = session.execute(
        select(
            claims,
            prospects.c.status,
            prospects.c.stage,
            prospects.c.company,
            prospects.c.claimed_by,
        )
        .join(prospects, prospects.c.lead_id == claims.c.lead_id, isouter=True)
        .where(where)
        .order_by(claims.c.claimed_at.desc(), claims.c.claim_id)
        .offset(offset)
        .limit(limit)
    )
    items = []
    for r in rows:
        item = dict(r._mapping)
        held_by = item.pop("claimed_by")
        item["claimed_at"] = repo.utc(r.claimed_at)
        if r.status == ProspectStatus.CLAIMED and held_by != am_id:
            # An admin gave the lead to another AM since: the claim stays in the history,
            # what the lead has become is no longer this AM's to see.
            item.update(status=REASSIGNED, stage=None, company=None, open=False)
        else:
            item["open"] = r.status == ProspectStatus.CLAIMED and stage_is_active(r.stage)
        items.append(item)
    return items, int(total)
