"""Replies → Bot API calls: HTML messages split under 4,096 characters, buttons as inline keyboards.

A Reply with `edit=True` answering a button press replaces the message whose button was pressed
(editMessageText), so a menu changes in place instead of piling up; when Telegram cannot edit it
(too old, deleted) a new message is sent instead. Buttons go under the last part of a long reply.
"""

from __future__ import annotations

import logging
from typing import Iterable, Sequence

from telegram import Bot, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.messages import Button, Incoming, Reply
from bot.handlers.split import split_html
from bot.render import to_plain

log = logging.getLogger(__name__)


def keyboard(rows: Iterable[Iterable[Button]] | None) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows or ()]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def send_html(bot: Bot, chat_id: int, text: str, buttons=None, reply_to: int | None = None,
                    rate_limit_args: dict | None = None, force_reply: bool = False) -> list[Message]:
    """Send `text` as one or more HTML messages; the keyboard goes under the last one.

    `force_reply` (only without buttons: a message has one reply markup) asks the users mentioned in
    the text to answer the last part as a reply, which a group with privacy mode on still passes to us.
    """
    parts = split_html(text)
    markup = keyboard(buttons)
    if markup is None and force_reply:
        markup = ForceReply(selective=True)
    sent: list[Message] = []
    extra = {"rate_limit_args": rate_limit_args} if rate_limit_args is not None and bot_has_limiter(bot) else {}
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        reply_parameters = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and k == 0 else None
        try:
            msg = await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML,
                                         reply_markup=markup if last else None,
                                         reply_parameters=reply_parameters, **extra)
        except BadRequest as exc:
            if "parse entities" not in str(exc).lower():
                raise
            # a template produced markup Telegram rejects: the words matter more than the bold
            log.error("Telegram rejected the HTML of a reply (%s); sending it as plain text", exc)
            msg = await bot.send_message(chat_id, to_plain(part)[:4096], reply_markup=markup if last else None,
                                         reply_parameters=reply_parameters, **extra)
        sent.append(msg)
    return sent


def bot_has_limiter(bot: Bot) -> bool:
    return getattr(bot, "rate_limiter", None) is not None


async def edit_html(bot: Bot, chat_id: int, message_id: int, text: str, buttons=None) -> bool:
    """Replace a message's text and keyboard; False when Telegram cannot edit it (send instead)."""
    parts = split_html(text)
    if len(parts) != 1:
        return False
    try:
        await bot.edit_message_text(parts[0], chat_id=chat_id, message_id=message_id,
                                    parse_mode=ParseMode.HTML, reply_markup=keyboard(buttons))
        return True
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" in reason:  # the same menu pressed twice: nothing to change
            return True
        if "parse entities" in reason or "can't be edited" in reason or "not found" in reason:
            return False
        raise


async def deliver(bot: Bot, incoming: Incoming, replies: Sequence[Reply], pressed: Message | None = None,
                  quote: int | None = None) -> None:
    """Show the dialogue's replies: edits where asked and possible, new messages otherwise.

    `pressed` is the message whose button was pressed; `quote` the user's message to answer as a
    reply in a group, so it is clear whose question an answer belongs to.
    """
    for reply in replies:
        chat_id = reply.chat_id or incoming.chat_id
        if reply.edit and not reply.force_reply and pressed is not None and chat_id == pressed.chat.id:
            if await edit_html(bot, chat_id, pressed.message_id, reply.text, reply.buttons):
                continue
        await send_html(bot, chat_id, reply.text, reply.buttons, reply_to=quote if chat_id == incoming.chat_id else None,
                        force_reply=reply.force_reply)

