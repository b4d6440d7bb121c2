"""Roles and the authenticated caller (DESIGN.md section 6)."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    MARKETING = "marketing"
    ACCOUNT_MANAGER = "account_manager"  # bound to one am_id: sees and changes only its own
    MANAGER = "manager"  # every report, read-only everywhere else
    ADMIN = "admin"  # passes every role check


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id (never the key itself), its role and, for AMs, their id."""

    key_id: str
    role: Role
    am_id: str | None = None
