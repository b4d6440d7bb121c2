"""What an account manager has won, as weighted tags: the profile prospects are matched to.

Built from the AM's won deals (each deal weighs its share of the AM's won value, split evenly
among its tags, times each tag's confidence); an AM without won deals starts from their
specialty and territory tags (cold start). Every weight carries its provenance so a
suggestion can say why.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from rainmaker_matching.domain.model import AccountManager, WonDeal

# Declared tags (specialty, territory). On a cold start they are the whole profile, each at
# 1.0. Next to a won-deal history they still count (territory is an assignment rule, specialty
# a stated strength), but what the AM actually won weighs more: each declared tag at most half
# the strongest won-deal tag, and all of them together at most half of the won-deal tags.
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


def _deal_share(deals: list[WonDeal]) -> tuple[list[float], bool]:
    """Each deal's share of the AM's won value, and whether it is a share of value at all."""
    total = sum(d.value_minor for d in deals)
    # Minor units of different currencies do not add up (10,000,000 yen are not 100 times
    # 1,000 euros); without exchange rates, such a history counts its deals equally.
    if total <= 0 or len({d.currency for d in deals}) > 1:
        return [1.0 / len(deals)] * len(deals), False
    return [d.value_minor / total for d in deals], True


def percent(share: float) -> str:
    """0.996 is not 100%, nor is 0.004 nothing: a reason never rounds to all or nothing."""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.0%}"


def _deal_provenance(count: int, n: int, value_share: float | None) -> str:
    text = "your one won deal" if n == 1 else f"{count} of your {n} won deals"
    if value_share is not None and n > 1:
        text += f", {percent(value_share)} of their value"
    return text


def _won_deal_tags(deals: list[WonDeal]) -> dict[str, ProfileTag]:
    weight: dict[str, float] = defaultdict(float)
    value_share: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    shares, valued = _deal_share(deals)
    for share, deal in zip(shares, deals, strict=True):
        tags = {t.tag: t for t in deal.tags}.values()  # a tag counts once per deal
        for tag in tags:
            # A deal's share is split among its tags: one tagged forty ways weighs no more in
            # the profile than one tagged once, so a prospect just like either scores alike.
            weight[tag.tag] += share * tag.confidence / len(tags)
            value_share[tag.tag] += share
            count[tag.tag] += 1
    return {
        tag: ProfileTag(
            w, (_deal_provenance(count[tag], len(deals), value_share[tag] if valued else None),)
        )
        for tag, w in weight.items()
        if w > 0
    }


def _declared_weight(won: Mapping[str, ProfileTag], declared: int) -> float:
    if not won:
        return DECLARED_WEIGHT_COLD
    strongest = max(t.weight for t in won.values())
    together = sum(t.weight for t in won.values())
    return DECLARED_WEIGHT_WARM * min(strongest, together / declared)


def _add_declared(tags: dict[str, ProfileTag], am: AccountManager, weight: float) -> None:
    for tag in dict.fromkeys((*am.specialty_tags, *am.territory_tags)):
        why = [
            provenance
            for provenance, declared in (
                ("your specialty", am.specialty_tags),
                ("your territory", am.territory_tags),
            )
            if tag in declared
        ]
        # Won and declared: both count, and the reason names both.
        current = tags.get(tag, ProfileTag(0.0, ()))
        tags[tag] = ProfileTag(current.weight + weight, (*current.provenance, *why))


def build_profile(am: AccountManager, won_deals: Iterable[WonDeal]) -> Profile:
    deals = list(won_deals)
    tags = _won_deal_tags(deals) if deals else {}
    declared = len({*am.specialty_tags, *am.territory_tags})
    if declared:
        _add_declared(tags, am, _declared_weight(tags, declared))
    if deals and any(d.tags for d in deals):
        basis = ProfileBasis.WON_DEALS
    elif tags:
        basis = ProfileBasis.DECLARED
    else:
        basis = ProfileBasis.EMPTY
    return Profile(basis=basis, tags=tags, won_deals=len(deals))
