"""Alembic environment for the auth database; the URL comes from the Alembic Config."""

from alembic import context
from sqlalchemy import create_engine, pool

from rainmaker_web.authdb import metadata

# The auth URL may point at a database that also holds a service's tables: a version table
# of its own keeps the two migration histories apart.
VERSION_TABLE = "rainmaker_auth_alembic_version"

url = context.config.get_main_option("sqlalchemy.url")

if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, version_table=VERSION_TABLE,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url or "", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata,
                          version_table=VERSION_TABLE, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
