"""A lead's automatic evidence, and the one tag set it resolves to.

Evidence is kept per (tag, origin): when several sources or rules give the same tag with the
same origin, the most confident one stands and the reasons are joined. The resolved set has
one entry per tag: a manual correction wins outright (a manual rejection removes the tag);
otherwise the most confident evidence, ties broken by ORIGIN_PRECEDENCE.
"""

from collections.abc import Iterable, Mapping, Sequence

from rainmaker_tagging.domain.model import (
    MANUAL_CONFIDENCE,
    Evidence,
    LeadInputs,
    Origin,
    Rule,
)
from rainmaker_tagging.domain.roles import derive_roles
from rainmaker_tagging.domain.rules import apply_rules

LIST_CONFIDENCE = 1.0
MAX_REASONS = 3
ORIGIN_PRECEDENCE = (
    Origin.MANUAL,
    Origin.LIST,
    Origin.RULE,
    Origin.NOTES,
    Origin.MODEL,
    Origin.DERIVED,
)
_RANK = {origin: i for i, origin in enumerate(ORIGIN_PRECEDENCE)}


def _from_sources(inputs: LeadInputs) -> list[Evidence]:
    return [
        Evidence(tag, LIST_CONFIDENCE, Origin.LIST, source.describe())
        for source in sorted(inputs.sources, key=lambda s: (s.describe(), s.source_id))
        for tag in source.tags
    ]


def _collapse(evidence: Iterable[Evidence]) -> list[Evidence]:
    """One Evidence per (tag, origin): the highest confidence, with up to 3 reasons."""
    groups: dict[tuple[str, Origin], list[Evidence]] = {}
    for item in evidence:
        groups.setdefault((item.tag, item.origin), []).append(item)
    collapsed = []
    for (tag, origin), items in sorted(groups.items()):
        items.sort(key=lambda e: -e.confidence)  # stable: equal confidence keeps input order
        reasons = list(dict.fromkeys(e.reason for e in items))
        reason = "; ".join(reasons[:MAX_REASONS])
        if len(reasons) > MAX_REASONS:
            reason += f"; and {len(reasons) - MAX_REASONS} more"
        collapsed.append(Evidence(tag, items[0].confidence, origin, reason))
    return collapsed


def automatic_evidence(inputs: LeadInputs, rules: Iterable[Rule]) -> list[Evidence]:
    """List, rule, notes and derived evidence for one lead, sorted by (tag, origin)."""
    derived = [e for title in inputs.job_titles for e in derive_roles(title)]
    return _collapse([*_from_sources(inputs), *apply_rules(rules, inputs), *derived])


def group_manual(manual: Mapping[str, list[Evidence]], group: Sequence[str]) -> list[Evidence]:
    """The manual evidence of a merge group ([survivor, *merged]): the survivor's own judgement
    of a tag wins over the merged leads' (it is the only lead a person can still correct, so a
    merged lead's old rejection must not veto it); theirs count for the tags it has not judged."""
    root, *merged = group
    own = manual.get(root, [])
    judged = {e.tag for e in own}
    return [*own, *(e for m in merged for e in manual.get(m, []) if e.tag not in judged)]


def resolve(evidence: Iterable[Evidence]) -> list[Evidence]:
    """The lead's tag set: one Evidence per tag, sorted by tag."""
    by_tag: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_tag.setdefault(item.tag, []).append(item)
    resolved = []
    for tag in sorted(by_tag):
        items = by_tag[tag]
        manual = [e for e in items if e.origin is Origin.MANUAL]
        if manual:
            if any(e.rejects for e in manual):
                continue
            resolved.append(Evidence(tag, MANUAL_CONFIDENCE, Origin.MANUAL, manual[0].reason))
            continue
        resolved.append(min(items, key=lambda e: (-e.confidence, _RANK[e.origin])))
    return resolved
