"""Claims through the service layer: atomic, idempotent for the holder, refused otherwise."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from rainmaker_db import Database
from rainmaker_matching.adapters.tables import claims, prospects
from rainmaker_matching.domain.commands import ClaimProspect
from rainmaker_matching.domain.model import (
    AccountManagerInactive,
    AlreadyClaimed,
    CapacityReached,
    Claim,
    ClaimRefused,
    NotClaimable,
    UnknownAccountManager,
    UnknownProspect,
)
from rainmaker_matching.service_layer.claims import claim_prospect, insert_claim, list_claims

from ..builders import am_event, deal, lead, new_id, stage, tagged
from ..conftest import outbox_events


@pytest.fixture
def ams(deliver) -> None:
    for am_id in ("am-1", "am-2"):
        deliver("account_manager.upserted", am_event(am_id, capacity=2))


def add_lead(deliver) -> str:
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id)]})
    return lead_id


def claim(db: Database, am_id: str, lead_id: str, correlation_id: str | None = None):
    with db.transaction() as s:
        return claim_prospect(s, ClaimProspect(am_id, lead_id), correlation_id)


def test_a_claim_is_recorded_takes_the_lead_and_announces_it(db, deliver, ams) -> None:
    lead_id = add_lead(deliver)
    made, created = claim(db, "am-1", lead_id, correlation_id="req-1")
    assert created and (made.lead_id, made.am_id) == (lead_id, "am-1")
    with db.reader() as s:
        p = s.execute(select(prospects).where(prospects.c.lead_id == lead_id)).one()
    assert (p.status, p.claimed_by) == ("claimed", "am-1")
    [event] = outbox_events(db, "prospect.claimed")
    assert event["correlation_id"] == "req-1"
    assert event["producer"] == "matching"
    assert event["data"] == {
        "claim_id": made.claim_id,
        "lead_id": lead_id,
        "am_id": "am-1",
        "claimed_at": made.claimed_at.isoformat(),
    }


def test_claiming_again_returns_the_same_claim_and_announces_nothing_new(db, deliver, ams) -> None:
    lead_id = add_lead(deliver)
    first, _ = claim(db, "am-1", lead_id)
    again, created = claim(db, "am-1", lead_id)
    assert not created and again == first
    assert len(outbox_events(db, "prospect.claimed")) == 1


def test_someone_elses_prospect_cannot_be_claimed(db, deliver, ams) -> None:
    lead_id = add_lead(deliver)
    claim(db, "am-1", lead_id)
    with pytest.raises(AlreadyClaimed, match="another account manager"):
        claim(db, "am-2", lead_id)


def test_unknown_prospects_and_placeholders_are_not_found(db, deliver, ams) -> None:
    with pytest.raises(UnknownProspect):
        claim(db, "am-1", new_id())
    placeholder = new_id()
    deliver("leads.tagged", {"leads": [tagged(placeholder, "industry/software")]})
    with pytest.raises(UnknownProspect):
        claim(db, "am-1", placeholder)
    erased = add_lead(deliver)
    deliver("lead.erased", {"lead_id": erased})
    with pytest.raises(UnknownProspect):
        claim(db, "am-1", erased)


def test_closed_merged_and_parked_prospects_are_refused(db, deliver, ams) -> None:
    closed, merged, parked, survivor = (add_lead(deliver) for _ in range(4))
    deliver("deal.closed", deal(closed, "am-2"))
    merge = {"merge_id": new_id(), "survivor_id": survivor, "merged_id": merged}
    deliver("leads.merged", {"merges": [{**merge, "rule": "email", "score": 1.0}]})
    deliver("lead.stage_changed", stage(parked, "nurture"))
    with pytest.raises(NotClaimable, match="a deal was closed"):
        claim(db, "am-1", closed)
    with pytest.raises(NotClaimable, match=f"merged into {survivor}"):
        claim(db, "am-1", merged)
    with pytest.raises(NotClaimable, match="stage is nurture"):
        claim(db, "am-1", parked)


def test_capacity_and_activity_of_the_am_are_respected(db, deliver, ams) -> None:
    a, b, c = (add_lead(deliver) for _ in range(3))
    claim(db, "am-1", a)
    claim(db, "am-1", b)
    with pytest.raises(CapacityReached):
        claim(db, "am-1", c)
    assert claim(db, "am-1", a)[1] is False  # re-claiming what you hold is not a new lead
    deliver("account_manager.upserted", am_event("am-2", capacity=5, active=False))
    with pytest.raises(AccountManagerInactive):
        claim(db, "am-2", c)
    with pytest.raises(UnknownAccountManager):
        claim(db, "am-nobody", c)


def test_the_database_itself_refuses_a_second_claim_on_a_lead(db) -> None:
    row = {"lead_id": "lead-x", "am_id": "am-1", "claimed_at": datetime.now(UTC)}
    with db.transaction() as s:
        s.execute(insert(claims).values(claim_id=new_id(), **row))
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.execute(insert(claims).values(claim_id=new_id(), **{**row, "am_id": "am-2"}))


def test_a_claim_that_loses_the_race_at_the_insert_learns_who_holds_the_lead(
    db, deliver, ams
) -> None:
    lead_id = add_lead(deliver)
    held, _ = claim(db, "am-1", lead_id)
    late = Claim(new_id(), lead_id, "am-2", datetime.now(UTC))
    with db.transaction() as s:  # as if it had passed the checks before am-1 committed
        assert insert_claim(s, late) == held
        s.execute(select(1))  # the savepoint rolled back; the transaction is still usable
    with db.reader() as s:
        assert s.execute(select(claims.c.am_id)).scalars().all() == ["am-1"]


def test_many_ams_claiming_one_prospect_at_once_make_exactly_one_claim(db, deliver) -> None:
    am_ids = [f"am-{n}" for n in range(8)]
    for am_id in am_ids:
        deliver("account_manager.upserted", am_event(am_id))
    lead_id = add_lead(deliver)
    barrier = threading.Barrier(len(am_ids))
    outcomes: dict[str, str] = {}

    def attempt(am_id: str) -> None:
        barrier.wait()
        try:
            claim(db, am_id, lead_id)
            outcomes[am_id] = "claimed"
        except ClaimRefused as exc:
            outcomes[am_id] = type(exc).__name__

    threads = [threading.Thread(target=attempt, args=(am_id,)) for am_id in am_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["AlreadyClaimed"] * 7 + ["claimed"]
    assert len(outcomes) == 8
    assert len(outbox_events(db, "prospect.claimed")) == 1


def test_list_claims_pages_newest_first_and_says_which_are_open(db, deliver, ams) -> None:
    deliver("account_manager.upserted", am_event("am-1", capacity=5))
    leads = [add_lead(deliver) for _ in range(3)]
    for lead_id in leads:
        claim(db, "am-1", lead_id)
    deliver("lead.stage_changed", stage(leads[0], "won"))
    with db.reader() as s:
        page, total = list_claims(s, "am-1", offset=0, limit=2)
        rest, _ = list_claims(s, "am-1", offset=2, limit=2)
        assert list_claims(s, "am-2", 0, 10) == ([], 0)
        with pytest.raises(UnknownAccountManager):
            list_claims(s, "am-nobody", 0, 10)
    assert total == 3
    assert [c["lead_id"] for c in page + rest] == leads[::-1]
    assert [c["open"] for c in page + rest] == [True, True, False]
    assert rest[0]["stage"] == "won"
