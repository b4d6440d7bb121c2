"""Attribution, report grouping and the ROI arithmetic, as pure domain rules."""

from datetime import UTC, datetime, timedelta

import pytest

from rainmaker_pipeline.domain.attribution import (
    Attribution,
    GroupBy,
    SourceInfo,
    Touch,
    credited_touch,
    group_of,
)
from rainmaker_pipeline.domain.model import AttributionNotAvailable
from rainmaker_pipeline.domain.roi import LeadOutcome, RoiTable, SourceRow
from rainmaker_pipeline.domain.stages import Stage

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def touch(touch_id: str, days: int, source_id: str = "s") -> Touch:
    return Touch(touch_id, "rented_list", source_id, T0 + timedelta(days=days))


def test_first_and_last_touch_whatever_the_input_order():
    touches = [touch("b", 5, "late"), touch("a", 1, "early"), touch("c", 3, "middle")]
    assert credited_touch(Attribution.FIRST_TOUCH, touches).source_id == "early"
    assert credited_touch(Attribution.LAST_TOUCH, touches).source_id == "late"


def test_simultaneous_touches_break_ties_by_touch_id():
    touches = [touch("z", 1, "second"), touch("a", 1, "first")]
    assert credited_touch(Attribution.FIRST_TOUCH, touches).source_id == "first"
    assert credited_touch(Attribution.LAST_TOUCH, touches).source_id == "second"


@pytest.mark.parametrize(
    "model", [Attribution.LINEAR, Attribution.POSITION_BASED, Attribution.MARKOV]
)
def test_models_not_built_yet_are_refused_not_faked(model):
    with pytest.raises(AttributionNotAvailable, match=f"{model}.*first_touch, last_touch"):
        credited_touch(model, [touch("a", 0)])


LIST = SourceInfo("rented_list", "list-1", "Trade fair 2026", "DataCo")
REFERRAL = SourceInfo("referral", "ref-9", "Jo Bloggs")


@pytest.mark.parametrize(
    ("group_by", "source", "expected"),
    [
        (GroupBy.TYPE, LIST, ("rented_list", "rented_list")),
        (GroupBy.TYPE, REFERRAL, ("referral", "referral")),
        (GroupBy.LIST, LIST, ("list-1", "Trade fair 2026")),
        (GroupBy.VENDOR, LIST, ("DataCo", "DataCo")),
        (GroupBy.VENDOR, SourceInfo("rented_list", "l2"), ("(no vendor)", "(no vendor)")),
        (GroupBy.REFERRER, REFERRAL, ("ref-9", "Jo Bloggs")),
        (GroupBy.EVENT, SourceInfo("event", "ev-1"), ("ev-1", "ev-1")),
        (GroupBy.LIST, REFERRAL, None),
        (GroupBy.REFERRER, LIST, None),
        (GroupBy.EVENT, LIST, None),
    ],
)
def test_group_of(group_by, source, expected):
    assert group_of(group_by, source) == expected


def test_row_counts_and_ratios():
    row = SourceRow("list-1", "Trade list", cost_minor=100_000)
    row.add_lead(LeadOutcome(Stage.SUSPECT, won=False))
    row.add_lead(LeadOutcome(Stage.LEAD, won=False))
    row.add_lead(LeadOutcome(Stage.LOST, won=False))
    row.add_lead(LeadOutcome(Stage.WON, won=True, revenue_minor=250_000))
    assert (row.leads, row.contacted, row.opportunities, row.won) == (4, 3, 2, 1)
    assert row.revenue_minor == 250_000
    assert row.cost_per_lead_minor == 25_000
    assert row.cost_per_won_minor == 100_000
    assert row.roi == 1.5


def test_ratios_without_a_denominator_are_none():
    row = SourceRow("r", "r")
    assert (row.cost_per_lead_minor, row.cost_per_won_minor, row.roi) == (None, None, None)
    row.add_lead(LeadOutcome(Stage.WON, won=True, revenue_minor=10))
    assert row.roi is None  # free source: no return ratio, not infinity


def test_table_orders_rows_by_revenue_then_leads():
    table = RoiTable()
    table.add_cost("a", "A", 5)
    table.add_lead("b", "B", LeadOutcome(Stage.SUSPECT, won=False))
    table.add_lead("c", "C", LeadOutcome(Stage.WON, won=True, revenue_minor=9))
    assert [r.group for r in table.sorted_rows()] == ["c", "b", "a"]


def test_per_unit_costs_are_exact_integers_however_large_the_sums():
    """Ten 1e15 costs plus one cent is beyond a float's 53 bits: no minor unit may drift."""
    row = SourceRow("r", "r", cost_minor=10 * 10**15 + 1)
    row.add_lead(LeadOutcome(Stage.WON, won=True))
    assert (row.cost_per_lead_minor, row.cost_per_won_minor) == (10 * 10**15 + 1,) * 2
    row = SourceRow("r", "r", cost_minor=25)
    for _ in range(2):
        row.add_lead(LeadOutcome(Stage.SUSPECT, won=False))
    assert row.cost_per_lead_minor == 12  # 12.5: half to even, as before
