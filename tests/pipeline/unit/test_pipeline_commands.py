"""Pipeline's commands through the service layer: account managers and work on leads."""

from datetime import UTC, datetime

import pytest

from rainmaker_pipeline.domain.model import (
    ActivityKind,
    CannotAssign,
    Conflict,
    DealOutcome,
    DealRequired,
    LeadErased,
    NotFound,
    NotYourLead,
    UnknownAccountManager,
)
from rainmaker_pipeline.domain.stages import IllegalTransition, Stage
from rainmaker_pipeline.service_layer import account_managers as ams
from rainmaker_pipeline.service_layer import assignment, leads, queries
from rainmaker_pipeline.service_layer.commands import (
    Actor,
    AssignLead,
    ChangeStage,
    CloseDeal,
    LogActivity,
    UpsertAccountManager,
)

from ..events import ingested, lead, merged, new_id, source

ADMIN = Actor("admin:k1")


def run(db, command, *args, **kwargs):
    with db.transaction() as session:
        return command(session, *args, **kwargs)


def make_am(db, capacity=10, **kwargs):
    cmd = UpsertAccountManager(name=kwargs.pop("name", "Ann"), capacity=capacity, **kwargs)
    am, _ = run(db, ams.upsert_account_manager, cmd)
    return am["am_id"]


@pytest.fixture
def new_lead(deliver):
    def make():
        lead_id = new_id()
        deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
        return lead_id

    return make


@pytest.fixture
def owned_lead(db, new_lead):
    """(lead_id, am_id, the AM as actor): a prospect assigned to a fresh AM."""
    am_id = make_am(db)
    lead_id = new_lead()
    run(db, assignment.assign_lead, AssignLead(lead_id, am_id), ADMIN)
    return lead_id, am_id, Actor(f"account_manager:{am_id}", am_id=am_id)


def move(db, lead_id, actor, *stages):
    for stage in stages:
        run(db, leads.change_stage, ChangeStage(lead_id, Stage(stage)), actor)


def get(db, lead_id, am_scope=None):
    with db.reader() as session:
        return queries.get_lead(session, lead_id, am_scope)


def test_account_managers_are_announced_on_create_and_update(db, published):
    cmd = UpsertAccountManager(
        name="Ann", capacity=5, email="ann@example.com", territory_tags=("region/north",)
    )
    am, created = run(db, ams.upsert_account_manager, cmd)
    assert created and am["open_leads"] == 0
    update = UpsertAccountManager(name="Ann B", capacity=7, am_id=am["am_id"], active=False)
    again, created = run(db, ams.upsert_account_manager, update)
    assert not created and (again["name"], again["capacity"], again["active"]) == (
        "Ann B",
        7,
        False,
    )
    first, second = published("account_manager.upserted")
    assert first == {
        "am_id": am["am_id"],
        "name": "Ann",
        "email": "ann@example.com",
        "capacity": 5,
        "territory_tags": ["region/north"],
        "specialty_tags": [],
        "active": True,
    }
    assert second["name"] == "Ann B" and second["active"] is False


def test_account_manager_conflicts(db):
    am_id = make_am(db, email="x@example.com")
    with pytest.raises(Conflict, match="already has the email"):
        make_am(db, email="X@example.com")
    with pytest.raises(Conflict, match="already exists"):
        run(
            db,
            ams.upsert_account_manager,
            UpsertAccountManager("B", 1, am_id=am_id),
            create_only=True,
        )
    with pytest.raises(NotFound):
        run(db, ams.get_account_manager, "nobody")


def test_assignment_makes_a_suspect_the_ams_prospect(db, new_lead, published):
    am_id, lead_id = make_am(db), new_lead()
    summary = run(db, assignment.assign_lead, AssignLead(lead_id, am_id), ADMIN, "req-1")
    assert (summary["stage"], summary["am_id"]) == ("prospect", am_id)
    [event] = published("lead.stage_changed")
    assert (event["to_stage"], event["am_id"]) == ("prospect", am_id)
    assert run(db, ams.get_account_manager, am_id)["open_leads"] == 1


def test_reassigning_a_worked_lead_keeps_its_stage_and_announces_the_new_owner(
    db, owned_lead, published
):
    lead_id, _, am = owned_lead
    move(db, lead_id, am, "lead")
    other = make_am(db, name="Bob")
    summary = run(db, assignment.assign_lead, AssignLead(lead_id, other), ADMIN, "req-2")
    assert (summary["stage"], summary["am_id"]) == ("lead", other)
    events = published("lead.stage_changed")
    assert [e["to_stage"] for e in events] == ["prospect", "lead", "lead"]
    # Matching learns owners from this event only: without it the old AM kept the lead.
    assert {k: events[-1][k] for k in ("from_stage", "to_stage", "am_id", "reason")} == {
        "from_stage": "lead",
        "to_stage": "lead",
        "am_id": other,
        "reason": f"reassigned to {other}",
    }
    # The stage did not move: the history has no row for a change of hands.
    assert [h["to_stage"] for h in get(db, lead_id)["stage_history"]] == ["prospect", "lead"]


def claim(lead_id, am_id, at):
    return {
        "claim_id": new_id("claim-"),
        "lead_id": lead_id,
        "am_id": am_id,
        "claimed_at": at.isoformat(),
    }


def test_a_claim_older_than_an_admins_reassignment_does_not_take_the_lead_back(
    db, owned_lead, deliver
):
    """The claim was made in matching before the admin reassigned the lead, but reached
    pipeline after: the later owner keeps it (matching, told by the reassignment's event,
    agrees)."""
    lead_id, _, am = owned_lead
    move(db, lead_id, am, "lead")
    claimed_at = datetime.now(UTC)
    other = make_am(db, name="Bob")
    run(db, assignment.assign_lead, AssignLead(lead_id, other), ADMIN)
    deliver("prospect.claimed", claim(lead_id, "am-late", claimed_at))
    assert get(db, lead_id)["am_id"] == other


def test_a_claim_after_the_reassignment_takes_the_lead(db, owned_lead, deliver):
    lead_id, _, am = owned_lead
    move(db, lead_id, am, "lead")
    other = make_am(db, name="Bob")
    run(db, assignment.assign_lead, AssignLead(lead_id, other), ADMIN)
    deliver("prospect.claimed", claim(lead_id, "am-new", datetime.now(UTC)))
    assert get(db, lead_id)["am_id"] == "am-new"


def test_assignment_refusals(db, new_lead):
    lead_id = new_lead()
    with pytest.raises(UnknownAccountManager):
        run(db, assignment.assign_lead, AssignLead(lead_id, "ghost"), ADMIN)
    inactive = make_am(db, active=False)
    with pytest.raises(CannotAssign, match="inactive"):
        run(db, assignment.assign_lead, AssignLead(lead_id, inactive), ADMIN)
    full = make_am(db, capacity=1)
    run(db, assignment.assign_lead, AssignLead(new_lead(), full), ADMIN)
    with pytest.raises(CannotAssign, match="capacity"):
        run(db, assignment.assign_lead, AssignLead(lead_id, full), ADMIN)
    with pytest.raises(NotFound):
        run(db, assignment.assign_lead, AssignLead("no-such-lead", full), ADMIN)


def test_an_am_walks_their_lead_down_the_funnel(db, owned_lead, published):
    lead_id, am_id, am = owned_lead
    move(db, lead_id, am, "lead", "nurture", "lead", "opportunity")
    state = get(db, lead_id, am_id)
    assert (state["stage"], state["furthest_stage"]) == ("opportunity", "opportunity")
    assert state["allowed_next_stages"] == ["won", "lost", "discarded", "nurture"]
    assert [h["to_stage"] for h in state["stage_history"]] == [
        "prospect",
        "lead",
        "nurture",
        "lead",
        "opportunity",
    ]
    assert state["stage_history"][1]["by"] == f"account_manager:{am_id}"
    assert len(published("lead.stage_changed")) == 5


def test_illegal_moves_are_refused_and_leave_no_trace(db, owned_lead, published):
    lead_id, _, am = owned_lead
    with pytest.raises(IllegalTransition, match="allowed next stages from prospect: lead"):
        move(db, lead_id, am, "opportunity")
    with pytest.raises(DealRequired):
        move(db, lead_id, am, "won")
    assert get(db, lead_id)["stage"] == "prospect"
    assert len(published("lead.stage_changed")) == 1  # the assignment's only


def test_an_am_cannot_touch_or_see_another_ams_lead(db, owned_lead):
    lead_id, _, _ = owned_lead
    stranger = Actor("account_manager:zed", am_id="zed")
    with pytest.raises(NotYourLead):
        move(db, lead_id, stranger, "lead")
    with pytest.raises(NotYourLead):
        run(db, leads.log_activity, LogActivity(lead_id, ActivityKind.CALL), stranger)
    with pytest.raises(NotYourLead):
        get(db, lead_id, "zed")


def test_activities_are_logged_and_announced(db, owned_lead, published):
    lead_id, am_id, am = owned_lead
    when = datetime(2026, 2, 3, 10, 30, tzinfo=UTC)
    cmd = LogActivity(lead_id, ActivityKind.CALL, "Wants a CRM demo", when)
    activity = run(db, leads.log_activity, cmd, am, "req-9")
    [event] = published("activity.logged")
    assert event == {
        "activity_id": activity["activity_id"],
        "lead_id": lead_id,
        "am_id": am_id,
        "kind": "call",
        "notes": "Wants a CRM demo",
        "occurred_at": when.isoformat(),
    }
    assert get(db, lead_id)["activities"][0]["occurred_at"] == when


def test_a_won_deal_closes_the_opportunity(db, owned_lead, published):
    lead_id, am_id, am = owned_lead
    move(db, lead_id, am, "lead", "opportunity")
    cmd = CloseDeal(lead_id, DealOutcome.WON, 1_250_000, "EUR", product="CRM seats")
    deal = run(db, leads.close_deal, cmd, am)
    state = get(db, lead_id)
    assert (state["stage"], state["allowed_next_stages"]) == ("won", [])
    assert state["deals"][0]["value_minor"] == 1_250_000
    [closed] = published("deal.closed")
    assert closed["deal_id"] == deal["deal_id"] and closed["am_id"] == am_id
    assert (closed["outcome"], closed["value_minor"], closed["currency"]) == (
        "won",
        1_250_000,
        "EUR",
    )
    assert published("lead.stage_changed")[-1]["to_stage"] == "won"
    with pytest.raises(IllegalTransition):
        run(db, leads.close_deal, cmd, am)


def test_only_an_opportunity_can_close(db, owned_lead, published):
    lead_id, _, am = owned_lead
    with pytest.raises(IllegalTransition, match="from prospect to lost"):
        run(db, leads.close_deal, CloseDeal(lead_id, DealOutcome.LOST, 0, "EUR"), am)
    assert published("deal.closed") == []


def test_erased_and_merged_leads_take_no_more_work(db, deliver, owned_lead, new_lead):
    lead_id, _, am = owned_lead
    run(db, leads.log_activity, LogActivity(lead_id, ActivityKind.NOTE, "Jo's mobile: 0123"), am)
    deliver("lead.erased", {"lead_id": lead_id})
    assert get(db, lead_id)["activities"][0]["notes"] == ""
    with pytest.raises(LeadErased):
        move(db, lead_id, am, "lead")
    survivor, dup = new_lead(), new_lead()
    deliver("leads.merged", merged(survivor, dup))
    with pytest.raises(Conflict, match=f"merged into {survivor}"):
        move(db, dup, ADMIN, "prospect")


def test_an_erased_lead_no_longer_takes_up_its_ams_capacity(db, deliver, new_lead):
    """An erased lead refuses every command (410), so it can never leave its open stage: if
    it still counted, an AM with capacity 1 could never be given work again."""
    am_id, erased, nxt = make_am(db, capacity=1), new_lead(), new_lead()
    run(db, assignment.assign_lead, AssignLead(erased, am_id), ADMIN)
    deliver("lead.erased", {"lead_id": erased})
    assert run(db, ams.get_account_manager, am_id)["open_leads"] == 0
    assert run(db, assignment.assign_lead, AssignLead(nxt, am_id), ADMIN)["am_id"] == am_id
