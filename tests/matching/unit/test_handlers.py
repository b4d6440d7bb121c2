"""Every event matching consumes, through its handler table, against a real database."""

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from rainmaker_contracts import make_envelope, validate_data
from rainmaker_contracts.topology import QUEUES_BY_NAME
from rainmaker_db import Database
from rainmaker_matching.adapters.tables import (
    account_managers,
    closed_deals,
    prospect_tags,
    prospects,
)
from rainmaker_matching.domain.commands import SuggestProspects
from rainmaker_matching.service_layer.handlers import EVENT_HANDLERS
from rainmaker_matching.service_layer.suggestions import suggest

from ..builders import am_event, deal, lead, new_id, stage, tagged


def row(db: Database, lead_id: str):
    with db.reader() as s:
        return s.execute(select(prospects).where(prospects.c.lead_id == lead_id)).first()


def tags(db: Database, lead_id: str) -> dict[str, tuple[float, str]]:
    with db.reader() as s:
        rows = s.execute(select(prospect_tags).where(prospect_tags.c.lead_id == lead_id))
        return {r.tag: (r.confidence, r.origin) for r in rows}


def suggested(db: Database, am_id: str = "am-1") -> list[str]:
    with db.reader() as s:
        return [i["lead_id"] for i in suggest(s, SuggestProspects(am_id, limit=50)).items]


def test_the_handler_table_covers_exactly_the_queue_bindings() -> None:
    assert set(EVENT_HANDLERS) == {"matching.events"}
    assert set(EVENT_HANDLERS["matching.events"]) == set(
        QUEUES_BY_NAME["matching.events"].routing_keys
    )


def test_account_manager_upserted_inserts_then_updates(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1", 3, territory_tags=["region/emea"]))
    deliver("account_manager.upserted", am_event("am-1", 7, name="Ada", active=False))
    with db.reader() as s:
        rows = s.execute(select(account_managers)).all()
    assert len(rows) == 1
    assert (rows[0].name, rows[0].capacity, rows[0].active) == ("Ada", 7, False)
    assert rows[0].territory_tags == []


def test_ingested_lead_is_indexed_with_its_source_tags_as_first_tags(db, deliver) -> None:
    lead_id = new_id()
    data = {
        "leads": [
            lead(
                lead_id,
                industry="Software",
                region="EMEA",
                country="DE",
                employees=40,
                tags=["industry/software", "size/smb"],
            )
        ]
    }
    deliver("leads.ingested", data)
    deliver("leads.ingested", data)  # the same content again changes nothing
    r = row(db, lead_id)
    assert (r.status, r.company, r.industry, r.region, r.country, r.employees) == (
        "available",
        f"Company {lead_id[:8]}",
        "Software",
        "EMEA",
        "DE",
        40,
    )
    assert (r.source_type, r.source_id, r.stage) == ("rented_list", "list-1", None)
    assert tags(db, lead_id) == {"industry/software": (1.0, "list"), "size/smb": (1.0, "list")}


def test_tags_before_ingestion_make_a_placeholder_that_ingestion_completes(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    lead_id = new_id()
    deliver("leads.tagged", {"leads": [tagged(lead_id, ("interest/crm", 0.7, "model"))]})
    assert row(db, lead_id).ingested_at is None
    assert suggested(db) == []  # a placeholder is not a prospect yet
    deliver("leads.ingested", {"leads": [lead(lead_id, tags=["industry/software"])]})
    assert row(db, lead_id).company == f"Company {lead_id[:8]}"
    assert tags(db, lead_id) == {"interest/crm": (0.7, "model")}  # tagging's set stands
    assert suggested(db) == [lead_id]


def test_tagged_replaces_the_whole_tag_set(db, deliver) -> None:
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id, tags=["industry/software"])]})
    deliver(
        "leads.tagged",
        {"leads": [tagged(lead_id, "industry/finance", ("role/cfo", 0.4, "derived"))]},
    )
    assert tags(db, lead_id) == {"industry/finance": (1.0, "rule"), "role/cfo": (0.4, "derived")}
    deliver("leads.tagged", {"leads": [tagged(lead_id)]})
    assert tags(db, lead_id) == {}


def test_merged_lead_leaves_the_index_and_an_unmerge_brings_it_back(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    survivor, merged = new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(survivor, 1), lead(merged, 2)]})
    merge = {"merge_id": new_id(), "survivor_id": survivor, "merged_id": merged}
    deliver("leads.merged", {"merges": [{**merge, "rule": "email", "score": 1.0}]})
    assert (row(db, merged).status, row(db, merged).merged_into) == ("merged", survivor)
    assert suggested(db) == [survivor]
    deliver("leads.merged", {"merges": [{**merge, "rule": "email", "score": 1.0, "undone": True}]})
    assert row(db, merged).status == "available"
    assert suggested(db) == [merged, survivor]


def test_an_unmerge_gives_back_an_owned_lead_to_its_owner_and_a_closed_one_stays_closed(
    db, deliver
) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    survivor, owned, closed = new_id(), new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(survivor, 1), lead(owned, 2), lead(closed, 3)]})
    # `owned` was assigned in pipeline (no claim in matching); `closed` was claimed, then lost.
    deliver("lead.stage_changed", {**stage(owned, "prospect"), "am_id": "am-2"})
    deliver("lead.stage_changed", {**stage(closed, "prospect"), "am_id": "am-1"})
    deliver("deal.closed", {**deal(closed, "am-1"), "outcome": "lost"})
    merges = [
        {
            "merge_id": new_id(),
            "survivor_id": survivor,
            "merged_id": m,
            "rule": "email",
            "score": 1.0,
        }
        for m in (owned, closed)
    ]
    deliver("leads.merged", {"merges": merges})
    deliver("leads.merged", {"merges": [{**m, "undone": True} for m in merges]})
    assert (row(db, owned).status, row(db, owned).claimed_by) == ("claimed", "am-2")
    assert row(db, closed).status == "closed"
    assert owned not in suggested(db)


def merge_event(merge_id: str, survivor: str, merged: str, undone: bool = False) -> dict:
    return {
        "merges": [
            {
                "merge_id": merge_id,
                "survivor_id": survivor,
                "merged_id": merged,
                "rule": "email",
                "score": 1.0,
                "undone": undone,
            }
        ]
    }


def test_an_undo_that_overtakes_its_merge_keeps_the_lead_in_the_list(db, deliver) -> None:
    """The merge's first attempt failed; its undo is handled first, the merge on its retry:
    the late merge changes nothing and the lead is suggested where it would be."""
    deliver("account_manager.upserted", am_event("am-1"))
    deliver("account_manager.upserted", am_event("am-2"))
    won, survivor, merged = new_id(), new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(won), lead(survivor, 3), lead(merged, 2)]})
    deliver("leads.tagged", {"leads": [tagged(won, "industry/software")]})
    deliver("leads.tagged", {"leads": [tagged(merged, "industry/software")]})
    deliver("deal.closed", deal(won, "am-1"))
    merge_id = new_id()
    deliver("leads.merged", merge_event(merge_id, survivor, merged, undone=True))
    deliver("leads.merged", merge_event(merge_id, survivor, merged))
    assert (row(db, merged).status, row(db, merged).merged_into) == ("available", None)
    assert suggested(db) == [merged, survivor]  # it matches am-1's won deal: first
    assert suggested(db, "am-2") == [survivor, merged]  # no profile: newest first


def test_an_undo_that_overtakes_its_merge_leaves_owned_and_closed_leads_as_they_were(
    db, deliver
) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    survivor, owned, closed = new_id(), new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(survivor, 1), lead(owned, 2), lead(closed, 3)]})
    deliver("lead.stage_changed", {**stage(owned, "prospect"), "am_id": "am-2"})
    deliver("lead.stage_changed", {**stage(closed, "prospect"), "am_id": "am-1"})
    deliver("deal.closed", {**deal(closed, "am-1"), "outcome": "lost"})
    ids = {owned: new_id(), closed: new_id()}
    for m, merge_id in ids.items():
        deliver("leads.merged", merge_event(merge_id, survivor, m, undone=True))
    for m, merge_id in ids.items():
        deliver("leads.merged", merge_event(merge_id, survivor, m))
    assert (row(db, owned).status, row(db, owned).claimed_by) == ("claimed", "am-2")
    assert (row(db, closed).status, row(db, closed).merged_into) == ("closed", None)
    assert suggested(db) == [survivor]


def test_a_redelivered_undo_is_harmless_before_and_after_its_merge(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    survivor, early, late = new_id(), new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(survivor, 1), lead(early, 2), lead(late, 3)]})
    early_id, late_id = new_id(), new_id()
    # `early`: the undo twice, then its merge; `late`: the merge, then its undo twice.
    deliver("leads.merged", merge_event(early_id, survivor, early, undone=True))
    deliver("leads.merged", merge_event(early_id, survivor, early, undone=True))
    deliver("leads.merged", merge_event(early_id, survivor, early))
    deliver("leads.merged", merge_event(late_id, survivor, late))
    deliver("leads.merged", merge_event(late_id, survivor, late, undone=True))
    deliver("leads.merged", merge_event(late_id, survivor, late, undone=True))
    assert (row(db, early).status, row(db, late).status) == ("available", "available")
    assert suggested(db) == [late, early, survivor]


def test_merge_then_undo_then_the_merge_again_keeps_the_lead(db, deliver) -> None:
    """A merge published twice (an at-least-once relay) and seen again after its undo stays
    undone; a new merge of the same lead (another merge_id) still applies."""
    deliver("account_manager.upserted", am_event("am-1"))
    survivor, merged = new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(survivor, 1), lead(merged, 2)]})
    merge_id = new_id()
    deliver("leads.merged", merge_event(merge_id, survivor, merged))
    assert suggested(db) == [survivor]
    deliver("leads.merged", merge_event(merge_id, survivor, merged, undone=True))
    deliver("leads.merged", merge_event(merge_id, survivor, merged))
    assert row(db, merged).status == "available"
    assert suggested(db) == [merged, survivor]
    deliver("leads.merged", merge_event(new_id(), survivor, merged))
    assert (row(db, merged).status, row(db, merged).merged_into) == ("merged", survivor)
    assert suggested(db) == [survivor]


def test_stage_changes_take_leads_out_and_back_and_late_ones_lose(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id)]})
    deliver("lead.stage_changed", stage(lead_id, "nurture", minutes=10))
    assert suggested(db) == []
    deliver("lead.stage_changed", stage(lead_id, "suspect", minutes=5))  # older: ignored
    assert row(db, lead_id).stage == "nurture"
    deliver("lead.stage_changed", stage(lead_id, "prospect", minutes=20))
    assert suggested(db) == [lead_id]
    for final in ("won", "lost", "discarded"):
        other = new_id()
        deliver("leads.ingested", {"leads": [lead(other)]})
        deliver("lead.stage_changed", stage(other, final))
        assert other not in suggested(db)


def test_stage_change_before_ingestion_is_kept(db, deliver) -> None:
    lead_id = new_id()
    deliver("lead.stage_changed", stage(lead_id, "discarded"))
    deliver("leads.ingested", {"leads": [lead(lead_id)]})
    assert (row(db, lead_id).stage, row(db, lead_id).status) == ("discarded", "available")


def test_deal_closed_records_the_deal_with_the_tags_at_close_and_closes_the_lead(
    db, deliver
) -> None:
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id, tags=["industry/software"])]})
    closed = deal(lead_id, "am-1", value_minor=250_000)
    deliver("deal.closed", closed)
    deliver("leads.tagged", {"leads": [tagged(lead_id, "industry/finance")]})  # after close
    deliver("deal.closed", closed)  # redelivered: still one deal
    with db.reader() as s:
        deals = s.execute(select(closed_deals)).all()
    assert len(deals) == 1
    assert (deals[0].lead_id, deals[0].am_id, deals[0].value_minor) == (lead_id, "am-1", 250_000)
    assert deals[0].tags == [{"tag": "industry/software", "confidence": 1.0, "origin": "list"}]
    assert row(db, lead_id).status == "closed"


def test_erasure_leaves_a_tombstone_that_late_events_cannot_revive(db, deliver) -> None:
    deliver("account_manager.upserted", am_event("am-1"))
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id, industry="Software", tags=["size/smb"])]})
    deliver("deal.closed", deal(lead_id, "am-1"))
    deliver("lead.erased", {"lead_id": lead_id})
    deliver("leads.tagged", {"leads": [tagged(lead_id, "industry/software")]})
    deliver("leads.ingested", {"leads": [lead(lead_id)]})
    r = row(db, lead_id)
    assert (r.status, r.company, r.industry, r.source_id) == ("erased", None, None, None)
    assert tags(db, lead_id) == {}
    with db.reader() as s:
        assert s.execute(select(closed_deals.c.lead_id)).scalar_one() is None
    assert suggested(db) == []


def test_erasure_of_a_lead_never_seen_still_blocks_it(db, deliver) -> None:
    lead_id = new_id()
    deliver("lead.erased", {"lead_id": lead_id})
    deliver("leads.ingested", {"leads": [lead(lead_id)]})
    assert row(db, lead_id).status == "erased"


def test_an_older_tag_set_arriving_late_does_not_replace_a_newer_one(db, deliver) -> None:
    """A leads.tagged that failed once comes back from its retry after a newer one: the
    newer set stays (the same set again at its own time still applies)."""
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id)]})
    handle = EVENT_HANDLERS["matching.events"]["leads.tagged"]

    def tag_at(minute: int, *tag_names: str) -> None:
        env = make_envelope("leads.tagged", {"leads": [tagged(lead_id, *tag_names)]}, "test")
        env = replace(env, occurred_at=datetime(2026, 11, 23, 1, minute, tzinfo=UTC))
        with db.transaction() as session:
            handle(session, env, validate_data(env.type, env.version, env.data))

    tag_at(10, "interest/crm")
    tag_at(5, "industry/software")  # computed earlier, delivered later
    assert set(tags(db, lead_id)) == {"interest/crm"}
    tag_at(10, "interest/crm", "role/cto")
    assert set(tags(db, lead_id)) == {"interest/crm", "role/cto"}
    tag_at(11, "interest/erp")
    assert set(tags(db, lead_id)) == {"interest/erp"}
