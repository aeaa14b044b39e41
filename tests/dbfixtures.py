"""Database fixtures: every storage and queue test runs on SQLite and, with TEST_DATABASE_URL set, PostgreSQL.

`db_url` gives an isolated empty database per test: a temporary SQLite file, or a fresh PostgreSQL
schema (dropped afterwards) reached through `options=-csearch_path=<schema>` in the URL, so even
other processes started by a test land in the same isolated schema. `store` is a migrated Store.
"""

from __future__ import annotations

import os
import uuid

import pytest


def _backends() -> list[str]:
    out = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        out.append("postgresql")
    return out


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=_backends())
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    base = os.environ["TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(db_url):
    from bot.store import Store

    st = Store(db_url)
    st.migrate()
    yield st
    st.dispose()
