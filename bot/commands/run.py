"""`talentbot run`: the Telegram bot, by long polling, or as a webhook when WEBHOOK_URL is set.

Exit codes: 2 when TELEGRAM_BOT_TOKEN is missing (or a setting is malformed), 3 when Telegram refuses the
token, 1 when Telegram cannot be reached at start. Before serving it migrates the database and publishes
the command list in every shipped language (Telegram shows the one matching the user's app language).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import sys
from urllib.parse import urlparse

from bot.i18n import N_, SUPPORTED, gettext

log = logging.getLogger("talentbot")

USER_COMMANDS = (
    ("start", N_("Start: choose your language and city")),
    ("help", N_("What I can do")),
    ("ask", N_("Ask a question about the talent policies")),
    ("eligibility", N_("Check your eligibility step by step")),
    ("complaint", N_("File a complaint with the hotline")),
    ("status", N_("Your complaints and their answers")),
    ("language", N_("Change the language")),
    ("city", N_("Change the city")),
    ("cancel", N_("Stop what you are doing")),
    ("forget", N_("Delete what I keep about you")),
)
STAFF_COMMANDS = (
    ("queue", N_("Open complaints")),
    ("claim", N_("Take a complaint: /claim TICKET")),
    ("reply", N_("Answer a complaint: /reply TICKET TEXT")),
    ("resolve", N_("Close a complaint: /resolve TICKET [NOTE]")),
)


def _say(message: str, **params) -> None:
    print(f"talentbot: {gettext('en', message, **params)}", file=sys.stderr)


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL carries the bot token
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def run(args) -> int:
    from bot.settings import Settings

    settings = Settings.load(getattr(args, "env_file", None))
    if not settings.token:
        _say("TELEGRAM_BOT_TOKEN is not set. Set it in the environment or in the file given with --env-file.")
        return 2
    _configure_logging()

    from telegram.error import InvalidToken, NetworkError

    try:
        me = asyncio.run(_preflight(settings))
    except InvalidToken:
        _say("Telegram refused the bot token (TELEGRAM_BOT_TOKEN). Check it with @BotFather.")
        return 3
    except NetworkError as exc:
        _say("Cannot reach the Telegram Bot API: %(error)s", error=str(exc))
        return 1
    log.info("signed in as @%s", me)

    from bot.handlers import build_application
    from bot.store import Store

    store = Store(settings.database_url)
    store.migrate()
    app = build_application(settings, store)
    from telegram import Update

    if settings.webhook_url:
        secret = settings.webhook_secret or secrets.token_urlsafe(32)
        path = urlparse(settings.webhook_url).path.strip("/")
        log.info("webhook mode: listening on 0.0.0.0:%s/%s", settings.port, path)
        # PTB's webhook server answers Telegram as soon as the update is queued and checks the secret header
        app.run_webhook(listen="0.0.0.0", port=settings.port, url_path=path, webhook_url=settings.webhook_url,
                        secret_token=secret, allowed_updates=Update.ALL_TYPES)
    else:
        log.info("long polling")
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    store.dispose()
    return 0


async def _preflight(settings) -> str:
    """Check the token (getMe) and publish the command lists; returns the bot's username."""
    from telegram import Bot, BotCommand, BotCommandScopeChat

    kwargs = {}
    if settings.api_base_url:
        from bot.handlers.app import _file_url

        base = settings.api_base_url.rstrip("/")
        kwargs = {"base_url": base, "base_file_url": _file_url(base)}
    async with Bot(settings.token, **kwargs) as bot:  # initialize() calls getMe: InvalidToken when refused
        for lang in SUPPORTED:
            commands = [BotCommand(name, gettext(lang, text)) for name, text in USER_COMMANDS]
            # English is the default list for every app language we do not ship
            await bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
        if settings.hotline_chat_id is not None:
            staff = [BotCommand(name, gettext("en", text)) for name, text in USER_COMMANDS[:2] + STAFF_COMMANDS]
            try:
                await bot.set_my_commands(staff, scope=BotCommandScopeChat(settings.hotline_chat_id))
            except Exception as exc:  # the bot may not be in the group yet: not a reason to stop
                log.warning("could not set the hotline group's commands: %s", exc)
        return bot.username
