"""The store: migrations (empty and previous-version databases), chat state, update de-duplication, feedback."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import inspect, text

from bot.core.messages import ChatState
from bot.store import Store
from bot.store.models import Base


def test_migrate_empty_database_to_head(db_url):
    st = Store(db_url)
    assert st.revision() is None
    st.migrate()
    st.migrate()  # idempotent
    assert st.revision() == Store.head() == "0002"
    tables = set(inspect(st.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_models(store):
    """What Alembic builds is what the models describe (no forgotten column or index)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diffs == []


def test_previous_version_database_upgrades_with_data_kept(db_url):
    st = Store(db_url)
    st.migrate("0001")
    assert st.revision() == "0001"
    assert "complaint" not in inspect(st.engine).get_table_names()
    assert st.chats.save(10, 10, ChatState(lang="zh", city="urumqi", flow="ask", data={"q": "签证"}), 0)
    assert st.updates.first_time(77)
    st.feedback.record(10, 10, "urumqi-facilitation", "19", "how long?")
    st.dispose()

    st2 = Store(db_url)  # a new process would do the same at start
    st2.migrate()
    assert st2.revision() == "0002"
    state, version = st2.chats.load(10, 10)
    assert (state.lang, state.city, state.flow, state.data, version) == ("zh", "urumqi", "ask", {"q": "签证"}, 1)
    assert not st2.updates.first_time(77)
    assert st2.feedback.count() == 1


def test_concurrent_migrate_calls_do_not_clash(db_url):
    errors = []

    def run():
        try:
            Store(db_url).migrate()
        except Exception as exc:  # pragma: no cover - the assertion shows it
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and Store(db_url).revision() == "0002"


def test_chat_state_optimistic_version(store):
    state, version = store.chats.load(1, 2)
    assert version == 0 and state.flow is None
    assert store.chats.save(1, 2, ChatState(flow="ask"), 0)
    assert not store.chats.save(1, 2, ChatState(flow="wizard"), 0)  # someone created it first
    state, version = store.chats.load(1, 2)
    assert state.flow == "ask" and version == 1
    assert store.chats.save(1, 2, ChatState(flow="wizard"), 1)
    assert not store.chats.save(1, 2, ChatState(flow="menu"), 1)  # stale version loses
    assert store.chats.load(1, 2)[0].flow == "wizard"
    # group members each keep their own state
    assert store.chats.save(-100, 5, ChatState(flow="ask"), 0)
    assert store.chats.load(-100, 6)[1] == 0


def test_chat_state_race_one_winner(store):
    store.chats.save(3, 3, ChatState(), 0)
    results = []
    barrier = threading.Barrier(8)

    def save(i):
        barrier.wait()
        results.append(store.chats.save(3, 3, ChatState(step=str(i)), 1))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1


def test_updates_seen_once_and_purged(store):
    assert store.updates.first_time(123456789012)
    assert not store.updates.first_time(123456789012)
    assert store.updates.purge(dt.timedelta(days=1)) == 0
    assert store.updates.purge(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)) == 1
    assert store.updates.first_time(123456789012)


def test_sqlite_pragmas(tmp_path):
    st = Store(f"sqlite:///{tmp_path / 'p.db'}")
    with st.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
