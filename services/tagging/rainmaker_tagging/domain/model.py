"""Tagging's domain: taxonomy nodes, rules, the evidence behind a tag, and the lead's inputs.

Stdlib only. A lead's tags are computed from its inputs (the text fields, the tags its
sources assert, its activity notes, the enabled rules) plus the manual corrections; each
piece of evidence carries its origin, confidence and a human-readable reason.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

# Same vocabulary as the wire contracts (rainmaker_contracts.common), kept here stdlib-only.
NAMESPACES = ("industry", "interest", "role", "size", "region", "product")
# A new taxonomy node: rainmaker_contracts.common.NEW_TAG_PATTERN (the domain imports no
# library; a test keeps the two equal).
TAG_RE = re.compile(r"^(" + "|".join(NAMESPACES) + r")(/[a-z0-9][a-z0-9_\-.]*)+\Z")
MANUAL_CONFIDENCE = 1.0
REJECTED_CONFIDENCE = 0.0  # a manual row with confidence 0 says "this tag does not apply"


class Origin(StrEnum):
    LIST = "list"
    RULE = "rule"
    DERIVED = "derived"
    MODEL = "model"
    NOTES = "notes"
    MANUAL = "manual"


AUTOMATIC_ORIGINS = (Origin.LIST, Origin.RULE, Origin.DERIVED, Origin.NOTES)


class RuleField(StrEnum):
    JOB_TITLE = "job_title"
    COMPANY = "company"
    INDUSTRY = "industry"
    NOTES = "notes"
    ANY = "any"


class RuleKind(StrEnum):
    KEYWORD = "keyword"  # a word or phrase, matched case-insensitively on word boundaries
    REGEX = "regex"  # a Python regular expression, searched case-insensitively


@dataclass(frozen=True)
class TaxonomyNode:
    tag: str
    label: str
    parent: str | None = None

    @property
    def namespace(self) -> str:
        return self.tag.split("/", 1)[0]


@dataclass(frozen=True)
class Rule:
    rule_id: int
    tag: str
    field: RuleField
    pattern: str
    kind: RuleKind
    confidence: float
    enabled: bool = True


@dataclass(frozen=True)
class Evidence:
    """One reason to believe a lead has a tag."""

    tag: str
    confidence: float
    origin: Origin
    reason: str
    model_version: str | None = None

    @property
    def rejects(self) -> bool:
        return self.origin is Origin.MANUAL and self.confidence <= REJECTED_CONFIDENCE


@dataclass(frozen=True)
class SourceTags:
    """The tags one source (a list, a referrer, an event) asserts about a lead."""

    source_type: str
    source_id: str
    source_name: str | None
    tags: tuple[str, ...]

    def describe(self) -> str:
        name = self.source_name or self.source_id
        kind = "list" if self.source_type == "rented_list" else self.source_type.replace("_", " ")
        return f"from {kind} {name}"


@dataclass
class LeadInputs:
    """Everything tagging knows about a lead (and the leads merged into it)."""

    lead_id: str
    job_titles: list[str] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    lead_notes: list[str] = field(default_factory=list)
    activity_notes: list[str] = field(default_factory=list)
    sources: list[SourceTags] = field(default_factory=list)


class NotFound(Exception):
    """A tag, rule or lead that tagging does not know."""


class FieldError(ValueError):
    """Refused input; `field` names the request field at fault (the API reports it there)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownTag(FieldError):
    """A tag that is not in the taxonomy (rules and manual tags must use taxonomy tags)."""


class InvalidTaxonomy(FieldError):
    """A taxonomy node that is malformed (bad tag, missing or foreign parent)."""


class InvalidRule(FieldError):
    """A rule whose pattern does not compile or whose fields are out of range."""


class InvalidCorrection(FieldError):
    """A manual correction that contradicts itself (a tag both set and rejected)."""


class TagExists(Exception):
    """A taxonomy tag that already exists."""


class LeadMerged(Exception):
    """A lead that was merged into another: its tags live on the survivor."""


class MergeCycle(Exception):
    """A merge that would make a lead its own survivor (the events are inconsistent)."""
