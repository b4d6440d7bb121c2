"""Storage plumbing: one engine and session factory per service, and Alembic upgrades."""

from rainmaker_db.engine import Database, database_url, json_text, var_dir
from rainmaker_db.migrate import upgrade

__all__ = ["Database", "database_url", "json_text", "upgrade", "var_dir"]
