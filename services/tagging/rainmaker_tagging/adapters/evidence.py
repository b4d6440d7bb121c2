"""Loading a lead group's inputs and rules; storing and reading tag evidence."""

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from rainmaker_tagging.adapters.tables import activity_notes, lead_sources, lead_tags, leads, rules
from rainmaker_tagging.domain.model import (
    Evidence,
    LeadInputs,
    Origin,
    Rule,
    RuleField,
    RuleKind,
    SourceTags,
)


def rule_from_row(row: Any) -> Rule:
    return Rule(
        rule_id=row.rule_id,
        tag=row.tag,
        field=RuleField(row.field),
        pattern=row.pattern,
        kind=RuleKind(row.kind),
        confidence=row.confidence,
        enabled=row.enabled,
    )


def enabled_rules(session: Session) -> list[Rule]:
    rows = session.execute(select(rules).where(rules.c.enabled.is_(True)).order_by(rules.c.rule_id))
    return [rule_from_row(r) for r in rows]


def load_inputs(session: Session, groups: Mapping[str, list[str]]) -> dict[str, LeadInputs]:
    """Inputs per root, gathered over the root and every lead merged into it.

    Roots without a read-model row (never heard of, or erased) are left out.
    """
    members = [m for group in groups.values() for m in group]
    lead_rows = {
        r.lead_id: r for r in session.execute(select(leads).where(leads.c.lead_id.in_(members)))
    }
    sources: dict[str, list[SourceTags]] = {}
    for r in session.execute(
        select(lead_sources)
        .where(lead_sources.c.lead_id.in_(members))
        .order_by(lead_sources.c.source_type, lead_sources.c.source_id)
    ):
        tags = tuple(r.tags or ())
        sources.setdefault(r.lead_id, []).append(
            SourceTags(r.source_type, r.source_id, r.source_name, tags)
        )
    notes: dict[str, list[str]] = {}
    for r in session.execute(
        select(activity_notes.c.lead_id, activity_notes.c.notes)
        .where(activity_notes.c.lead_id.in_(members))
        .order_by(activity_notes.c.occurred_at, activity_notes.c.activity_id)
    ):
        notes.setdefault(r.lead_id, []).append(r.notes)
    found: dict[str, LeadInputs] = {}
    for root, group in groups.items():
        if root not in lead_rows:
            continue
        inputs = LeadInputs(root)
        for member in group:
            row = lead_rows.get(member)
            if row is not None:
                _add_text(inputs.job_titles, row.job_title)
                _add_text(inputs.companies, row.company)
                _add_text(inputs.industries, row.industry)
                _add_text(inputs.lead_notes, row.notes)
            inputs.sources.extend(sources.get(member, []))
            inputs.activity_notes.extend(n for n in notes.get(member, []) if n.strip())
        found[root] = inputs
    return found


def _add_text(texts: list[str], value: str | None) -> None:
    if value and value.strip() and value not in texts:
        texts.append(value)


def evidence_of(session: Session, lead_ids: Collection[str]) -> list[Evidence]:
    """Every stored evidence row of these leads, sorted by (tag, origin)."""
    rows = session.execute(
        select(lead_tags)
        .where(lead_tags.c.lead_id.in_(lead_ids))
        .order_by(lead_tags.c.tag, lead_tags.c.origin, lead_tags.c.lead_id)
    )
    return [
        Evidence(r.tag, r.confidence, Origin(r.origin), r.reason, r.model_version) for r in rows
    ]


def manual_evidence(session: Session, lead_ids: Collection[str]) -> dict[str, list[Evidence]]:
    rows = session.execute(
        select(lead_tags)
        .where(lead_tags.c.lead_id.in_(lead_ids), lead_tags.c.origin == Origin.MANUAL.value)
        .order_by(lead_tags.c.tag)
    )
    found: dict[str, list[Evidence]] = {}
    for r in rows:
        found.setdefault(r.lead_id, []).append(
            Evidence(r.tag, r.confidence, Origin.MANUAL, r.reason)
        )
    return found


def replace_automatic(
    session: Session, members: Iterable[str], by_root: Mapping[str, list[Evidence]], now: datetime
) -> None:
    """Drop every non-manual row of these leads, then store each root's fresh evidence."""
    session.execute(
        delete(lead_tags).where(
            lead_tags.c.lead_id.in_(list(members)), lead_tags.c.origin != Origin.MANUAL.value
        )
    )
    rows = [_row(root, e, now) for root, evidence in by_root.items() for e in evidence]
    if rows:
        session.execute(insert(lead_tags), rows)


def replace_manual(
    session: Session, lead_id: str, evidence: Iterable[Evidence], now: datetime
) -> None:
    session.execute(
        delete(lead_tags).where(
            lead_tags.c.lead_id == lead_id, lead_tags.c.origin == Origin.MANUAL.value
        )
    )
    rows = [_row(lead_id, e, now) for e in evidence]
    if rows:
        session.execute(insert(lead_tags), rows)


def _row(lead_id: str, e: Evidence, now: datetime) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "tag": e.tag,
        "origin": e.origin.value,
        "confidence": e.confidence,
        "reason": e.reason,
        "model_version": e.model_version,
        "tagged_at": now,
    }
