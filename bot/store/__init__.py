"""The bot's database: one Store per process (engine, sessions, migrations) and its repositories.

    store = Store("sqlite:///talentbot.sqlite3")   # or postgresql+psycopg://user@host/db
    store.migrate()                                 # Alembic upgrade head, idempotent, safe to race
    with store.session() as s: ...                  # SQLAlchemy 2 Session, commits on success
    store.chats.load(chat_id, user_id) / save(...)  # conversation state, optimistic version
    store.updates.first_time(update_id)             # de-duplication of Telegram updates
    store.feedback.record(...)                      # "not helpful" presses

SQLite runs in WAL mode with a busy timeout and foreign keys on; every transaction starts with
BEGIN IMMEDIATE so two writers queue on the busy timeout instead of failing on a lock upgrade.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.store.models import Base, utcnow  # noqa: F401  (re-exported for callers)
from bot.store.repos import ChatRepo, FeedbackRepo, UpdateRepo

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///talentbot.sqlite3"
_MIGRATE_LOCK_KEY = 7_331_2026  # PostgreSQL advisory lock id held while migrating


def _sqlite_engine(url) -> Engine:
    memory = url.database in (None, "", ":memory:")
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if memory:
        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event below issue BEGIN itself
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            # NORMAL under WAL: a commit is not fsynced, the WAL is at checkpoints. A crash of the bot
            # process loses nothing (the OS has the writes); only a power cut or kernel crash can lose the
            # last transactions, never corrupt the file. FULL would cost an fsync per update.
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    """One per process; thread-safe (each session takes its own pooled connection)."""

    def __init__(self, url: str | None = None, *, echo: bool = False):
        url = url or DEFAULT_URL
        if "://" not in url:  # a bare file path
            url = f"sqlite:///{url}"
        self.url = make_url(url)
        if self.url.get_backend_name() == "sqlite":
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=20, echo=echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrate_lock = threading.Lock()
        self.chats = ChatRepo(self)
        self.updates = UpdateRepo(self)
        self.feedback = FeedbackRepo(self)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on an exception."""
        s = self._sessions()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def _alembic_config(self, connection):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.render_as_string(hide_password=False).replace("%", "%%"))
        cfg.attributes["connection"] = connection
        return cfg

    def migrate(self, revision: str = "head") -> None:
        """Alembic `upgrade` to `revision` (default head). Idempotent; concurrent callers queue."""
        from alembic import command

        with self._migrate_lock, self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK_KEY})
            command.upgrade(self._alembic_config(conn), revision)

    def revision(self) -> str | None:
        """The database's current Alembic revision (None for an empty database)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @staticmethod
    def head() -> str:
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        return ScriptDirectory.from_config(cfg).get_current_head()

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = ["Store", "Base", "utcnow", "MIGRATIONS_DIR"]
