"""The conversation core: one Incoming in, the chat's Replies out, the chat's state saved in between.

`Dialogue(services).handle(incoming)` loads the (chat, user) state, picks the language, routes the
Incoming to a flow (commands, button prefixes, free text), saves the state with optimistic concurrency
(reload and handle again when another worker saved first) and returns the replies. It never raises to
the adapter: an unexpected error is logged and the user gets a short apology in their language.
"""

from __future__ import annotations

import copy
import dataclasses
import logging

from bot.core import staff
from bot.core.context import Context
from bot.core.flows import COMMANDS, FLOWS
from bot.core.flows import fallback
from bot.core.messages import Button, ChatState, Incoming, Reply
from bot.errors import UserError
from bot.i18n import gettext, pick

log = logging.getLogger(__name__)

SAVE_ATTEMPTS = 4
CANCEL_COMMANDS = ("cancel", "stop")
STAFF_BUTTONS = "hl:"  # the Claim / Reply / Resolve buttons of the queue (bot/core/staff.py)
MAX_TEXT = 20_000  # far over any real message: anything longer is cut before a flow sees it


class Dialogue:
    def __init__(self, services):
        self.services = services

    # ------------------------------------------------------------ entry point

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Handle one Incoming; always returns replies (possibly none), never raises."""
        lang = pick(None, getattr(incoming, "client_lang", None))
        try:
            incoming = self._sanitize(incoming)
            for attempt in range(SAVE_ATTEMPTS):
                state, version = self.services.store.chats.load(incoming.chat_id, incoming.user_id)
                lang = pick(state.lang, incoming.client_lang)
                before = state.to_json()
                ctx = Context(incoming, ChatState.from_json(copy.deepcopy(before)), lang, self.services)
                try:
                    self.route(ctx)
                except UserError as exc:  # a flow's bad-input error that it did not turn into a reply itself
                    ctx.state = ChatState.from_json(copy.deepcopy(before))
                    ctx.user_error(exc, [ctx.menu_button()])
                if ctx.state.to_json() == before:
                    return ctx.replies
                if self.services.store.chats.save(incoming.chat_id, incoming.user_id, ctx.state, version):
                    return ctx.replies
                log.info("concurrent save for chat %s user %s, attempt %s", incoming.chat_id, incoming.user_id, attempt + 1)
            return [Reply.of(gettext(lang, "I am busy with your previous message. Please try again in a moment."))]
        except Exception:
            log.exception("unexpected error handling %r", _summary(incoming))
            return [Reply.of(
                gettext(lang, "Sorry, something went wrong on my side. Please try again, or go back to the main menu."),
                [[Button(gettext(lang, "Main menu"), "menu:home")]],
            )]

    # ------------------------------------------------------------ routing

    def route(self, ctx: Context) -> None:
        inc = ctx.incoming
        if self._is_staff(inc):
            staff.handle(ctx)
            return
        if inc.kind == "command":
            self._command(ctx)
        elif inc.kind == "button":
            self._button(ctx)
        elif inc.kind == "text":
            self._text(ctx)
        elif inc.kind == "resume":
            self._resume(ctx)
        elif inc.kind == "attachment":
            flow = FLOWS.get(ctx.state.flow or "")
            if flow is not None and getattr(flow, "accepts_attachments", False):
                flow.handle(ctx)
            else:
                fallback.unsupported(ctx)
        else:
            fallback.unsupported(ctx)

    def _is_staff(self, inc: Incoming) -> bool:
        """Everything from the hotline group, staff commands and queue buttons from anywhere."""
        hotline = self.services.settings.hotline_chat_id
        if hotline is not None and inc.chat_id == hotline:
            return True
        if inc.kind == "command":
            return (inc.command or "") in staff.COMMANDS
        return inc.kind == "button" and (inc.data or "").startswith(STAFF_BUTTONS)

    def _command(self, ctx: Context) -> None:
        cmd = ctx.incoming.command or ""
        if cmd in CANCEL_COMMANDS:
            flow = FLOWS.get(ctx.state.flow or "")
            cancel = getattr(flow, "cancel", None)
            if cancel is not None:  # a flow that wants to tidy up (e.g. a half-written complaint)
                cancel(ctx)
            ctx.main_menu(note=ctx._("Cancelled. Here is the main menu."))
            return
        name = COMMANDS.get(cmd)
        if name is None or name not in FLOWS:
            fallback.unknown_command(ctx)
            return
        ctx.state.flow = name
        ctx.state.step = None
        FLOWS[name].start(ctx)

    def _button(self, ctx: Context) -> None:
        data = ctx.incoming.data or ""
        flow = FLOWS.get(data.split(":", 1)[0])
        if flow is None:
            ctx.expired()
            return
        flow.handle(ctx)

    def _resume(self, ctx: Context) -> None:
        """Show the step the chat is in again (its state survives a restart): the flow's `resume`, else its
        start; at the main menu (or in a flow that no longer exists) the menu."""
        flow = FLOWS.get(ctx.state.flow or "")
        if flow is None:
            ctx.main_menu()
            return
        resume = getattr(flow, "resume", None)
        if resume is not None:
            resume(ctx)
        else:
            ctx.goto(ctx.state.flow)

    def _text(self, ctx: Context) -> None:
        inc = ctx.incoming
        if inc.what == "binary":
            ctx.say(ctx._("I could not read that message. Please type your question in words."), [ctx.menu_button()])
            return
        flow = FLOWS.get(ctx.state.flow or "")
        if flow is None:
            if ctx.state.flow:  # a flow that no longer exists: back to the menu, then treat it as a question
                ctx.state.flow = None
                ctx.state.step = None
            flow = FLOWS["ask"]
        flow.handle(ctx)

    # ------------------------------------------------------------ input hygiene

    @staticmethod
    def _sanitize(inc: Incoming) -> Incoming:
        """Text a flow can trust: a str without control characters, cut far beyond any real message."""
        raw = inc.text
        binary = fallback.looks_binary(raw)
        text = fallback.clean_text(raw if isinstance(raw, str) else "")[:MAX_TEXT]
        command = inc.command.strip().lower().lstrip("/").split("@", 1)[0] if isinstance(inc.command, str) else None
        data = inc.data if isinstance(inc.data, str) else None
        kind = inc.kind
        if kind == "command" and not command:
            kind = "text"
        if kind == "button" and not data:
            kind = "unsupported"
        what = "binary" if binary and kind == "text" else inc.what
        return dataclasses.replace(inc, text=text, command=command, data=data, kind=kind, what=what)


def _summary(inc) -> str:
    try:
        return f"{inc.kind} chat={inc.chat_id} user={inc.user_id} cmd={inc.command} data={inc.data} len={len(inc.text or '')}"
    except Exception:
        return "?"
