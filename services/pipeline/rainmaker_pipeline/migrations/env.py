from rainmaker_db.alembic_env import run_migrations
from rainmaker_pipeline.adapters.tables import metadata

run_migrations(metadata)
