"""Alembic migrations for the store; run programmatically by Store.migrate() (no alembic.ini needed)."""
