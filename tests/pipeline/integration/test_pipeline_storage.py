"""The same book of events and commands on SQLite and on PostgreSQL (`database_url` runs both):
upserts, batched updates, row locks, JSON, timestamps and the streamed report query."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from rainmaker_contracts import make_envelope, validate_data
from rainmaker_db import Database
from rainmaker_pipeline.bootstrap import MIGRATIONS
from rainmaker_pipeline.domain.attribution import Attribution, GroupBy
from rainmaker_pipeline.domain.model import DealOutcome
from rainmaker_pipeline.domain.stages import Stage
from rainmaker_pipeline.service_layer import account_managers, assignment, leads, queries, reports
from rainmaker_pipeline.service_layer.commands import (
    Actor,
    AssignLead,
    ChangeStage,
    CloseDeal,
    UpsertAccountManager,
)
from rainmaker_pipeline.service_layer.handlers import EVENT_HANDLERS
from tests.support.databases import migrated

from ..events import claimed, ingested, lead, list_imported, merged, source, tagged, touched

ADMIN = Actor("admin:k")


@pytest.fixture
def store(database_url: str) -> Iterator[Database]:
    with migrated(MIGRATIONS, database_url) as db:
        yield db


def deliver(db: Database, event_type: str, data: dict) -> None:
    env = make_envelope(event_type, data, "test")
    with db.transaction() as session:
        EVENT_HANDLERS["pipeline.events"][event_type](
            session, env, validate_data(env.type, env.version, env.data)
        )


def test_a_book_of_leads_on_both_databases(store):
    lst = source("rented_list", "L1", "Trade list")
    deliver(store, "list.imported", list_imported("L1", cost_minor=20_000))
    deliver(store, "list.imported", list_imported("L1", cost_minor=30_000))
    book = ingested(
        lead("a", lst),
        lead("b", lst),
        lead("c", source("event", "E1"), days=-1, company=None, region=None),
    )
    deliver(store, "leads.ingested", book)
    deliver(store, "leads.ingested", book)  # replayed
    deliver(store, "leads.touched", touched(("t1", "a", source("event", "E1", "Expo"), 2)))
    deliver(store, "leads.tagged", tagged("a", "industry/software"))
    deliver(store, "prospect.claimed", claimed("c", "am-c"))
    deliver(store, "leads.merged", merged("a", "c"))  # a takes c's touches and owner
    deliver(store, "prospect.claimed", claimed("b", "am-x"))
    deliver(store, "lead.erased", {"lead_id": "b"})
    with store.transaction() as session:
        am, _ = account_managers.upsert_account_manager(session, UpsertAccountManager("Ann", 5))
    with store.reader() as session:
        assert queries.lead_summary(session, "a")["am_id"] == "am-c"
    with store.transaction() as session:
        assignment.assign_lead(session, AssignLead("a", am["am_id"]), ADMIN)
        for stage in (Stage.LEAD, Stage.OPPORTUNITY):
            leads.change_stage(session, ChangeStage("a", stage), ADMIN)
        when = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
        leads.close_deal(session, CloseDeal("a", DealOutcome.WON, 80_000, "EUR", None, when), ADMIN)
    with store.reader() as session:
        a = queries.get_lead(session, "a", None)
        b = queries.get_lead(session, "b", None)
        first = reports.source_report(session, Attribution.FIRST_TOUCH, GroupBy.TYPE, "EUR")
        last = reports.source_report(session, Attribution.LAST_TOUCH, GroupBy.TYPE, "EUR")
    assert (a["stage"], a["tags"][0]["tag"], a["deals"][0]["closed_at"]) == (
        "won",
        "industry/software",
        when,
    )
    assert [t["touch_id"] for t in a["touches"]][-1] == "t1" and len(a["touches"]) == 3
    assert (b["stage"], b["am_id"], b["company"], b["erased"]) == ("prospect", "am-x", None, True)
    rows = {r["group"]: r for r in first["rows"]}
    assert (rows["event"]["leads"], rows["event"]["revenue_minor"]) == (1, 80_000)  # c came first
    assert (rows["rented_list"]["leads"], rows["rented_list"]["cost_minor"]) == (1, 30_000)
    assert {r["group"]: r["leads"] for r in last["rows"]} == {"event": 1, "rented_list": 1}


def test_an_undo_before_its_merge_on_both_databases(store):
    """Recording an undone merge is an insert-if-missing on either database: a redelivered
    undo does not fail, and the merge retried after it is not applied."""
    deliver(
        store,
        "leads.ingested",
        ingested(lead("s", source("web", "W")), lead("m", source("event", "E1"))),
    )
    deliver(store, "leads.merged", merged("s", "m", undone=True))
    deliver(store, "leads.merged", merged("s", "m", undone=True))  # redelivered
    deliver(store, "leads.merged", merged("s", "m"))
    with store.reader() as session:
        m = queries.get_lead(session, "m", None)
        s = queries.get_lead(session, "s", None)
    assert m["merged_into"] is None and [t["source_type"] for t in m["touches"]] == ["event"]
    assert [t["source_type"] for t in s["touches"]] == ["web"]
