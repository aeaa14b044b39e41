"""Hotline staff: /queue, /claim TICKET, /reply TICKET TEXT, /resolve TICKET [NOTE], and the Claim /
Reply / Resolve buttons under each announcement (data `hl:claim|reply|resolve:<id>`).

The Dialogue sends here everything from the hotline group and these commands from anywhere. Only
Settings.staff_user_ids may act; anyone else is refused (and nothing changes). Answers go to the chat
the staff member wrote in; what the complainant is told goes through the outbox.

Reply (the button) claims a new ticket (the same exclusive claim as /claim) and asks for the text with
a ForceReply prompt that mentions the staff member: their answer is a reply to the bot, which Telegram
passes on even with group privacy mode on. The awaited ticket is kept in that member's state for this
chat (ChatState.data["hl"], so a restart keeps it); their next text there is sent exactly like
`/reply TICKET TEXT`; /cancel abandons it. Everything else stays stateless: commands name their ticket.
"""

from __future__ import annotations

import datetime as dt

from bot.complaint_texts import DELIVERY, STATUS, category_label, city_label
from bot.core.context import Context
from bot.errors import UserError
from bot.render import escape

COMMANDS = ("queue", "claim", "reply", "resolve")
CANCEL = ("cancel", "stop")
SHOWN = 15
PENDING = "hl"  # ChatState.data key: {"id": complaint id, "ticket": number} awaiting this member's reply text


def is_staff(ctx: Context) -> bool:
    return ctx.incoming.user_id in ctx.settings.staff_user_ids


def handle(ctx: Context) -> None:
    inc = ctx.incoming
    ctx.state.flow = ctx.state.step = None  # staff work is stateless apart from an awaited reply (PENDING)
    pending = _pending(ctx)
    if inc.kind == "command":
        cmd = inc.command or ""
        if cmd in CANCEL and pending is not None:
            ctx.state.data.pop(PENDING, None)
            ctx.say(ctx._("Your reply to <b>%(ticket)s</b> was not sent.", ticket=escape(pending["ticket"])))
            return
        if cmd not in COMMANDS:
            if ctx.settings.hotline_chat_id is not None and inc.chat_id == ctx.settings.hotline_chat_id:
                _help(ctx)
            return
        if not is_staff(ctx):
            _refuse(ctx)
            return
        _run(ctx, cmd, ctx.text)
    elif inc.kind == "button":
        parts = ctx.parts
        if parts[:1] != ["hl"] or len(parts) != 3 or not parts[2].isdigit():
            return  # some other menu pressed in the staff group: not for the queue
        if not is_staff(ctx):
            _refuse(ctx)
            return
        _button(ctx, parts[1], int(parts[2]))
    elif pending is not None and is_staff(ctx):
        if inc.kind == "text" and ctx.text:
            _send_pending(ctx, pending)
        elif inc.kind in ("attachment", "unsupported", "text"):
            ctx.say(ctx._("Please write the reply to <b>%(ticket)s</b> as text, or send /cancel.",
                          ticket=escape(pending["ticket"])), force_reply=True)
    # plain talk in the staff group is not addressed to the queue: say nothing


def _pending(ctx: Context) -> dict | None:
    p = ctx.state.data.get(PENDING)
    return p if isinstance(p, dict) and isinstance(p.get("id"), int) and p.get("ticket") else None


def _refuse(ctx: Context) -> None:
    ctx.say(ctx._("Only hotline staff can work on complaints."))


def _help(ctx: Context) -> None:
    _ = ctx._
    ctx.say("\n".join([
        _("<b>Hotline commands</b>"),
        _("/queue: new, claimed and overdue tickets"),
        _("/claim TICKET: take a ticket"),
        _("/reply TICKET TEXT: answer the complainant"),
        _("/resolve TICKET [NOTE]: close a ticket"),
    ]))


def _name(ctx: Context) -> str:
    return ctx.incoming.user_name or str(ctx.incoming.user_id)


def _run(ctx: Context, cmd: str, args: str) -> None:
    if cmd == "queue":
        show_queue(ctx)
        return
    ticket, _sep, rest = args.strip().partition(" ")
    if not ticket:
        ctx.say(escape(ctx._("Usage: /%(cmd)s TICKET", cmd=cmd) + (" " + ctx._("TEXT") if cmd == "reply" else "")))
        return
    try:
        if cmd == "claim":
            _claim(ctx, ticket)
        elif cmd == "reply":
            _reply(ctx, ticket, rest)
        elif cmd == "resolve":
            t = ctx.services.complaints.resolve(ticket, ctx.incoming.user_id, _name(ctx), rest or None)
            _drop_pending(ctx, t.id)
            ctx.say(ctx._("✔️ <b>%(ticket)s</b> resolved by %(name)s; the complainant is told.",
                          ticket=t.ticket, name=escape(_name(ctx))))
    except UserError as exc:
        ctx.user_error(exc)


def _reply(ctx: Context, ticket: str | int, text: str) -> None:
    """Send `text` to the complainant of `ticket` (raises UserError like Complaints.reply)."""
    t = ctx.services.complaints.reply(ticket, ctx.incoming.user_id, _name(ctx), text)
    _drop_pending(ctx, t.id)
    if t.chat_id is None:
        ctx.say(ctx._("The complainant of %(ticket)s has deleted their data; the reply is kept but cannot be delivered.",
                      ticket=t.ticket))
    else:
        ctx.say(ctx._("✉️ Reply to <b>%(ticket)s</b> queued for the complainant; /queue shows when it is delivered.",
                      ticket=t.ticket))


def _drop_pending(ctx: Context, complaint_id: int) -> None:
    pending = _pending(ctx)
    if pending is not None and pending["id"] == complaint_id:
        ctx.state.data.pop(PENDING, None)


def _send_pending(ctx: Context, pending: dict) -> None:
    """The awaited reply text arrived: deliver it like /reply; a ticket that can no longer take it ends the wait."""
    try:
        _reply(ctx, pending["id"], ctx.text)
    except UserError as exc:
        ctx.state.data.pop(PENDING, None)
        ctx.user_error(exc)


def _ask_reply(ctx: Context, t) -> None:
    """The Reply button: claim the ticket when it is new, then ask this staff member for the text."""
    _ = ctx._
    uid = ctx.incoming.user_id
    if t.status == "new":
        result = ctx.services.complaints.claim(t.id, uid, _name(ctx))
        t = result.ticket
        if result.won:
            ctx.say(_("✅ <b>%(ticket)s</b> claimed by %(name)s.", ticket=t.ticket, name=escape(_name(ctx))))
    if t.status not in ("claimed", "answered"):
        ctx.say(_("<b>%(ticket)s</b> is %(status)s; there is nothing to reply to.",
                  ticket=t.ticket, status=_(STATUS.get(t.status, t.status))))
        return
    if t.claimed_by != uid:
        ctx.say(_("<b>%(ticket)s</b> is already taken by %(name)s.", ticket=t.ticket,
                  name=escape(t.claimed_by_name or str(t.claimed_by))))
        return
    hotline = ctx.settings.hotline_chat_id
    if hotline is None or ctx.incoming.chat_id != hotline:  # the awaited text is only read in the hotline group
        ctx.say(_("To answer, send:") + f"\n<code>/reply {t.ticket} </code>" + _("TEXT"))
        return
    ctx.state.data[PENDING] = {"id": t.id, "ticket": t.ticket}
    # the mention makes the selective ForceReply open the reply field for this member only
    mention = f'<a href="tg://user?id={int(uid)}">{escape(_name(ctx))}</a>'
    ctx.say(_("✍️ %(name)s, write your reply to <b>%(ticket)s</b> as an answer to this message. "
              "The complainant receives it in their language. /cancel stops.", name=mention, ticket=t.ticket),
            force_reply=True)


def _claim(ctx: Context, ticket: str | int) -> None:
    result = ctx.services.complaints.claim(ticket, ctx.incoming.user_id, _name(ctx))
    t = result.ticket
    if result.won:
        ctx.say(ctx._("✅ <b>%(ticket)s</b> claimed by %(name)s.", ticket=t.ticket, name=escape(_name(ctx))))
    elif t.claimed_by == ctx.incoming.user_id:
        ctx.say(ctx._("You already have <b>%(ticket)s</b>.", ticket=t.ticket))
    elif t.claimed_by is not None:
        ctx.say(ctx._("<b>%(ticket)s</b> is already taken by %(name)s.", ticket=t.ticket, name=escape(result.holder or "?")))
    else:
        ctx.say(ctx._("<b>%(ticket)s</b> is %(status)s and cannot be claimed.", ticket=t.ticket, status=ctx._(STATUS.get(t.status, t.status))))


def _button(ctx: Context, action: str, complaint_id: int) -> None:
    svc = ctx.services.complaints
    t = svc.get(complaint_id)
    if t is None:
        ctx.say(ctx._("That ticket no longer exists."))
        return
    try:
        if action == "claim":
            _claim(ctx, complaint_id)
        elif action == "reply":
            _ask_reply(ctx, t)
        elif action == "resolve":
            _run(ctx, "resolve", t.ticket)
    except UserError as exc:
        ctx.user_error(exc)


def show_queue(ctx: Context) -> None:
    _ = ctx._
    svc = ctx.services.complaints
    q = svc.queue()
    now = svc.clock()
    out = []
    for key, title in (("overdue", _("⏰ Overdue")), ("new", _("🆕 New")), ("claimed", _("👤 Claimed"))):
        items = q[key]
        out.append(f"<b>{escape(title)}</b> ({len(items)})")
        for t in items[:SHOWN]:
            age = int((now - t.created_at).total_seconds() // 60)
            line = _("%(ticket)s · %(city)s · %(category)s · %(minutes)s min",
                     ticket=t.ticket, city=city_label(_, t.city), category=category_label(_, t.category), minutes=age)
            if key == "claimed":
                line += " · " + escape(t.claimed_by_name or str(t.claimed_by))
                delivery = svc.last_reply_delivery(t.id)
                if delivery:
                    line += " · " + _("reply %(state)s", state=_(DELIVERY.get(delivery, delivery)))
            out.append(line)
        if len(items) > SHOWN:
            out.append(_("…and %(n)s more", n=len(items) - SHOWN))
    ctx.say("\n".join(out))


def overdue_minutes(t, now: dt.datetime) -> int:
    return int((now - t.created_at).total_seconds() // 60)
