"""Telegram Update → Incoming: the only place that knows what a Telegram message looks like.

Also decides what in a group is addressed to the bot: `/ask …`, a mention, a reply to one of the
bot's messages, and staff commands in the hotline group; there also the text of staff members, which
is their answer to a complainant after they pressed Reply (the dialogue knows whether one is awaited
and ignores the rest). Everything else said in a group is conversation between people and is left alone.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType

from bot.core.messages import Attachment, Incoming

STAFF_COMMANDS = frozenset({"queue", "claim", "reply", "resolve", "cancel", "stop"})  # /cancel: an awaited reply
GROUP_COMMANDS = frozenset({"ask"})  # what anyone may ask the bot in a group by command

# message attributes we cannot handle, named for the reply ("I can't read stickers")
_UNSUPPORTED = (
    "sticker", "voice", "video_note", "video", "audio", "animation", "location", "venue", "contact",
    "poll", "dice", "game", "story", "invoice",
)


def _user_fields(update: Update) -> dict:
    user = update.effective_user
    chat = update.effective_chat
    return {
        "chat_id": chat.id if chat else user.id,
        "user_id": user.id,
        "client_lang": user.language_code,
        "chat_type": chat.type if chat else ChatType.PRIVATE,
        "update_id": update.update_id,
        "user_name": user.full_name,
    }


def parse_command(message: Message, bot_username: str | None) -> tuple[str, str] | None:
    """(command, arguments) for "/cmd args" or "/cmd@thisbot args"; None for text or another bot's command."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or ()
    first = next((e for e in entities if e.offset == 0), None)
    if not first or first.type != MessageEntityType.BOT_COMMAND:
        return None
    head = text[1:first.length]
    name, _, target = head.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower(), text[first.length:].strip()


def strip_mention(message: Message, bot_username: str | None) -> str | None:
    """The text without "@thisbot" when the message mentions the bot; None when it does not."""
    if not bot_username:
        return None
    text = message.text or message.caption or ""
    mention = f"@{bot_username}".lower()
    for entity in message.entities or message.caption_entities or ():
        if entity.type == MessageEntityType.MENTION:
            if text[entity.offset:entity.offset + entity.length].lower() == mention:
                return (text[:entity.offset] + text[entity.offset + entity.length:]).strip()
    return None


def is_reply_to_bot(message: Message, bot_id: int | None) -> bool:
    replied = message.reply_to_message
    return bool(replied and replied.from_user and bot_id and replied.from_user.id == bot_id)


def from_update(update: Update, bot_username: str | None = None, bot_id: int | None = None,
                hotline_chat_id: int | None = None, staff_user_ids=frozenset()) -> Incoming | None:
    """The Incoming for one update, or None when the update is not for the dialogue."""
    if update.effective_user is None or update.effective_user.is_bot:
        return None
    if update.callback_query is not None:
        query = update.callback_query
        fields = _user_fields(update)
        return Incoming(kind="button", data=query.data or "", **fields)
    if update.edited_message is not None:
        if update.edited_message.chat.type != ChatType.PRIVATE:
            return None  # a correction in a group is not addressed to us
        return Incoming(kind="unsupported", what="edited", **_user_fields(update))
    message = update.message
    if message is None:
        return None  # channel posts, polls, chat member changes…: nothing to say
    fields = _user_fields(update)
    private = message.chat.type == ChatType.PRIVATE

    command = parse_command(message, bot_username)
    if command is not None:
        name, args = command
        if not private:
            in_hotline = hotline_chat_id is not None and message.chat.id == hotline_chat_id
            addressed = "@" in (message.text or "").split(maxsplit=1)[0]
            if not (name in GROUP_COMMANDS or (in_hotline and name in STAFF_COMMANDS) or addressed):
                return None
        return Incoming(kind="command", command=name, text=args, **fields)

    if not private:
        question = strip_mention(message, bot_username)
        if question is not None:  # "@bot how do I …" asks; a bare mention asks for help
            return Incoming(kind="command", command="ask" if question else "help", text=question, **fields)
        staff_text = (hotline_chat_id is not None and message.chat.id == hotline_chat_id
                      and message.text is not None and fields["user_id"] in staff_user_ids)
        if not (is_reply_to_bot(message, bot_id) or staff_text):
            return None

    if message.text is not None:
        return Incoming(kind="text", text=message.text, **fields)
    if message.photo:
        biggest = max(message.photo, key=lambda p: (p.width or 0) * (p.height or 0))
        return Incoming(kind="attachment", text=message.caption or "",
                        attachment=Attachment("photo", biggest.file_id), **fields)
    if message.document is not None:
        doc = message.document
        return Incoming(kind="attachment", text=message.caption or "",
                        attachment=Attachment("document", doc.file_id, doc.file_name), **fields)
    what = next((name for name in _UNSUPPORTED if getattr(message, name, None)), None)
    if what is None:
        if message.new_chat_members or message.left_chat_member or message.pinned_message:
            return None  # service messages
        what = "other"
    return Incoming(kind="unsupported", what=what, **fields)
