"""What a flow sees while it handles one Incoming: the Context, and the Flow protocol flows implement.

A flow never talks to a channel. It reads `ctx.incoming` and `ctx.state`, changes the state, and adds
Replies with `ctx.say(...)`; the Dialogue saves the state and hands the replies to the adapter.

Contract for flow authors (see docs/conversation.md):
- A flow has a short `name` (also the prefix of its button data: "cmp:cat:delay" goes to the flow "cmp"),
  `start(ctx)` (entered by a command, a menu button or `ctx.goto`) and `handle(ctx)` (free text, an
  attachment or one of its own buttons while the chat is in it; its buttons at any time).
- Optional attributes: `commands` (tuple of command names, without slash, that start this flow; the
  command's arguments are in `ctx.incoming.text` and its name in `ctx.incoming.command`),
  `accepts_attachments` (True: photos/documents are passed to `handle` while the chat is in the flow)
  and `resume(ctx)`: show the current step again, unchanged, when a channel reopens the chat (the
  terminal chat at start); without it the flow is started afresh.
- Keep per-flow state in `ctx.flow_data(self.name)` (a dict inside ChatState.data, JSON only) and the
  step in `ctx.state.step`; call `ctx.enter(self.name)` when a button press (re)enters your flow.
- Bad input: raise nothing to the Dialogue for expected mistakes; say so with `ctx.say(...)` or
  `ctx.user_error(exc)`. Anything raised is logged and the user gets a generic apology (state not saved).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Iterable, Protocol, runtime_checkable

from bot import render as _render
from bot.core.messages import Button, ChatState, Incoming, Reply
from bot.errors import UserError
from bot.i18n import Translator, normalize

if TYPE_CHECKING:  # pragma: no cover
    from bot.core.services import Services

log = logging.getLogger(__name__)


@runtime_checkable
class Flow(Protocol):
    """One conversation flow (menu, ask, wizard, complaint, …), registered in bot.core.flows.FLOWS."""

    name: str

    def start(self, ctx: "Context") -> None: ...

    def handle(self, ctx: "Context") -> None: ...


class Context:
    """One Incoming being handled: the state to change, the replies to send, and helpers."""

    def __init__(self, incoming: Incoming, state: ChatState, lang: str, services: "Services"):
        self.incoming = incoming
        self.state = state
        self.services = services
        self.replies: list[Reply] = []
        self.lang = normalize(lang) or "en"
        self._ = Translator(self.lang)

    # ------------------------------------------------------------ shortcuts

    @property
    def settings(self):
        return self.services.settings

    @property
    def store(self):
        return self.services.store

    @property
    def text(self) -> str:
        """The message text (or a command's arguments), stripped."""
        return (self.incoming.text or "").strip()

    @property
    def parts(self) -> list[str]:
        """The pressed button's data split on ':' ("wiz:yes" -> ["wiz", "yes"]); [] for no button."""
        return (self.incoming.data or "").split(":") if self.incoming.data else []

    @property
    def city(self) -> str | None:
        return self.state.city

    def set_lang(self, lang: str) -> None:
        """Switch the language for this reply and remember it for the user."""
        self.lang = normalize(lang) or "en"
        self._ = Translator(self.lang)
        self.state.lang = self.lang

    def flow_data(self, name: str) -> dict:
        """The JSON dict a flow keeps between messages (inside ChatState.data)."""
        data = self.state.data.get(name)
        if not isinstance(data, dict):
            data = self.state.data[name] = {}
        return data

    def clear_flow_data(self, name: str) -> None:
        self.state.data.pop(name, None)

    # ------------------------------------------------------------ replying

    def say(self, text: str, buttons: Iterable = (), edit: bool = False, chat_id: int | None = None,
            force_reply: bool = False) -> None:
        """Add a reply. `buttons` is a list of rows (each a list of Button) or a flat list (one per row).
        `force_reply`: ask the user to answer it as a reply (see Reply.force_reply)."""
        rows = []
        for row in buttons or ():
            if isinstance(row, Button):
                rows.append((row,))
            elif row:
                rows.append(tuple(row))
        self.replies.append(Reply(text=text, buttons=tuple(rows), edit=edit, chat_id=chat_id, force_reply=force_reply))

    def render(self, template: str, **kw) -> str:
        """Render bot/templates/<template> in the chat's language (Telegram HTML, autoescaped)."""
        kw.setdefault("city", self.state.city)
        return _render.render(template, self.lang, **kw)

    def button(self, label: str, data: str) -> Button:
        """A button; `label` must already be translated (`ctx._("Main menu")`)."""
        return Button(label, data)

    def menu_button(self) -> Button:
        return Button(self._("Main menu"), "menu:home")

    def user_error(self, exc: UserError, buttons: Iterable = ()) -> None:
        self.say(_render.escape(exc.text(self.lang)), buttons)

    # ------------------------------------------------------------ moving between flows

    def enter(self, name: str, step: str | None = None) -> None:
        """Mark the chat as being in flow `name` without calling its start."""
        if self.state.flow != name:
            self.state.step = None
        self.state.flow = name
        if step is not None:
            self.state.step = step

    def goto(self, name: str) -> None:
        """Enter flow `name` from the beginning (sets state.flow, calls its start)."""
        from bot.core.flows import FLOWS

        flow = FLOWS.get(name)
        if flow is None:  # a flow that is not installed (yet): fall back to the menu
            log.warning("goto unknown flow %r", name)
            self.main_menu()
            return
        self.state.flow = name
        self.state.step = None
        flow.start(self)

    def main_menu(self, note: str | None = None, edit: bool = False) -> None:
        """Leave any flow and show the main menu (after `note`, an already translated line, if given)."""
        from bot.core.flows.menu import show_menu

        self.state.flow = None
        self.state.step = None
        show_menu(self, note=note, edit=edit)

    def expired(self) -> None:
        """A button of an old message was pressed: say so kindly and show the main menu."""
        self.main_menu(note=self._("That menu has expired. Here is the main menu."))
