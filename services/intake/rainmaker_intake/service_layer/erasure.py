"""Erasure (right to be forgotten): the person's data leaves intake; a hash stays behind so
that a later list cannot bring them back; downstream services hear `lead.erased`."""

import json
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_bus.tables import outbox
from rainmaker_intake.adapters import contact_store as store
from rainmaker_intake.adapters.suppression_store import erasure_hashes
from rainmaker_intake.adapters.tables import (
    contacts,
    customers,
    decisions,
    erasures,
    import_errors,
    touches,
)
from rainmaker_intake.domain.emails import normalise_email
from rainmaker_intake.domain.model import NotFound

PRODUCER = "intake"


def erase(session: Session, lead_id: str, correlation_id: str | None = None) -> None:
    row = session.execute(select(contacts).where(contacts.c.lead_id == lead_id)).first()
    if row is None:
        raise NotFound(f"lead {lead_id} not found")
    contact = store.to_contact(row)
    now = datetime.now(UTC)
    touched = session.execute(
        select(touches.c.import_id, touches.c.row_number, touches.c.original).where(
            touches.c.lead_id == lead_id
        )
    ).all()
    # Every address the person was known by: rows merged into them may have used another.
    emails = sorted({e for e in (contact.email, *map(_email_of, touched)) if e})
    digests = set(erasure_hashes(contact, emails=emails))
    for digest in sorted(digests):
        if (
            session.execute(select(erasures.c.hash).where(erasures.c.hash == digest)).first()
            is None
        ):
            session.execute(insert(erasures).values(hash=digest, erased_at=now))
    identifiers = [*emails, *([contact.phone] if contact.phone else [])]
    # Rows that point at this lead; error rows of the file rows that brought them in, and any
    # other error row quoting an address or the phone (a too-wide row, in any case).
    store.delete_keys(session, row.contact_no, row.key_hashes, contact)
    for import_id, row_number in {(t.import_id, t.row_number) for t in touched}:
        if import_id and row_number:
            session.execute(
                delete(import_errors).where(
                    import_errors.c.import_id == import_id,
                    import_errors.c.row_number == row_number,
                )
            )
    session.execute(delete(touches).where(touches.c.lead_id == lead_id))
    # Its own decisions, and the one that once merged it into another lead (undone since):
    # that names it and holds what its row filled in.
    session.execute(
        delete(decisions).where(
            or_(decisions.c.lead_id == lead_id, decisions.c.merged_id == lead_id)
        )
    )
    session.execute(delete(customers).where(customers.c.lead_id == lead_id))
    if identifiers:
        _delete_errors_quoting(session, identifiers)
    # Touches of the lead carry its notes and filled fields, not always its email or phone.
    _scrub_outbox(session, lead_id, identifiers)
    session.execute(
        update(contacts).where(contacts.c.merged_into == lead_id).values(merged_into=None)
    )
    session.execute(delete(contacts).where(contacts.c.lead_id == lead_id))
    add_event(
        session,
        "lead.erased",
        {"lead_id": lead_id},
        producer=PRODUCER,
        correlation_id=correlation_id,
    )


def _delete_errors_quoting(session: Session, identifiers: list[str]) -> None:
    """Error rows quoting an address or the phone as a whole value, in any case: found with
    LIKE, kept when it is only part of another value (al@acme.com in hal@acme.com)."""
    candidates = session.execute(
        select(import_errors.c.error_id, import_errors.c.value).where(
            or_(
                *(
                    func.lower(import_errors.c.value).contains(v.lower(), autoescape=True)
                    for v in identifiers
                )
            )
        )
    ).all()
    whole = re.compile(
        "|".join(rf"(?<![\w.+@-]){re.escape(v)}(?![\w.@-])" for v in identifiers), re.IGNORECASE
    )
    doomed = [error_id for error_id, value in candidates if value and whole.search(value)]
    for start in range(0, len(doomed), 500):
        part = doomed[start : start + 500]
        session.execute(delete(import_errors).where(import_errors.c.error_id.in_(part)))


def _email_of(touch: Any) -> str | None:
    """The valid address a touch's row gave, normalised as an import would."""
    raw = (touch.original or {}).get("email") if isinstance(touch.original, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        return None
    email, why = normalise_email(raw.strip())
    return None if why else email


def _scrub_outbox(session: Session, lead_id: str, identifiers: list[str]) -> None:
    """Events in the outbox that carry the person. Published ones (kept a while for audits)
    are deleted; unpublished ones lose the person's entries and still go out for everyone
    else, or are deleted when nothing else is left in them or they still name the lead
    (a merge). The phone or an address may stay in another lead's entry: colleagues share a
    switchboard and role mailboxes, and that lead must still be announced."""
    # Bodies are ASCII JSON: a non-ASCII address is stored \u-escaped.
    forms = {f for v in [*identifiers, lead_id] for f in (v, json.dumps(v)[1:-1])}
    rows = session.execute(
        select(outbox.c.id, outbox.c.body, outbox.c.published_at).where(
            or_(*[outbox.c.body.contains(f, autoescape=True) for f in forms])
        )
    ).all()
    for row in rows:
        body = None if row.published_at is not None else _without_lead(row.body, lead_id)
        if body is None or lead_id in body:
            session.execute(delete(outbox).where(outbox.c.id == row.id))
        else:
            session.execute(update(outbox).where(outbox.c.id == row.id).values(body=body))


def _without_lead(body: str, lead_id: str) -> str | None:
    """The envelope without the lead's entries in its lists (`data.leads`...), or None when
    a list is left empty."""
    envelope = json.loads(body)
    data: dict[str, Any] = envelope["data"]
    for key, value in data.items():
        if isinstance(value, list) and value:
            kept = [x for x in value if not (isinstance(x, dict) and x.get("lead_id") == lead_id)]
            if not kept:
                return None
            data[key] = kept
    return json.dumps(envelope, separators=(",", ":"))
