"""Handlers of tagging.events, driven as the consumer drives them; effects read back."""

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from rainmaker_contracts import ContractError, make_envelope, validate_data
from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE
from rainmaker_tagging.adapters.tables import (
    activity_notes,
    erased_leads,
    lead_sources,
    lead_tags,
    leads,
    undone_merges,
)
from rainmaker_tagging.domain.model import MergeCycle, RuleField, RuleKind
from rainmaker_tagging.service_layer.handlers import EVENT_HANDLERS
from rainmaker_tagging.service_layer.retag import publish_tagged
from rainmaker_tagging.service_layer.rules import CreateRule, create_rule

from .support import deliver, ingest, ingested_lead, last_tags, new_id, published


def add_rule(db, tag, field, pattern, kind=RuleKind.KEYWORD, confidence=0.7):
    with db.transaction() as session:
        return create_rule(session, CreateRule(tag, field, pattern, kind, confidence))


def count(db, table, **where):
    with db.reader() as session:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        return session.execute(query).scalar_one()


def activity(lead_id, notes, activity_id=None):
    return {
        "activity_id": activity_id or new_id(),
        "lead_id": lead_id,
        "kind": "call",
        "notes": notes,
        "occurred_at": "2026-11-20T10:00:00+00:00",
    }


def test_ingested_leads_get_list_rule_and_derived_tags(db):
    rule = add_rule(db, "industry/software", RuleField.INDUSTRY, "software")
    lead_id = new_id()
    ingest(
        db,
        ingested_lead(
            lead_id,
            job_title="VP Engineering",
            industry="Enterprise Software",
            tags=["interest/crm"],
        ),
    )
    tags = last_tags(db, lead_id)
    assert tags["interest/crm"] == {
        "tag": "interest/crm",
        "confidence": 1.0,
        "origin": "list",
        "reason": "from list Acme 2026",
    }
    assert tags["industry/software"]["origin"] == "rule"
    assert f"rule #{rule['rule_id']}" in tags["industry/software"]["reason"]
    assert "'Software'" in tags["industry/software"]["reason"]
    assert tags["role/leadership"]["origin"] == "derived"
    assert tags["role/engineering"]["reason"] == (
        "job title 'VP Engineering' contains 'Engineering'"
    )
    (env,) = published(db)
    assert env["producer"] == "tagging" and env["correlation_id"] == "corr-1"
    assert env["data"]["leads"][0]["model_version"] is None


def test_a_lead_with_no_evidence_is_published_with_an_empty_set(db):
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, job_title="Receptionist"))
    assert last_tags(db, lead_id) == {}


def test_handling_the_same_event_twice_converges(db):
    lead = ingested_lead(job_title="CEO", tags=["size/small"])
    ingest(db, lead)
    ingest(db, lead)
    assert count(db, lead_tags, lead_id=lead["lead_id"]) == 2
    assert count(db, leads) == 1
    first, second = published(db)
    assert first["data"] == second["data"]


def test_a_second_source_adds_its_tags_and_keeps_the_first(db):
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, job_title="CEO", tags=["interest/crm"]))
    ingest(
        db,
        ingested_lead(
            lead_id,
            source={"type": "referral", "id": "ref-9", "name": "Ann"},
            tags=["interest/analytics"],
        ),
    )
    tags = last_tags(db, lead_id)
    assert tags["interest/crm"]["reason"] == "from list Acme 2026"
    assert tags["interest/analytics"]["reason"] == "from referral Ann"
    assert "role/executive" in tags  # the empty job_title of the referral kept the old one
    assert count(db, lead_sources, lead_id=lead_id) == 2


def test_leads_ingested_with_1000_leads_publishes_one_message(db):
    batch = [ingested_lead(job_title="Developer") for _ in range(MAX_LEADS_PER_MESSAGE)]
    ingest(db, *batch)
    (env,) = published(db)
    assert len(env["data"]["leads"]) == MAX_LEADS_PER_MESSAGE


def test_publish_tagged_chunks_at_1000_leads(db):
    tagged: list[dict[str, Any]] = [
        {"lead_id": new_id(), "tags": [], "model_version": None} for _ in range(2500)
    ]
    with db.transaction() as session:
        publish_tagged(session, tagged, "corr")
    assert [len(e["data"]["leads"]) for e in published(db)] == [1000, 1000, 500]


def test_activity_notes_apply_notes_rules_with_origin_notes(db):
    add_rule(db, "interest/crm", RuleField.NOTES, r"\bcrm\b", RuleKind.REGEX, 0.6)
    add_rule(db, "industry/retail", RuleField.INDUSTRY, "crm")  # another field: not notes
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, job_title="Buyer"))
    deliver(db, "activity.logged", activity(lead_id, "Asked about our CRM pricing"), "pipeline")
    tags = last_tags(db, lead_id)
    assert set(tags) == {"interest/crm"}
    assert tags["interest/crm"]["origin"] == "notes"
    assert tags["interest/crm"]["confidence"] == 0.6
    assert "'CRM'" in tags["interest/crm"]["reason"]
    assert len(published(db)) == 2


def test_activity_before_ingest_makes_a_placeholder_that_ingest_fills(db):
    add_rule(db, "interest/crm", RuleField.ANY, "crm")
    lead_id = new_id()
    deliver(db, "activity.logged", activity(lead_id, "crm demo"), "pipeline")
    assert set(last_tags(db, lead_id)) == {"interest/crm"}
    ingest(db, ingested_lead(lead_id, job_title="CFO"))
    assert set(last_tags(db, lead_id)) == {"interest/crm", "role/executive", "role/finance"}


def test_blank_activity_notes_change_nothing(db):
    deliver(db, "activity.logged", activity(new_id(), "   "), "pipeline")
    assert published(db) == [] and count(db, leads) == 0


def test_merge_moves_tags_to_the_survivor_and_undo_gives_them_back(db):
    survivor, merged = new_id(), new_id()
    ingest(
        db,
        ingested_lead(survivor, job_title="CEO"),
        ingested_lead(merged, job_title="Developer", tags=["interest/cloud"]),
    )
    merge = {
        "merge_id": "m1",
        "survivor_id": survivor,
        "merged_id": merged,
        "rule": "email",
        "score": 1.0,
    }
    deliver(db, "leads.merged", {"merges": [merge]}, "intake")
    assert set(last_tags(db, survivor)) == {"role/executive", "role/engineering", "interest/cloud"}
    assert [lead["lead_id"] for lead in published(db)[-1]["data"]["leads"]] == [survivor]
    assert count(db, lead_tags, lead_id=merged) == 0

    deliver(db, "leads.merged", {"merges": [{**merge, "undone": True}]}, "intake")
    assert set(last_tags(db, survivor)) == {"role/executive"}
    assert set(last_tags(db, merged)) == {"role/engineering", "interest/cloud"}


def merge_of(survivor, merged, merge_id="m1", undone=False):
    return {"merges": [{"merge_id": merge_id, "survivor_id": survivor, "merged_id": merged,
                        "rule": "email", "score": 1.0, "undone": undone}]}  # fmt: skip


def merged_into(db, lead_id):
    with db.reader() as session:
        return session.execute(
            select(leads.c.merged_into).where(leads.c.lead_id == lead_id)
        ).scalar_one()


def ceo_and_developer(db):
    survivor, merged = new_id(), new_id()
    ingest(
        db,
        ingested_lead(survivor, job_title="CEO"),
        ingested_lead(merged, job_title="Developer", tags=["interest/cloud"]),
    )
    return survivor, merged


def assert_apart(db, survivor, merged):
    assert merged_into(db, merged) is None
    assert set(last_tags(db, survivor)) == {"role/executive"}
    assert set(last_tags(db, merged)) == {"role/engineering", "interest/cloud"}
    assert count(db, lead_tags, lead_id=merged) == 2


def test_an_undo_handled_before_its_merge_keeps_the_leads_apart(db):
    """The merge's first attempt failed and was retried after its undo was handled: the late
    merge must not link the leads for good."""
    survivor, merged = ceo_and_developer(db)
    deliver(db, "leads.merged", merge_of(survivor, merged, undone=True), "intake")
    assert_apart(db, survivor, merged)
    sent = len(published(db))

    deliver(db, "leads.merged", merge_of(survivor, merged), "intake")
    assert_apart(db, survivor, merged)
    assert len(published(db)) == sent  # the skipped merge re-tags nobody


def test_a_redelivered_undo_is_harmless(db):
    survivor, merged = ceo_and_developer(db)
    for _ in range(2):
        deliver(db, "leads.merged", merge_of(survivor, merged, undone=True), "intake")
    assert count(db, undone_merges, merge_id="m1") == 1
    deliver(db, "leads.merged", merge_of(survivor, merged), "intake")
    deliver(db, "leads.merged", merge_of(survivor, merged, undone=True), "intake")
    assert_apart(db, survivor, merged)


def test_a_merge_redelivered_after_its_undo_is_not_applied_again(db):
    survivor, merged = ceo_and_developer(db)
    deliver(db, "leads.merged", merge_of(survivor, merged), "intake")
    assert merged_into(db, merged) == survivor
    deliver(db, "leads.merged", merge_of(survivor, merged, undone=True), "intake")
    assert_apart(db, survivor, merged)
    deliver(db, "leads.merged", merge_of(survivor, merged), "intake")
    assert_apart(db, survivor, merged)


def test_only_the_undone_merge_is_skipped(db):
    """Intake merging the same pair again is a new merge (a new merge_id), and applies; so does
    another merge in the same message as an undo."""
    survivor, merged = ceo_and_developer(db)
    other = new_id()
    ingest(db, ingested_lead(other, tags=["interest/crm"]))
    undo = merge_of(survivor, merged, undone=True)["merges"]
    both = {"merges": [*undo, *merge_of(survivor, other, "m2")["merges"]]}
    deliver(db, "leads.merged", both, "intake")
    assert merged_into(db, other) == survivor
    deliver(db, "leads.merged", merge_of(survivor, merged), "intake")
    assert merged_into(db, merged) is None
    deliver(db, "leads.merged", merge_of(survivor, merged, "m3"), "intake")
    assert merged_into(db, merged) == survivor
    assert set(last_tags(db, survivor)) == {
        "role/executive",
        "role/engineering",
        "interest/cloud",
        "interest/crm",
    }


def test_chained_merges_follow_to_the_last_survivor(db):
    a, b, c = new_id(), new_id(), new_id()
    ingest(db, ingested_lead(a, tags=["interest/crm"]), ingested_lead(b), ingested_lead(c))
    merges = [
        {"merge_id": "m1", "survivor_id": b, "merged_id": a, "rule": "email", "score": 1.0},
        {"merge_id": "m2", "survivor_id": c, "merged_id": b, "rule": "fuzzy", "score": 0.9},
    ]
    deliver(db, "leads.merged", {"merges": merges}, "intake")
    assert set(last_tags(db, c)) == {"interest/crm"}
    # An activity on the first merged lead lands on the survivor at the end of the chain.
    add_rule(db, "interest/security", RuleField.NOTES, "security")
    deliver(db, "activity.logged", activity(a, "security audit next month"), "pipeline")
    assert set(last_tags(db, c)) == {"interest/crm", "interest/security"}


def test_a_merge_cycle_is_refused(db):
    a, b = new_id(), new_id()
    ingest(db, ingested_lead(a), ingested_lead(b))
    deliver(
        db,
        "leads.merged",
        {
            "merges": [
                {"merge_id": "m1", "survivor_id": b, "merged_id": a, "rule": "email", "score": 1.0},
            ]
        },
        "intake",
    )
    with pytest.raises(MergeCycle):
        deliver(
            db,
            "leads.merged",
            {
                "merges": [
                    {
                        "merge_id": "m2",
                        "survivor_id": a,
                        "merged_id": b,
                        "rule": "email",
                        "score": 1.0,
                    },
                ]
            },
            "intake",
        )


def test_erasure_deletes_the_lead_and_later_events_create_nothing(db):
    lead_id, other = new_id(), new_id()
    ingest(
        db,
        ingested_lead(lead_id, job_title="CEO", notes="met at fair"),
        ingested_lead(other, job_title="CTO"),
    )
    deliver(db, "activity.logged", activity(lead_id, "call back"), "pipeline")
    sent = len(published(db))
    deliver(db, "lead.erased", {"lead_id": lead_id}, "intake")
    for table in (leads, lead_sources, lead_tags, activity_notes):
        assert count(db, table, lead_id=lead_id) == 0
    assert count(db, erased_leads, lead_id=lead_id) == 1
    assert count(db, lead_tags, lead_id=other) > 0
    # A late activity or a redelivered ingest for the erased lead brings nothing back.
    deliver(db, "activity.logged", activity(lead_id, "another call"), "pipeline")
    ingest(db, ingested_lead(lead_id, job_title="CEO"))
    assert count(db, leads, lead_id=lead_id) == 0
    assert len(published(db)) == sent  # erasure and the ignored events announce nothing


def test_erasing_a_merged_lead_retags_its_survivor(db):
    survivor, merged = new_id(), new_id()
    ingest(db, ingested_lead(survivor), ingested_lead(merged, job_title="Recruiter"))
    deliver(
        db,
        "leads.merged",
        {
            "merges": [
                {
                    "merge_id": "m1",
                    "survivor_id": survivor,
                    "merged_id": merged,
                    "rule": "email",
                    "score": 1.0,
                },
            ]
        },
        "intake",
    )
    assert set(last_tags(db, survivor)) == {"role/hr"}
    deliver(db, "lead.erased", {"lead_id": merged}, "intake")
    assert last_tags(db, survivor) == {}
    assert count(db, leads, lead_id=merged) == 0


def test_erasing_a_survivor_erases_the_leads_merged_into_it(db):
    survivor, merged = new_id(), new_id()
    ingest(db, ingested_lead(survivor), ingested_lead(merged, job_title="Recruiter"))
    deliver(
        db,
        "leads.merged",
        {
            "merges": [
                {
                    "merge_id": "m1",
                    "survivor_id": survivor,
                    "merged_id": merged,
                    "rule": "email",
                    "score": 1.0,
                },
            ]
        },
        "intake",
    )
    deliver(db, "lead.erased", {"lead_id": survivor}, "intake")
    assert count(db, leads) == 0 and count(db, lead_tags) == 0
    assert count(db, erased_leads) == 2


def touch(lead_id, **fields):
    source = fields.pop("source", {"type": "referral", "id": "employee/sam", "name": "Sam"})
    return {"touch_id": new_id(), "lead_id": lead_id, "source": source,
            "touched_at": "2026-11-21T09:00:00+00:00", **fields}  # fmt: skip


def test_a_touch_brings_its_sources_tags_notes_and_filled_fields(db):
    """A known lead referred again, or on a second list: what that sighting says of them
    reaches its tags (it used to stop at intake)."""
    add_rule(db, "interest/crm", RuleField.NOTES, r"\bcrm\b", RuleKind.REGEX, 0.6)
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, tags=["interest/analytics"]))
    assert set(last_tags(db, lead_id)) == {"interest/analytics"}

    deliver(db, "leads.touched", {"touches": [touch(
        lead_id, tags=["interest/ai"], notes="Wants a CRM demo", filled={"job_title": "CFO"},
    )]}, "intake")  # fmt: skip

    tags = last_tags(db, lead_id)
    assert tags["interest/ai"]["reason"] == "from referral Sam"
    assert tags["interest/analytics"]["reason"] == "from list Acme 2026"  # kept
    assert tags["interest/crm"]["origin"] == "notes"
    assert {"role/executive", "role/finance"} <= set(tags)  # the filled job title
    assert count(db, lead_sources, lead_id=lead_id) == 2


def test_a_bare_touch_of_an_erased_lead_changes_nothing(db):
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, job_title="CEO"))
    deliver(db, "lead.erased", {"lead_id": lead_id}, "intake")
    before = len(published(db))
    deliver(db, "leads.touched", {"touches": [touch(lead_id, tags=["interest/ai"])]}, "intake")
    assert len(published(db)) == before and count(db, leads, lead_id=lead_id) == 0


def test_a_referrer_referring_again_adds_interests_and_keeps_the_first(db):
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id))
    deliver(db, "leads.touched", {"touches": [touch(lead_id, tags=["product/crm"])]}, "intake")
    twice = [touch(lead_id, tags=["product/erp"]), touch(lead_id, tags=["interest/ai"])]
    deliver(db, "leads.touched", {"touches": twice}, "intake")  # two in one batch
    tags = last_tags(db, lead_id)
    assert {"product/crm", "product/erp", "interest/ai"} <= set(tags)
    assert count(db, lead_sources, lead_id=lead_id) == 2  # the list, and the referrer


def test_two_touches_of_a_lead_in_one_message_keep_what_each_filled(db):
    """Two rows of one file matching the same known lead: the first fills the job title, the
    second the industry (each was blank before). Both reach the lead's text."""
    add_rule(db, "industry/software", RuleField.INDUSTRY, "software")
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id))
    both = [touch(lead_id, filled={"job_title": "CFO"}),
            touch(lead_id, filled={"industry": "Software"})]  # fmt: skip
    deliver(db, "leads.touched", {"touches": both}, "intake")
    tags = last_tags(db, lead_id)
    assert "industry/software" in tags
    assert {"role/executive", "role/finance"} <= set(tags)  # the first touch's job title
    with db.reader() as session:
        row = session.execute(select(leads).where(leads.c.lead_id == lead_id)).one()
    assert (row.job_title, row.industry) == ("CFO", "Software")


def test_a_touch_handled_before_its_leads_ingest_keeps_its_tags(db):
    """Out of order (the ingest was retried through a back-off queue while the touch went
    through): the referrer's second interests must survive the late ingest of the first."""
    lead_id = new_id()
    referrer = {"type": "referral", "id": "employee/sam", "name": "Sam"}
    deliver(db, "leads.touched", {"touches": [touch(lead_id, source=referrer,
            tags=["interest/ai"])]}, "intake")  # fmt: skip
    ingest(db, ingested_lead(lead_id, source=referrer, job_title="CFO", tags=["interest/crm"]))
    assert {"interest/ai", "interest/crm", "role/executive"} <= set(last_tags(db, lead_id))


def test_a_source_tag_longer_than_tagging_stores_is_refused_by_the_contract():
    """The tag columns hold 200 characters; on PostgreSQL a longer tag failed the whole
    1,000-lead message (retried, then dead-lettered). The contract refuses such a tag (the
    consumer dead-letters the message at once, naming it) and intake refuses it on input."""
    long_tag = "interest/" + "a" * 250
    data = {"leads": [ingested_lead(new_id(), tags=[long_tag, "interest/crm"])]}
    with pytest.raises(ContractError, match="Longer than maximum length 200"):
        validate_data("leads.ingested", 1, data)
    touched = {"touches": [touch(new_id(), tags=[long_tag])]}
    with pytest.raises(ContractError, match="Longer than maximum length 200"):
        validate_data("leads.touched", 1, touched)


def test_two_events_about_one_lead_at_once_publish_a_set_with_both(db):
    """Two consumers (or a consumer and a PUT) re-tag the same lead at the same time. The one
    that commits last must publish a tag set that includes the other's evidence; on PostgreSQL
    (READ COMMITTED) the second used to read around the first's uncommitted note and publish
    a set without it, which consumers then kept as the lead's complete set."""
    add_rule(db, "interest/crm", RuleField.NOTES, "crm")
    add_rule(db, "interest/security", RuleField.NOTES, "security")
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, job_title="Buyer"))
    handler = EVENT_HANDLERS["tagging.events"]["activity.logged"]

    def handle(session, notes):
        data = activity(lead_id, notes)
        env = make_envelope("activity.logged", data, "pipeline", correlation_id=notes)
        handler(session, env, validate_data("activity.logged", 1, data))

    second = threading.Thread(target=lambda: deliver(
        db, "activity.logged", activity(lead_id, "security audit"), "pipeline"))  # fmt: skip
    with db.transaction() as session:
        handle(session, "crm demo")  # the first, not yet committed...
        second.start()
        second.join(timeout=1.5)  # ...while the second runs (or waits for it)
    second.join(timeout=30)
    assert not second.is_alive()
    assert {"interest/crm", "interest/security"} <= set(last_tags(db, lead_id))
