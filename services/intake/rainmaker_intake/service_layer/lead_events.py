"""What ingest announces: new leads (`leads.ingested`) and touches (`leads.touched`).

A new lead's own fields are checked against the contract and serialised once, by an import's
helper process (`own_fields`); the worker adds what a chunk's leads share (id, source, time,
tags) as bytes (`LeadHeads`). Building, checking and serialising a dict per lead took the
worker ~9 s of 1M rows. Leads built here as dicts (`wire_lead`: referrals, leads filled in by
their own duplicates) give the same JSON.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from rainmaker_bus import add_events
from rainmaker_contracts import ContractError
from rainmaker_contracts.fastload import loader_for
from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE, IngestedLeadV1
from rainmaker_intake.domain.contact import NormalisedContact

if TYPE_CHECKING:  # ingest imports this module
    from rainmaker_intake.service_layer.ingest import Sighting, SourceRef

PRODUCER = "intake"
# A lead's own fields in leads.ingested (v1), in its order: not its id, source, time or tags.
OWN_FIELDS = ("email", "phone", "first_name", "last_name", "company", "job_title", "industry",
              "website_domain", "city", "region", "country", "postcode", "employees", "notes",
              "attributes")  # fmt: skip
# The fields a touch says it filled in (its `filled`): the same, without attributes.
FILLED_FIELDS = frozenset(OWN_FIELDS) - {"attributes"}
_FROM_CONTACT = OWN_FIELDS[:-2]  # notes and attributes are set apart
_OWN_SCHEMA = IngestedLeadV1(only=OWN_FIELDS)
_own_fast = loader_for(_OWN_SCHEMA)
_LEAD_SCHEMA = IngestedLeadV1()
_lead_fast = loader_for(_LEAD_SCHEMA)


def _own(c: NormalisedContact, notes: str | None) -> dict[str, Any]:
    own = {f: getattr(c, f) for f in _FROM_CONTACT}
    own["notes"] = notes or c.notes
    own["attributes"] = c.attributes
    return own


def own_fields(c: NormalisedContact, notes: str | None) -> bytes:
    """A lead's own fields (OWN_FIELDS), checked against the contract and serialised as JSON
    object members, for `LeadHeads.lead`."""
    own = _own(c, notes)
    _check(_OWN_SCHEMA, _own_fast, own)
    return orjson.dumps(own)[1:-1]


def _check(schema: Any, fast: Any, data: dict[str, Any]) -> None:
    if fast(data) is None:  # not certain: marshmallow says what is wrong, or lets it through
        try:
            schema.load(data)
        except ValidationError as exc:
            raise ContractError("leads.ingested v1 lead is invalid", exc.messages) from None


class LeadHeads:
    """What every lead of a chunk shares (source, time) and its tags, serialised and checked
    once per chunk (per tag set), for leads put together from bytes."""

    def __init__(self, source: "SourceRef", now: datetime) -> None:
        self.common = {"source": source.wire(), "touched_at": now.isoformat()}
        self._head = orjson.dumps(self.common)[1:-1]
        self._tails: dict[tuple[str, ...], bytes] = {}

    def lead(self, lead_id: str, sighting: "Sighting", own: bytes) -> orjson.Fragment:
        tail = self._tails.get(sighting.tags)
        if tail is None:
            sample = {"lead_id": lead_id, **self.common, "tags": list(sighting.tags)}
            _check(_LEAD_SCHEMA, _lead_fast, sample)
            tail = self._tails[sighting.tags] = orjson.dumps(list(sighting.tags))
        # Ids are hex digits and dashes: nothing to escape.
        return orjson.Fragment(
            b'{"lead_id":"%s",%s,%s,"tags":%s}' % (lead_id.encode(), self._head, own, tail)
        )


def wire_lead(
    lead_id: str, c: NormalisedContact, sighting: "Sighting", source: "SourceRef", now: datetime
) -> dict[str, Any]:
    """A new lead as leads.ingested carries it (built here, checked with its message)."""
    head = {"lead_id": lead_id, "source": source.wire(), "touched_at": now.isoformat()}
    return {**head, **_own(c, sighting.notes), "tags": list(sighting.tags)}


def announce(
    session: Session,
    ingested: list[dict[str, Any] | orjson.Fragment],
    touched: list[dict[str, Any]],
    import_id: str | None,
    correlation_id: str | None,
) -> None:
    for start in range(0, len(ingested), MAX_LEADS_PER_MESSAGE):
        leads = ingested[start : start + MAX_LEADS_PER_MESSAGE]
        data = {"import_id": import_id, "leads": leads}
        # Leads from bytes were checked part by part (own_fields, LeadHeads); the others
        # are checked here, one by one.
        from_bytes = any(isinstance(lead, orjson.Fragment) for lead in leads)
        if from_bytes:
            for lead in leads:
                if isinstance(lead, dict):
                    _check(_LEAD_SCHEMA, _lead_fast, lead)
        add_events(session, "leads.ingested", [data], producer=PRODUCER,
                   correlation_id=correlation_id, validated=from_bytes)  # fmt: skip
    for start in range(0, len(touched), MAX_LEADS_PER_MESSAGE):
        add_events(
            session,
            "leads.touched",
            [{"touches": touched[start : start + MAX_LEADS_PER_MESSAGE]}],
            producer=PRODUCER,
            correlation_id=correlation_id,
        )
