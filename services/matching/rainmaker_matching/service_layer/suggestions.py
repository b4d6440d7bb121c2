"""An account manager's next prospects: ranked, explained, within their capacity."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from rainmaker_matching.adapters import candidates
from rainmaker_matching.adapters import repository as repo
from rainmaker_matching.domain.commands import SuggestProspects
from rainmaker_matching.domain.model import AccountManager, Tag, UnknownAccountManager
from rainmaker_matching.domain.profile import Profile, build_profile
from rainmaker_matching.domain.ranking import SCORE_DIGITS, Suggestion, rank, score_prospect


@dataclass(frozen=True)
class ProspectList:
    am_id: str
    active: bool
    capacity: int
    open_claims: int
    capacity_reached: bool
    profile_basis: str
    won_deals: int
    items: list[dict[str, Any]] = field(default_factory=list)


def _item(suggestion: Suggestion, row: Any, tags: list[Tag]) -> dict[str, Any]:
    return {
        "lead_id": suggestion.lead_id,
        "score": round(suggestion.score, SCORE_DIGITS),
        "reasons": list(suggestion.reasons),
        "tags": [{"tag": t.tag, "confidence": t.confidence, "origin": t.origin} for t in tags],
        "company": row.company,
        "industry": row.industry,
        "region": row.region,
        "country": row.country,
        "source": {"type": row.source_type, "id": row.source_id},
        "stage": row.stage or "suspect",
    }


def _ranked(session: Session, profile: Profile, query: SuggestProspects) -> list[Suggestion]:
    where = candidates.suggestible(query.filter)
    matched = candidates.with_profile_tags(session, where, profile.tags.keys())
    best = [s for s in rank(profile, matched.items(), query.limit) if s.score > 0]
    if len(best) < query.limit:
        # Too few matches: fill with the newest other prospects, honestly scored 0.
        others = candidates.newest(session, where, query.limit + len(best))
        chosen = {s.lead_id for s in best}
        fill = [i for i in others if i not in chosen][: query.limit - len(best)]
        best += [score_prospect(profile, i, ()) for i in fill]
    return best


def suggest(session: Session, query: SuggestProspects) -> ProspectList:
    am: AccountManager | None = repo.get_account_manager(session, query.am_id)
    if am is None:
        raise UnknownAccountManager(query.am_id)
    deals = repo.won_deals(session, am.am_id)
    profile = build_profile(am, deals)
    held = repo.open_claims(session, am.am_id)
    result = ProspectList(
        am_id=am.am_id,
        active=am.active,
        capacity=am.capacity,
        open_claims=held,
        capacity_reached=held >= am.capacity,
        profile_basis=profile.basis.value,
        won_deals=profile.won_deals,
    )
    if not am.active or result.capacity_reached:
        return result
    ranked = _ranked(session, profile, query)
    ids = [s.lead_id for s in ranked]
    rows = candidates.details(session, ids)
    tags = repo.tags_of(session, ids)
    result.items.extend(_item(s, rows[s.lead_id], tags.get(s.lead_id, [])) for s in ranked)
    return result
