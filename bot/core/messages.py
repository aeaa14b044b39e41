"""The neutral message objects every channel speaks: Incoming (what the user did) and Reply (what to show).

Telegram handlers and the terminal chat both turn their traffic into Incoming and render Replies;
the core never sees a channel object. Reply text is Telegram-HTML (user text already escaped by the
templates); the terminal shows it through render.to_plain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# "resume": a channel (re)opened the chat and wants its current step shown again (bot/console.py at start)
Kind = Literal["text", "command", "button", "attachment", "unsupported", "resume"]


@dataclass(frozen=True)
class Attachment:
    kind: str  # "photo" | "document"
    file_id: str
    name: str | None = None


@dataclass(frozen=True)
class Incoming:
    """One thing a user did in one chat."""

    chat_id: int
    user_id: int
    kind: Kind
    text: str = ""  # the message text, or a command's arguments
    command: str | None = None  # "start", "help", … without the slash
    data: str | None = None  # callback data of a pressed button
    client_lang: str | None = None  # the client's language code (Telegram's language_code)
    chat_type: str = "private"  # private | group | supergroup | console
    update_id: int | None = None
    attachment: Attachment | None = None
    user_name: str | None = None  # display name, for staff messages
    what: str | None = None  # for "unsupported": sticker, voice, edited, …


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # callback data: short ids, never text; < 64 bytes

    def __post_init__(self):
        if len(self.data.encode("utf-8")) > 64:
            raise ValueError(f"callback data over 64 bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    """A message to show. chat_id None means the chat the Incoming came from."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    chat_id: int | None = None
    edit: bool = False  # replace the message whose button was pressed, where the channel can
    # ask the client to answer this message as a reply (Telegram's ForceReply, selective: only the users
    # mentioned in the text); such a reply reaches the bot in a group even with privacy mode on.
    # Channels without it (the terminal) ignore it; Telegram only when there are no inline buttons.
    force_reply: bool = False

    @staticmethod
    def of(text: str, buttons=(), **kw) -> "Reply":
        return Reply(text=text, buttons=tuple(tuple(row) for row in buttons), **kw)


@dataclass
class ChatState:
    """Everything the conversation remembers about one chat; stored as JSON in the database."""

    lang: str | None = None
    city: str | None = None
    flow: str | None = None  # the flow the chat is in, None at the main menu
    step: str | None = None
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"lang": self.lang, "city": self.city, "flow": self.flow, "step": self.step, "data": self.data}

    @classmethod
    def from_json(cls, obj: dict | None) -> "ChatState":
        obj = obj or {}
        return cls(
            lang=obj.get("lang"),
            city=obj.get("city"),
            flow=obj.get("flow"),
            step=obj.get("step"),
            data=dict(obj.get("data") or {}),
        )
