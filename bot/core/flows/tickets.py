"""/status and "My complaints": a complainant's own tickets (never anyone else's), answering into a
ticket's thread, withdrawing a ticket; and /forget, which erases the user's personal data.

Button data: `tk:list`, `tk:show:<id>`, `tk:ans:<id>` (answer the hotline), `tk:wd:<id>` (ask to
withdraw), `tk:wdy:<id>` (withdraw), `tk:forget:yes|no`. Ids in buttons are checked against the user
on every press: a crafted button with another user's id gets the same answer as a missing ticket.
"""

from __future__ import annotations

import re

from bot.complaint_texts import DELIVERY, category_label, city_label, clip, status_label
from bot.complaints import OPEN
from bot.core.context import Context
from bot.core.messages import Button, ChatState
from bot.errors import UserError
from bot.i18n import format_date
from bot.render import escape

NAME = "tk"
SHOWN = 10
TICKET = re.compile(r"^[A-Za-z]{2}-\d{4}-\d{1,9}$")


def _line(ctx: Context, t) -> str:
    _ = ctx._
    return _("<b>%(ticket)s</b> · %(status)s · %(category)s · %(city)s · %(date)s", ticket=t.ticket,
             status=status_label(_, t.status), category=category_label(_, t.category), city=city_label(_, t.city),
             date=format_date(t.created_at.date(), ctx.lang, "medium"))


def show_list(ctx: Context, edit: bool = False) -> None:
    _ = ctx._
    tickets = ctx.services.complaints.for_user(ctx.incoming.user_id)
    if not tickets:
        ctx.say(_("You have not filed any complaints."),
                [[Button(_("File a complaint"), "menu:cmp"), ctx.menu_button()]], edit=edit)
        return
    lines = [_("<b>Your complaints</b>")] + [_line(ctx, t) for t in tickets[:SHOWN]]
    if len(tickets) > SHOWN:
        lines.append(_("…and %(n)s older ones.", n=len(tickets) - SHOWN))
    rows = [[Button(t.ticket, f"tk:show:{t.id}")] for t in tickets[:SHOWN]]
    ctx.say("\n".join(lines), rows + [[ctx.menu_button()]], edit=edit)


def show_ticket(ctx: Context, ref: str | int) -> None:
    _ = ctx._
    svc = ctx.services.complaints
    t = svc.get(ref)
    if t is None or t.user_id != ctx.incoming.user_id:
        ctx.say(escape(_("You have no complaint %(ticket)s.", ticket=str(ref))), [[Button(_("My complaints"), "tk:list")]])
        return
    full = svc.show(t.id)
    lines = [_line(ctx, t), "<blockquote>" + escape(clip(t.description, 800)) + "</blockquote>"]
    for m in full["messages"][-5:]:
        who = _("Hotline") if m["author"] == "staff" else _("You")
        lines.append(f"<b>{escape(who)}:</b> " + escape(clip(m["text"], 600)))
    rows = []
    if t.status in OPEN:
        rows.append([Button(_("Answer"), f"tk:ans:{t.id}"), Button(_("Withdraw"), f"tk:wd:{t.id}")])
    rows.append([Button(_("My complaints"), "tk:list"), ctx.menu_button()])
    ctx.say("\n".join(lines), rows)


def _own(ctx: Context, ident: str):
    t = ctx.services.complaints.get(int(ident)) if ident.isdigit() else None
    return t if t is not None and t.user_id == ctx.incoming.user_id else None


class TicketsFlow:
    name = NAME
    commands = ("status", "forget")
    accepts_attachments = True

    def start(self, ctx: Context) -> None:
        ctx.state.flow = ctx.state.step = None
        if ctx.incoming.chat_type not in ("private", "console"):
            ctx.say(ctx._("Please ask me about your complaints in a private chat."))
            return
        if ctx.incoming.command == "forget":
            _ = ctx._
            ctx.say(_("This deletes what you told me: the texts of your complaints and answers, your contact "
                      "details, your settings and conversation. Your tickets stay only as anonymous statistics. "
                      "Delete now?"),
                    [[Button(_("Yes, delete my data"), "tk:forget:yes"), Button(_("No"), "tk:forget:no")]])
            return
        arg = ctx.text.split()[0] if ctx.text else ""
        if arg and TICKET.match(arg):
            show_ticket(ctx, arg.upper())
        else:
            show_list(ctx)

    def cancel(self, ctx: Context) -> None:
        ctx.clear_flow_data(NAME)

    def handle(self, ctx: Context) -> None:
        parts = ctx.parts
        if not parts:
            self._answer_text(ctx)
            return
        what, value = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
        _ = ctx._
        if what == "list":
            ctx.state.flow = ctx.state.step = None
            show_list(ctx)
        elif what == "show" and value.isdigit():
            show_ticket(ctx, int(value))
        elif what == "ans" and (t := _own(ctx, value)) is not None:
            self._ask_answer(ctx, t)
        elif what == "wd" and (t := _own(ctx, value)) is not None:
            ctx.say(_("Withdraw complaint <b>%(ticket)s</b>? The hotline will stop working on it.", ticket=t.ticket),
                    [[Button(_("Yes, withdraw"), f"tk:wdy:{t.id}"), Button(_("No"), f"tk:show:{t.id}")]])
        elif what == "wdy" and (t := _own(ctx, value)) is not None:
            try:
                t = ctx.services.complaints.withdraw(t.id, ctx.incoming.user_id)
            except UserError as exc:
                ctx.user_error(exc, [[Button(_("My complaints"), "tk:list")]])
                return
            ctx.say(_("Complaint <b>%(ticket)s</b> is withdrawn.", ticket=t.ticket), [[ctx.menu_button()]])
        elif what == "forget" and value == "yes":
            self._forget(ctx)
        elif what == "forget":
            ctx.main_menu(note=_("Nothing was deleted."))
        elif what in ("ans", "wd", "wdy", "show"):
            ctx.say(escape(_("You have no complaint %(ticket)s.", ticket=value)), [[Button(_("My complaints"), "tk:list")]])
        else:
            ctx.expired()

    def _ask_answer(self, ctx: Context, t) -> None:
        _ = ctx._
        if t.status not in OPEN:
            ctx.say(_("Complaint %(ticket)s is closed. Please file a new complaint.", ticket=t.ticket))
            return
        ctx.enter(NAME, "answer")
        ctx.flow_data(NAME)["id"] = t.id
        ctx.say(_("Write your answer to the hotline about <b>%(ticket)s</b> (photos and documents are welcome too).",
                  ticket=t.ticket), [[Button(_("Cancel"), "tk:list")]])

    def resume(self, ctx: Context) -> None:
        """The chat was reopened while writing an answer: ask for it again; otherwise the ticket list."""
        d = ctx.state.data.get(NAME) or {}
        t = _own(ctx, str(d.get("id", ""))) if ctx.state.step == "answer" else None
        if t is not None and t.status in OPEN:
            self._ask_answer(ctx, t)
        else:
            self.start(ctx)

    def _answer_text(self, ctx: Context) -> None:
        d = ctx.state.data.get(NAME) or {}
        if ctx.state.step != "answer" or "id" not in d:
            ctx.state.flow = ctx.state.step = None
            show_list(ctx)
            return
        att = ctx.incoming.attachment
        files = [{"kind": att.kind, "file_id": att.file_id, "name": att.name}] if att else []
        if len(ctx.text) > 4000:
            ctx.say(ctx._("That is %(n)s characters; please keep it under %(max)s.", n=len(ctx.text), max=4000))
            return
        try:
            t = ctx.services.complaints.answer(d["id"], ctx.incoming.user_id, ctx.text, files)
        except UserError as exc:
            ctx.clear_flow_data(NAME)
            ctx.state.flow = ctx.state.step = None
            ctx.user_error(exc, [[Button(ctx._("My complaints"), "tk:list")]])
            return
        ctx.clear_flow_data(NAME)
        ctx.state.flow = ctx.state.step = None
        ctx.say(ctx._("Your answer was added to <b>%(ticket)s</b> and passed to the hotline.", ticket=t.ticket),
                [[Button(ctx._("My complaints"), "tk:list"), ctx.menu_button()]])

    def _forget(self, ctx: Context) -> None:
        n = ctx.services.complaints.forget_user(ctx.incoming.user_id)
        ctx.state = ChatState()  # the saved state is gone too; start afresh
        ctx.say(ctx._("Your personal data is deleted. %(n)s tickets are kept only as anonymous statistics.", n=n)
                if n else ctx._("Your personal data is deleted."))


FLOW = TicketsFlow()


def delivery_label(ctx: Context, state: str | None) -> str:
    return ctx._(DELIVERY.get(state or "", state or ""))
