"""Erasure (right to be forgotten): the person's data leaves intake; a hash stays behind so
that a later list cannot bring them back; downstream services hear `lead.erased`."""

import json
import re
from dataclasses import dataclass
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
from rainmaker_intake.domain.dedup_words import ROLE_ACCOUNTS
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
        select(
            touches.c.touch_id, touches.c.import_id, touches.c.row_number, touches.c.original
        ).where(touches.c.lead_id == lead_id)
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
    personal = [e for e in emails if e.partition("@")[0] not in ROLE_ACCOUNTS]
    _scrub_outbox(session, _Erased(lead_id, {t.touch_id for t in touched}, personal), identifiers)
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


@dataclass(frozen=True)
class _Erased:
    """What the outbox may still say of an erased lead: its id, its rows' touches (a row
    merged into another lead and restored since was announced under that lead), and its
    personal addresses (that lead's entry may carry one its row filled in)."""

    lead_id: str
    touch_ids: set[str]
    emails: list[str]


def _scrub_outbox(session: Session, erased: _Erased, identifiers: list[str]) -> None:
    """Events in the outbox that carry the person. Published ones (kept a while for audits)
    are deleted; unpublished ones lose the person's entries and still go out for everyone
    else, or are deleted when nothing else is left in them or they still name the lead
    (a merge). In another lead's entry the phone or a role mailbox stays (colleagues share a
    switchboard and info@) and so does a personal address that lead holds now (an undone
    e-mail merge: two people share it); one it no longer holds (given back by an unmerge)
    is blanked."""
    lead_id = erased.lead_id
    # Bodies are ASCII JSON: a non-ASCII address is stored \u-escaped.
    values = [*identifiers, lead_id, *erased.touch_ids]
    forms = {f for v in values for f in (v, json.dumps(v)[1:-1])}
    rows = session.execute(
        select(outbox.c.id, outbox.c.body, outbox.c.published_at).where(
            or_(*[outbox.c.body.contains(f, autoescape=True) for f in forms])
        )
    ).all()
    holders = _holders(session, erased.emails)
    for row in rows:
        body = None
        if row.published_at is None:
            body = _without_lead(row.body, erased, holders)
        if body is None or lead_id in body:
            session.execute(delete(outbox).where(outbox.c.id == row.id))
        else:
            session.execute(update(outbox).where(outbox.c.id == row.id).values(body=body))


def _holders(session: Session, emails: list[str]) -> dict[str, set[str]]:
    """Address -> the other live leads that hold it now."""
    if not emails:
        return {}
    rows = session.execute(
        select(contacts.c.email, contacts.c.lead_id).where(contacts.c.email.in_(emails))
    )
    held: dict[str, set[str]] = {}
    for email, holder in rows:
        held.setdefault(email, set()).add(holder)
    return held


def _without_lead(body: str, erased: _Erased, holders: dict[str, set[str]]) -> str | None:
    """The envelope without the erased lead's entries in its lists (`data.leads`...), its
    addresses blanked where another lead's entry carries one it does not hold; None when a
    list is left empty."""
    envelope = json.loads(body)
    data: dict[str, Any] = envelope["data"]
    for key, value in data.items():
        if isinstance(value, list) and value:
            kept = [x for x in value if not _is_erased(x, erased)]
            if not kept:
                return None
            for entry in kept:
                if isinstance(entry, dict):
                    _blank(entry, erased.emails, holders)
            data[key] = kept
    return json.dumps(envelope, separators=(",", ":"))


def _is_erased(entry: Any, erased: _Erased) -> bool:
    return isinstance(entry, dict) and (
        entry.get("lead_id") == erased.lead_id or entry.get("touch_id") in erased.touch_ids
    )


def _blank(entry: dict[str, Any], emails: list[str], holders: dict[str, set[str]]) -> None:
    """An erased address in this entry (or what it filled) that its lead does not hold."""
    lead = entry.get("lead_id")
    gone = {e for e in emails if lead not in holders.get(e, ())}
    if not gone:
        return
    for name, value in list(entry.items()):
        if isinstance(value, str) and value in gone:
            entry[name] = None
    filled = entry.get("filled")
    if isinstance(filled, dict):
        entry["filled"] = {
            k: v for k, v in filled.items() if not (isinstance(v, str) and v in gone)
        }
