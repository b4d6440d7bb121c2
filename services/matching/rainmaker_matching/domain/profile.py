"""What an account manager has won, as weighted tags: the profile prospects are matched to.

Built from the AM's won deals (each deal weighs its share of the AM's won value, times the
tag's confidence); an AM without won deals starts from their specialty and territory tags
(cold start). Every weight carries its provenance so a suggestion can say why.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from rainmaker_matching.domain.model import AccountManager, WonDeal

# Declared tags next to a won-deal history: they still count (territory is an assignment
# rule, specialty a stated strength), but what the AM actually won weighs as much or more.
DECLARED_WEIGHT_COLD = 1.0
DECLARED_WEIGHT_WARM = 0.5


class ProfileBasis(StrEnum):
    WON_DEALS = "won_deals"
    DECLARED = "specialty_and_territory"  # cold start
    EMPTY = "empty"  # no won deals, no declared tags: nothing to match on


@dataclass(frozen=True)
class ProfileTag:
    weight: float
    provenance: tuple[str, ...]  # "3 of your 4 won deals, 82% of their value", "your territory"


@dataclass(frozen=True)
class Profile:
    basis: ProfileBasis
    tags: Mapping[str, ProfileTag]
    won_deals: int = 0

    @property
    def total_weight(self) -> float:
        return sum(t.weight for t in self.tags.values())


def _deal_share(deals: list[WonDeal]) -> list[float]:
    total = sum(d.value_minor for d in deals)
    if total <= 0:
        return [1.0 / len(deals)] * len(deals)
    return [d.value_minor / total for d in deals]


def _deal_provenance(count: int, n: int, value_share: float | None) -> str:
    text = "your one won deal" if n == 1 else f"{count} of your {n} won deals"
    if value_share is not None and n > 1:
        text += f", {value_share:.0%} of their value"
    return text


def _won_deal_tags(deals: list[WonDeal]) -> dict[str, ProfileTag]:
    weight: dict[str, float] = defaultdict(float)
    value_share: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for share, deal in zip(_deal_share(deals), deals, strict=True):
        for tag in {t.tag: t for t in deal.tags}.values():  # a tag counts once per deal
            weight[tag.tag] += share * tag.confidence
            value_share[tag.tag] += share
            count[tag.tag] += 1
    valued = sum(d.value_minor for d in deals) > 0
    return {
        tag: ProfileTag(
            w, (_deal_provenance(count[tag], len(deals), value_share[tag] if valued else None),)
        )
        for tag, w in weight.items()
        if w > 0
    }


def _add_declared(
    tags: dict[str, ProfileTag], declared: Iterable[str], weight: float, provenance: str
) -> None:
    for tag in declared:
        current = tags.get(tag)
        if current is None:
            tags[tag] = ProfileTag(weight, (provenance,))
        elif provenance not in current.provenance:
            tags[tag] = ProfileTag(max(current.weight, weight), (*current.provenance, provenance))


def build_profile(am: AccountManager, won_deals: Iterable[WonDeal]) -> Profile:
    deals = list(won_deals)
    tags = _won_deal_tags(deals) if deals else {}
    declared = DECLARED_WEIGHT_WARM if tags else DECLARED_WEIGHT_COLD
    _add_declared(tags, am.specialty_tags, declared, "your specialty")
    _add_declared(tags, am.territory_tags, declared, "your territory")
    if deals and any(d.tags for d in deals):
        basis = ProfileBasis.WON_DEALS
    elif tags:
        basis = ProfileBasis.DECLARED
    else:
        basis = ProfileBasis.EMPTY
    return Profile(basis=basis, tags=tags, won_deals=len(deals))
