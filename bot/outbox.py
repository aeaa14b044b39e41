"""The outbox: messages to other chats (the hotline group, complainants), delivered by a background job.

A message is committed in the same transaction as the change that caused it (`enqueue(session, …)`),
so a crash between the commit and the send loses nothing: the next `run_once` after a restart sends it.
`OutboxWorker.run_once()` leases what is due (a conditional UPDATE, so two workers never send the same
row), sends it through a `Sender`, and records the message id at once. Errors:
- `RetryAfter(seconds)` (Telegram's 429): that chat waits exactly as long as asked;
- `Undeliverable(reason)` (blocked, chat deleted): the row fails for good; a staff reply that could not
  reach its complainant is reported back to the hotline group;
- anything else is transient: retried with exponential backoff (capped), for as long as it takes.
Group chats take about 20 messages a minute: the worker sends into a group at most one message every
60/group_per_minute seconds (the first at once after a quiet spell), and under a burst packs the waiting
new-ticket announcements into digests (up to 40 tickets a message), so every ticket is announced once,
promptly, and the group's limit holds.
Files (kind MEDIA: a complainant's photo or document, forwarded by Telegram file id) go through
`Sender.send_media`, one message each, counted against the group's budget like any other message,
and never before the earlier messages of their ticket (its announcement, the answer they came with).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import threading
import uuid
from collections import defaultdict
from typing import Callable, Iterable, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.complaint_texts import digest, staff_notice
from bot.core.messages import Button
from bot.i18n import N_
from bot.render import escape
from bot.store.models import ComplaintMessage, OutboxMessage, utcnow

log = logging.getLogger(__name__)

MEDIA = "media"  # payload: text (= caption), caption, file_kind ("photo" | "document"), file_id
LEASE = dt.timedelta(seconds=60)
MAX_BACKOFF = 300.0
MAX_TEXT = 4000


class RetryAfter(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"retry after {seconds}s")
        self.seconds = float(seconds)


class Undeliverable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Rejected(Undeliverable):
    """Telegram refused this message itself (a file id it does not know, a file too big): the row fails
    for good, but the chat is fine, so the hotline group is not held back for it."""


class Sender(Protocol):
    async def send(self, chat_id: int, text: str, buttons: tuple[tuple[Button, ...], ...]) -> int: ...

    async def send_media(self, chat_id: int, kind: str, file_id: str, caption: str) -> int: ...


# ---- enqueueing (inside the caller's transaction) ---------------------------------------------------

_listeners: list[Callable[[], None]] = []
_listeners_lock = threading.Lock()


def on_enqueue(callback: Callable[[], None]) -> Callable[[], None]:
    """Register a wake-up called after a transaction that enqueued something commits; returns an unsubscriber."""
    with _listeners_lock:
        _listeners.append(callback)

    def unsubscribe():
        with _listeners_lock:
            if callback in _listeners:
                _listeners.remove(callback)

    return unsubscribe


def notify() -> None:
    """Tell the workers of this process that something was committed to the outbox."""
    for cb in list(_listeners):
        try:
            cb()
        except Exception:  # a wake-up is a hint; the periodic job still runs
            log.exception("outbox wake-up failed")


def fit_html(text: str, limit: int = MAX_TEXT) -> str:
    """`text` (Telegram HTML) cut to `limit` characters without cutting a tag or an entity, its open tags
    closed: user text grows up to five-fold when escaped (& → &amp;), and a blind cut left "&am" and an
    open <blockquote>, which Telegram refuses (the message then went out as plain text)."""
    if len(text) <= limit:
        return text
    from bot.handlers.split import split_html  # pure text, no Telegram import

    return split_html(text, limit - 1)[0] + "…"


def enqueue(
    session: Session,
    chat_id: int,
    kind: str,
    payload: dict,
    *,
    complaint_id: int | None = None,
    thread_message_id: int | None = None,
    now: dt.datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in `session`'s transaction (sent after it commits)."""
    payload = dict(payload)
    payload["text"] = fit_html(payload["text"])
    now = now or utcnow()
    row = OutboxMessage(
        chat_id=chat_id, kind=kind, payload=payload, complaint_id=complaint_id, thread_message_id=thread_message_id,
        status="pending", attempts=0, due_at=now, created_at=now,
    )
    session.add(row)
    return row


def to_buttons(rows: Iterable) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(Button(label, data) for label, data in row) for row in rows or () if row)


def is_group(chat_id: int) -> bool:
    return chat_id < 0  # Telegram: groups, supergroups and channels have negative ids


# ---- delivery ---------------------------------------------------------------------------------------


class OutboxWorker:
    """Delivers due outbox rows. `clock` is injectable so tests can run minutes of rate limits instantly."""

    def __init__(
        self,
        store,
        sender: Sender,
        settings=None,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        group_per_minute: int = 18,  # Telegram allows ~20; the rest is left for direct answers in the group
        max_digest: int = 40,
        batch: int = 500,
        on_undeliverable: Callable[[Session, OutboxMessage, str], None] | None = None,
    ):
        self.store = store
        self.sender = sender
        self.settings = settings
        self.clock = clock
        self.group_per_minute = group_per_minute
        self.max_digest = max_digest
        self.batch = batch
        self.lang = getattr(settings, "default_lang", None) or "en"
        self.hotline = getattr(settings, "hotline_chat_id", None)
        self.on_undeliverable = on_undeliverable or _report_failed_reply(self)
        self._lock = asyncio.Lock()
        self._chat_wait: dict[int, dt.datetime] = {}  # after a 429 or an error the whole chat waits (keeps order)
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- public

    async def run_once(self) -> int:
        """Send what is due now; returns how many Telegram messages were sent."""
        async with self._lock:  # the JobQueue and a wake-up may overlap
            now = self.clock()
            token = str(uuid.uuid4())
            rows = await asyncio.to_thread(self._lease, now, token)
            if not rows:
                return 0
            by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
            for row in rows:
                by_chat[row.chat_id].append(row)
            sent = 0
            leftovers: list[int] = []
            for chat_id, chat_rows in by_chat.items():
                sent += await self._deliver_chat(chat_id, chat_rows, now, leftovers)
            if leftovers:
                await asyncio.to_thread(self._release, leftovers, token)
            return sent

    async def run_forever(self, stop: asyncio.Event | None = None, interval: float = 1.0) -> None:
        """Deliver until `stop` is set: right after each wake-up, and every `interval` seconds."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        unsubscribe = on_enqueue(self.wake)
        try:
            while not (stop and stop.is_set()):
                try:
                    await self.run_once()
                except Exception:
                    log.exception("outbox delivery round failed")
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=interval)
                except asyncio.TimeoutError:
                    pass
                self._wake.clear()
        finally:
            unsubscribe()

    def wake(self) -> None:
        """Thread-safe: start a delivery round soon (called after a commit that enqueued something)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def pending(self) -> int:
        with self.store.session() as s:
            return s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) or 0

    # -- leasing

    def _lease(self, now: dt.datetime, token: str) -> list[OutboxMessage]:
        free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now)
        with self.store.session() as s:
            ids = s.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.status == "pending", OutboxMessage.due_at <= now, free)
                .order_by(OutboxMessage.id)
                .limit(self.batch)
            ).all()
            if not ids:
                return []
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending", free)
                .values(lease_token=token, lease_until=now + LEASE)
            )
        with self.store.session() as s:
            return list(s.scalars(select(OutboxMessage).where(OutboxMessage.lease_token == token).order_by(OutboxMessage.id)))

    def _release(self, ids: list[int], token: str) -> None:
        with self.store.session() as s:
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.lease_token == token)
                .values(lease_token=None, lease_until=None)
            )

    def _recent(self, chat_id: int, now: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Messages (digests count once) sent to `chat_id` in the last 60 s, and when the last one went."""
        with self.store.session() as s:
            count, last = s.execute(
                select(func.count(), func.max(OutboxMessage.sent_at)).where(
                    OutboxMessage.chat_id == chat_id,
                    OutboxMessage.sent_at > now - dt.timedelta(seconds=60),
                    OutboxMessage.digest_id.is_(None),
                    OutboxMessage.status == "sent",
                )
            ).one()
            return count or 0, last

    # -- sending

    async def _deliver_chat(self, chat_id: int, rows: list[OutboxMessage], now: dt.datetime, leftovers: list[int]) -> int:
        wait = self._chat_wait.get(chat_id)
        if wait is not None and now < wait:
            leftovers.extend(r.id for r in rows)
            return 0
        self._chat_wait.pop(chat_id, None)
        if is_group(chat_id):
            count, last = await asyncio.to_thread(self._recent, chat_id, now)
            media = [r for r in rows if r.kind == MEDIA]
            blocked = await asyncio.to_thread(self._media_waiting, chat_id, media) if media else set()
            plan = self._plan_group(rows, count, last, now, blocked)
        else:
            plan = [[r] for r in rows]
        sent = 0
        handled: set[int] = set()  # rows whose outcome (sent, retry, failed) is recorded
        for batch in plan:
            text, buttons, batch = self._compose(batch)
            outcome = await self._send(chat_id, batch, text, buttons, now)
            handled.update(r.id for r in batch)
            if outcome == "sent":
                sent += 1
            elif outcome == "stop":  # 429 or an error: the chat waits, the rest goes back to the queue
                break
        leftovers.extend(r.id for r in rows if r.id not in handled)
        return sent

    def _plan_group(self, rows: list[OutboxMessage], count: int, last: dt.datetime | None,
                    now: dt.datetime, blocked: set[int] = frozenset()) -> list[list[OutboxMessage]]:
        """At most one message a round into a group, at least 60/limit seconds apart (so never more than
        `group_per_minute` in any minute), and the first at once after a quiet spell. Notices go first,
        one a message; then announcements: alone when there is one, else a digest of what is waiting;
        then files (not `blocked` ones, whose ticket still has an earlier message to send), one a message,
        so a burst of photos never holds back the announcement of a new ticket."""
        if count >= self.group_per_minute:
            return []
        if last is not None and (now - last).total_seconds() < 60.0 / self.group_per_minute:
            return []
        notices = [r for r in rows if r.kind not in ("announce", MEDIA)]
        if notices:
            return [[notices[0]]]
        announces = [r for r in rows if r.kind == "announce"]
        if announces:
            return [announces[: self.max_digest]]
        files = [r for r in rows if r.kind == MEDIA and r.id not in blocked]
        return [[files[0]]] if files else []

    def _media_waiting(self, chat_id: int, media: list[OutboxMessage]) -> set[int]:
        """Files whose ticket has an earlier message to this chat not sent yet (they must follow it)."""
        complaints = {r.complaint_id for r in media if r.complaint_id is not None}
        if not complaints:
            return set()
        with self.store.session() as s:
            first = dict(s.execute(
                select(OutboxMessage.complaint_id, func.min(OutboxMessage.id))
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending",
                       OutboxMessage.kind != MEDIA, OutboxMessage.complaint_id.in_(complaints))
                .group_by(OutboxMessage.complaint_id)).all())
        return {r.id for r in media if r.complaint_id in first and first[r.complaint_id] < r.id}

    def _compose(self, batch: list[OutboxMessage]) -> tuple[str, tuple, list[OutboxMessage]]:
        """Text and buttons for a batch, and the rows it really carries (a digest drops what does not fit)."""
        if len(batch) == 1 or batch[0].kind == MEDIA:  # a file always goes alone
            batch = batch[:1]
            p = batch[0].payload
            return p["text"], to_buttons(p.get("buttons")), batch
        lines = [r.payload.get("line") or r.payload["text"][:200] for r in batch]
        buttons = [r.payload.get("digest_button") for r in batch]
        n = len(batch)
        while True:
            text, rows = digest(self.lang, lines[:n], [b for b in buttons[:n] if b])
            if len(text) <= MAX_TEXT or n == 1:
                return text, to_buttons(rows), batch[:n]
            n -= 1

    async def _send(self, chat_id: int, batch: list[OutboxMessage], text: str, buttons, now: dt.datetime) -> str:
        ids = [r.id for r in batch]
        try:
            if batch[0].kind == MEDIA:
                p = batch[0].payload
                message_id = await self.sender.send_media(chat_id, p.get("file_kind") or "document", p["file_id"],
                                                          p.get("caption") or text)
            else:
                message_id = await self.sender.send(chat_id, text, buttons)
        except RetryAfter as exc:
            due = self._chat_wait[chat_id] = now + dt.timedelta(seconds=exc.seconds)
            await asyncio.to_thread(self._retry, ids, due, f"429 retry after {exc.seconds}")
            return "stop"
        except Rejected as exc:  # this message only: the chat goes on
            log.warning("outbox message %s to %s rejected: %s", ids, chat_id, exc.reason)
            await asyncio.to_thread(self._fail, ids, exc.reason, now)
            return "failed"
        except Undeliverable as exc:
            if chat_id == self.hotline:  # the group itself is misconfigured: keep the tickets, try again later
                due = self._chat_wait[chat_id] = now + dt.timedelta(seconds=MAX_BACKOFF)
                await asyncio.to_thread(self._retry, ids, due, exc.reason)
                return "stop"
            await asyncio.to_thread(self._fail, ids, exc.reason, now)
            return "failed"
        except Exception as exc:  # transient: network, 5xx, timeouts
            log.warning("outbox send to %s failed: %r", chat_id, exc)
            attempts = max(r.attempts for r in batch) + 1
            delay = min(MAX_BACKOFF, 2 ** min(attempts, 10)) * random.uniform(0.8, 1.2)
            due = self._chat_wait[chat_id] = now + dt.timedelta(seconds=delay)
            await asyncio.to_thread(self._retry, ids, due, repr(exc)[:500])
            return "stop"
        await asyncio.to_thread(self._mark_sent, ids, message_id, self.clock())
        return "sent"

    def _mark_sent(self, ids: list[int], message_id: int | None, when: dt.datetime) -> None:
        carrier = ids[0]
        with self.store.session() as s:
            for row in s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
                row.status, row.sent_at, row.message_id = "sent", when, message_id
                row.digest_id = None if row.id == carrier else carrier
                row.lease_token = row.lease_until = None
                if row.thread_message_id:
                    msg = s.get(ComplaintMessage, row.thread_message_id)
                    if msg is not None:
                        msg.delivery = "sent"

    def _retry(self, ids: list[int], due: dt.datetime, error: str) -> None:
        with self.store.session() as s:
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(attempts=OutboxMessage.attempts + 1, due_at=due, last_error=error, lease_token=None, lease_until=None)
            )

    def _fail(self, ids: list[int], reason: str, now: dt.datetime) -> None:
        with self.store.session() as s:
            for row in s.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
                row.status, row.last_error = "failed", reason
                row.lease_token = row.lease_until = None
                self.on_undeliverable(s, row, reason)
        notify()


def _report_failed_reply(worker: OutboxWorker):
    """Default: a complainant message that could not be delivered is marked and reported to the hotline."""

    def report(session: Session, row: OutboxMessage, reason: str) -> None:
        if not row.thread_message_id:
            return
        msg = session.get(ComplaintMessage, row.thread_message_id)
        if msg is None:
            return
        msg.delivery, msg.delivery_error = "failed", reason
        if msg.author != "staff" or worker.hotline is None:
            return
        from bot.complaints import Ticket  # bot.complaints imports this module

        t = Ticket.of(msg.complaint)
        payload = staff_notice(
            worker.lang,
            N_("⚠️ The reply on <b>%(ticket)s</b> could not be delivered to the complainant (%(reason)s)."),
            t, with_buttons=False, reason=escape(reason),
        )
        enqueue(session, worker.hotline, "notice", payload, complaint_id=t.id, now=worker.clock())

    return report
