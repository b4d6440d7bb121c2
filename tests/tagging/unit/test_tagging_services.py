"""Taxonomy, rules and manual corrections through the service layer; the retag command."""

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select

from rainmaker_contracts.common import NEW_TAG_PATTERN
from rainmaker_tagging.adapters.tables import lead_tags, training_examples
from rainmaker_tagging.adapters.tables import taxonomy as taxonomy_table
from rainmaker_tagging.bootstrap import cli_groups
from rainmaker_tagging.domain.model import (
    TAG_RE,
    InvalidCorrection,
    InvalidRule,
    InvalidTaxonomy,
    LeadMerged,
    NotFound,
    RuleField,
    RuleKind,
    TagExists,
    UnknownTag,
)
from rainmaker_tagging.domain.roles import DERIVED_TAGS
from rainmaker_tagging.service_layer import lead_tags as svc
from rainmaker_tagging.service_layer import rules, taxonomy

from .support import deliver, ingest, ingested_lead, last_tags, new_id, published


def test_the_starter_taxonomy_covers_every_namespace_and_derived_role(db):
    with db.reader() as session:
        nodes, total = taxonomy.list_taxonomy(session, namespace=None, offset=0, limit=500)
        assert taxonomy.known_tags(session, DERIVED_TAGS) == set(DERIVED_TAGS)
    assert total == len(nodes) >= 30
    assert {n["namespace"] for n in nodes} == {
        "industry",
        "interest",
        "role",
        "size",
        "region",
        "product",
    }


def test_add_tag_validates_and_refuses_duplicates(db):
    with db.transaction() as session:
        node = taxonomy.add_tag(
            session, taxonomy.AddTag("region/emea/france", "France", "region/emea")
        )
    assert node["namespace"] == "region"
    with db.transaction() as session, pytest.raises(TagExists):
        taxonomy.add_tag(session, taxonomy.AddTag("region/emea/france", "France"))
    bad = [
        taxonomy.AddTag("colour/red", "Red"),
        taxonomy.AddTag("region/Paris", "Paris"),
        taxonomy.AddTag("region/paris", "  "),
        taxonomy.AddTag("region/paris", "Paris", "region/nowhere"),
        taxonomy.AddTag("region/paris", "Paris", "industry/software"),
        taxonomy.AddTag("region/emea/", "EMEA"),
        taxonomy.AddTag("region/emea//paris", "Paris"),
        taxonomy.AddTag("region/emea/.x", "X"),
    ]
    for cmd in bad:
        with db.transaction() as session, pytest.raises(InvalidTaxonomy):
            taxonomy.add_tag(session, cmd)


def test_the_domain_and_the_contracts_agree_on_a_new_tag():
    assert TAG_RE.pattern == NEW_TAG_PATTERN


def test_a_tag_stored_before_the_stricter_rule_still_tags_leads(db):
    """Taxonomy nodes and rules made when "interest/crm/" was a valid tag keep working: the
    events that carry it still pass the contracts."""
    old = "interest/crm/"
    with db.transaction() as session:
        session.execute(
            insert(taxonomy_table).values(
                tag=old, label="CRM (old)", namespace="interest", created_at=datetime.now(UTC)
            )
        )
        rules.create_rule(
            session, rules.CreateRule(old, RuleField.COMPANY, "acme", RuleKind.KEYWORD, 0.8)
        )
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, company="Acme GmbH"))
    assert old in last_tags(db, lead_id)


def test_list_taxonomy_filters_by_namespace_and_pages(db):
    with db.reader() as session:
        page, total = taxonomy.list_taxonomy(session, namespace="size", offset=1, limit=2)
    assert total == 5
    assert [n["tag"] for n in page] == ["size/large", "size/medium"]


def test_rules_are_created_changed_and_listed(db):
    with db.transaction() as session:
        created = rules.create_rule(
            session,
            rules.CreateRule(
                "industry/retail", RuleField.COMPANY, r"\bshop\b", RuleKind.REGEX, 0.6
            ),
        )
        rules.create_rule(
            session, rules.CreateRule("interest/crm", RuleField.NOTES, "crm", RuleKind.KEYWORD, 0.8)
        )
    assert created["enabled"] is True and created["rule_id"] >= 1
    with db.transaction() as session:
        changed = rules.change_rule(session, rules.ChangeRule(created["rule_id"], enabled=False))
    assert changed["enabled"] is False and changed["confidence"] == 0.6
    with db.reader() as session:
        enabled, total = rules.list_rules(session, tag=None, enabled=True, offset=0, limit=10)
        by_tag, _ = rules.list_rules(
            session, tag="industry/retail", enabled=None, offset=0, limit=10
        )
    assert total == 1 and enabled[0]["tag"] == "interest/crm"
    assert [r["rule_id"] for r in by_tag] == [created["rule_id"]]


def test_rules_must_use_taxonomy_tags_and_valid_patterns(db):
    with db.transaction() as session, pytest.raises(UnknownTag):
        rules.create_rule(
            session, rules.CreateRule("industry/unknown", RuleField.ANY, "x", RuleKind.KEYWORD, 0.5)
        )
    with db.transaction() as session, pytest.raises(InvalidRule):
        rules.create_rule(
            session, rules.CreateRule("industry/retail", RuleField.ANY, "[", RuleKind.REGEX, 0.5)
        )
    with db.transaction() as session, pytest.raises(NotFound):
        rules.change_rule(session, rules.ChangeRule(999, enabled=True))


def test_disabled_rules_stop_tagging(db):
    with db.transaction() as session:
        rule = rules.create_rule(
            session,
            rules.CreateRule("industry/retail", RuleField.COMPANY, "shop", RuleKind.KEYWORD, 0.6),
        )
        rules.change_rule(session, rules.ChangeRule(rule["rule_id"], enabled=False))
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, company="Corner Shop Ltd"))
    assert last_tags(db, lead_id) == {}


def correct(db, lead_id, tags=(), rejected=()):
    with db.transaction() as session:
        return svc.correct_tags(
            session, svc.CorrectTags(lead_id, tuple(tags), tuple(rejected), "key123"), "req-1"
        )


def test_manual_corrections_replace_manual_tags_and_become_training_examples(db):
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id, job_title="Sales Engineer", notes="likes dashboards"))
    assert set(last_tags(db, lead_id)) == {"role/sales", "role/engineering"}

    view = correct(db, lead_id, tags=["interest/analytics"], rejected=["role/engineering"])
    assert {t["tag"]: t["origin"] for t in view["tags"]} == {
        "interest/analytics": "manual",
        "role/sales": "derived",
    }
    assert any(e["tag"] == "role/engineering" and e["confidence"] == 0.0 for e in view["evidence"])
    assert last_tags(db, lead_id)["interest/analytics"]["reason"] == "set by key key123"
    assert published(db)[-1]["correlation_id"] == "req-1"
    with db.reader() as session:
        examples = {r.tag: r for r in session.execute(select(training_examples))}
    assert examples["interest/analytics"].positive is True
    assert examples["role/engineering"].positive is False
    assert examples["role/engineering"].text["job_title"] == ["Sales Engineer"]
    assert examples["role/engineering"].text["notes"] == ["likes dashboards"]

    # A second correction replaces the first one whole.
    view = correct(db, lead_id, tags=["interest/crm"])
    assert {t["tag"] for t in view["tags"]} == {"interest/crm", "role/sales", "role/engineering"}
    with db.reader() as session:
        assert set(session.execute(select(training_examples.c.tag)).scalars()) == {"interest/crm"}
        manual = session.execute(
            select(lead_tags.c.tag).where(lead_tags.c.origin == "manual")
        ).scalars()
        assert list(manual) == ["interest/crm"]


def test_corrections_are_checked(db):
    lead_id = new_id()
    ingest(db, ingested_lead(lead_id))
    with pytest.raises(NotFound):
        correct(db, new_id(), tags=["interest/crm"])
    with pytest.raises(UnknownTag):
        correct(db, lead_id, tags=["interest/telepathy"])
    with pytest.raises(InvalidCorrection):
        correct(db, lead_id, tags=["interest/crm"], rejected=["interest/crm"])
    survivor = new_id()
    ingest(db, ingested_lead(survivor))
    deliver(
        db,
        "leads.merged",
        {
            "merges": [
                {
                    "merge_id": "m",
                    "survivor_id": survivor,
                    "merged_id": lead_id,
                    "rule": "email",
                    "score": 1.0,
                },
            ]
        },
        "intake",
    )
    with pytest.raises(LeadMerged, match=survivor):
        correct(db, lead_id, tags=["interest/crm"])


def test_manual_tags_of_a_merged_lead_count_on_the_survivor(db):
    survivor, merged = new_id(), new_id()
    ingest(db, ingested_lead(survivor), ingested_lead(merged))
    correct(db, merged, tags=["interest/cloud"])
    deliver(
        db,
        "leads.merged",
        {
            "merges": [
                {
                    "merge_id": "m",
                    "survivor_id": survivor,
                    "merged_id": merged,
                    "rule": "email",
                    "score": 1.0,
                },
            ]
        },
        "intake",
    )
    assert set(last_tags(db, survivor)) == {"interest/cloud"}
    with db.reader() as session:
        view = svc.get_tags(session, survivor)
    assert view["merged_leads"] == [merged]


def test_a_merge_handled_after_its_undo_leaves_the_merged_leads_manual_tags_its_own(db):
    survivor, merged = new_id(), new_id()
    ingest(db, ingested_lead(survivor), ingested_lead(merged))
    correct(db, merged, tags=["interest/cloud"])
    entry = {"merge_id": "m", "survivor_id": survivor, "merged_id": merged, "rule": "email",
             "score": 1.0}  # fmt: skip
    deliver(db, "leads.merged", {"merges": [{**entry, "undone": True}]}, "intake")
    deliver(db, "leads.merged", {"merges": [entry]}, "intake")
    with db.reader() as session:
        assert svc.get_tags(session, survivor)["merged_leads"] == []
        assert [t["tag"] for t in svc.get_tags(session, merged)["tags"]] == ["interest/cloud"]
    assert last_tags(db, survivor) == {}
    correct(db, merged, tags=["interest/crm"])  # not refused as a merged lead's


def test_retag_command_reapplies_rules_to_every_lead(db, db_url, monkeypatch):
    ids = [new_id() for _ in range(1200)]
    for start in (0, 600):
        ingest(db, *(ingested_lead(i, company="Corner Shop") for i in ids[start : start + 600]))
    with db.transaction() as session:
        rules.create_rule(
            session,
            rules.CreateRule("industry/retail", RuleField.COMPANY, "shop", RuleKind.KEYWORD, 0.6),
        )
    before = len(published(db))
    monkeypatch.setenv("TAGGING_DATABASE_URL", db_url)
    (group,) = cli_groups()
    result = CliRunner().invoke(group, ["retag", "--all"])
    assert result.exit_code == 0, result.output
    assert "re-tagged 1200 leads" in result.output
    sent = published(db)[before:]
    assert [len(e["data"]["leads"]) for e in sent] == [1000, 200]
    assert set(last_tags(db, ids[-1])) == {"industry/retail"}
    one = CliRunner().invoke(group, ["retag", ids[0]])
    assert "re-tagged 1 leads" in one.output
    assert CliRunner().invoke(group, ["retag"]).exit_code == 2


def merge(db, survivor, merged):
    deliver(db, "leads.merged", {"merges": [{"merge_id": f"m-{merged}", "survivor_id": survivor,
            "merged_id": merged, "rule": "email", "score": 1.0}]}, "intake")  # fmt: skip


def test_a_correction_on_the_survivor_overrides_a_merged_leads_judgement(db):
    """The merged lead's old rejection must not veto what a person now sets on the survivor
    (corrections on the merged lead itself are refused with 409, so this is the only way)."""
    survivor, merged = new_id(), new_id()
    ingest(db, ingested_lead(survivor), ingested_lead(merged, job_title="Sales Engineer"))
    correct(db, merged, tags=["interest/cloud"], rejected=["role/engineering"])
    merge(db, survivor, merged)
    assert set(last_tags(db, survivor)) == {"interest/cloud", "role/sales"}

    view = correct(db, survivor, tags=["role/engineering"], rejected=["interest/cloud"])
    expected = {"role/engineering": "manual", "role/sales": "derived"}
    assert {t["tag"]: t["origin"] for t in view["tags"]} == expected
    assert {t: v["origin"] for t, v in last_tags(db, survivor).items()} == expected
    with db.reader() as session:
        assert svc.get_tags(session, survivor)["tags"] == view["tags"]
