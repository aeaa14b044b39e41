"""/complaint and the "File a complaint" button: category → city → description (+ photos, files) →
optional contact → what will be stored and who sees it → consent → ticket number at once.

The ticket is committed before it is shown. An idempotency key made when the flow starts is passed to
Complaints.file, so a redelivered or double-pressed consent never files twice. Filing too often is
slowed down politely (Complaints.check_rate). Complaints are taken in private chats only: they carry
personal data that a group should not see.
Button data: `cmp:cat:<category>`, `cmp:city:<city>`, `cmp:skip` (no contact), `cmp:ok` (consent),
`cmp:cancel`.
"""

from __future__ import annotations

import re
import uuid

from bot.complaint_texts import CATEGORIES, CITIES, category_label, city_label, clip
from bot.core.context import Context
from bot.core.messages import Button
from bot.errors import UserError
from bot.render import escape

NAME = "cmp"
MAX_DESCRIPTION = 4000
MAX_CONTACT = 300
MAX_ATTACHMENTS = 10
MIN_DESCRIPTION = 10
_PHONE = re.compile(r"\+?[\d\s()\-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[^@\s.]{2,}")
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")


NO_CONTACT = {"none", "no", "nope", "skip", "-", "n/a", "нет", "не надо", "пропустить", "无", "没有", "不用", "不需要", "跳过"}


def valid_contact(text: str) -> bool:
    """A phone number (digits, spaces, +, -, parentheses; 5 to 20 digits), an e-mail address or a Telegram
    @username; several of them separated by ',' or ';' too. The hotline must be able to use it."""
    parts = [p.strip() for p in re.split(r"[,;，；]", text) if p.strip()]
    return bool(parts) and all(
        (_PHONE.fullmatch(p) and 5 <= sum(ch.isdigit() for ch in p) <= 20) or _EMAIL.fullmatch(p) or _USERNAME.fullmatch(p)
        for p in parts)


def _data(ctx: Context) -> dict:
    return ctx.flow_data(NAME)


def _cancel_button(ctx: Context) -> Button:
    return Button(ctx._("Cancel"), "cmp:cancel")


def ask_category(ctx: Context) -> None:
    _ = ctx._
    rows = [[Button(category_label(_, key), f"cmp:cat:{key}")] for key in CATEGORIES]
    ctx.say(_("<b>File a complaint with the hotline</b>\nWhat is it about?"), rows + [[_cancel_button(ctx)]])


def ask_city(ctx: Context) -> None:
    _ = ctx._
    row = [Button(("✓ " if ctx.state.city == c else "") + city_label(_, c), f"cmp:city:{c}") for c in CITIES]
    ctx.say(_("Which city's services is it about?"), [row, [_cancel_button(ctx)]])


def ask_description(ctx: Context) -> None:
    ctx.say(ctx._("Please describe what happened: when, where, who was involved, and what you expected. "
                  "You can also send photos or documents."), [[_cancel_button(ctx)]])


def ask_contact(ctx: Context, note: str | None = None) -> None:
    text = ctx._("How can the hotline reach you besides this chat (phone or e-mail)? This is optional.")
    ctx.say(f"{note}\n{text}" if note else text, [[Button(ctx._("Skip"), "cmp:skip"), _cancel_button(ctx)]])


def ask_consent(ctx: Context) -> None:
    _ = ctx._
    d = _data(ctx)
    lines = [
        _("<b>Please check your complaint</b>"),
        _("Category: %(category)s", category=category_label(_, d["category"])),
        _("City: %(city)s", city=city_label(_, d["city"])),
        "<blockquote>" + escape(clip(d.get("desc", ""), 1500)) + "</blockquote>",
    ]
    if d.get("att"):
        lines.append(_.n("%(n)s attachment", "%(n)s attachments", len(d["att"])))
    lines.append(_("Contact: %(contact)s", contact=escape(d["contact"])) if d.get("contact") else _("Contact: none"))
    lines += [
        "",
        _("<b>What is stored:</b> the text above, your attachments, your contact details, your Telegram name "
          "and id, and your language."),
        _("<b>Who sees it:</b> the hotline staff of %(city)s, who will answer you here.", city=city_label(_, d["city"])),
        _("You can withdraw the complaint with /status, and delete your personal data at any time with /forget."),
        "",
        _("Do you agree that we store it and pass it to the hotline?"),
    ]
    ctx.say("\n".join(lines), [[Button(_("I agree, send it"), "cmp:ok"), _cancel_button(ctx)]])


class ComplaintFlow:
    name = NAME
    commands = ("complaint",)
    accepts_attachments = True

    def start(self, ctx: Context) -> None:
        if ctx.incoming.chat_type not in ("private", "console"):
            ctx.state.flow = None
            ctx.say(ctx._("Complaints carry personal details, so please file them in a private chat with me."))
            return
        try:
            ctx.services.complaints.check_rate(ctx.incoming.user_id)
        except UserError as exc:
            ctx.state.flow = None
            ctx.user_error(exc, [[Button(ctx._("My complaints"), "tk:list"), ctx.menu_button()]])
            return
        ctx.clear_flow_data(NAME)
        ctx.enter(NAME, "cat")
        _data(ctx)["key"] = uuid.uuid4().hex
        ask_category(ctx)

    def resume(self, ctx: Context) -> None:
        """The chat was reopened: ask the current step's question again, with what was entered kept."""
        d = ctx.state.data.get(NAME)
        step = ctx.state.step
        if not isinstance(d, dict) or "key" not in d:
            self.start(ctx)
        elif step == "cat":
            ask_category(ctx)
        elif step == "city" and "category" in d:
            ask_city(ctx)
        elif step == "desc" and "city" in d:
            if d.get("att"):
                ctx.say(ctx._("Attached (%(n)s). Send more, or write the description.", n=len(d["att"])))
            ask_description(ctx)
        elif step == "contact" and d.get("desc"):
            ask_contact(ctx)
        elif step == "confirm" and "city" in d and "category" in d:
            ask_consent(ctx)
        else:
            self.start(ctx)

    def cancel(self, ctx: Context) -> None:
        ctx.clear_flow_data(NAME)

    def handle(self, ctx: Context) -> None:
        d = ctx.state.data.get(NAME)
        parts = ctx.parts
        if parts:
            if parts[1:2] == ["cancel"]:
                self.cancel(ctx)
                ctx.main_menu(note=ctx._("Your complaint was not sent."))
                return
            if not isinstance(d, dict) or "key" not in d or ctx.state.flow != NAME:
                ctx.expired()  # a button of a complaint already sent or abandoned
                return
            self._button(ctx, d, parts)
            return
        if ctx.state.flow != NAME or not isinstance(d, dict):
            ctx.expired()
            return
        if ctx.incoming.kind == "attachment":
            self._attachment(ctx, d)
        else:
            self._text(ctx, d)

    def _button(self, ctx: Context, d: dict, parts: list[str]) -> None:
        what, value = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
        if what == "cat" and value in CATEGORIES:
            d["category"] = value
            ctx.enter(NAME, "city")
            ask_city(ctx)
        elif what == "city" and value in CITIES and "category" in d:
            d["city"] = value
            ctx.enter(NAME, "desc")
            ask_description(ctx)
        elif what == "skip" and ctx.state.step == "contact":
            d["contact"] = None
            ctx.enter(NAME, "confirm")
            ask_consent(ctx)
        elif what == "ok" and ctx.state.step == "confirm":
            self._file(ctx, d)
        else:
            ctx.expired()

    def _attachment(self, ctx: Context, d: dict) -> None:
        att = ctx.incoming.attachment
        if ctx.state.step != "desc" or att is None:
            ctx.say(ctx._("Photos and documents can be added while you describe what happened."))
            return
        files = d.setdefault("att", [])
        if len(files) >= MAX_ATTACHMENTS:
            ctx.say(ctx._("That is enough attachments (%(n)s). Please write the description now.", n=MAX_ATTACHMENTS))
            return
        files.append({"kind": att.kind, "file_id": att.file_id, "name": att.name})
        caption = ctx.text
        if caption:
            d["desc"] = (d.get("desc", "") + "\n" + caption).strip()[:MAX_DESCRIPTION]
        ctx.say(ctx._("Attached (%(n)s). Send more, or write the description.", n=len(files)))

    def _text(self, ctx: Context, d: dict) -> None:
        text, step = ctx.text, ctx.state.step
        if step == "desc":
            if len(text) > MAX_DESCRIPTION:
                ctx.say(ctx._("That is %(n)s characters; please keep the description under %(max)s.",
                              n=len(text), max=MAX_DESCRIPTION), [[_cancel_button(ctx)]])
                return
            full = (d.get("desc", "") + "\n" + text).strip()
            if len(full) < MIN_DESCRIPTION:
                ctx.say(ctx._("Please describe a little more, so the hotline can help."), [[_cancel_button(ctx)]])
                return
            d["desc"] = full[:MAX_DESCRIPTION]
            ctx.enter(NAME, "contact")
            ask_contact(ctx)
        elif step == "contact":
            if len(text) > MAX_CONTACT:
                ctx.say(ctx._("Please keep contact details under %(max)s characters.", max=MAX_CONTACT))
                return
            if text.strip(" .!。！").lower() in NO_CONTACT:  # typed instead of pressing Skip
                text = ""
            if text and not valid_contact(text):
                ask_contact(ctx, note=ctx._("That does not look like a phone number, an e-mail address or a "
                                            "Telegram @username. Please send one of them, or press Skip."))
                return
            d["contact"] = text or None
            ctx.enter(NAME, "confirm")
            ask_consent(ctx)
        elif step == "cat":
            ask_category(ctx)
        elif step == "city":
            ask_city(ctx)
        else:
            ctx.say(ctx._("Please use the buttons above to send the complaint or cancel it."),
                    [[Button(ctx._("I agree, send it"), "cmp:ok"), _cancel_button(ctx)]])

    def _file(self, ctx: Context, d: dict) -> None:
        inc = ctx.incoming
        try:
            t = ctx.services.complaints.file(
                user_id=inc.user_id, chat_id=inc.chat_id, city=d["city"], category=d["category"],
                description=d.get("desc", ""), lang=ctx.lang, contact=d.get("contact"),
                attachments=d.get("att", []), idem_key=d["key"], user_name=inc.user_name,
            )
        except UserError as exc:
            ctx.user_error(exc, [[Button(ctx._("My complaints"), "tk:list"), ctx.menu_button()]])
            return
        self.cancel(ctx)
        ctx.state.flow = ctx.state.step = None
        _ = ctx._
        ctx.say(
            _("✅ Your complaint is registered. Your ticket number is <b>%(ticket)s</b>.", ticket=t.ticket) + "\n"
            + _("The hotline will answer you in this chat. /status shows your tickets."),
            [[Button(_("My complaints"), "tk:list"), ctx.menu_button()]],
        )


FLOW = ComplaintFlow()
