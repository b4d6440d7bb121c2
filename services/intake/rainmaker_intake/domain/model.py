"""Intake's domain: contacts, their touches, and what an import counted. Stdlib only."""

from enum import StrEnum


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class NotFound(Exception):
    """A list, import or lead that does not exist."""


class ImportTakenOver(Exception):
    """Another run of this import moved its checkpoint first (its job queued again by a
    re-upload while a replay of the old one runs): this run stops, the other goes on."""


class InvalidUpload(ValueError):
    """An upload that cannot be imported at all (empty, binary, unreadable)."""
