"""Which source gets the credit for a lead, and which report row a source belongs to."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rainmaker_pipeline.domain.model import AttributionNotAvailable


class Attribution(StrEnum):
    FIRST_TOUCH = "first_touch"
    LAST_TOUCH = "last_touch"
    LINEAR = "linear"
    POSITION_BASED = "position_based"
    MARKOV = "markov"


AVAILABLE = (Attribution.FIRST_TOUCH, Attribution.LAST_TOUCH)


class GroupBy(StrEnum):
    TYPE = "type"
    VENDOR = "vendor"
    LIST = "list"
    REFERRER = "referrer"
    EVENT = "event"


# group_by -> the only source type whose sources it lists (None: every type).
_GROUP_SOURCE_TYPE: dict[GroupBy, str | None] = {
    GroupBy.TYPE: None,
    GroupBy.VENDOR: "rented_list",
    GroupBy.LIST: "rented_list",
    GroupBy.REFERRER: "referral",
    GroupBy.EVENT: "event",
}


@dataclass(frozen=True)
class Touch:
    touch_id: str
    source_type: str
    source_id: str
    touched_at: datetime


@dataclass(frozen=True)
class SourceInfo:
    source_type: str
    source_id: str
    name: str | None = None
    vendor: str | None = None


def ensure_available(model: Attribution) -> None:
    if model not in AVAILABLE:
        raise AttributionNotAvailable(
            f"The {model} attribution model is not available yet (it comes with the pipeline "
            f"reports work); use one of: {', '.join(AVAILABLE)}."
        )


def credited_touch(model: Attribution, touches: Sequence[Touch]) -> Touch:
    """The one touch that gets all the credit for a lead (first- or last-touch models)."""
    ensure_available(model)
    if not touches:
        raise ValueError("a lead without touches cannot be attributed")
    ordered = sorted(touches, key=lambda t: (t.touched_at, t.touch_id))
    return ordered[0] if model is Attribution.FIRST_TOUCH else ordered[-1]


def group_of(group_by: GroupBy, source: SourceInfo) -> tuple[str, str] | None:
    """(row key, row label) of `source` in a report grouped by `group_by`, or None if it is
    not listed there (e.g. a referral in a report per vendor)."""
    wanted = _GROUP_SOURCE_TYPE[group_by]
    if wanted is not None and source.source_type != wanted:
        return None
    if group_by is GroupBy.TYPE:
        return source.source_type, source.source_type
    if group_by is GroupBy.VENDOR:
        vendor = source.vendor or "(no vendor)"
        return vendor, vendor
    return source.source_id, source.name or source.source_id
