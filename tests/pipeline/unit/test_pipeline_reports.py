"""The source ROI report over a small book of leads, built through events and commands."""

from datetime import datetime

import pytest

from rainmaker_pipeline.domain.attribution import Attribution, GroupBy
from rainmaker_pipeline.domain.model import ActivityKind, AttributionNotAvailable, DealOutcome
from rainmaker_pipeline.domain.stages import Stage
from rainmaker_pipeline.service_layer import account_managers as ams
from rainmaker_pipeline.service_layer import assignment, costs, leads, queries, reports
from rainmaker_pipeline.service_layer.commands import (
    Actor,
    AssignLead,
    ChangeStage,
    CloseDeal,
    LogActivity,
    RecordCost,
    UpsertAccountManager,
)

from ..events import at, ingested, lead, list_imported, merged, source, touched

ADMIN = Actor("admin:k")
L1 = source("rented_list", "L1", "Trade list")
L2 = source("rented_list", "L2", "Expo visitors")
R1 = source("referral", "R1", "Jo Bloggs")
E1 = source("event", "E1", "Expo 2026")


@pytest.fixture
def book(db, deliver):
    """a: L1, won 5,000.00 EUR | b: L1 then R1, opportunity | c: R1 (+ f from L2 merged in),
    contacted | d: L2, suspect | e: E1, won in USD. Costs: L1 1,000, L2 500, L3 300 USD,
    R1 200, E1 400 + 100."""
    deliver("list.imported", list_imported("L1", "Trade list", "DataCo", 100_000))
    deliver("list.imported", list_imported("L2", "Expo visitors", "DataCo", 50_000))
    deliver("list.imported", list_imported("L3", "US list", None, 30_000, currency="USD"))
    deliver("leads.ingested", ingested(lead("a", L1), lead("b", L1), lead("d", L2)))
    deliver(
        "leads.ingested",
        ingested(lead("c", R1, days=1), lead("e", E1, days=2), lead("f", L2, days=-1)),
    )
    deliver("leads.touched", touched(("t-b-r1", "b", R1, 5)))
    deliver("leads.merged", merged("c", "f"))
    with db.transaction() as session:
        am, _ = ams.upsert_account_manager(session, UpsertAccountManager("Ann", 100))
        for lead_id in "abce":
            assignment.assign_lead(session, AssignLead(lead_id, am["am_id"]), ADMIN)
        for lead_id, path in {"a": "lo", "b": "lo", "c": "l", "e": "lo"}.items():
            for step in path:
                to = Stage.LEAD if step == "l" else Stage.OPPORTUNITY
                leads.change_stage(session, ChangeStage(lead_id, to), ADMIN)
        leads.log_activity(session, LogActivity("a", ActivityKind.CONTRACT, "signed"), ADMIN)
        leads.close_deal(session, CloseDeal("a", DealOutcome.WON, 500_000, "EUR"), ADMIN)
        leads.close_deal(session, CloseDeal("e", DealOutcome.WON, 300_000, "USD"), ADMIN)
        for kind, sid, amount in [
            ("referral", "R1", 20_000),
            ("event", "E1", 40_000),
            ("event", "E1", 10_000),
        ]:
            costs.record_cost(session, RecordCost(kind, sid, amount, "EUR", period="2026-01"))
    return db


def report(db, attribution, group_by, currency="EUR"):
    with db.reader() as session:
        result = reports.source_report(
            session, Attribution(attribution), GroupBy(group_by), currency
        )
    return result, {row["group"]: row for row in result["rows"]}


def test_first_touch_by_type(book):
    result, rows = report(book, "first_touch", "type")
    assert result["other_currency"] == {"costs": 1, "deals": 1}
    assert list(rows) == ["rented_list", "event", "referral"]
    lists = rows["rented_list"]
    assert (lists["leads"], lists["contacted"], lists["opportunities"], lists["won"]) == (
        4,
        3,
        2,
        1,
    )
    assert (lists["cost_minor"], lists["revenue_minor"]) == (150_000, 500_000)
    assert (lists["cost_per_lead_minor"], lists["cost_per_won_minor"]) == (37_500, 150_000)
    assert lists["roi"] == pytest.approx(2.3333)
    event = rows["event"]
    assert (event["leads"], event["won"], event["revenue_minor"], event["cost_minor"]) == (
        1,
        1,
        0,
        50_000,
    )
    assert event["roi"] == -1.0
    assert (rows["referral"]["leads"], rows["referral"]["cost_minor"]) == (0, 20_000)


def test_last_touch_credits_the_latest_source(book):
    _, rows = report(book, "last_touch", "type")
    assert (rows["rented_list"]["leads"], rows["rented_list"]["won"]) == (2, 1)
    referral = rows["referral"]
    assert (referral["leads"], referral["contacted"], referral["opportunities"]) == (2, 2, 1)
    assert referral["cost_per_lead_minor"] == 10_000


def test_merged_leads_are_counted_once_through_their_survivor(book):
    _, rows = report(book, "first_touch", "list")
    assert {g: (r["label"], r["leads"]) for g, r in rows.items()} == {
        "L1": ("Trade list", 2),  # a, b
        "L2": ("Expo visitors", 2),  # d, and c whose first touch came with merged f
    }


def test_per_vendor_referrer_and_event(book):
    _, vendors = report(book, "first_touch", "vendor")
    assert list(vendors) == ["DataCo"] and vendors["DataCo"]["cost_minor"] == 150_000
    _, referrers = report(book, "last_touch", "referrer")
    assert (referrers["R1"]["label"], referrers["R1"]["leads"]) == ("Jo Bloggs", 2)
    _, events = report(book, "first_touch", "event")
    assert (events["E1"]["label"], events["E1"]["cost_minor"]) == ("Expo 2026", 50_000)


def test_another_currency_sums_only_that_currency(book):
    result, rows = report(book, "first_touch", "type", currency="USD")
    assert rows["rented_list"]["cost_minor"] == 30_000
    assert rows["event"]["revenue_minor"] == 300_000
    assert rows["rented_list"]["revenue_minor"] == 0
    assert result["other_currency"] == {"costs": 5, "deals": 1}


def test_an_empty_book_is_an_empty_report(db):
    result, rows = report(db, "first_touch", "type")
    assert rows == {} and result["other_currency"] == {"costs": 0, "deals": 0}


@pytest.mark.parametrize("model", ["linear", "position_based", "markov"])
def test_models_not_built_yet_are_refused(db, model):
    with pytest.raises(AttributionNotAvailable, match="not available yet"):
        report(db, model, "type")


def to_opportunity(session, lead_id: str) -> None:
    """Assign the lead to a new AM and take it through lead to opportunity."""
    am, _ = ams.upsert_account_manager(session, UpsertAccountManager("Ann", 100))
    assignment.assign_lead(session, AssignLead(lead_id, am["am_id"]), ADMIN)
    for to in (Stage.LEAD, Stage.OPPORTUNITY):
        leads.change_stage(session, ChangeStage(lead_id, to), ADMIN)


def test_a_won_deal_merged_into_an_open_lead_counts_as_won(db, deliver):
    """w (L1) is won for 1,000.00 EUR, then merged into s (L1, still a suspect): the deal and
    its revenue follow s, so s must count as won (and as having got that far), not show
    revenue with no won lead behind it."""
    deliver("list.imported", list_imported("L1", "Trade list", "DataCo", 50_000))
    deliver("leads.ingested", ingested(lead("w", L1), lead("s", L1, days=1)))
    with db.transaction() as session:
        to_opportunity(session, "w")
        leads.close_deal(session, CloseDeal("w", DealOutcome.WON, 100_000, "EUR"), ADMIN)
    deliver("leads.merged", merged("s", "w"))
    _, rows = report(db, "first_touch", "list")
    row = rows["L1"]
    assert (row["leads"], row["contacted"], row["opportunities"], row["won"]) == (1, 1, 1, 1)
    assert (row["revenue_minor"], row["cost_per_won_minor"], row["roi"]) == (100_000, 50_000, 1.0)


def test_other_currency_counts_only_what_this_report_left_out(book):
    """The USD list L3 and e's USD deal (an event lead) are not referrers: a report per
    referrer left nothing out for its currency; one per event left out e's deal only."""
    result, _ = report(book, "first_touch", "referrer")
    assert result["other_currency"] == {"costs": 0, "deals": 0}
    result, _ = report(book, "first_touch", "event")
    assert result["other_currency"] == {"costs": 0, "deals": 1}
    result, _ = report(book, "first_touch", "vendor")
    assert result["other_currency"] == {"costs": 1, "deals": 0}
    result, _ = report(book, "last_touch", "list", currency="USD")
    assert result["other_currency"] == {"costs": 2, "deals": 1}  # L1 and L2's prices; a's deal


def test_last_touch_credits_no_touch_after_the_deal_closed(db, deliver):
    """w came from L1, was referred by R1 on day 2 and won on day 3; seen at event E1 on day
    10, after the win. Last touch credits R1 with the deal, not E1 (which did not win it);
    a lead still open credits its latest touch as before."""
    deliver("leads.ingested", ingested(lead("w", L1), lead("o", L1)))
    deliver("leads.touched", touched(("t-w-r1", "w", R1, 2), ("t-w-e1", "w", E1, 10)))
    deliver("leads.touched", touched(("t-o-e1", "o", E1, 10)))
    with db.transaction() as session:
        to_opportunity(session, "w")
        won_at = datetime.fromisoformat(at(3))
        leads.close_deal(
            session, CloseDeal("w", DealOutcome.WON, 100_000, "EUR", None, won_at), ADMIN
        )
    _, rows = report(db, "last_touch", "type")
    assert (rows["referral"]["leads"], rows["referral"]["won"]) == (1, 1)
    assert rows["referral"]["revenue_minor"] == 100_000
    assert (rows["event"]["leads"], rows["event"]["won"], rows["event"]["revenue_minor"]) == (
        1, 0, 0,
    )  # fmt: skip
    assert "rented_list" not in rows


def test_a_merged_lead_brings_the_stage_it_reached(db, deliver):
    """w (L1) reached opportunity without a deal, then was merged into s (L1, a suspect): the
    person did get that far, so s counts as contacted and as an opportunity."""
    deliver("leads.ingested", ingested(lead("w", L1), lead("s", L1, days=1)))
    with db.transaction() as session:
        to_opportunity(session, "w")
    deliver("leads.merged", merged("s", "w"))
    _, rows = report(db, "first_touch", "list")
    row = rows["L1"]
    assert (row["leads"], row["contacted"], row["opportunities"], row["won"]) == (1, 1, 1, 0)


def test_a_merge_retried_after_its_undo_leaves_the_lead_to_its_own_source(db, deliver):
    """w (L2) was won, with an activity logged; intake merged it into s (L1) and undid the
    merge, and the undo was handled before the merge's retry. w keeps its activity and deal,
    stays unmerged and is counted, won, for L2; s alone for L1."""
    deliver("leads.ingested", ingested(lead("w", L2), lead("s", L1, days=1)))
    with db.transaction() as session:
        to_opportunity(session, "w")
        leads.log_activity(session, LogActivity("w", ActivityKind.CONTRACT, "signed"), ADMIN)
        leads.close_deal(session, CloseDeal("w", DealOutcome.WON, 100_000, "EUR"), ADMIN)
    deliver("leads.merged", merged("s", "w", undone=True))
    deliver("leads.merged", merged("s", "w"))
    with db.reader() as session:
        w = queries.get_lead(session, "w", None)
    assert w["merged_into"] is None
    assert (len(w["touches"]), len(w["activities"]), len(w["deals"])) == (1, 1, 1)
    _, rows = report(db, "first_touch", "list")
    assert {g: (r["leads"], r["won"], r["revenue_minor"]) for g, r in rows.items()} == {
        "L1": (1, 0, 0),
        "L2": (1, 1, 100_000),
    }


def test_a_row_says_how_many_won_deals_its_currency_left_out(book):
    """e (E1) was won in USD: in the EUR report E1 shows the won lead, no revenue, ROI -1, and
    the one won deal whose revenue is in another currency."""
    _, rows = report(book, "first_touch", "event")
    event = rows["E1"]
    assert (event["won"], event["revenue_minor"], event["roi"]) == (1, 0, -1.0)
    assert event["won_deals_other_currency"] == 1
    _, usd = report(book, "first_touch", "event", currency="USD")
    assert (usd["E1"]["revenue_minor"], usd["E1"]["won_deals_other_currency"]) == (300_000, 0)
