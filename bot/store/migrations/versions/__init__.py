"""Alembic revisions: 0001 conversation tables, 0002 complaint queue."""
