"""Repositories of the conversation tables: chat state, processed updates, feedback."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.core.messages import ChatState
from bot.store.models import ChatStateRow, Feedback, ProcessedUpdate, utcnow

if TYPE_CHECKING:
    from bot.store import Store


def dialect_insert(store: "Store", table):
    """The store's dialect's INSERT, which has ON CONFLICT DO NOTHING / DO UPDATE (both dialects support them)."""
    mod = postgresql if store.dialect == "postgresql" else sqlite
    return mod.insert(table)


class ChatRepo:
    """Conversation state per (chat_id, user_id), with an optimistic version number.

    load/save run once or twice per update, so they are SQLAlchemy Core statements built once, on a
    plain connection: the ORM Session (identity map, unit of work) cost about as much as the SQL itself.
    """

    def __init__(self, store: "Store"):
        self.store = store
        t = ChatStateRow.__table__
        self._load = select(t.c.state, t.c.version).where(
            t.c.chat_id == bindparam("chat_id"), t.c.user_id == bindparam("user_id"))
        self._create = insert(t)
        self._update = (
            update(t)
            .where(t.c.chat_id == bindparam("k_chat"), t.c.user_id == bindparam("k_user"),
                   t.c.version == bindparam("k_version"))
            .values(state=bindparam("state"), version=bindparam("version"), updated_at=bindparam("updated_at"))
        )

    def load(self, chat_id: int, user_id: int) -> tuple[ChatState, int]:
        """The saved state and its version; a fresh ChatState and version 0 when none is saved."""
        with self.store.engine.connect() as conn:
            row = conn.execute(self._load, {"chat_id": chat_id, "user_id": user_id}).first()
        if row is None:
            return ChatState(), 0
        return ChatState.from_json(row.state), row.version

    def save(self, chat_id: int, user_id: int, state: ChatState, version: int) -> bool:
        """Save `state` if the stored version is still `version`; False when another worker saved first."""
        data = state.to_json()
        try:
            with self.store.engine.begin() as conn:
                if version == 0:
                    conn.execute(self._create, {"chat_id": chat_id, "user_id": user_id, "state": data,
                                                "version": 1, "updated_at": utcnow()})
                    return True
                res = conn.execute(self._update, {"k_chat": chat_id, "k_user": user_id, "k_version": version,
                                                  "state": data, "version": version + 1, "updated_at": utcnow()})
                return res.rowcount == 1
        except IntegrityError:  # another worker created the row first
            return False

    def forget_user(self, user_id: int) -> int:
        """Delete every saved state of this user (the /forget command)."""
        with self.store.session() as s:
            return s.execute(delete(ChatStateRow).where(ChatStateRow.user_id == user_id)).rowcount


class UpdateRepo:
    """Telegram update ids already handled, so a redelivered update is ignored."""

    def __init__(self, store: "Store"):
        self.store = store
        t = ProcessedUpdate.__table__
        # built once (Core, no ORM Session): this runs for every update the bot receives.
        # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT DO NOTHING
        self._insert = (
            dialect_insert(store, t)
            .values(update_id=bindparam("update_id"), seen_at=bindparam("seen_at"))
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(t.c.update_id)
        )

    def first_time(self, update_id: int) -> bool:
        """Record `update_id`; True the first time it is seen, False on every later call."""
        with self.store.engine.begin() as conn:
            return conn.execute(self._insert, {"update_id": update_id, "seen_at": utcnow()}).first() is not None

    def purge(self, older_than: dt.timedelta | dt.datetime = dt.timedelta(days=1)) -> int:
        """Forget update ids seen before `older_than` (an age, or a moment); returns how many."""
        cutoff = utcnow() - older_than if isinstance(older_than, dt.timedelta) else older_than
        with self.store.session() as s:
            return s.execute(delete(ProcessedUpdate).where(ProcessedUpdate.seen_at < cutoff)).rowcount


class FeedbackRepo:
    def __init__(self, store: "Store"):
        self.store = store

    def record(self, chat_id: int, user_id: int | None, doc: str | None, article: str | None, question: str | None) -> None:
        """Remember a "not helpful" press on an answer citing (doc, article)."""
        with self.store.session() as s:
            s.add(Feedback(chat_id=chat_id, user_id=user_id, doc=doc, article=article, question=question, created_at=utcnow()))

    def count(self) -> int:
        from sqlalchemy import func

        with self.store.session() as s:
            return s.scalar(select(func.count()).select_from(Feedback)) or 0

    def forget_user(self, user_id: int) -> int:
        """Drop the questions this user wrote; keep the (doc, article) counts anonymously."""
        with self.store.session() as s:
            return s.execute(
                update(Feedback).where(Feedback.user_id == user_id).values(user_id=None, question=None)
            ).rowcount
