"""Friendly replies to what the assistant does not take: stickers, voice, photos outside a complaint,
edited messages, unknown commands, and text it cannot read. None of these changes the chat's flow."""

from __future__ import annotations

import re
import unicodedata

from bot.core.context import Context
from bot.i18n import N_

MAX_QUESTION = 4000

_WHAT = {
    "sticker": N_("Stickers are nice, but I can only read text."),
    "voice": N_("I cannot listen to voice messages. Please type your question."),
    "video": N_("I cannot watch videos. Please type your question."),
    "photo": N_("I can only look at photos while you file a complaint. Please type your question."),
    "document": N_("I can only take files while you file a complaint. Please type your question."),
    "edited": N_("I saw that you edited a message. I only read new messages, so please send it again."),
}


DEFAULT_UNSUPPORTED = N_("Sorry, I cannot handle that kind of message. Please send text or use the buttons.")


def unsupported(ctx: Context) -> None:
    what = ctx.incoming.what or (ctx.incoming.attachment.kind if ctx.incoming.attachment else None)
    ctx.say(ctx._(_WHAT.get(what or "", DEFAULT_UNSUPPORTED)), [ctx.menu_button()])


def unknown_command(ctx: Context) -> None:
    ctx.say(
        ctx._("I do not know the command /%(cmd)s. Use /help to see what I can do, or choose from the menu.",
              cmd=(ctx.incoming.command or "")[:32]),
        [ctx.menu_button()],
    )


# ---------------------------------------------------------------- reading text safely

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_text(text) -> str:
    """Text as a flow should see it: str, NFC, control and zero-width characters removed, stripped."""
    if not isinstance(text, str):
        return ""
    return unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()


def looks_binary(raw) -> bool:
    """Garbage that is not a message: NUL bytes, or mostly replacement/control characters."""
    if not isinstance(raw, str) or not raw:
        return False
    bad = sum(1 for ch in raw if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\t\r"))
    return "\x00" in raw or bad * 4 > len(raw)


def has_words(text: str) -> bool:
    """True when the text has at least one letter or digit (not only emoji, symbols or punctuation)."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)
