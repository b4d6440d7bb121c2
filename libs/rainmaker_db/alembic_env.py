"""The body of every service's Alembic env.py: online migrations from the configured URL."""

from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool

from rainmaker_bus.tables import BUS_METADATA
from rainmaker_db.engine import make_engine


def run_migrations(*service_metadata: MetaData) -> None:
    # The bus tables (outbox, inbox) live in every service database beside its own tables.
    target_metadata = [*service_metadata, BUS_METADATA]
    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("sqlalchemy.url is not set; run migrations via rainmaker_db.upgrade")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    kwargs: dict[str, Any] = {"poolclass": pool.NullPool}
    engine = make_engine(url, immediate=False, **kwargs)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",  # SQLite needs batch ALTERs
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
