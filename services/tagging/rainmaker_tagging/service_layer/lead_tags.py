"""A lead's tags: the query behind GET and the manual correction behind PUT."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from rainmaker_tagging.adapters import evidence as ev
from rainmaker_tagging.adapters import merges as mg
from rainmaker_tagging.adapters import read_model as rm
from rainmaker_tagging.adapters.tables import training_examples
from rainmaker_tagging.domain.model import (
    MANUAL_CONFIDENCE,
    REJECTED_CONFIDENCE,
    Evidence,
    InvalidCorrection,
    LeadInputs,
    LeadMerged,
    NotFound,
    Origin,
)
from rainmaker_tagging.domain.tagset import group_manual, resolve
from rainmaker_tagging.service_layer.retag import retag, wire_tag
from rainmaker_tagging.service_layer.taxonomy import require_known


@dataclass(frozen=True)
class CorrectTags:
    """The command behind PUT /leads/{lead_id}/tags: the lead's manual tags, replaced whole."""

    lead_id: str
    tags: tuple[str, ...]
    rejected: tuple[str, ...] = ()
    key_id: str | None = None


def _lead(session: Session, lead_id: str) -> dict[str, Any]:
    row = rm.existing(session, [lead_id]).get(lead_id)
    if row is None:
        raise NotFound(f"lead {lead_id} is not known to tagging")
    if row["merged_into"] is not None:
        root = mg.roots_of(session, [lead_id])[lead_id]
        raise LeadMerged(f"lead {lead_id} was merged into lead {root}; its tags are there")
    return row


def get_tags(session: Session, lead_id: str) -> dict[str, Any]:
    """The resolved tag set (what leads.tagged carries) and every piece of evidence behind it."""
    _lead(session, lead_id)
    group = mg.groups_of(session, [lead_id])[lead_id]
    evidence = ev.evidence_of(session, group)
    automatic = [e for e in evidence if e.origin is not Origin.MANUAL]
    manual = group_manual(ev.manual_evidence(session, group), group)
    return {
        "lead_id": lead_id,
        "tags": [wire_tag(e) for e in resolve([*automatic, *manual])],
        "evidence": [{**wire_tag(e), "model_version": e.model_version} for e in evidence],
        "merged_leads": group[1:],
        "model_version": None,
    }


def correct_tags(session: Session, cmd: CorrectTags, correlation_id: str | None) -> dict[str, Any]:
    """Replace the lead's manual tags, record them as training examples, re-tag, announce."""
    _lead(session, cmd.lead_id)
    tags, rejected = sorted(set(cmd.tags)), sorted(set(cmd.rejected))
    both = set(tags) & set(rejected)
    if both:
        raise InvalidCorrection(f"set and rejected at once: {', '.join(sorted(both))}", "rejected")
    require_known(session, tags, "tags")
    require_known(session, rejected, "rejected")
    who = f"key {cmd.key_id}" if cmd.key_id else "a user"
    manual = [
        *(Evidence(t, MANUAL_CONFIDENCE, Origin.MANUAL, f"set by {who}") for t in tags),
        *(Evidence(t, REJECTED_CONFIDENCE, Origin.MANUAL, f"rejected by {who}") for t in rejected),
    ]
    now = datetime.now(UTC)
    ev.replace_manual(session, cmd.lead_id, manual, now)
    group = mg.groups_of(session, [cmd.lead_id])
    text = _snapshot(ev.load_inputs(session, group)[cmd.lead_id])
    session.execute(delete(training_examples).where(training_examples.c.lead_id == cmd.lead_id))
    if manual:
        session.execute(
            insert(training_examples),
            [
                {
                    "lead_id": cmd.lead_id,
                    "tag": e.tag,
                    "positive": not e.rejects,
                    "text": text,
                    "key_id": cmd.key_id,
                    "recorded_at": now,
                }
                for e in manual
            ],
        )
    retag(session, [cmd.lead_id], correlation_id=correlation_id)
    return get_tags(session, cmd.lead_id)


def _snapshot(inputs: LeadInputs) -> dict[str, list[str]]:
    """The text a model will learn from, as it was when the person judged the tags."""
    return {
        "job_title": inputs.job_titles,
        "company": inputs.companies,
        "industry": inputs.industries,
        "notes": [*inputs.lead_notes, *inputs.activity_notes],
    }
