"""The auth database: one `api_keys` table, created by the package's own Alembic migrations.

It lives in `RAINMAKER_AUTH_DATABASE_URL` (default: `auth.db` under var_dir()), shared by
every service and the `rainmaker keys` CLI. Run `migrate_auth()` once before starting
services (web workers never migrate: concurrent upgrades of one SQLite file race).
"""

import os
from pathlib import Path

from sqlalchemy import CheckConstraint, Column, DateTime, MetaData, String, Table

from rainmaker_db import upgrade, var_dir

AUTH_URL_ENV = "RAINMAKER_AUTH_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("hash", String(64), nullable=False),  # hex sha256 of the whole key
    Column("role", String(32), nullable=False),
    Column("am_id", String(100), nullable=True),
    Column("label", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("role <> 'account_manager' OR am_id IS NOT NULL", name="ck_api_keys_am"),
)


def auth_database_url() -> str:
    return os.environ.get(AUTH_URL_ENV) or f"sqlite:///{var_dir() / 'auth.db'}"


def migrate_auth(url: str | None = None) -> None:
    """Bring the auth database to the latest schema (idempotent)."""
    upgrade(MIGRATIONS_DIR, url or auth_database_url())
