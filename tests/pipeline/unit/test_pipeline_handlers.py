"""Pipeline's consumer handlers: the read-model they build and the events they publish."""

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import select

from rainmaker_contracts import make_envelope, validate_data
from rainmaker_contracts.topology import QUEUES_BY_NAME
from rainmaker_pipeline.adapters.tables import sources
from rainmaker_pipeline.service_layer import queries
from rainmaker_pipeline.service_layer.handlers import EVENT_HANDLERS

from ..events import (
    T0,
    claimed,
    ingested,
    lead,
    list_imported,
    merged,
    new_id,
    source,
    tagged,
    touched,
)


def get(db, lead_id):
    with db.reader() as session:
        return queries.get_lead(session, lead_id, None)


def source_row(db, kind, source_id):
    with db.reader() as session:
        return session.execute(
            select(sources).where(sources.c.source_type == kind, sources.c.source_id == source_id)
        ).one()


def test_the_index_handles_exactly_what_the_queue_is_bound_to():
    assert set(EVENT_HANDLERS) == {"pipeline.events"}
    assert set(EVENT_HANDLERS["pipeline.events"]) == set(
        QUEUES_BY_NAME["pipeline.events"].routing_keys
    )


def test_ingested_leads_enter_as_suspects_with_their_first_touch(db, deliver, published):
    a, b, list_id = new_id(), new_id(), new_id("list-")
    src = source("rented_list", list_id, "Trade list")
    deliver("leads.ingested", ingested(lead(a, src), lead(b, src, days=1, company=None)))
    lead_a = get(db, a)
    assert lead_a["stage"] == "suspect" and lead_a["furthest_stage"] == "suspect"
    assert lead_a["company"] == "Acme Ltd" and lead_a["industry"] == "software"
    assert lead_a["created_at"] == T0
    assert [(t["source_type"], t["source_id"], t["source_name"]) for t in lead_a["touches"]] == [
        ("rented_list", list_id, "Trade list")
    ]
    assert get(db, b)["company"] is None
    assert published() == []  # ingestion is not a stage change


def test_redelivered_ingestion_adds_nothing(db, deliver):
    lead_id = new_id()
    data = ingested(lead(lead_id, source("referral", "ref-1", "Jo")))
    deliver("leads.ingested", data)
    deliver("leads.ingested", data)
    assert len(get(db, lead_id)["touches"]) == 1


def test_list_imported_records_the_list_and_a_reimport_replaces_not_adds(db, deliver):
    list_id = new_id("list-")
    deliver("list.imported", list_imported(list_id, cost_minor=50_000))
    deliver("list.imported", list_imported(list_id, name="Renamed", cost_minor=60_000))
    row = source_row(db, "rented_list", list_id)
    assert (row.name, row.vendor, row.cost_minor, row.currency) == (
        "Renamed",
        "DataCo",
        60_000,
        "EUR",
    )


def test_touches_add_sources_and_name_unnamed_ones(db, deliver):
    lead_id = new_id()
    deliver("leads.ingested", ingested(lead(lead_id, source("event", "ev-1"))))
    assert source_row(db, "event", "ev-1").name is None
    deliver(
        "leads.touched",
        touched(
            ("t1", lead_id, source("event", "ev-1", "Expo"), 2),
            ("t2", lead_id, source("referral", "ref-2", "Ann"), 3),
        ),
    )
    deliver("leads.touched", touched(("t1", lead_id, source("event", "ev-1", "Expo"), 2)))
    assert [t["source_id"] for t in get(db, lead_id)["touches"]] == ["ev-1", "ev-1", "ref-2"]
    assert source_row(db, "event", "ev-1").name == "Expo"


def test_tags_before_ingestion_leave_a_placeholder_that_ingestion_completes(db, deliver):
    lead_id = new_id()
    deliver("leads.tagged", tagged(lead_id, "industry/software", "role/cto"))
    early = get(db, lead_id)
    assert early["stage"] == "suspect" and early["company"] is None
    deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
    late = get(db, lead_id)
    assert late["company"] == "Acme Ltd"
    assert [t["tag"] for t in late["tags"]] == ["industry/software", "role/cto"]
    deliver("leads.tagged", tagged(lead_id, "interest/crm"))  # a full set, not a delta
    assert [t["tag"] for t in get(db, lead_id)["tags"]] == ["interest/crm"]


def test_a_claim_makes_a_suspect_the_ams_prospect_once(db, deliver, published):
    lead_id = new_id()
    deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
    deliver("prospect.claimed", claimed(lead_id, "am-1"), correlation_id="claim-req")
    deliver("prospect.claimed", claimed(lead_id, "am-1"))
    state = get(db, lead_id)
    assert (state["stage"], state["am_id"]) == ("prospect", "am-1")
    assert [(h["from_stage"], h["to_stage"], h["by"]) for h in state["stage_history"]] == [
        ("suspect", "prospect", "matching")
    ]
    [event] = published("lead.stage_changed")
    assert event["lead_id"] == lead_id and event["am_id"] == "am-1"
    assert (event["from_stage"], event["to_stage"]) == ("suspect", "prospect")


def test_a_claim_before_ingestion_is_kept(db, deliver):
    lead_id = new_id()
    deliver("prospect.claimed", claimed(lead_id, "am-2"))
    deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
    state = get(db, lead_id)
    assert (state["stage"], state["am_id"], state["company"]) == ("prospect", "am-2", "Acme Ltd")


def test_merge_moves_touches_to_the_survivor_and_undo_moves_them_back(db, deliver):
    survivor, dup = new_id(), new_id()
    deliver("leads.ingested", ingested(lead(survivor, source("web", "site"))))
    deliver("leads.ingested", ingested(lead(dup, source("referral", "ref-1"), days=-3)))
    deliver("prospect.claimed", claimed(dup, "am-3"))
    deliver("leads.merged", merged(survivor, dup))
    after = get(db, survivor)
    assert [t["source_type"] for t in after["touches"]] == ["referral", "web"]
    assert after["am_id"] == "am-3"  # the survivor had no owner: it takes the merged one's
    assert get(db, dup)["merged_into"] == survivor and get(db, dup)["touches"] == []
    deliver("leads.merged", merged(survivor, dup, undone=True))
    assert [t["source_type"] for t in get(db, survivor)["touches"]] == ["web"]
    restored = get(db, dup)
    assert restored["merged_into"] is None
    assert [t["source_type"] for t in restored["touches"]] == ["referral"]


def test_erasure_forgets_the_person_but_keeps_the_figures(db, deliver):
    lead_id = new_id()
    deliver("leads.ingested", ingested(lead(lead_id, source("web", "site"))))
    deliver("leads.tagged", tagged(lead_id, "role/cto"))
    deliver("lead.erased", {"lead_id": lead_id})
    deliver("leads.tagged", tagged(lead_id, "role/ceo"))  # late tagging restores nothing
    state = get(db, lead_id)
    assert state["erased"] is True
    assert (state["company"], state["tags"]) == (None, [])
    assert state["stage"] == "suspect" and len(state["touches"]) == 1
    assert state["allowed_next_stages"] == []


def test_a_merge_into_a_lead_merged_meanwhile_reaches_the_end_of_the_chain(db, deliver):
    """b was merged into c before a's merge into b arrived: a's touches and owner go to c,
    the lead the reports count, not to b, which they leave out."""
    a, b, c = new_id(), new_id(), new_id()
    deliver("leads.ingested", ingested(lead(a, source("referral", "ref-1"), days=-3)))
    deliver("leads.ingested", ingested(lead(b, source("event", "ev-1"), days=-2)))
    deliver("leads.ingested", ingested(lead(c, source("web", "site"))))
    deliver("prospect.claimed", claimed(a, "am-4"))
    deliver("leads.merged", merged(c, b))
    deliver("leads.merged", merged(b, a))
    root = get(db, c)
    assert [t["source_type"] for t in root["touches"]] == ["referral", "event", "web"]
    assert root["am_id"] == "am-4"
    assert get(db, a)["merged_into"] == b  # the link intake sent is kept
    deliver("leads.merged", merged(b, a, undone=True))
    assert [t["source_type"] for t in get(db, c)["touches"]] == ["event", "web"]
    assert [t["source_type"] for t in get(db, a)["touches"]] == ["referral"]


def test_touches_and_ingestion_of_a_lead_merged_first_count_for_the_survivor(db, deliver):
    """The merge overtook the merged lead's ingestion and a later touch: their touches go to
    the survivor (the lead the reports count) and an undo gives them back."""
    survivor, dup = new_id(), new_id()
    deliver("leads.ingested", ingested(lead(survivor, source("web", "site"))))
    deliver("leads.merged", merged(survivor, dup))
    deliver("leads.ingested", ingested(lead(dup, source("referral", "ref-1"), days=-3)))
    deliver("leads.touched", touched((new_id("t-"), dup, source("event", "ev-1"), 1)))
    assert [t["source_type"] for t in get(db, survivor)["touches"]] == [
        "referral",
        "web",
        "event",
    ]
    deliver("leads.merged", merged(survivor, dup, undone=True))
    assert [t["source_type"] for t in get(db, survivor)["touches"]] == ["web"]
    assert [t["source_type"] for t in get(db, dup)["touches"]] == ["referral", "event"]


def test_a_merge_handled_after_its_undo_is_not_applied(db, deliver):
    """The merge's first attempt failed and the bus retried it after its undo had been
    handled: the undo wins, the leads stay apart."""
    survivor, dup = new_id(), new_id()
    deliver("leads.ingested", ingested(lead(survivor, source("web", "site"))))
    deliver("leads.ingested", ingested(lead(dup, source("referral", "ref-1"), days=-3)))
    deliver("prospect.claimed", claimed(dup, "am-3"))
    deliver("leads.merged", merged(survivor, dup, undone=True))
    deliver("leads.merged", merged(survivor, dup))
    kept = get(db, dup)
    assert kept["merged_into"] is None
    assert [t["source_type"] for t in kept["touches"]] == ["referral"]
    after = get(db, survivor)
    assert [t["source_type"] for t in after["touches"]] == ["web"]
    assert after["am_id"] is None  # nor does the survivor take the merged lead's owner


def test_a_redelivered_undo_is_harmless(db, deliver):
    survivor, dup = new_id(), new_id()
    deliver("leads.ingested", ingested(lead(survivor, source("web", "site"))))
    deliver("leads.ingested", ingested(lead(dup, source("referral", "ref-1"), days=-3)))
    deliver("leads.merged", merged(survivor, dup))
    deliver("leads.merged", merged(survivor, dup, undone=True))
    deliver("leads.merged", merged(survivor, dup, undone=True))
    deliver("leads.merged", merged(survivor, dup))  # the merge, redelivered after its undo
    assert get(db, dup)["merged_into"] is None
    assert [t["source_type"] for t in get(db, dup)["touches"]] == ["referral"]
    assert [t["source_type"] for t in get(db, survivor)["touches"]] == ["web"]


def test_a_new_merge_of_leads_once_unmerged_is_applied(db, deliver):
    """Only the undone merge_id is ignored: intake may merge the same pair again later."""
    survivor, dup = new_id(), new_id()
    deliver("leads.ingested", ingested(lead(survivor, source("web", "site"))))
    deliver("leads.ingested", ingested(lead(dup, source("referral", "ref-1"), days=-3)))
    deliver("leads.merged", merged(survivor, dup))
    deliver("leads.merged", merged(survivor, dup, undone=True))
    deliver("leads.merged", merged(survivor, dup, merge_id=new_id("m-")))
    assert get(db, dup)["merged_into"] == survivor
    assert [t["source_type"] for t in get(db, survivor)["touches"]] == ["referral", "web"]


def test_an_older_tag_set_arriving_late_does_not_replace_a_newer_one(db):
    """A leads.tagged that failed once comes back from its retry after a newer one: the
    newer set stays (the same set again at its own time still applies)."""
    lead_id = new_id()
    handle = EVENT_HANDLERS["pipeline.events"]["leads.tagged"]

    def tag_at(minute: int, *tags: str) -> None:
        data = tagged(lead_id, *tags)
        env = make_envelope("leads.tagged", data, "test")
        env = replace(env, occurred_at=datetime(2026, 11, 23, 1, minute, tzinfo=UTC))
        with db.transaction() as session:
            handle(session, env, validate_data(env.type, env.version, env.data))

    tag_at(10, "interest/crm")
    tag_at(5, "industry/software")  # computed earlier, delivered later
    assert [t["tag"] for t in get(db, lead_id)["tags"]] == ["interest/crm"]
    tag_at(10, "interest/crm", "role/cto")
    tag_at(11, "interest/erp")
    assert [t["tag"] for t in get(db, lead_id)["tags"]] == ["interest/erp"]
