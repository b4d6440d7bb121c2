"""The domain alone: profiles from won deals or declared tags, scores and their reasons."""

import pytest

from rainmaker_matching.domain.commands import slug
from rainmaker_matching.domain.model import AccountManager, Tag, WonDeal, is_suggestible
from rainmaker_matching.domain.profile import ProfileBasis, build_profile
from rainmaker_matching.domain.ranking import rank, score_prospect

AM = AccountManager("am-1", "Ada", capacity=5)


def won(deal_id: str, value: int, *tags: str) -> WonDeal:
    return WonDeal(deal_id, value, tuple(Tag(t) for t in tags))


def test_profile_splits_each_deals_share_of_won_value_among_its_tags() -> None:
    deals = [
        won("d1", 600, "industry/software", "region/emea"),
        won("d2", 200, "industry/software"),
        won("d3", 200, "industry/finance"),
    ]
    profile = build_profile(AM, deals)
    assert profile.basis is ProfileBasis.WON_DEALS
    assert profile.won_deals == 3
    # d1's 60% goes half to software, half to emea; d2 and d3 each give their tag 20%
    assert profile.tags["industry/software"].weight == pytest.approx(0.5)
    assert profile.tags["region/emea"].weight == pytest.approx(0.3)
    assert profile.tags["industry/finance"].weight == pytest.approx(0.2)
    assert profile.tags["industry/software"].provenance == (
        "2 of your 3 won deals, 80% of their value",
    )


def test_deals_without_value_count_equally_and_say_nothing_about_value() -> None:
    profile = build_profile(AM, [won("d1", 0, "industry/software"), won("d2", 0, "size/smb")])
    assert profile.tags["industry/software"].weight == pytest.approx(0.5)
    assert profile.tags["industry/software"].provenance == ("1 of your 2 won deals",)


def test_a_tag_counts_once_per_deal_and_by_its_confidence() -> None:
    deal = WonDeal("d1", 100, (Tag("interest/crm", 0.5, "model"), Tag("interest/crm", 0.5)))
    profile = build_profile(AM, [deal])
    assert profile.tags["interest/crm"].weight == pytest.approx(0.5)
    assert profile.tags["interest/crm"].provenance == ("your one won deal",)


def test_cold_start_uses_specialty_and_territory() -> None:
    am = AccountManager("am-2", "Bo", 5, ("region/emea",), ("industry/software",))
    profile = build_profile(am, [])
    assert profile.basis is ProfileBasis.DECLARED
    assert profile.tags["region/emea"].weight == 1.0
    assert profile.tags["industry/software"].weight == 1.0
    assert profile.tags["region/emea"].provenance == ("your territory",)
    assert profile.tags["industry/software"].provenance == ("your specialty",)


def test_declared_tags_still_count_beside_won_deals_but_weigh_less() -> None:
    am = AccountManager("am-3", "Cy", 5, ("region/emea",), ("industry/software",))
    profile = build_profile(am, [won("d1", 100, "industry/software")])
    # each declared tag: half the strongest won tag, all of them at most half the won ones
    assert profile.tags["industry/software"].weight == 1.25
    assert profile.tags["industry/software"].provenance == ("your one won deal", "your specialty")
    assert profile.tags["region/emea"].weight == 0.25


def test_nothing_to_match_on_is_an_empty_profile_and_says_so() -> None:
    profile = build_profile(AM, [])
    assert profile.basis is ProfileBasis.EMPTY
    suggestion = score_prospect(profile, "lead-1", [Tag("industry/software")])
    assert suggestion.score == 0.0
    assert suggestion.reasons == ("no won deals, specialty or territory tags to match yet",)


def test_score_is_the_matched_share_of_the_profile_with_reasons_best_first() -> None:
    profile = build_profile(
        AM,
        [
            won("d1", 300, "industry/software", "region/emea"),
            won("d2", 100, "industry/software"),
        ],
    )
    suggestion = score_prospect(
        profile, "lead-1", [Tag("region/emea"), Tag("industry/software", 0.5, "model")]
    )
    # software (0.75 / 2 + 0.25) * 0.5 + emea 0.75 / 2 * 1.0, over a profile weighing 1.0
    assert suggestion.score == pytest.approx(0.3125 + 0.375)
    assert suggestion.reasons == (
        "region/emea: 1 of your 2 won deals, 75% of their value",
        "industry/software: 2 of your 2 won deals, 100% of their value (tag from model, 50% sure)",
    )


def test_no_common_tag_scores_zero_with_an_honest_reason() -> None:
    profile = build_profile(AM, [won("d1", 100, "industry/software")])
    suggestion = score_prospect(profile, "lead-1", [Tag("industry/finance")])
    assert (suggestion.score, suggestion.reasons) == (
        0.0,
        ("no tag in common with your won deals",),
    )


def test_rank_keeps_the_best_and_breaks_ties_by_candidate_order() -> None:
    profile = build_profile(AM, [won("d1", 100, "industry/software", "region/emea")])
    candidates = [
        ("new-partial", [Tag("industry/software")]),
        ("full", [Tag("industry/software"), Tag("region/emea")]),
        ("old-partial", [Tag("region/emea")]),
        ("none", [Tag("industry/finance")]),
    ]
    ranked = rank(profile, candidates, limit=3)
    assert [s.lead_id for s in ranked] == ["full", "new-partial", "old-partial"]
    assert ranked[0].score == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("status", "stage", "ingested", "expected"),
    [
        ("available", None, True, True),
        ("available", "opportunity", True, True),
        ("available", "nurture", True, False),
        ("available", "won", True, False),
        ("available", None, False, False),
        ("claimed", None, True, False),
        ("erased", None, True, False),
    ],
)
def test_what_may_be_suggested(status, stage, ingested, expected) -> None:
    assert is_suggestible(status, stage, ingested) is expected


def test_slug_accepts_words_and_tags() -> None:
    assert slug("Financial Services", "industry") == "financial-services"
    assert slug("industry/software", "industry") == "software"


def test_a_deal_with_many_tags_does_not_drown_a_deal_with_few() -> None:
    """Two deals worth the same: one tagged once, one tagged twenty ways. A prospect exactly
    like the first must beat one that shares two of the second's twenty tags."""
    many = [f"interest/topic-{i}" for i in range(20)]
    profile = build_profile(AM, [won("d1", 500, "industry/software"), won("d2", 500, *many)])
    like_first = score_prospect(profile, "a", [Tag("industry/software")])
    bit_of_second = score_prospect(profile, "b", [Tag(many[0]), Tag(many[1])])
    assert like_first.score == pytest.approx(0.5)
    assert bit_of_second.score == pytest.approx(0.05)
    assert [
        s.lead_id
        for s in rank(
            profile, [("b", [Tag(many[0]), Tag(many[1])]), ("a", [Tag("industry/software")])], 2
        )
    ] == ["a", "b"]


def test_many_declared_tags_do_not_drown_the_won_deals() -> None:
    territory = tuple(f"region/r{i}" for i in range(10))
    am = AccountManager("am-4", "Di", 5, territory, ())
    profile = build_profile(am, [won("d1", 100, "industry/software")])
    assert score_prospect(profile, "a", [Tag("industry/software")]).score > 0.5
    assert score_prospect(profile, "b", [Tag("region/r0")]).score < 0.1


def test_deals_in_different_currencies_weigh_equally_and_say_nothing_about_value() -> None:
    """Minor units of EUR and JPY do not add up: 10,000,000 yen are not worth 100 times
    1,000 euros. Without exchange rates the deals count equally."""
    deals = [
        WonDeal("d1", 100_000_00, (Tag("industry/software"),), "EUR"),
        WonDeal("d2", 10_000_000, (Tag("industry/finance"),), "JPY"),
    ]
    profile = build_profile(AM, deals)
    assert profile.tags["industry/software"].weight == pytest.approx(0.5)
    assert profile.tags["industry/finance"].weight == pytest.approx(0.5)
    assert profile.tags["industry/software"].provenance == ("1 of your 2 won deals",)


def test_scores_that_show_equal_are_ordered_newest_first() -> None:
    """0.1 + 0.2 is 0.30000000000000004 in floating point: the older prospect must not pass
    the newer one on a difference the AM cannot see (both show 0.3)."""
    profile = build_profile(
        AM,
        [
            won("d1", 1, "interest/a"),
            won("d2", 2, "interest/b"),
            won("d3", 3, "interest/c"),
            won("d4", 4, "interest/d"),
        ],
    )
    candidates = [
        ("newer", [Tag("interest/c")]),
        ("older", [Tag("interest/a"), Tag("interest/b")]),
    ]
    assert [s.lead_id for s in rank(profile, candidates, 2)] == ["newer", "older"]


def test_a_tag_that_adds_nothing_to_the_score_is_no_reason() -> None:
    profile = build_profile(AM, [won("d1", 1, "industry/software"), won("d2", 1, "size/smb")])
    suggestion = score_prospect(
        profile, "a", [Tag("industry/software"), Tag("size/smb", 0.0, "model")]
    )
    assert suggestion.reasons == ("industry/software: 1 of your 2 won deals, 50% of their value",)


def test_percentages_in_reasons_never_round_to_all_or_nothing() -> None:
    profile = build_profile(AM, [won("d1", 996, "industry/software"), won("d2", 4, "size/smb")])
    assert profile.tags["industry/software"].provenance == (
        "1 of your 2 won deals, >99% of their value",
    )
    assert profile.tags["size/smb"].provenance == ("1 of your 2 won deals, <1% of their value",)
    suggestion = score_prospect(profile, "a", [Tag("industry/software", 0.996, "model")])
    assert suggestion.reasons[0].endswith("(tag from model, >99% sure)")


def test_won_deals_without_tags_are_not_called_no_won_deals() -> None:
    profile = build_profile(AM, [won("d1", 100), won("d2", 100)])
    assert (profile.basis, profile.won_deals) == (ProfileBasis.EMPTY, 2)
    suggestion = score_prospect(profile, "a", [Tag("industry/software")])
    assert suggestion.reasons == (
        "nothing to match yet: your won deals carry no tags, and you have no specialty or "
        "territory tags",
    )
