from rainmaker_db.alembic_env import run_migrations
from rainmaker_tagging.adapters.tables import metadata

run_migrations(metadata)
