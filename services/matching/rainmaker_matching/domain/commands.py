"""What callers ask matching to do (imperative) or to find. Stdlib only."""

from dataclasses import dataclass

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_FILTER_TAGS = 20


@dataclass(frozen=True)
class ProspectFilter:
    """Narrows an AM's list. Every given criterion must hold (AND)."""

    tags: tuple[str, ...] = ()  # the prospect carries every one of them
    industry: str | None = None  # its industry field, or its industry/<slug> tag
    region: str | None = None  # its region or country field, or its region/<slug> tag
    source_type: str | None = None  # rented_list, referral, event, ...
    source_id: str | None = None  # one list, referrer or event


@dataclass(frozen=True)
class SuggestProspects:
    am_id: str
    limit: int = DEFAULT_LIMIT
    filter: ProspectFilter = ProspectFilter()


@dataclass(frozen=True)
class ClaimProspect:
    am_id: str
    lead_id: str


def slug(value: str, namespace: str) -> str:
    """`Financial Services` or `industry/financial-services` -> `financial-services`."""
    text = value.strip().lower()
    text = text.removeprefix(f"{namespace}/")
    return "-".join(text.split())
