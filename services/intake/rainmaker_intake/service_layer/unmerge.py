"""Undo a de-duplication decision: the row becomes its own contact again, with its touch, and
the survivor gives back the blanks that row had filled (where nobody changed them since)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rainmaker_bus import add_event, add_events
from rainmaker_intake.adapters import contact_store as store
from rainmaker_intake.adapters.suppression_store import blocked
from rainmaker_intake.adapters.tables import contacts, decisions, imports, lists, touches
from rainmaker_intake.domain.contact import FIELDS, NormalisedContact, RawRow
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.domain.model import NotFound
from rainmaker_intake.domain.normalise import normalise
from rainmaker_intake.service_layer.ingest import Sighting, SourceRef
from rainmaker_intake.service_layer.lead_events import wire_lead

PRODUCER = "intake"


class NothingToUnmerge(ValueError):
    """The decision does not exist on this lead, or was already undone."""


def decisions_of(session: Session, lead_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(decisions).where(decisions.c.lead_id == lead_id).order_by(decisions.c.decision_id)
    )
    return [dict(r._mapping) for r in rows]


def unmerge(session: Session, lead_id: str, decision_id: int) -> str:
    """Returns the restored lead's id."""
    d = session.execute(
        select(decisions).where(
            decisions.c.decision_id == decision_id, decisions.c.lead_id == lead_id
        )
    ).first()
    if d is None:
        raise NotFound(f"lead {lead_id} has no de-duplication decision {decision_id}")
    if d.undone_at is not None:
        raise NothingToUnmerge(f"decision {decision_id} was already undone at {d.undone_at}")
    touch = session.execute(select(touches).where(touches.c.touch_id == d.touch_id)).one()
    contact = _read_again(touch, _list_regions(session, [touch.import_id]))
    if contact is None:
        raise NothingToUnmerge(f"the row behind decision {decision_id} is no longer a contact")
    [why] = blocked(session, [contact])
    if why:  # a suppressed or erased person never enters as a lead of their own
        raise NothingToUnmerge(
            f"the row behind decision {decision_id} is kept out now ({why}): it cannot be a "
            "lead of its own, so it stays merged"
        )
    now = datetime.now(UTC)
    store.insert_contacts(session, [(d.merged_id, contact, Keyed.of(contact))], now)
    session.execute(
        update(touches).where(touches.c.touch_id == d.touch_id).values(lead_id=d.merged_id)
    )
    given_back = {
        name: value
        for name, value in (d.filled or {}).items()
        if name in store.CONTACT_FIELDS and name != "attributes"
    }
    if given_back:
        _give_back_fields(session, lead_id, given_back)
    _give_back_attributes(session, lead_id, (d.filled or {}).get("attributes") or {})
    store.refresh_profile(session, lead_id)
    session.execute(
        update(decisions).where(decisions.c.decision_id == decision_id).values(undone_at=now)
    )
    source = SourceRef(touch.source_type, touch.source_id, touch.source_name)
    add_events(
        session,
        "leads.ingested",
        [
            {
                "import_id": touch.import_id,
                "leads": [
                    wire_lead(
                        d.merged_id, contact, Sighting(contact, notes=touch.notes), source, now
                    )
                ],
            }
        ],
        producer=PRODUCER,
    )
    add_event(
        session,
        "leads.merged",
        {
            "merges": [
                {
                    # The decision's own unique id: its number may be used again on SQLite
                    # once erasure deleted the highest, and consumers keep undone merge ids.
                    "merge_id": d.merged_id,
                    "survivor_id": lead_id,
                    "merged_id": d.merged_id,
                    "rule": d.rule,
                    "score": d.score,
                    "undone": True,
                }
            ]
        },
        producer=PRODUCER,
    )
    return str(d.merged_id)


def _give_back_fields(session: Session, lead_id: str, given_back: dict[str, Any]) -> None:
    """The fields the row filled in on the survivor, where nobody changed them since: each
    filled again from the first of the survivor's other rows that gives it (the same value,
    from a later list: it stays), else blank again."""
    others = _other_rows(session, lead_id)
    current = (
        session.execute(
            select(*(contacts.c[name] for name in given_back)).where(contacts.c.lead_id == lead_id)
        )
        .one()
        ._mapping
    )
    for name, value in given_back.items():
        if current[name] != value:
            continue
        giver = next(((t, v) for t, c in others if (v := getattr(c, name)) not in (None, "")),
                     None)  # fmt: skip
        session.execute(
            update(contacts)
            .where(contacts.c.lead_id == lead_id)
            .values(**{name: giver[1] if giver else None})
        )
        if giver:
            _now_filled_by(session, lead_id, giver[0], name, giver[1])


def _other_rows(session: Session, lead_id: str) -> list[tuple[str, NormalisedContact]]:
    """The survivor's rows (touch id, row read again), oldest first: the unmerged row's touch
    has moved to its restored lead already."""
    rows = session.execute(
        select(touches)
        .where(touches.c.lead_id == lead_id)
        .order_by(touches.c.touched_at, touches.c.touch_id)
    ).all()
    regions = _list_regions(session, [row.import_id for row in rows])
    return [(row.touch_id, c) for row in rows if (c := _read_again(row, regions)) is not None]


def _read_again(touch: Any, regions: dict[str, str | None]) -> NormalisedContact | None:
    """A touch's row normalised as it was read: phone numbers in its referral batch's region,
    else its list's (`regions`, by import)."""
    original: dict[str, str] = touch.original or {}
    values = {k: v for k, v in original.items() if k in FIELDS}
    extra = {k: v for k, v in original.items() if k not in FIELDS}
    region = touch.default_region or regions.get(touch.import_id)
    contact, _ = normalise(RawRow(touch.row_number or 0, values, extra), default_region=region)
    return contact


def _now_filled_by(session: Session, lead_id: str, touch_id: str, name: str, value: Any) -> None:
    """Record a field filled again on the decision of the row that gives it, so undoing that
    decision gives it back in turn (the survivor's own first row has none: it stays)."""
    d = session.execute(
        select(decisions.c.decision_id, decisions.c.filled).where(
            decisions.c.lead_id == lead_id,
            decisions.c.touch_id == touch_id,
            decisions.c.undone_at.is_(None),
        )
    ).first()
    if d is not None:
        filled = {**(d.filled or {}), name: value}
        session.execute(
            update(decisions).where(decisions.c.decision_id == d.decision_id).values(filled=filled)
        )


def _list_regions(session: Session, import_ids: list[str | None]) -> dict[str, str | None]:
    """Import -> the default region of its list, in one query."""
    wanted = sorted({i for i in import_ids if i})
    if not wanted:
        return {}
    rows = session.execute(
        select(imports.c.import_id, lists.c.default_region)
        .join(lists, imports.c.list_id == lists.c.list_id)
        .where(imports.c.import_id.in_(wanted))
    )
    return {import_id: region for import_id, region in rows}


def _give_back_attributes(session: Session, lead_id: str, added: dict[str, Any]) -> None:
    """Drop the attributes the row added to the survivor (where nobody changed them since)."""
    if not added:
        return
    current = session.scalar(select(contacts.c.attributes).where(contacts.c.lead_id == lead_id))
    current = dict(current or {})
    kept = {k: v for k, v in current.items() if not (k in added and added[k] == v)}
    if kept != current:
        session.execute(
            update(contacts).where(contacts.c.lead_id == lead_id).values(attributes=kept)
        )
