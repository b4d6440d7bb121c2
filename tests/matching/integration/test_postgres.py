"""Matching on PostgreSQL: the schema, the event flow, and claims raced by real transactions."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import inspect, select

from rainmaker_contracts import make_envelope, validate_data
from rainmaker_db import Database
from rainmaker_matching.adapters.tables import claims, undone_merges
from rainmaker_matching.domain.commands import ClaimProspect, ProspectFilter, SuggestProspects
from rainmaker_matching.domain.model import AlreadyClaimed
from rainmaker_matching.service_layer.claims import claim_prospect
from rainmaker_matching.service_layer.handlers import EVENT_HANDLERS
from rainmaker_matching.service_layer.suggestions import suggest

from ..builders import am_event, deal, lead, new_id, stage, tagged
from ..conftest import outbox_events

pytestmark = pytest.mark.integration


def deliverer(db: Database) -> Callable[[str, dict[str, Any]], None]:
    def run(event_type: str, data: dict[str, Any]) -> None:
        env = make_envelope(event_type, data, producer="test")
        with db.transaction() as s:
            EVENT_HANDLERS["matching.events"][event_type](
                s, env, validate_data(event_type, 1, data)
            )

    return run


def race(n: int, attempt: Callable[[int], str]) -> list[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes.append(attempt(i))
        except AlreadyClaimed:
            outcomes.append("AlreadyClaimed")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_the_claims_table_is_unique_on_lead_id(pg_db: Database) -> None:
    uniques = inspect(pg_db.engine).get_unique_constraints("claims")
    assert {"name": "uq_claims_lead_id", "column_names": ["lead_id"]} in [
        {k: u[k] for k in ("name", "column_names")} for u in uniques
    ]


def test_events_to_ranked_filtered_list(pg_db: Database) -> None:
    deliver = deliverer(pg_db)
    deliver("account_manager.upserted", am_event("am-1", territory_tags=["region/emea"]))
    won, best, other, parked = new_id(), new_id(), new_id(), new_id()
    deliver(
        "leads.ingested",
        {"leads": [lead(won), lead(best, 1, industry="Software"), lead(other, 2), lead(parked)]},
    )
    deliver("leads.tagged", {"leads": [tagged(won, "industry/software", "size/smb")]})
    deliver("deal.closed", deal(won, "am-1"))
    deliver("leads.tagged", {"leads": [tagged(best, "industry/software", "region/emea")]})
    deliver("lead.stage_changed", stage(parked, "nurture"))
    with pg_db.reader() as s:
        result = suggest(s, SuggestProspects("am-1", 10))
        filtered = suggest(s, SuggestProspects("am-1", 10, ProspectFilter(industry="software")))
    assert [i["lead_id"] for i in result.items] == [best, other]
    assert result.items[0]["reasons"] == [
        "industry/software: your one won deal",
        "region/emea: your territory",
    ]
    assert [i["lead_id"] for i in filtered.items] == [best]


def test_racing_ams_make_exactly_one_claim(pg_db: Database) -> None:
    deliver = deliverer(pg_db)
    for n in range(8):
        deliver("account_manager.upserted", am_event(f"am-{n}"))
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id)]})

    def attempt(i: int) -> str:
        with pg_db.transaction() as s:
            claim_prospect(s, ClaimProspect(f"am-{i}", lead_id))
        return "claimed"

    assert race(8, attempt) == ["AlreadyClaimed"] * 7 + ["claimed"]
    with pg_db.reader() as s:
        assert len(s.execute(select(claims)).all()) == 1
    assert len(outbox_events(pg_db, "prospect.claimed")) == 1


def test_one_am_claiming_twice_at_once_gets_one_claim(pg_db: Database) -> None:
    deliver = deliverer(pg_db)
    deliver("account_manager.upserted", am_event("am-1"))
    lead_id = new_id()
    deliver("leads.ingested", {"leads": [lead(lead_id)]})

    def attempt(_i: int) -> str:
        with pg_db.transaction() as s:
            made, created = claim_prospect(s, ClaimProspect("am-1", lead_id))
        return f"{'created' if created else 'existing'} {made.claim_id}"

    first, second = race(2, attempt)
    assert {first.split()[0], second.split()[0]} == {"created", "existing"}
    assert first.split()[1] == second.split()[1]


def test_an_undo_before_its_merge_and_again_keeps_the_lead(pg_db: Database) -> None:
    """ON CONFLICT DO NOTHING on PostgreSQL: a redelivered undo does not fail, and the merge
    arriving after its undo is ignored."""
    deliver = deliverer(pg_db)
    deliver("account_manager.upserted", am_event("am-1"))
    survivor, merged = new_id(), new_id()
    deliver("leads.ingested", {"leads": [lead(survivor, 1), lead(merged, 2)]})
    merge = {"merge_id": new_id(), "survivor_id": survivor, "merged_id": merged}
    merge |= {"rule": "email", "score": 1.0}
    undo = {"merges": [{**merge, "undone": True}]}
    deliver("leads.merged", undo)
    deliver("leads.merged", undo)
    deliver("leads.merged", {"merges": [merge]})
    with pg_db.reader() as s:
        result = suggest(s, SuggestProspects("am-1", 10))
        assert s.execute(select(undone_merges.c.merge_id)).scalars().all() == [merge["merge_id"]]
    assert [i["lead_id"] for i in result.items] == [merged, survivor]
