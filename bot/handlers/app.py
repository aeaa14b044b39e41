"""The Telegram application: every handler registered in one place, read top to bottom.

Update → (drop if already handled) → Incoming → Dialogue.handle → Replies → Bot API.
The dialogue and the update de-duplication are synchronous (SQLAlchemy). On SQLite they run inline on
the event loop: a call takes about 0.5-3 ms of CPU, and bench/bot.py measured inline at ~1.5x the
throughput of asyncio.to_thread (the worker thread and the loop fight over the GIL). On PostgreSQL they
run in worker threads, where the waits on the network release the GIL and would otherwise stall the loop.
Updates of different users are handled concurrently, each user's in order (bot/handlers/ordering.py).
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (Application, ApplicationBuilder, ApplicationHandlerStop, CallbackQueryHandler,
                          ContextTypes, InlineQueryHandler, MessageHandler, TypeHandler, filters)

from bot.handlers.convert import from_update
from bot.handlers.inline import on_inline_query
from bot.handlers.jobs import OutboxWaker, TelegramSender, schedule_jobs
from bot.handlers.ordering import PerChatOrderedProcessor
from bot.handlers.ratelimit import Limits, TelegramRateLimiter
from bot.handlers.request import AiohttpRequest
from bot.handlers.send import deliver, send_html
from bot.i18n import gettext, pick

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 64
CONNECTIONS = 16  # to the Bot API at once (bot/handlers/request.py)
TYPING_AFTER = 0.5  # seconds


def build_application(settings, store, *, dialogue=None, limits: Limits | None = None,
                      jobs: bool = True, inline_db: bool | None = None) -> Application:
    """The Application for `settings` (token, Bot API URL, hotline) over `store`.

    `dialogue`: anything with `handle(incoming) -> list[Reply]` (sync or async); the real Dialogue by
    default. `limits`: the rate limiter's limits (benchmarks switch the global bucket off).
    `jobs`: schedule the outbox / overdue / purge jobs (off for adapter-only tests).
    `inline_db`: call the synchronous dialogue and store on the event loop (default: on SQLite only).
    """
    if not settings.token:
        raise ValueError("settings.token is required")
    if dialogue is None:
        from bot.core.dialogue import Dialogue
        from bot.core.services import Services

        dialogue = Dialogue(Services(store, settings))

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .rate_limiter(TelegramRateLimiter(limits))
        .concurrent_updates(PerChatOrderedProcessor(CONCURRENT_UPDATES))
        .request(AiohttpRequest(CONNECTIONS, pool_timeout=10.0))
        .get_updates_request(AiohttpRequest(1))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if settings.api_base_url:
        base = settings.api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(_file_url(base))
    app = builder.build()
    if inline_db is None:
        inline_db = getattr(store, "dialect", "sqlite") == "sqlite"
    app.bot_data.update(store=store, settings=settings, dialogue=dialogue, inline_db=inline_db,
                        outbox_waker=OutboxWaker(app))
    if jobs:
        from bot.outbox import OutboxWorker

        app.bot_data["outbox"] = OutboxWorker(store, TelegramSender(app.bot), settings)
        schedule_jobs(app, settings)

    # Group -1 runs before everything else and can stop an update: a redelivered update (webhook retry,
    # polling after a crash) must not reach any handler a second time.
    app.add_handler(TypeHandler(Update, drop_seen_updates), group=-1)

    # Group 0: exactly one of these handles an update, the first that matches, so the order matters:
    # inline queries and button presses are recognised by their kind; then messages the dialogue reads
    # (private chats, and what is addressed to the bot in groups, decided in convert.py); edited messages
    # and kinds we cannot read last, so they get a friendly word instead of silence.
    app.add_handler(InlineQueryHandler(on_inline_query), group=0)
    app.add_handler(CallbackQueryHandler(on_button), group=0)
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, on_message), group=0)
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE, on_message), group=0)

    app.add_error_handler(on_error)
    return app


def _file_url(base: str) -> str:
    """The file download URL next to a Bot API base ("…/bot" → "…/file/bot")."""
    return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"


async def _post_init(app: Application) -> None:
    warm_up = getattr(getattr(app.bot_data["dialogue"], "services", None), "warm_up", None)
    if warm_up is not None:  # before polling starts: the first question must not stall every chat
        try:
            warm_up()
        except Exception:  # the dialogue reports a broken knowledge base per question, as before
            log.exception("warming up the dialogue failed")
    # What exists now (modules, the knowledge base and search index, PTB's objects) lives as long as the
    # process: move it out of the collector's sight, or every full collection walks it again (~30 ms,
    # the p99 of a busy minute). Collect first, so no garbage is frozen with it.
    gc.collect()
    gc.freeze()
    app.bot_data["outbox_waker"].start()


async def _post_stop(app: Application) -> None:
    app.bot_data["outbox_waker"].stop()


# ---- group -1 ------------------------------------------------------------------------------------------

async def drop_seen_updates(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    store = context.bot_data["store"]
    if not await call_db(context, store.updates.first_time, update.update_id):
        log.info("update %s was already handled; dropped", update.update_id)
        raise ApplicationHandlerStop


# ---- group 0 -------------------------------------------------------------------------------------------

async def call_db(context: ContextTypes.DEFAULT_TYPE, fn, *args):
    """A synchronous database call: inline on SQLite, in a worker thread otherwise (see the module doc)."""
    if context.bot_data.get("inline_db"):
        return fn(*args)
    return await asyncio.to_thread(fn, *args)


async def run_dialogue(context: ContextTypes.DEFAULT_TYPE, incoming):
    dialogue = context.bot_data["dialogue"]
    if inspect.iscoroutinefunction(dialogue.handle):
        return await dialogue.handle(incoming)
    return await call_db(context, dialogue.handle, incoming)


def _incoming(update: Update, context: ContextTypes.DEFAULT_TYPE):
    settings = context.bot_data["settings"]
    return from_update(update, bot_username=context.bot.username, bot_id=context.bot.id,
                       hotline_chat_id=settings.hotline_chat_id, staff_user_ids=settings.staff_user_ids)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    incoming = _incoming(update, context)
    if incoming is None:
        return
    message = update.effective_message
    private = message is not None and message.chat.type == ChatType.PRIVATE
    # "typing…" only when the answer is slow to come: a quick reply needs no notice, and the extra
    # request would halve the throughput; not worth a call in a group
    typing = asyncio.get_running_loop().call_later(
        TYPING_AFTER, lambda: context.application.create_task(_typing(context, incoming.chat_id))) if private else None
    try:
        replies = await run_dialogue(context, incoming)
    finally:
        if typing is not None:
            typing.cancel()
    await deliver(context.bot, incoming, replies, quote=None if private or message is None else message.message_id)


async def _typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    try:
        await context.bot.send_chat_action(chat_id, "typing")
    except TelegramError:
        pass  # only a courtesy


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    answered = False
    try:
        incoming = _incoming(update, context)
        if incoming is None:
            return
        replies = await run_dialogue(context, incoming)
        # answer before sending: the client shows a spinner on the button until then
        answered = await _answer_callback(query)
        pressed = query.message if query.message is not None and hasattr(query.message, "chat") else None
        await deliver(context.bot, incoming, replies, pressed=pressed)
    finally:
        if not answered:  # always, even when handling failed, or the button keeps spinning
            await _answer_callback(query)


async def _answer_callback(query) -> bool:
    try:
        await query.answer()
    except TelegramError as exc:  # too old (over 15 minutes) or answered already
        log.debug("answerCallbackQuery failed: %s", exc)
    return True


# ---- errors ----------------------------------------------------------------------------------------

async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error; tell the user, in their language, that something went wrong (never a traceback)."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if isinstance(context.error, Forbidden):
        return  # the user blocked the bot: nobody to tell
    store = context.bot_data.get("store")
    user, chat = update.effective_user, update.effective_chat
    lang = pick(None, user.language_code)
    try:
        state, _version = await asyncio.to_thread(store.chats.load, chat.id, user.id)
        lang = pick(state.lang, user.language_code)
    except Exception:  # the database may be what failed
        pass
    text = gettext(lang, "Sorry, something went wrong on our side. Please try again in a moment.")
    try:
        await send_html(context.bot, chat.id, text)
    except TelegramError:
        log.warning("could not tell chat %s about the error", chat.id)
