"""The words of the complaint hotline: labels, and the messages the queue sends to staff and complainants.

Every user text is escaped here (Telegram HTML); every sentence is a catalog msgid. Messages to a
complainant are written in the language stored on their complaint; messages to the hotline group in
the bot's default language. Outbox messages stay under Telegram's 4,096 characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cities import CITY_NAMES as CITIES
from bot.i18n import N_, Translator, format_datetime
from bot.render import escape

if TYPE_CHECKING:  # pragma: no cover
    from bot.complaints import Ticket

CATEGORIES: dict[str, str] = {
    "service": N_("Service promised but not given"),
    "specialist": N_("Employer's service specialist"),
    "delay": N_("Processing delay"),
    "misconduct": N_("Misconduct or fraud report"),
    "other": N_("Other"),
}
STATUS: dict[str, str] = {
    "new": N_("new"),
    "claimed": N_("being handled"),
    "answered": N_("answered"),
    "resolved": N_("resolved"),
    "withdrawn": N_("withdrawn"),
}
DELIVERY: dict[str, str] = {"pending": N_("sending"), "sent": N_("delivered"), "failed": N_("not delivered")}

MAX_FULL = 3000  # description characters shown in a single announcement
MAX_LINE = 50  # description characters shown in a digest line (40 lines fit in one message)


def clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split()) if limit < 200 else (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def category_label(_: Translator, category: str) -> str:
    return _(CATEGORIES.get(category, category))


def city_label(_: Translator, city: str) -> str:
    return _(CITIES.get(city, city))


def status_label(_: Translator, status: str) -> str:
    return _(STATUS.get(status, status))


# ---- to the hotline group -------------------------------------------------------------------------


def staff_buttons(_: Translator, t: "Ticket") -> list[list[tuple[str, str]]]:
    return [[(_("Claim"), f"hl:claim:{t.id}"), (_("Reply"), f"hl:reply:{t.id}"), (_("Resolve"), f"hl:resolve:{t.id}")]]


def announcement(lang: str, t: "Ticket", again_minutes: int | None = None) -> dict:
    """Outbox payload announcing a ticket: the full message, and its line for a digest."""
    _ = Translator(lang)
    head = (
        _("⏰ Still unclaimed after %(minutes)s minutes: complaint <b>%(ticket)s</b>", minutes=again_minutes, ticket=t.ticket)
        if again_minutes
        else _("🆕 New complaint <b>%(ticket)s</b>", ticket=t.ticket)
    )
    lines = [
        head,
        _("City: %(city)s · Category: %(category)s", city=city_label(_, t.city), category=category_label(_, t.category)),
        _("Filed: %(when)s · Language: %(language)s", when=format_datetime(t.created_at, lang), language=t.lang),
    ]
    if t.user_name:
        lines.append(_("From: %(name)s", name=escape(t.user_name)))
    if t.contact:
        lines.append(_("Contact: %(contact)s", contact=escape(clip(t.contact, 300))))
    if t.attachments:
        lines.append(_("Attachments: %(n)s (sent with the first announcement)", n=len(t.attachments)) if again_minutes
                     else _("Attachments: %(n)s (sent below)", n=len(t.attachments)))
    desc = t.description or ""
    lines.append("<blockquote>" + escape(clip(desc, MAX_FULL)) + "</blockquote>")
    if len(desc) > MAX_FULL:
        lines.append(_("(%(n)s more characters: talentbot complaints show %(ticket)s)", n=len(desc) - MAX_FULL, ticket=t.ticket))
    line = _(
        "<b>%(ticket)s</b> · %(city)s · %(category)s — %(text)s",
        ticket=t.ticket,
        city=city_label(_, t.city),
        category=category_label(_, t.category),
        text=escape(clip(desc, MAX_LINE)),
    )
    return {
        "text": "\n".join(lines),
        "buttons": staff_buttons(_, t),
        "line": line,
        "digest_button": [_("Claim %(ticket)s", ticket=t.ticket), f"hl:claim:{t.id}"],
    }


MEDIA_KINDS = ("photo", "document")
MAX_CAPTION = 1000  # Telegram takes 1,024 characters of caption


def media(lang: str, t: "Ticket", attachments: list[dict], answer: bool = False) -> list[dict]:
    """Outbox payloads forwarding a complainant's photos and documents to the hotline group, one a file.

    `answer`: the files came with an answer into the ticket's thread rather than with the complaint.
    """
    _ = Translator(lang)
    files = [a for a in attachments or () if isinstance(a, dict) and a.get("kind") in MEDIA_KINDS and a.get("file_id")]
    out = []
    for n, a in enumerate(files, 1):
        if answer:
            caption = _("📎 File %(n)s of %(total)s from the complainant's answer on <b>%(ticket)s</b>",
                        n=n, total=len(files), ticket=t.ticket)
        else:
            caption = _("📎 File %(n)s of %(total)s of complaint <b>%(ticket)s</b>", n=n, total=len(files), ticket=t.ticket)
        if a.get("name"):
            caption += "\n" + escape(clip(str(a["name"]), 200))
        caption = caption[:MAX_CAPTION]
        out.append({"text": caption, "caption": caption, "file_kind": a["kind"], "file_id": str(a["file_id"])})
    return out


def digest(lang: str, lines: list[str], buttons: list[list[str]]) -> tuple[str, list[list[tuple[str, str]]]]:
    """Several announcements in one message (a burst of new tickets); one Claim button a ticket."""
    _ = Translator(lang)
    text = _.n("🆕 %(n)s new complaint", "🆕 %(n)s new complaints", len(lines)) + "\n\n" + "\n".join(lines)
    text += "\n\n" + _("/queue lists them; /reply TICKET TEXT answers one.")
    rows = [[tuple(b)] for b in buttons]
    return text, rows


def staff_notice(lang: str, msgid: str, t: "Ticket", with_buttons: bool = True, **params) -> dict:
    _ = Translator(lang)
    return {"text": _(msgid, ticket=t.ticket, **params), "buttons": staff_buttons(_, t) if with_buttons else []}


# ---- to the complainant ---------------------------------------------------------------------------


def user_buttons(_: Translator, t: "Ticket", answer: bool = True) -> list[list[tuple[str, str]]]:
    row = [(_("Answer"), f"tk:ans:{t.id}")] if answer else []
    return [row + [(_("My complaints"), "tk:list")]]


def to_user_status(t: "Ticket", note: str | None = None) -> dict:
    _ = Translator(t.lang)
    if t.status == "claimed":
        text = _("Your complaint <b>%(ticket)s</b> is now being handled by the hotline.", ticket=t.ticket)
    elif t.status == "resolved":
        text = _("Your complaint <b>%(ticket)s</b> has been resolved.", ticket=t.ticket)
        if note:
            text += "\n<blockquote>" + escape(clip(note, MAX_FULL)) + "</blockquote>"
    else:
        text = _("The status of your complaint <b>%(ticket)s</b> is now: %(status)s.", ticket=t.ticket, status=status_label(_, t.status))
    return {"text": text, "buttons": user_buttons(_, t, answer=t.status not in ("resolved", "withdrawn"))}


def to_user_reply(t: "Ticket", staff_text: str) -> dict:
    _ = Translator(t.lang)
    text = (
        _("The hotline answered your complaint <b>%(ticket)s</b>:", ticket=t.ticket)
        + "\n<blockquote>" + escape(clip(staff_text, MAX_FULL)) + "</blockquote>\n"
        + _("You can answer with the button below.")
    )
    return {"text": text, "buttons": user_buttons(_, t)}
