"""Ranking prospects for one account manager: explainable similarity to their profile.

score = sum over the prospect's tags t of profile_weight(t) * confidence(t), divided by the
profile's total weight: the share of what the AM has won (or declared) that this prospect
matches, in [0, 1]. Each matched tag becomes a reason naming the tag and its provenance;
the reasons are ordered by how much they add to the score.
"""

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rainmaker_matching.domain.model import Tag
from rainmaker_matching.domain.profile import Profile, ProfileBasis, percent

# Scores are shown with this many decimals; scores that show equal are equal for the ranking
# (newest first), not ordered by floating-point noise (0.1 + 0.2 > 0.3).
SCORE_DIGITS = 4

_NO_MATCH = {
    ProfileBasis.WON_DEALS: "no tag in common with your won deals",
    ProfileBasis.DECLARED: "no tag in common with your specialty or territory",
    ProfileBasis.EMPTY: "no won deals, specialty or territory tags to match yet",
}
# An empty profile of an AM who has won: "no won deals" would be untrue.
_NO_MATCH_UNTAGGED = (
    "nothing to match yet: your won deals carry no tags, and you have no specialty or "
    "territory tags"
)


def _no_match(profile: Profile) -> str:
    if profile.basis is ProfileBasis.EMPTY and profile.won_deals:
        return _NO_MATCH_UNTAGGED
    return _NO_MATCH[profile.basis]


@dataclass(frozen=True)
class Suggestion:
    lead_id: str
    score: float
    reasons: tuple[str, ...]


def _tag_note(tag: Tag) -> str:
    """How sure the lead's own tag is, when that is worth saying."""
    if tag.confidence >= 1.0:
        return ""
    return f" (tag from {tag.origin}, {percent(tag.confidence)} sure)"


def score_prospect(profile: Profile, lead_id: str, tags: Iterable[Tag]) -> Suggestion:
    total = profile.total_weight
    contributions: list[tuple[float, str]] = []
    for tag in {t.tag: t for t in tags}.values():
        wanted = profile.tags.get(tag.tag)
        if wanted is None or total <= 0:
            continue
        part = wanted.weight * tag.confidence / total
        if part <= 0:
            continue  # a tag 0% sure adds nothing, so it is no reason
        reason = f"{tag.tag}: {'; '.join(wanted.provenance)}{_tag_note(tag)}"
        contributions.append((part, reason))
    if not contributions:
        return Suggestion(lead_id, 0.0, (_no_match(profile),))
    contributions.sort(key=lambda c: (-c[0], c[1]))
    score = min(1.0, sum(part for part, _ in contributions))
    return Suggestion(lead_id, score, tuple(reason for _, reason in contributions))


def rank(
    profile: Profile, candidates: Iterable[tuple[str, Sequence[Tag]]], limit: int
) -> list[Suggestion]:
    """The best `limit` candidates, best first; scores equal as shown keep the candidates' order."""
    scored = (
        (round(suggestion.score, SCORE_DIGITS), -index, suggestion)
        for index, (lead_id, tags) in enumerate(candidates)
        for suggestion in (score_prospect(profile, lead_id, tags),)
    )
    return [s for _, _, s in heapq.nlargest(limit, scored, key=lambda x: (x[0], x[1]))]
