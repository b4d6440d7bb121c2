"""Commands and queries about the taxonomy."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from rainmaker_tagging.adapters.tables import row_dict, taxonomy
from rainmaker_tagging.domain.model import (
    TAG_RE,
    InvalidTaxonomy,
    TagExists,
    TaxonomyNode,
    UnknownTag,
)


@dataclass(frozen=True)
class AddTag:
    """The command behind POST /taxonomy."""

    tag: str
    label: str
    parent: str | None = None


def add_tag(session: Session, cmd: AddTag) -> dict[str, Any]:
    node = TaxonomyNode(cmd.tag, cmd.label.strip(), cmd.parent)
    if not TAG_RE.match(node.tag):
        raise InvalidTaxonomy(
            f"{node.tag!r} is not a tag: use <namespace>/<path> in lower case", "tag"
        )
    if not node.label:
        raise InvalidTaxonomy("label must not be blank", "label")
    if known_tags(session, [node.tag]):
        raise TagExists(f"tag {node.tag} already exists")
    if node.parent is not None:
        if not known_tags(session, [node.parent]):
            raise InvalidTaxonomy(f"parent {node.parent} is not in the taxonomy", "parent")
        if node.parent.split("/", 1)[0] != node.namespace:
            raise InvalidTaxonomy(
                f"parent {node.parent} is not in namespace {node.namespace}", "parent"
            )
    row = {
        "tag": node.tag,
        "namespace": node.namespace,
        "label": node.label,
        "parent": node.parent,
        "created_at": datetime.now(UTC),
    }
    session.execute(insert(taxonomy), row)
    return row


def list_taxonomy(
    session: Session, *, namespace: str | None, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    query = select(taxonomy)
    if namespace:
        query = query.where(taxonomy.c.namespace == namespace)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(taxonomy.c.tag).offset(offset).limit(limit))
    return [row_dict(r) for r in rows], total


def known_tags(session: Session, tags: Collection[str]) -> set[str]:
    rows = session.execute(select(taxonomy.c.tag).where(taxonomy.c.tag.in_(list(tags))))
    return set(rows.scalars())


def require_known(session: Session, tags: Collection[str], field: str | None = None) -> None:
    unknown = sorted(set(tags) - known_tags(session, tags))
    if unknown:
        raise UnknownTag(f"not in the taxonomy: {', '.join(unknown)}", field)
