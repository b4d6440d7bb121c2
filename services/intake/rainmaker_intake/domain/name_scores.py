"""Person-name scorers for de-duplication (0..1), one per candidate measured in bench/dedup.py."""

from collections.abc import Callable

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from rainmaker_intake.domain.similarity import Profile


def _capped_jaro_winkler(x: str, y: str) -> float:
    """Jaro-Winkler, but 0 beyond a typo's reach: 1 edit up to 4 letters, else 2 edits."""
    if x == y:
        return 1.0
    if OSA.distance(x, y, score_cutoff=2) > (1 if min(len(x), len(y)) <= 4 else 2):
        return 0.0
    return float(JaroWinkler.normalized_similarity(x, y))


def _pair(sim: Callable[[str, str], float], f1: str, l1: str, f2: str, l2: str) -> float:
    first, last = sim(f1, f2), sim(l1, l2)
    both_differ = first < 1.0 and last < 1.0  # one typo is common; two parts off: another person
    return min(first, last) * (0.9 if both_differ else 1.0)


def _aligned(sim: Callable[[str, str], float]) -> Callable[[Profile, Profile], float]:
    """first~first and last~last (or nickname-folded, or swapped); the weaker part decides."""

    def score(a: Profile, b: Profile) -> float:
        if not (a.first and a.last and b.first and b.last):
            return 0.0
        best = _pair(sim, a.first, a.last, b.first, b.last)
        if best < 1.0 and (a.formal or b.formal):
            best = max(best, _pair(sim, a.formal or a.first, a.last, b.formal or b.first, b.last))
        if best < 1.0:
            best = max(best, _pair(sim, a.first, a.last, b.last, b.first))
        return best

    return score


def _whole(scorer: Callable[..., float]) -> Callable[[Profile, Profile], float]:
    """A rapidfuzz scorer on the whole name "first last" (nicknames folded)."""

    def score(a: Profile, b: Profile) -> float:
        if not (a.first and a.last and b.first and b.last):
            return 0.0
        return (
            float(scorer(f"{a.formal or a.first} {a.last}", f"{b.formal or b.first} {b.last}"))
            / 100
        )

    return score


NAME_SCORERS: dict[str, Callable[[Profile, Profile], float]] = {
    "jaro_winkler_capped": _aligned(_capped_jaro_winkler),
    "jaro_winkler": _aligned(JaroWinkler.normalized_similarity),
    "osa": _aligned(OSA.normalized_similarity),
    "token_sort_ratio": _whole(fuzz.token_sort_ratio),
    "wratio": _whole(fuzz.WRatio),
}
