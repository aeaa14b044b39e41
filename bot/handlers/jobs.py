"""Background work on python-telegram-bot's JobQueue, and the Telegram side of the outbox.

- `TelegramSender`: bot/outbox.py's Sender over the Bot API, with Telegram's errors mapped to the
  outbox's (429 → RetryAfter, blocked / chat gone → Undeliverable, anything else → transient); files
  (a complainant's photos and documents, by file id) through sendPhoto / sendDocument, where a file
  Telegram refuses is outbox.Rejected (that message fails, the chat goes on).
- the outbox job: every half second, and at once when a commit enqueued something (outbox.on_enqueue);
- the overdue job: re-announces tickets nobody has taken, every Settings.overdue_minutes;
- the purge job: once a day, forgets update ids older than a day (kept only to drop redeliveries).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from contextlib import asynccontextmanager

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import Application, ContextTypes

from bot import outbox
from bot.handlers.ratelimit import retry_seconds
from bot.handlers.send import bot_has_limiter, send_html

log = logging.getLogger(__name__)

OUTBOX_INTERVAL = 0.5
UPDATE_IDS_KEPT = dt.timedelta(days=1)
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "group chat was upgraded",
         "have no rights to send", "not enough rights", "peer_id_invalid", "chat_write_forbidden")


class TelegramSender:
    """Sends outbox messages; the outbox decides when to retry, so the rate limiter does not wait out 429s."""

    def __init__(self, bot: Bot):
        self.bot = bot

    async def send(self, chat_id: int, text: str, buttons=()) -> int:
        async with _mapped():
            sent = await send_html(self.bot, chat_id, text, _rows(buttons), rate_limit_args={"max_retries": 0})
        return sent[-1].message_id if sent else 0

    async def send_media(self, chat_id: int, kind: str, file_id: str, caption: str) -> int:
        """A photo or document by Telegram file id, with an HTML caption."""
        send = self.bot.send_photo if kind == "photo" else self.bot.send_document
        extra = {"rate_limit_args": {"max_retries": 0}} if bot_has_limiter(self.bot) else {}
        async with _mapped(file=True):
            msg = await send(chat_id, file_id, caption=caption or None, parse_mode=ParseMode.HTML, **extra)
        return msg.message_id


@asynccontextmanager
async def _mapped(file: bool = False):
    """Telegram's refusals as the outbox's exceptions; `file`: a bad request names the file, not the chat."""
    try:
        yield
    except RetryAfter as exc:
        raise outbox.RetryAfter(retry_seconds(exc)) from exc
    except Forbidden as exc:  # blocked by the user, kicked from the group
        raise outbox.Undeliverable(str(exc)) from exc
    except ChatMigrated as exc:
        raise outbox.Undeliverable(f"group became a supergroup: {exc.new_chat_id}") from exc
    except BadRequest as exc:
        if any(marker in str(exc).lower() for marker in _GONE):
            raise outbox.Undeliverable(str(exc)) from exc
        if file:  # a file id Telegram does not know, a wrong type, too big: retrying cannot help
            raise outbox.Rejected(str(exc)) from exc
        raise


def _rows(buttons):
    """Button rows as the outbox stores them: Buttons, or (label, data) pairs."""
    return outbox.to_buttons(buttons) if buttons and not hasattr(buttons[0][0], "data") else buttons


# ---- jobs --------------------------------------------------------------------------------------------

async def outbox_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    worker: outbox.OutboxWorker = context.bot_data["outbox"]
    try:
        await worker.run_once()
    except Exception:
        log.exception("outbox delivery round failed")


async def overdue_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Announce again in the hotline group the tickets nobody has claimed in time."""
    store, settings = context.bot_data["store"], context.bot_data["settings"]
    try:
        from bot.complaints import Complaints

        count = await asyncio.to_thread(Complaints(store, settings).reannounce_overdue)
        if count:  # reannounce_overdue wakes the outbox itself
            log.info("re-announced %s overdue tickets", count)
    except Exception:
        log.exception("overdue ticket round failed")


async def purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    store = context.bot_data["store"]
    try:
        removed = await asyncio.to_thread(store.updates.purge, UPDATE_IDS_KEPT)
        log.info("forgot %s processed update ids", removed)
    except Exception:
        log.exception("purging processed update ids failed")


def schedule_jobs(app: Application, settings) -> None:
    """Register the repeating jobs, and wake the outbox job right after a commit that enqueued something."""
    jq = app.job_queue
    if jq is None:  # pragma: no cover - the job-queue extra is a dependency
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    jq.run_repeating(outbox_job, interval=OUTBOX_INTERVAL, first=0.1, name="outbox")
    # checked several times per overdue period, so a ticket is re-announced soon after it becomes overdue
    # (not up to a whole period late); reannounce_overdue itself never repeats a ticket within the period
    every = dt.timedelta(minutes=min(15.0, max(1.0, settings.overdue_minutes / 4)))
    jq.run_repeating(overdue_job, interval=every, first=every, name="overdue")
    jq.run_daily(purge_job, time=dt.time(4, 0, tzinfo=dt.timezone.utc), name="purge-updates")


class OutboxWaker:
    """The outbox's on_enqueue hook: thread-safe; at most one immediate run queued at a time."""

    def __init__(self, app: Application):
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None
        self._queued = False
        self._unsubscribe = None

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._unsubscribe = outbox.on_enqueue(self)

    def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None

    def __call__(self) -> None:
        if self.loop is None or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self._run_now)

    def _run_now(self) -> None:
        if self._queued or self.app.job_queue is None or not self.app.running:
            return
        self._queued = True

        async def once(context: ContextTypes.DEFAULT_TYPE) -> None:
            self._queued = False
            await outbox_job(context)

        self.app.job_queue.run_once(once, 0, name="outbox-now")
