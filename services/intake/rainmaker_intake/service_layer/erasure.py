"""Erasure (right to be forgotten): the person's data leaves intake; a hash stays behind so
that a later list cannot bring them back; downstream services hear `lead.erased`."""

from datetime import UTC, datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event
from rainmaker_bus.tables import outbox
from rainmaker_intake.adapters import contact_store as store
from rainmaker_intake.adapters.suppression_store import erasure_hashes
from rainmaker_intake.adapters.tables import (
    contact_keys,
    contacts,
    customers,
    decisions,
    erasures,
    import_errors,
    touches,
)
from rainmaker_intake.domain.model import NotFound

PRODUCER = "intake"


def erase(session: Session, lead_id: str, correlation_id: str | None = None) -> None:
    row = session.execute(select(contacts).where(contacts.c.lead_id == lead_id)).first()
    if row is None:
        raise NotFound(f"lead {lead_id} not found")
    contact = store.to_contact(row)
    now = datetime.now(UTC)
    for digest in erasure_hashes(contact):
        if (
            session.execute(select(erasures.c.hash).where(erasures.c.hash == digest)).first()
            is None
        ):
            session.execute(insert(erasures).values(hash=digest, erased_at=now))
    identifiers = [v for v in (contact.email, contact.phone) if v]
    # Rows that point at this lead, and error rows that quote its email or phone.
    session.execute(delete(contact_keys).where(contact_keys.c.lead_id == lead_id))
    session.execute(delete(touches).where(touches.c.lead_id == lead_id))
    session.execute(delete(decisions).where(decisions.c.lead_id == lead_id))
    session.execute(delete(customers).where(customers.c.lead_id == lead_id))
    if identifiers:
        session.execute(delete(import_errors).where(import_errors.c.value.in_(identifiers)))
        # Already-published events that carried the person (kept for a day for audits).
        session.execute(
            delete(outbox).where(
                outbox.c.published_at.is_not(None),
                or_(*[outbox.c.body.contains(v) for v in identifiers]),
            )
        )
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
