"""Storage plumbing: one engine and session factory per service, and Alembic upgrades."""

from rainmaker_db.engine import Database, database_url, var_dir
from rainmaker_db.migrate import upgrade

__all__ = ["Database", "database_url", "upgrade", "var_dir"]
