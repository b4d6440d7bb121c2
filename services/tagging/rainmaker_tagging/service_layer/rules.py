"""Commands and queries about tagging rules.

A new or changed rule applies to leads tagged from then on; `rainmaker tagging retag --all`
re-applies the rules to every lead already held.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from rainmaker_tagging.adapters.tables import row_dict, rules
from rainmaker_tagging.domain.model import NotFound, RuleField, RuleKind
from rainmaker_tagging.domain.rules import validate_rule
from rainmaker_tagging.service_layer.taxonomy import require_known


@dataclass(frozen=True)
class CreateRule:
    """The command behind POST /rules."""

    tag: str
    field: RuleField
    pattern: str
    kind: RuleKind
    confidence: float
    enabled: bool = True


@dataclass(frozen=True)
class ChangeRule:
    """The command behind PATCH /rules/{rule_id}: None leaves a field as it is."""

    rule_id: int
    enabled: bool | None = None
    confidence: float | None = None


def create_rule(session: Session, cmd: CreateRule) -> dict[str, Any]:
    require_known(session, [cmd.tag], "tag")
    validate_rule(cmd.pattern, cmd.kind, cmd.confidence)
    now = datetime.now(UTC)
    values = {
        "tag": cmd.tag,
        "field": cmd.field.value,
        "pattern": cmd.pattern,
        "kind": cmd.kind.value,
        "confidence": cmd.confidence,
        "enabled": cmd.enabled,
        "created_at": now,
        "updated_at": now,
    }
    rule_id = session.execute(insert(rules).values(values).returning(rules.c.rule_id)).scalar_one()
    return get_rule(session, rule_id)


def change_rule(session: Session, cmd: ChangeRule) -> dict[str, Any]:
    current = get_rule(session, cmd.rule_id)
    confidence = current["confidence"] if cmd.confidence is None else cmd.confidence
    validate_rule(current["pattern"], RuleKind(current["kind"]), confidence)
    enabled = current["enabled"] if cmd.enabled is None else cmd.enabled
    session.execute(
        update(rules)
        .where(rules.c.rule_id == cmd.rule_id)
        .values(enabled=enabled, confidence=confidence, updated_at=datetime.now(UTC))
    )
    return get_rule(session, cmd.rule_id)


def get_rule(session: Session, rule_id: int) -> dict[str, Any]:
    row = session.execute(select(rules).where(rules.c.rule_id == rule_id)).first()
    if row is None:
        raise NotFound(f"rule {rule_id} not found")
    return row_dict(row)


def list_rules(
    session: Session, *, tag: str | None, enabled: bool | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    query = select(rules)
    if tag:
        query = query.where(rules.c.tag == tag)
    if enabled is not None:
        query = query.where(rules.c.enabled.is_(enabled))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(rules.c.rule_id).offset(offset).limit(limit))
    return [row_dict(r) for r in rows], total
