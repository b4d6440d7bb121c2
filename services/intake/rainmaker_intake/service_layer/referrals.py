"""Referral leads: one or many people, each with a referrer, notes and stated interests.

They pass the same normalisation, suppression and de-duplication as list rows; the source is
`referral` (or `event` when an event referred them) with the referrer as its id, so referrers
are first-class sources in the ROI reports.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rainmaker_db import json_text
from rainmaker_intake.domain.contact import FIELDS, RawRow, RowError
from rainmaker_intake.domain.dedup import DEFAULT, DedupConfig
from rainmaker_intake.domain.normalise import normalise
from rainmaker_intake.service_layer.ingest import Sighting, SourceRef, ingest


@dataclass(frozen=True)
class ReferralResult:
    index: int
    lead_id: str | None = None
    status: str = "rejected"  # new | duplicate | suppressed | rejected
    errors: tuple[RowError, ...] = ()


# A referrer is a source: its id and label must fit the touches' source_id and source_name
# columns (and the events' source id). The longest type ("employee/", "customer: ") leaves
# these lengths for the referrer's own id and name; see `source_too_long` for the rest.
SOURCE_ID_MAX = 200
SOURCE_NAME_MAX = 300
REFERRER_ID_MAX = 100
REFERRER_NAME_MAX = 180


def referrer_source(referrer: dict[str, Any]) -> SourceRef:
    """The source of a referrer {type, id?, name?} (a name or an id is required): id
    `<type>/<id>`, or `<type>/name:<slug of the name>` when it has no id; an event is its own
    source type. The label is `<type>: <name or id>`."""
    kind = "event" if referrer["type"] == "event" else "referral"
    name = referrer.get("name")
    ref_id = referrer.get("id")
    if not ref_id:
        if not name:
            raise ValueError("a referrer needs a name or an id")
        slug = re.sub(r"\W+", "-", name.lower()).strip("-")
        # A name with no letter or digit ("!!!") slugs to nothing: its hash tells it apart.
        ref_id = "name:" + (slug or hashlib.sha256(name.encode()).hexdigest()[:12])
    label = f"{referrer['type']}: {name or ref_id}"
    return SourceRef(kind, f"{referrer['type']}/{ref_id}" if kind == "referral" else ref_id, label)


def source_too_long(referrer: dict[str, Any]) -> str | None:
    """The referrer field ("id" or "name") that makes its source too long to store, if any.

    The schema's length limits keep to the columns; this catches names that grow when
    lower-cased ("İ" becomes two characters)."""
    source = referrer_source(referrer)
    if len(source.id) > SOURCE_ID_MAX:
        return "id" if referrer.get("id") else "name"
    if len(source.name or "") > SOURCE_NAME_MAX:
        return "name" if referrer.get("name") else "id"
    return None


def add_referrals(
    session: Session,
    items: list[dict[str, Any]],
    default_region: str | None,
    correlation_id: str | None,
    dedup: DedupConfig = DEFAULT,
) -> list[ReferralResult]:
    results: dict[int, ReferralResult] = {}
    by_source: dict[SourceRef, list[tuple[int, Sighting]]] = {}
    dropped: dict[int, tuple[RowError, ...]] = {}  # values an accepted referral lost, and why
    for index, item in enumerate(items):
        values = {f: str(item[f]) for f in FIELDS if item.get(f) not in (None, "")}
        contact, errors = normalise(RawRow(index + 1, values), default_region=default_region)
        if contact is None:
            results[index] = ReferralResult(index, errors=tuple(errors))
            continue
        contact.row_number = 0  # referrals have no file row
        dropped[index] = tuple(errors)
        sighting = Sighting(
            contact,
            original=json_text(values) if values else None,
            notes=item.get("notes"),
            tags=tuple(item.get("interests") or ()),
        )
        by_source.setdefault(referrer_source(item["referrer"]), []).append((index, sighting))
    now = datetime.now(UTC)
    for source, batch in by_source.items():
        sightings = [s for _, s in batch]
        out = ingest(session, sightings, source, now=now, correlation_id=correlation_id,
                     config=dedup, region=default_region)  # fmt: skip
        for (index, _), lead_id, kind in zip(batch, out.lead_ids, out.kinds, strict=True):
            status = kind if kind in ("new", "suppressed") else "duplicate"
            results[index] = ReferralResult(index, lead_id, status, dropped[index])
    return [results[i] for i in range(len(items))]
