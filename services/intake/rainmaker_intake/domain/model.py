"""Intake's domain: contacts, their touches, and what an import counted. Stdlib only."""

from dataclasses import dataclass, field
from enum import StrEnum


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class ImportCounts:
    rows_total: int = 0
    rows_done: int = 0
    accepted: int = 0
    duplicates_in_file: int = 0
    duplicates_existing: int = 0
    suppressed: int = 0
    rejected: int = 0


@dataclass
class Contact:
    email: str | None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    job_title: str | None = None
    phone: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


class NotFound(Exception):
    """A list, import or lead that does not exist."""


class InvalidUpload(ValueError):
    """An upload that cannot be imported at all (empty, binary, unreadable)."""
