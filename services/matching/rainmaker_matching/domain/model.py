"""Matching's domain: account managers, prospects, their tags, deals and claims. Stdlib only."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ProspectStatus(StrEnum):
    AVAILABLE = "available"  # in the index, nobody holds it
    CLAIMED = "claimed"  # an AM holds it (see claims)
    CLOSED = "closed"  # a deal closed on it (won or lost): out of the index
    MERGED = "merged"  # a duplicate folded into its survivor: out of the index
    ERASED = "erased"  # erased on request: a tombstone without personal data


# Stages in which a lead may still be suggested or count as an AM's open lead. The others
# (won, lost, discarded, nurture) take it out; NULL (no stage announced yet) means suspect.
ACTIVE_STAGES = frozenset({"suspect", "prospect", "lead", "opportunity"})
TOMBSTONES = frozenset({ProspectStatus.MERGED, ProspectStatus.ERASED})


@dataclass(frozen=True)
class Tag:
    """A tag on a lead: `industry/software`, how sure we are, and where it came from."""

    tag: str
    confidence: float = 1.0
    origin: str = "list"


@dataclass(frozen=True)
class AccountManager:
    am_id: str
    name: str
    capacity: int
    territory_tags: tuple[str, ...] = ()
    specialty_tags: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class WonDeal:
    """A won deal of one AM, with the tags its prospect carried when it closed."""

    deal_id: str
    value_minor: int
    tags: tuple[Tag, ...]
    currency: str = ""


@dataclass(frozen=True)
class Claim:
    claim_id: str
    lead_id: str
    am_id: str
    claimed_at: datetime


def stage_is_active(stage: str | None) -> bool:
    return stage is None or stage in ACTIVE_STAGES


def is_suggestible(status: str, stage: str | None, ingested: bool) -> bool:
    """May this prospect appear in anyone's list (and so be claimed)?"""
    return ingested and status == ProspectStatus.AVAILABLE and stage_is_active(stage)


class NotFound(Exception):
    """An account manager or prospect matching has never heard of (or that was erased)."""


class UnknownAccountManager(NotFound):
    def __init__(self, am_id: str) -> None:
        super().__init__(f"account manager {am_id} is unknown to matching")


class UnknownProspect(NotFound):
    def __init__(self, lead_id: str) -> None:
        super().__init__(f"prospect {lead_id} is not in the index")


class ClaimRefused(Exception):
    """A claim that conflicts with the state of the prospect or of the AM (409)."""


class AlreadyClaimed(ClaimRefused):
    def __init__(self, lead_id: str) -> None:
        super().__init__(f"prospect {lead_id} is already claimed by another account manager")


class NotClaimable(ClaimRefused):
    def __init__(self, lead_id: str, why: str) -> None:
        super().__init__(f"prospect {lead_id} cannot be claimed: {why}")


class CapacityReached(ClaimRefused):
    def __init__(self, am_id: str, capacity: int) -> None:
        super().__init__(
            f"account manager {am_id} already holds {capacity} open leads (their capacity)"
        )


class AccountManagerInactive(ClaimRefused):
    def __init__(self, am_id: str) -> None:
        super().__init__(f"account manager {am_id} is inactive")
