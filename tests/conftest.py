"""Shared fixtures. Tests needing PostgreSQL use TEST_DATABASE_URL when set; SQLite otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository")
    return SHARED


def database_urls(tmp_path_factory=None) -> list[str]:
    """SQLite always; PostgreSQL too when TEST_DATABASE_URL is set."""
    urls = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append("postgresql")
    return urls


from dbfixtures import db_url, store  # noqa: E402,F401  (database fixtures: sqlite + postgresql)


@pytest.fixture(autouse=True)
def _english_terminal(monkeypatch):
    """`talentbot chat` greets in the terminal's locale: tests see the same English whatever the machine's LANG."""
    for var in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
async def server():
    """The local stand-in of the Bot API (tests/fakes/botapi.py) on 127.0.0.1, for end-to-end tests."""
    from fakes.botapi import FakeBotAPI

    async with FakeBotAPI() as s:
        yield s
