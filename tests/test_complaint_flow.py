"""Filing, /status, answering, withdrawing and /forget through the conversation core, and the staff
commands, on both databases (the channel-free path that Telegram and `talentbot chat` share)."""

from __future__ import annotations

import re

import pytest

from bot.core.dialogue import Dialogue
from bot.core.messages import Attachment, Incoming
from bot.core.services import Services
from bot.complaints import Complaints
from queue_helpers import HOTLINE, Clock, settings


@pytest.fixture
def bot(store):
    services = Services(store, settings())
    services.__dict__["complaints"] = Complaints(store, services.settings, clock=Clock())
    return Dialogue(services)


def say(bot, user, text=None, *, cmd=None, data=None, chat=None, att=None, name="Alice", lang="en", chat_type="private"):
    if cmd:
        inc = Incoming(chat_id=chat or user, user_id=user, kind="command", command=cmd, text=text or "",
                       client_lang=lang, user_name=name, chat_type=chat_type)
    elif data:
        inc = Incoming(chat_id=chat or user, user_id=user, kind="button", data=data, client_lang=lang,
                       user_name=name, chat_type=chat_type)
    elif att:
        inc = Incoming(chat_id=chat or user, user_id=user, kind="attachment", attachment=att, text=text or "",
                       client_lang=lang, user_name=name)
    else:
        inc = Incoming(chat_id=chat or user, user_id=user, kind="text", text=text, client_lang=lang, user_name=name,
                       chat_type=chat_type)
    return bot.handle(inc)


def buttons(replies):
    return [b.data for r in replies for row in r.buttons for b in row]


def file_complaint(bot, user=7, desc="The service centre did not give me the promised housing help.", **kw):
    say(bot, user, cmd="complaint", **kw)
    say(bot, user, data="cmp:cat:service", **kw)
    say(bot, user, data="cmp:city:hangzhou", **kw)
    say(bot, user, desc, **kw)
    r = say(bot, user, "alice@example.com", **kw)
    assert "cmp:ok" in buttons(r) and "Who sees it" in r[0].text
    r = say(bot, user, data="cmp:ok", **kw)
    m = re.search(r"(HZ-\d{4}-\d{6})", r[0].text)
    assert m, r[0].text
    return m.group(1)


def test_file_and_see_status(bot, store):
    ticket = file_complaint(bot)
    assert ticket == "HZ-2026-000001"
    svc = bot.services.complaints
    t = svc.get(ticket)
    assert (t.category, t.city, t.contact, t.lang, t.user_name) == ("service", "hangzhou", "alice@example.com", "en", "Alice")
    r = say(bot, 7, cmd="status")
    assert ticket in r[0].text
    # the consent pressed again (a redelivered update) files nothing
    r = say(bot, 7, data="cmp:ok")
    assert len(svc.list()) == 1 and "expired" in r[0].text


def test_attachments_and_long_text(bot):
    say(bot, 8, cmd="complaint")
    say(bot, 8, data="cmp:cat:delay")
    say(bot, 8, data="cmp:city:urumqi")
    r = say(bot, 8, att=Attachment("photo", "AgAD-file-1"), text="receipt")
    assert "Attached (1)" in r[0].text
    r = say(bot, 8, "x" * 4001)
    assert "4000" in r[0].text.replace(",", "")
    say(bot, 8, "They asked me for a bribe at the window.")
    say(bot, 8, data="cmp:skip")
    r = say(bot, 8, data="cmp:ok")
    t = bot.services.complaints.for_user(8)[0]
    assert t.attachments == [{"kind": "photo", "file_id": "AgAD-file-1", "name": None}]
    assert t.description.startswith("receipt") and t.contact is None


def test_no_complaints_in_groups(bot):
    r = say(bot, 9, cmd="complaint", chat=-555, chat_type="group")
    assert "private chat" in r[0].text


def test_status_of_someone_elses_ticket(bot):
    ticket = file_complaint(bot, user=7)
    r = say(bot, 99, ticket, cmd="status")
    assert "no complaint" in r[0].text and "housing" not in r[0].text
    t = bot.services.complaints.get(ticket)
    for data in (f"tk:show:{t.id}", f"tk:wdy:{t.id}", f"tk:ans:{t.id}"):
        r = say(bot, 99, data=data)
        assert "no complaint" in r[0].text
    assert bot.services.complaints.get(ticket).status == "new"


def test_staff_commands_and_refusals(bot):
    ticket = file_complaint(bot, user=7)
    t = bot.services.complaints.get(ticket)
    for cmd, args in (("claim", ticket), ("reply", f"{ticket} hi"), ("resolve", ticket), ("queue", "")):
        r = say(bot, 666, args, cmd=cmd, chat=HOTLINE, chat_type="supergroup", name="Eve")
        assert "Only hotline staff" in r[0].text
    r = say(bot, 666, data=f"hl:claim:{t.id}", chat=HOTLINE, chat_type="supergroup", name="Eve")
    assert "Only hotline staff" in r[0].text and bot.services.complaints.get(ticket).status == "new"

    r = say(bot, 501, data=f"hl:claim:{t.id}", chat=HOTLINE, chat_type="supergroup", name="Li")
    assert "claimed by Li" in r[0].text
    r = say(bot, 502, ticket, cmd="claim", chat=HOTLINE, chat_type="supergroup", name="Wang")
    assert "already taken by Li" in r[0].text
    r = say(bot, 501, "", cmd="queue", chat=HOTLINE, chat_type="supergroup", name="Li")
    assert ticket in r[0].text
    r = say(bot, 501, f"{ticket} <b>We are on it</b>", cmd="reply", chat=HOTLINE, chat_type="supergroup", name="Li")
    assert "queued" in r[0].text
    r = say(bot, 501, "XX-2026-000123 hi", cmd="reply", chat=HOTLINE, chat_type="supergroup", name="Li")
    assert "no complaint" in r[0].text.lower()
    # complainant answers into the thread
    r = say(bot, 7, data=f"tk:ans:{t.id}")
    assert "Write your answer" in r[0].text
    r = say(bot, 7, "Thanks, any news?")
    assert "passed to the hotline" in r[0].text
    r = say(bot, 501, f"{ticket} done", cmd="resolve", chat=HOTLINE, chat_type="supergroup", name="Li")
    assert "resolved" in r[0].text
    shown = bot.services.complaints.show(ticket)
    assert [m["author"] for m in shown["messages"]] == ["staff", "user"]
    assert shown["status"] == "resolved"


def test_withdraw_and_forget(bot, store):
    ticket = file_complaint(bot, user=7)
    t = bot.services.complaints.get(ticket)
    r = say(bot, 7, data=f"tk:wd:{t.id}")
    assert f"tk:wdy:{t.id}" in buttons(r)
    r = say(bot, 7, data=f"tk:wdy:{t.id}")
    assert "withdrawn" in r[0].text
    r = say(bot, 7, cmd="forget")
    assert "tk:forget:yes" in buttons(r)
    r = say(bot, 7, data="tk:forget:yes")
    assert "deleted" in r[0].text
    shown = bot.services.complaints.show(ticket)
    assert shown["description"] is None and shown["contact"] is None and shown["status"] == "withdrawn"
    assert say(bot, 7, cmd="status")[0].text.startswith("You have not filed")


def test_filing_too_fast(bot):
    for _ in range(3):
        file_complaint(bot, user=12)
    r = say(bot, 12, cmd="complaint")
    assert "wait" in r[0].text and "cmp:cat:delay" not in buttons(r)


def _outbox_to(store, chat_id):
    from sqlalchemy import select

    from bot.store.models import OutboxMessage

    with store.session() as s:
        return [(r.kind, r.payload) for r in s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
                                                       .order_by(OutboxMessage.id))]


def test_reply_button_claims_and_asks_for_the_text(bot, store):
    ticket = file_complaint(bot, user=7)
    t = bot.services.complaints.get(ticket)
    group = dict(chat=HOTLINE, chat_type="supergroup")
    # not staff: refused, nothing changes, nothing awaited
    r = say(bot, 666, data=f"hl:reply:{t.id}", name="Eve", **group)
    assert "Only hotline staff" in r[0].text and bot.services.complaints.get(ticket).status == "new"
    assert say(bot, 666, "hello", name="Eve", **group) == []

    r = say(bot, 501, data=f"hl:reply:{t.id}", name="Li", **group)
    assert "claimed by Li" in r[0].text and bot.services.complaints.get(ticket).claimed_by == 501
    prompt = r[-1]
    assert prompt.force_reply and not prompt.buttons and ticket in prompt.text
    assert 'href="tg://user?id=501"' in prompt.text  # the mention targets the selective ForceReply
    # another staff member cannot take it over with the button
    r = say(bot, 502, data=f"hl:reply:{t.id}", name="Wang", **group)
    assert "already taken by Li" in r[0].text and not any(x.force_reply for x in r)
    # someone else's chatter in the group is not the reply
    assert say(bot, 502, "Lunch at noon?", name="Wang", **group) == []

    r = say(bot, 501, "We called the bureau; <b>news</b> on Friday.", name="Li", **group)
    assert "queued" in r[0].text and ticket in r[0].text
    to_user = [p for kind, p in _outbox_to(store, 7) if kind == "to_user"]
    assert "Friday" in to_user[-1]["text"] and "&lt;b&gt;news&lt;/b&gt;" in to_user[-1]["text"]
    assert "The hotline answered your complaint" in to_user[-1]["text"] and ticket in to_user[-1]["text"]
    shown = bot.services.complaints.show(ticket)
    assert [m["text"] for m in shown["messages"]] == ["We called the bureau; <b>news</b> on Friday."]
    # the wait is over: the next message is ordinary talk again
    assert say(bot, 501, "thanks all", name="Li", **group) == []
    assert len(bot.services.complaints.show(ticket)["messages"]) == 1


def test_reply_button_cancelled_and_closed_tickets(bot, store):
    ticket = file_complaint(bot, user=7)
    t = bot.services.complaints.get(ticket)
    group = dict(chat=HOTLINE, chat_type="supergroup")
    r = say(bot, 501, data=f"hl:reply:{t.id}", name="Li", **group)
    assert r[-1].force_reply
    r = say(bot, 501, att=Attachment("photo", "AgAD-x"), name="Li", **group)
    assert "as text" in r[0].text
    r = say(bot, 501, cmd="cancel", name="Li", **group)
    assert "not sent" in r[0].text and ticket in r[0].text
    assert say(bot, 501, "never mind", name="Li", **group) == []
    assert bot.services.complaints.show(ticket)["messages"] == []
    # resolved while a reply was awaited: the text is not sent, and the staff member is told why
    say(bot, 501, data=f"hl:reply:{t.id}", name="Li", **group)
    bot.services.complaints.resolve(ticket, 501, "Li")
    r = say(bot, 501, "Here is the answer", name="Li", **group)
    assert "already resolved" in r[0].text
    r = say(bot, 501, data=f"hl:reply:{t.id}", name="Li", **group)
    assert "nothing to reply to" in r[0].text and not r[-1].force_reply
