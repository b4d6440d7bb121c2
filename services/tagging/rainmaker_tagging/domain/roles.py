"""Roles derived from job titles: one seniority (the first that matches) plus any functions.

"VP Engineering" -> role/leadership + role/engineering; "Chief Financial Officer" ->
role/executive + role/finance. Words match case-insensitively on word boundaries.
"""

import re
from collections.abc import Iterable

from rainmaker_tagging.domain.model import Evidence, Origin

# (tag, confidence, phrases). Seniorities are exclusive and checked in order: the first wins.
SENIORITIES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "role/executive",
        0.9,
        (
            "CEO",
            "CFO",
            "COO",
            "CTO",
            "CIO",
            "CMO",
            "CRO",
            "CISO",
            "Chief",
            "President",
            "Founder",
            "Co-founder",
            "Cofounder",
            "Owner",
            "Managing Director",
            "Geschäftsführer",
        ),
    ),
    (
        "role/leadership",
        0.85,
        (
            "VP",
            "SVP",
            "EVP",
            "Vice President",
            "Head of",
            "Director",
        ),
    ),
    ("role/management", 0.75, ("Manager", "Team Lead", "Team Leader", "Supervisor")),
)
# Functions add up: a title may name several.
FUNCTIONS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        "role/engineering",
        0.8,
        (
            "Engineer",
            "Engineering",
            "Developer",
            "Programmer",
            "Architect",
            "DevOps",
            "SRE",
            "CTO",
        ),
    ),
    ("role/it", 0.8, ("IT", "CIO", "CISO", "Sysadmin", "System Administrator", "Infrastructure")),
    (
        "role/sales",
        0.8,
        (
            "Sales",
            "Account Executive",
            "Business Development",
            "BDR",
            "SDR",
            "CRO",
        ),
    ),
    ("role/marketing", 0.8, ("Marketing", "CMO", "Growth", "Brand", "Communications")),
    (
        "role/finance",
        0.8,
        (
            "Finance",
            "Financial",
            "CFO",
            "Accountant",
            "Accounting",
            "Controller",
            "Treasurer",
        ),
    ),
    ("role/operations", 0.75, ("Operations", "COO", "Logistics", "Supply Chain", "Procurement")),
    ("role/hr", 0.8, ("HR", "Human Resources", "People", "Recruiter", "Recruiting", "Talent")),
)

# Phrases that hold a seniority word without being that seniority: a product owner owns a
# backlog, not the business.
NOT_SENIORITY = (
    "Product Owner",
    "Process Owner",
    "Service Owner",
    "System Owner",
    "Data Owner",
    "Account Owner",
    "Risk Owner",
    "Content Owner",
)

CASE_SENSITIVE = frozenset({"IT"})
DERIVED_TAGS = tuple(tag for tag, _c, _p in (*SENIORITIES, *FUNCTIONS))


def _matcher(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted((r"\s+".join(map(re.escape, p.split())) for p in phrases), key=len)
    # "IT" must be upper case to count ("it" is a word); every other phrase matches in any case.
    parts = [a if a in CASE_SENSITIVE else f"(?i:{a})" for a in reversed(alternatives)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


_SENIORITY = tuple((tag, conf, _matcher(ps)) for tag, conf, ps in SENIORITIES)
_FUNCTION = tuple((tag, conf, _matcher(ps)) for tag, conf, ps in FUNCTIONS)
_NOT_SENIORITY = _matcher(NOT_SENIORITY)
# "Assistant to the CEO": the executive named after "to" is whom they assist, not their rank.
_TO_SOMEONE = re.compile(r"(?i)(?<!\w)to(?:\s+the)?\s+$")


def _senior_match(title: str, span: tuple[int, int], shadows: list[tuple[int, int]]) -> bool:
    """A seniority word counts unless a longer phrase holds it ("President" in "Vice
    President", "Owner" in "Product Owner") or it names whom the person works for."""
    start, end = span
    held = any(a <= start and end <= b and b - a > end - start for a, b in shadows)
    return not held and not _TO_SOMEONE.search(title[:start])


def _evidence(tag: str, confidence: float, title: str, pattern: re.Pattern[str]) -> Evidence:
    words = sorted({m.group(0) for m in pattern.finditer(title)}, key=str.lower)
    quoted = ", ".join(repr(w) for w in words)
    return Evidence(tag, confidence, Origin.DERIVED, f"job title {title!r} contains {quoted}")


def derive_roles(job_title: str | None) -> list[Evidence]:
    """role/... evidence for one job title (empty for no title or no known words)."""
    title = " ".join((job_title or "").split())
    if not title:
        return []
    found: list[Evidence] = []
    spans = [[m.span() for m in pattern.finditer(title)] for _t, _c, pattern in _SENIORITY]
    shadows = [*(s for found_spans in spans for s in found_spans),
               *(m.span() for m in _NOT_SENIORITY.finditer(title))]  # fmt: skip
    for (tag, confidence, pattern), found_spans in zip(_SENIORITY, spans, strict=True):
        if any(_senior_match(title, span, shadows) for span in found_spans):
            found.append(_evidence(tag, confidence, title, pattern))
            break
    for tag, confidence, pattern in _FUNCTION:
        if pattern.search(title):
            found.append(_evidence(tag, confidence, title, pattern))
    return found
