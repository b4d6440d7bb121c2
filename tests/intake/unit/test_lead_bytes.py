"""A new lead's leads.ingested entry put together from bytes (its own fields serialised and
checked by the import's helper, its id, source, time and tags by the worker) is the entry the
worker used to build as a dict, and the message passes the consumers' contract check."""

import json
from datetime import UTC, datetime

import orjson
import pytest

from rainmaker_contracts import ContractError, make_envelope, parse_envelope
from rainmaker_contracts.registry import LATEST_VERSION
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.service_layer.ingest import Sighting, SourceRef
from rainmaker_intake.service_layer.lead_events import LeadHeads, own_fields, wire_lead

NOW = datetime(2026, 11, 22, 21, 0, 5, 123456, tzinfo=UTC)
SOURCE = SourceRef("rented_list", "list-1", 'Q3 "CTOs" — Zürich')
PEOPLE = [
    NormalisedContact(2, email="ann@acme.com", first_name="Ann", last_name="Lee",
                      employees=12, attributes={"Revenue": "1M", "Ünïcode": "日本"}),
    NormalisedContact(3, phone="+4930123456", first_name="Zoë", company='Acme "Labs"',
                      notes="line one\nline \\two\t\u2028"),
    NormalisedContact(4, email="x@y.z"),
]  # fmt: skip


@pytest.mark.parametrize("notes", [None, "met at a fair"])
def test_a_lead_from_bytes_is_the_lead_as_a_dict(notes: str | None) -> None:
    assert LATEST_VERSION["leads.ingested"] == 1  # the bytes follow v1
    heads = LeadHeads(SOURCE, NOW)
    for i, c in enumerate(PEOPLE):
        sighting = Sighting(c, notes=notes, tags=("industry/software",))
        lead_id = f"0194f3a2-{i:04d}-7000-8000-00000000000{i}"
        made = heads.lead(lead_id, sighting, own_fields(c, notes))
        as_dict = wire_lead(lead_id, c, sighting, SOURCE, NOW)
        assert orjson.dumps(made) == orjson.dumps(as_dict)  # the same bytes, key order too
        assert json.loads(orjson.dumps(made)) == as_dict


def test_a_message_of_leads_from_bytes_passes_the_consumers_check() -> None:
    heads = LeadHeads(SOURCE, NOW)
    leads = [heads.lead(f"id-{i}", Sighting(c), own_fields(c, None)) for i, c in enumerate(PEOPLE)]
    env = make_envelope("leads.ingested", {"import_id": "imp-1", "leads": leads}, "intake",
                        validated=True)  # fmt: skip
    _, loaded = parse_envelope(env.to_json())
    assert [lead["first_name"] for lead in loaded["leads"]] == ["Ann", "Zoë", None]
    assert loaded["leads"][0]["attributes"] == {"Revenue": "1M", "Ünïcode": "日本"}


def test_fields_the_contract_refuses_are_refused_where_they_are_serialised() -> None:
    bad = NormalisedContact(5, email="a@b.c", employees="many")  # type: ignore[arg-type]
    with pytest.raises(ContractError, match="employees"):
        own_fields(bad, None)
    heads = LeadHeads(SOURCE, NOW)
    with pytest.raises(ContractError, match="tags"):
        heads.lead("id-1", Sighting(PEOPLE[0], tags=("Not A Tag",)), own_fields(PEOPLE[0], None))
