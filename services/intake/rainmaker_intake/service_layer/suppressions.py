"""The do-not-contact list: emails and whole domains that must never enter as leads."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from rainmaker_intake.adapters.tables import suppressions
from rainmaker_intake.domain.emails import normalise_email
from rainmaker_intake.domain.model import NotFound
from rainmaker_intake.domain.web import website_domain


class InvalidSuppression(ValueError):
    """A suppression value that is not an email or a domain."""


def canonical(kind: str, value: str) -> str:
    """The form rows are compared in: a normalised email, or a registrable domain."""
    if kind == "email":
        email, why = normalise_email(value)
        if email is None:
            raise InvalidSuppression(f"{value!r} is not an email address: {why}")
        return email
    domain = website_domain(value)
    if domain is None:
        raise InvalidSuppression(f"{value!r} is not a domain")
    return domain


def add(session: Session, items: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Add suppressions (idempotent: an existing one is kept as it was)."""
    now = datetime.now(UTC)
    added = []
    for item in items:
        value = canonical(item["kind"], item["value"])
        key = (suppressions.c.kind == item["kind"]) & (suppressions.c.value == value)
        if session.execute(select(suppressions.c.value).where(key)).first() is None:
            session.execute(
                insert(suppressions).values(
                    kind=item["kind"], value=value, reason=item.get("reason"), created_at=now
                )
            )
        added.append({"kind": item["kind"], "value": value, "reason": item.get("reason")})
    return added


def page(
    session: Session, offset: int, limit: int, kind: str | None
) -> tuple[list[dict[str, Any]], int]:
    query = select(suppressions)
    if kind:
        query = query.where(suppressions.c.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(suppressions.c.created_at.desc(), suppressions.c.value)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows], total


def remove(session: Session, kind: str, value: str) -> None:
    result = session.execute(
        delete(suppressions).where(
            suppressions.c.kind == kind, suppressions.c.value == canonical(kind, value)
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"no {kind} suppression for {value!r}")
