"""Envelope round trip and contract errors that name the failing field."""

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from marshmallow import ValidationError

from rainmaker_contracts import EVENT_TYPES, ContractError, make_envelope, parse_envelope
from rainmaker_contracts.common import NEW_TAG_PATTERN, new_tag_field

NOW = datetime(2024, 5, 1, 12, 30, tzinfo=UTC).isoformat()
SOURCE = {"type": "rented_list", "id": "list-1"}
LEAD = {"lead_id": "L1", "source": SOURCE, "touched_at": NOW, "email": "a@b.example"}
TAG = {"tag": "industry/software", "confidence": 0.9, "origin": "rule"}

# One valid `data` per event type: a new event type without a sample fails test_every_type.
SAMPLES: dict[str, dict[str, Any]] = {
    "intake.import_requested": {"import_id": "i1", "list_id": "l1"},
    "list.imported": {
        "list_id": "l1",
        "import_id": "i1",
        "name": "Expo 2024",
        "cost_minor": 120000,
        "currency": "EUR",
        "rows_total": 10,
        "accepted": 7,
        "duplicates_in_file": 1,
        "duplicates_existing": 1,
        "suppressed": 0,
        "rejected": 1,
    },
    "leads.ingested": {"import_id": "i1", "leads": [LEAD]},
    "leads.touched": {
        "touches": [{"touch_id": "t1", "lead_id": "L1", "source": SOURCE, "touched_at": NOW}]
    },
    "leads.merged": {
        "merges": [
            {
                "merge_id": "m1",
                "survivor_id": "L1",
                "merged_id": "L2",
                "rule": "email",
                "score": 1.0,
            }
        ]
    },
    "lead.erased": {"lead_id": "L1"},
    "leads.tagged": {"leads": [{"lead_id": "L1", "tags": [TAG]}]},
    "account_manager.upserted": {"am_id": "am1", "name": "Ada", "capacity": 50},
    "lead.stage_changed": {"lead_id": "L1", "to_stage": "lead", "changed_at": NOW},
    "activity.logged": {"activity_id": "a1", "lead_id": "L1", "kind": "call", "occurred_at": NOW},
    "deal.closed": {
        "deal_id": "d1",
        "lead_id": "L1",
        "outcome": "won",
        "value_minor": 990000,
        "currency": "EUR",
        "closed_at": NOW,
    },
    "prospect.claimed": {"claim_id": "c1", "lead_id": "L1", "am_id": "am1", "claimed_at": NOW},
}


def test_every_event_type_has_a_sample():
    assert set(SAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_envelope_round_trip(event_type):
    env = make_envelope(event_type, SAMPLES[event_type], "intake", correlation_id="imp-7")
    wire = json.loads(env.to_json())
    assert set(wire) == {
        "id",
        "type",
        "version",
        "occurred_at",
        "producer",
        "correlation_id",
        "data",
    }
    back, loaded = parse_envelope(env.to_json())
    assert back == env
    assert back.occurred_at.tzinfo is not None
    assert isinstance(loaded, dict)


def test_loaded_data_is_typed():
    env = make_envelope("leads.ingested", SAMPLES["leads.ingested"], "intake")
    _, loaded = parse_envelope(env.to_json())
    lead = loaded["leads"][0]
    assert lead["touched_at"] == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
    assert lead["tags"] == [] and lead["attributes"] == {}  # defaults filled in


def test_unknown_fields_are_dropped_so_optional_additions_stay_compatible():
    data = {**SAMPLES["lead.erased"], "added_in_a_later_producer": True}
    env = make_envelope("lead.erased", data, "intake")
    _, loaded = parse_envelope(env.to_json())
    assert loaded == {"lead_id": "L1"}


def test_invalid_data_names_nested_field_paths():
    bad_lead = {**LEAD, "source": {"type": "carrier_pigeon", "id": "x"}}
    del bad_lead["lead_id"]
    with pytest.raises(ContractError) as info:
        make_envelope("leads.ingested", {"leads": [LEAD, bad_lead]}, "intake")
    errors: Any = info.value.errors
    assert set(errors) == {"leads"}
    assert set(errors["leads"]) == {1}  # only the second lead is wrong
    assert "lead_id" in errors["leads"][1]
    assert "type" in errors["leads"][1]["source"]
    assert "leads" in str(info.value)  # the message names the path too


BAD_NEW_TAGS = ["interest/a//b", "interest/a/", "interest/", "interest/./b", "interest/../b",
                "interest/a/.x", "interest/crm\n", "interests/crm", "Interest/crm"]  # fmt: skip
FINE_TAGS = ["interest/crm/analytics", "size/11-50", "region/de.by", "product/x_y/z"]


@pytest.mark.parametrize("tag", BAD_NEW_TAGS)
def test_a_new_tag_has_no_empty_or_dot_steps(tag: str) -> None:
    assert not re.match(NEW_TAG_PATTERN, tag)
    with pytest.raises(ValidationError):
        new_tag_field().deserialize(tag)


def test_events_still_carry_tags_stored_before_the_stricter_rule() -> None:
    for tag in ["interest/a//b", "interest/crm/", "interest/a/.hidden", *FINE_TAGS]:
        make_envelope("leads.ingested", {"leads": [{**LEAD, "tags": [tag]}]}, "intake")
    assert all(re.match(NEW_TAG_PATTERN, tag) for tag in FINE_TAGS)
    for tag in ["interests/crm", "Interest/crm", "interest/"]:
        with pytest.raises(ContractError, match="tags"):
            make_envelope("leads.ingested", {"leads": [{**LEAD, "tags": [tag]}]}, "intake")


def test_too_many_leads_in_one_message_is_refused():
    leads = [{**LEAD, "lead_id": f"L{i}"} for i in range(1001)]
    with pytest.raises(ContractError) as info:
        make_envelope("leads.ingested", {"leads": leads}, "intake")
    assert "leads" in str(info.value)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "type": "lead.erased",
                "version": 1,
                "occurred_at": NOW,
                "producer": "p",
                "data": {"lead_id": "L"},
            },
            "id",
        ),
        (
            {
                "id": "1",
                "type": "no.such_event",
                "version": 1,
                "occurred_at": NOW,
                "producer": "p",
                "data": {},
            },
            "type",
        ),
        (
            {
                "id": "1",
                "type": "lead.erased",
                "version": 1,
                "occurred_at": "2024-05-01T12:00:00",
                "producer": "p",
                "data": {"lead_id": "L"},
            },
            "occurred_at",
        ),  # naive: no zone
        (
            {
                "id": "1",
                "type": "lead.erased",
                "version": 0,
                "occurred_at": NOW,
                "producer": "p",
                "data": {"lead_id": "L"},
            },
            "version",
        ),
    ],
)
def test_invalid_envelope_names_the_field(body, field):
    with pytest.raises(ContractError) as info:
        parse_envelope(json.dumps(body).encode())
    errors: Any = info.value.errors
    assert field in errors


def test_unknown_version_is_a_contract_error():
    body = {
        "id": "1",
        "type": "lead.erased",
        "version": 9,
        "occurred_at": NOW,
        "producer": "p",
        "data": {"lead_id": "L"},
    }
    with pytest.raises(ContractError, match="version 9"):
        parse_envelope(json.dumps(body).encode())


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe", b"[1, 2]", b'"text"'])
def test_non_object_bodies_are_contract_errors(body):
    with pytest.raises(ContractError):
        parse_envelope(body)


def test_invalid_data_inside_a_valid_envelope():
    env = make_envelope("lead.erased", {"lead_id": "L1"}, "intake")
    wire = json.loads(env.to_json())
    wire["data"] = {"lead_id": None}
    with pytest.raises(ContractError) as info:
        parse_envelope(json.dumps(wire).encode())
    errors: Any = info.value.errors
    assert "lead_id" in errors
