"""The commands behind pipeline's HTTP writes, and who issues them."""

from dataclasses import dataclass
from datetime import datetime

from rainmaker_pipeline.domain.model import ActivityKind, DealOutcome
from rainmaker_pipeline.domain.stages import Stage


@dataclass(frozen=True)
class Actor:
    """Who acts: `by` is recorded in the stage history; an account manager (`am_id` set) may
    act only on leads assigned to them, anyone else (admin, the matching service) on all."""

    by: str
    am_id: str | None = None


@dataclass(frozen=True)
class UpsertAccountManager:
    name: str
    capacity: int
    email: str | None = None
    territory_tags: tuple[str, ...] = ()
    specialty_tags: tuple[str, ...] = ()
    active: bool = True
    am_id: str | None = None  # None: a new account manager with a new id


@dataclass(frozen=True)
class AssignLead:
    lead_id: str
    am_id: str


@dataclass(frozen=True)
class ChangeStage:
    lead_id: str
    to_stage: Stage
    reason: str | None = None


@dataclass(frozen=True)
class LogActivity:
    lead_id: str
    kind: ActivityKind
    notes: str = ""
    occurred_at: datetime | None = None  # None: now


@dataclass(frozen=True)
class CloseDeal:
    lead_id: str
    outcome: DealOutcome
    value_minor: int
    currency: str
    product: str | None = None
    closed_at: datetime | None = None  # None: now


@dataclass(frozen=True)
class RecordCost:
    source_type: str
    source_id: str
    amount_minor: int
    currency: str
    period: str | None = None  # "2026", "2026-11" or "2026-11-22"
    note: str | None = None
