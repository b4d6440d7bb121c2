"""The SQL side of suggestions: which prospects may be suggested, and their matching tags.

Scoring itself is pure Python (domain.ranking); this module only narrows the index to
suggestible prospects that pass the AM's filters, newest first (the tie-break order).
"""

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from rainmaker_matching.adapters.tables import prospect_tags, prospects
from rainmaker_matching.domain.commands import ProspectFilter, slug
from rainmaker_matching.domain.model import ACTIVE_STAGES, ProspectStatus, Tag

_NEWEST_FIRST = (prospects.c.ingested_at.desc(), prospects.c.lead_id)


def _has_tag(tag: str) -> ColumnElement[bool]:
    wanted = prospect_tags.alias("wanted")  # its own name: the outer query may join the table
    return exists().where(wanted.c.lead_id == prospects.c.lead_id, wanted.c.tag == tag)


def _field_or_tag(value: str, namespace: str, *columns: Any) -> ColumnElement[bool]:
    text = value.strip().lower().removeprefix(f"{namespace}/")
    matches = [func.lower(column) == text for column in columns]
    return or_(*matches, _has_tag(f"{namespace}/{slug(value, namespace)}"))


def suggestible(f: ProspectFilter) -> ColumnElement[bool]:
    """Available, fully ingested, in an active stage, and passing every filter."""
    clauses: list[ColumnElement[bool]] = [
        prospects.c.status == ProspectStatus.AVAILABLE,
        prospects.c.ingested_at.is_not(None),
        or_(prospects.c.stage.is_(None), prospects.c.stage.in_(ACTIVE_STAGES)),
    ]
    clauses += [_has_tag(tag) for tag in f.tags]
    if f.industry:
        clauses.append(_field_or_tag(f.industry, "industry", prospects.c.industry))
    if f.region:
        clauses.append(_field_or_tag(f.region, "region", prospects.c.region, prospects.c.country))
    if f.source_type:
        clauses.append(prospects.c.source_type == f.source_type)
    if f.source_id:
        clauses.append(prospects.c.source_id == f.source_id)
    return and_(*clauses)


def with_profile_tags(
    session: Session, where: ColumnElement[bool], profile_tags: Collection[str]
) -> dict[str, list[Tag]]:
    """Suggestible prospects carrying at least one profile tag -> those tags, newest first."""
    found: dict[str, list[Tag]] = {}
    if not profile_tags:
        return found
    rows = session.execute(
        select(prospect_tags)
        .join(prospects, prospects.c.lead_id == prospect_tags.c.lead_id)
        .where(where, prospect_tags.c.tag.in_(sorted(profile_tags)))
        .order_by(*_NEWEST_FIRST)
    )
    for r in rows:
        found.setdefault(r.lead_id, []).append(Tag(r.tag, r.confidence, r.origin))
    return found


def newest(session: Session, where: ColumnElement[bool], limit: int) -> list[str]:
    query = select(prospects.c.lead_id).where(where).order_by(*_NEWEST_FIRST).limit(limit)
    return list(session.execute(query).scalars())


def details(session: Session, lead_ids: Sequence[str]) -> dict[str, Row[Any]]:
    rows = session.execute(select(prospects).where(prospects.c.lead_id.in_(list(lead_ids))))
    return {r.lead_id: r for r in rows}
