"""Alembic migrations of the auth database (a package so that wheels ship it)."""
