"""Re-tag leads: recompute their automatic evidence, keep manual corrections, announce.

Every event and correction ends here, so a lead's tags are always a function of what
tagging holds about it (read-model, activity notes, enabled rules, manual rows): handling an
event twice, or in another order, converges on the same tags.
"""

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from rainmaker_bus import add_events
from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE
from rainmaker_tagging.adapters import evidence as ev
from rainmaker_tagging.adapters import merges as mg
from rainmaker_tagging.adapters import read_model as rm
from rainmaker_tagging.domain.model import Evidence
from rainmaker_tagging.domain.tagset import automatic_evidence, group_manual, resolve

PRODUCER = "tagging"


def wire_tag(e: Evidence) -> dict[str, Any]:
    return {"tag": e.tag, "confidence": e.confidence, "origin": e.origin.value, "reason": e.reason}


def retag(
    session: Session, lead_ids: Collection[str], *, correlation_id: str | None
) -> list[dict[str, Any]]:
    """Re-tag the survivors of these leads and publish leads.tagged; returns what was sent."""
    if not lead_ids:
        return []
    # Lock before reading: the leads (a merge committed meanwhile changes their roots), then
    # their roots, so a concurrent re-tag of the same survivor waits and then sees our writes.
    rm.lock(session, lead_ids)
    roots = sorted(set(mg.roots_of(session, lead_ids).values()))
    rm.lock(session, roots)
    groups = mg.groups_of(session, roots)
    inputs = ev.load_inputs(session, groups)
    groups = {root: group for root, group in groups.items() if root in inputs}
    members = [m for group in groups.values() for m in group]
    rules = ev.enabled_rules(session)
    automatic = {root: automatic_evidence(inputs[root], rules) for root in groups}
    ev.replace_automatic(session, members, automatic, datetime.now(UTC))
    manual = ev.manual_evidence(session, members)
    tagged = []
    for root, group in groups.items():
        evidence = [*automatic[root], *group_manual(manual, group)]
        tags = [wire_tag(e) for e in resolve(evidence)]
        tagged.append({"lead_id": root, "tags": tags, "model_version": None})
    publish_tagged(session, tagged, correlation_id)
    return tagged


def publish_tagged(
    session: Session, tagged: list[dict[str, Any]], correlation_id: str | None
) -> None:
    """leads.tagged in messages of at most MAX_LEADS_PER_MESSAGE leads."""
    add_events(
        session,
        "leads.tagged",
        [
            {"leads": tagged[start : start + MAX_LEADS_PER_MESSAGE]}
            for start in range(0, len(tagged), MAX_LEADS_PER_MESSAGE)
        ],
        producer=PRODUCER,
        correlation_id=correlation_id,
    )
