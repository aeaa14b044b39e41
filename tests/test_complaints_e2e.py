"""End to end through the local Bot API stand-in and the real Application, on both databases:
file → ticket → hotline announcement → claim → reply reaches the complainant → complainant answers →
resolve → complainant told; a non-staff member's claim, reply and resolve are refused."""

from __future__ import annotations

import re

import pytest

from bot.handlers import build_application
from bot.settings import Settings
from bot.store import Store
from fakes.botapi import running_application

HOTLINE = -100777
STAFF = 555


def _hotline_settings(server, db_url) -> Settings:
    """A hotline group and one staff member, the bot talking to the stand-in."""
    return Settings(token=server.token, api_base_url=server.base_url, database_url=db_url,
                    hotline_chat_id=HOTLINE, staff_user_ids=frozenset({STAFF}))


async def press(server, user, on, data, chat=None, wait_chat=None, pred=None):
    mark = server.mark()
    server.press(user, on, data, chat=chat)
    return await server.wait_for_message(wait_chat or user.id, pred, after=mark)


async def test_complaint_round_trip_over_telegram(server, store, db_url):
    settings = _hotline_settings(server, db_url)
    app = build_application(settings, store)
    alice = server.user(4101, lang="en", first_name="Alice")
    li = server.user(STAFF, lang="en", first_name="Li")
    eve = server.user(666, lang="en", first_name="Eve")
    group = server.group(HOTLINE, "Hotline")
    async with running_application(app):
        server.send_command(alice, "complaint")
        m = await server.wait_for_message(alice.id, lambda c: "cmp:cat:delay" in c.button_data)
        m = await press(server, alice, m, "cmp:cat:delay")
        m = await press(server, alice, m, "cmp:city:urumqi")
        mark = server.mark()
        server.send_text(alice, "My <b>work permit</b> has waited 4 months & nobody answers.")
        await server.wait_for_message(alice.id, lambda c: "cmp:skip" in c.button_data, after=mark)
        mark = server.mark()
        server.send_text(alice, "+86 138 0000 0000")
        consent = await server.wait_for_message(alice.id, lambda c: "cmp:ok" in c.button_data, after=mark)
        done = await press(server, alice, consent, "cmp:ok", pred=lambda c: "ticket" in c.text)
        ticket = re.search(r"UR-\d{4}-\d{6}", done.text).group(0)

        ann = await server.wait_for_message(HOTLINE, lambda c: ticket in c.text and c.button_data)
        assert "&lt;b&gt;work permit&lt;/b&gt;" in ann.params["text"] or "<b>work permit</b>" not in ann.params["text"]
        claim = next(d for d in ann.button_data if d.startswith("hl:claim:"))

        # a group member who is not staff is refused everything
        r = await press(server, eve, ann, claim, chat=group, wait_chat=HOTLINE, pred=lambda c: "Only hotline staff" in c.text)
        for cmd, args in (("reply", f"{ticket} hello"), ("resolve", ticket), ("claim", ticket)):
            mark = server.mark()
            server.send_command(eve, cmd, args, chat=group)
            await server.wait_for_message(HOTLINE, lambda c: "Only hotline staff" in c.text, after=mark)
        mark = server.mark()

        r = await press(server, li, ann, claim, chat=group, wait_chat=HOTLINE, pred=lambda c: "claimed by" in c.text)
        await server.wait_for_message(alice.id, lambda c: "being handled" in c.text, after=mark)

        mark = server.mark()
        server.send_command(li, "reply", f"{ticket} We called the bureau; expect news on Friday.", chat=group)
        await server.wait_for_message(HOTLINE, lambda c: "queued" in c.text, after=mark)
        reply = await server.wait_for_message(alice.id, lambda c: "Friday" in c.text, after=mark)
        assert ticket in reply.text
        answer_btn = next(d for d in reply.button_data if d.startswith("tk:ans:"))

        prompt = await press(server, alice, reply, answer_btn, pred=lambda c: "Write your answer" in c.text)
        mark = server.mark()
        server.send_text(alice, "Thank you, I will wait.")
        await server.wait_for_message(HOTLINE, lambda c: "I will wait" in c.text, after=mark)

        mark = server.mark()
        server.send_command(li, "resolve", f"{ticket} Permit issued", chat=group)
        told = await server.wait_for_message(alice.id, lambda c: "resolved" in c.text, after=mark)
        assert "Permit issued" in told.text

        mark = server.mark()
        server.send_command(alice, "status")
        status = await server.wait_for_message(alice.id, lambda c: ticket in c.text, after=mark)
        assert "resolved" in status.text
    rec = Store(db_url)
    from bot.complaints import Complaints

    shown = Complaints(rec, settings).show(ticket)
    assert [a["action"] for a in shown["actions"]] == ["filed", "claim", "reply", "answer", "resolve"]
    assert shown["messages"][0]["delivery"] == "sent"
    announcements = [c for c in server.messages(HOTLINE) if ticket in c.text and "New complaint" in c.text]
    assert len(announcements) == 1
    rec.dispose()


async def _file_over_telegram(server, user, *, photo: bool = False) -> str:
    server.send_command(user, "complaint")
    m = await server.wait_for_message(user.id, lambda c: "cmp:cat:delay" in c.button_data)
    m = await press(server, user, m, "cmp:cat:delay")
    await press(server, user, m, "cmp:city:hangzhou")
    if photo:
        mark = server.mark()
        server.send_photo(user, caption="the stamped receipt")
        await server.wait_for_message(user.id, lambda c: "Attached (1)" in c.text, after=mark)
    mark = server.mark()
    server.send_text(user, "The service centre never gave me the housing allowance it promised.")
    await server.wait_for_message(user.id, lambda c: "cmp:skip" in c.button_data, after=mark)
    mark = server.mark()
    server.send_text(user, "none")
    consent = await server.wait_for_message(user.id, lambda c: "cmp:ok" in c.button_data, after=mark)
    done = await press(server, user, consent, "cmp:ok", pred=lambda c: "HZ-" in c.text)
    return re.search(r"HZ-\d{4}-\d{6}", done.text).group(0)


async def test_reply_button_prompt_and_answer_over_telegram(server, store, db_url):
    settings = _hotline_settings(server, db_url)
    app = build_application(settings, store)
    alice = server.user(4201, lang="ru", first_name="Alice")
    li = server.user(STAFF, lang="en", first_name="Li")
    eve = server.user(666, lang="en", first_name="Eve")
    group = server.group(HOTLINE, "Hotline")
    async with running_application(app):
        ticket = await _file_over_telegram(server, alice)
        ann = await server.wait_for_message(HOTLINE, lambda c: ticket in c.text and c.button_data)
        reply_btn = next(d for d in ann.button_data if d.startswith("hl:reply:"))

        await press(server, eve, ann, reply_btn, chat=group, wait_chat=HOTLINE, pred=lambda c: "Only hotline staff" in c.text)
        mark = server.mark()
        server.press(li, ann, reply_btn, chat=group)
        prompt = await server.wait_for_message(HOTLINE, lambda c: "write your reply" in c.text, after=mark)
        assert prompt.params["reply_markup"] == {"force_reply": True, "selective": True}
        assert f"tg://user?id={STAFF}" in prompt.text and ticket in prompt.text
        await server.wait_for_message(alice.id, lambda c: ticket in c.text, after=mark)  # "being handled"

        # staff answer the prompt as a reply (what a group with privacy mode on passes to the bot)
        mark = server.mark()
        server.send_reply_to_bot(li, "We called the bureau; expect news on Friday.", prompt, chat=group)
        queued = await server.wait_for_message(HOTLINE, lambda c: "queued" in c.text, after=mark)
        assert ticket in queued.text
        told = await server.wait_for_message(alice.id, lambda c: "Friday" in c.text, after=mark)
        assert "Горячая линия ответила" in told.text  # in the complainant's language

        # Reply again, then /cancel in the group: nothing is sent
        mark = server.mark()
        server.press(li, ann, reply_btn, chat=group)
        prompt = await server.wait_for_message(HOTLINE, lambda c: "write your reply" in c.text, after=mark)
        mark = server.mark()
        server.send_command(li, "cancel", chat=group)
        await server.wait_for_message(HOTLINE, lambda c: "was not sent" in c.text, after=mark)
        mark = server.mark()
        server.send_reply_to_bot(li, "this should not reach anybody", prompt, chat=group)
        server.send_command(li, "queue", chat=group)
        await server.wait_for_message(HOTLINE, lambda c: ticket in c.text and "Claimed" in c.text, after=mark)
    shown = Store(db_url)
    from bot.complaints import Complaints

    messages = Complaints(shown, settings).show(ticket)["messages"]
    assert [m["text"] for m in messages] == ["We called the bureau; expect news on Friday."]
    shown.dispose()


async def test_complainants_photo_reaches_the_staff(server, store, db_url):
    app = build_application(_hotline_settings(server, db_url), store)
    bob = server.user(4301, lang="en", first_name="Bob")
    async with running_application(app):
        ticket = await _file_over_telegram(server, bob, photo=True)
        ann = await server.wait_for_message(HOTLINE, lambda c: ticket in c.text and c.button_data)
        assert "Attachments: 1" in ann.text
        photo = await server.wait_for_call("sendPhoto", lambda c: c.chat_id == HOTLINE, timeout=10)
        assert photo.params["photo"] == "PHOTO-big"  # the largest size the complainant sent
        assert ticket in photo.params["caption"] and photo.time >= ann.time


async def test_long_text_full_of_markup_reaches_group_and_complainant_as_html(server, store, db_url):
    """A long description or staff answer full of characters HTML escapes (& < > ' ") grows up to five-fold
    when escaped; cutting it to the outbox's length must not cut an entity or leave a tag open, or
    Telegram refuses the HTML and the message arrives as plain text without its formatting."""
    app = build_application(_hotline_settings(server, db_url), store)
    carol = server.user(4401, lang="en", first_name="Carol")
    li = server.user(STAFF, lang="en", first_name="Li")
    group = server.group(HOTLINE, "Hotline")
    marked_up = ("R&D <dept> & HR <dept> & A&B <x>. " * 100)[:3000]
    async with running_application(app):
        server.send_command(carol, "complaint")
        m = await server.wait_for_message(carol.id, lambda c: "cmp:cat:delay" in c.button_data)
        m = await press(server, carol, m, "cmp:cat:delay")
        await press(server, carol, m, "cmp:city:hangzhou")
        mark = server.mark()
        server.send_text(carol, marked_up)
        m = await server.wait_for_message(carol.id, lambda c: "cmp:skip" in c.button_data, after=mark)
        consent = await press(server, carol, m, "cmp:skip", pred=lambda c: "cmp:ok" in c.button_data)
        done = await press(server, carol, consent, "cmp:ok", pred=lambda c: "HZ-" in c.text)
        ticket = re.search(r"HZ-\d{4}-\d{6}", done.text).group(0)

        ann = await server.wait_for_message(HOTLINE, lambda c: ticket in c.text and c.button_data, timeout=10)
        assert ann.params.get("parse_mode") == "HTML", ann.text[-200:]
        assert "R&amp;D &lt;dept&gt; &amp; HR" in ann.text and ann.text.rstrip("…").endswith("</blockquote>")

        mark = server.mark()
        server.send_command(li, "reply", f"{ticket} " + ("Q&A <ok> & <fine>. " * 200)[:2900], chat=group)
        told = await server.wait_for_message(carol.id, lambda c: ticket in c.text and "Q&amp;A" in c.text,
                                             after=mark, timeout=10)
        assert told.params.get("parse_mode") == "HTML", told.text[-200:]
        assert any(d.startswith("tk:ans:") for d in told.button_data)


async def test_withdrawn_ticket_is_announced_without_queue_buttons(server, store, db_url):
    """Claim / Reply / Resolve under "the complainant withdrew" would only answer "withdrawn and cannot be
    claimed": the notice comes without them."""
    app = build_application(_hotline_settings(server, db_url), store)
    dan = server.user(4501, lang="en", first_name="Dan")
    async with running_application(app):
        ticket = await _file_over_telegram(server, dan)
        await server.wait_for_message(HOTLINE, lambda c: ticket in c.text and c.button_data)
        mark = server.mark()
        server.send_command(dan, "status")
        listing = await server.wait_for_message(dan.id, lambda c: any(d.startswith("tk:show:") for d in c.button_data),
                                                after=mark)
        shown = await press(server, dan, listing, next(d for d in listing.button_data if d.startswith("tk:show:")))
        confirm = await press(server, dan, shown, next(d for d in shown.button_data if d.startswith("tk:wd:")))
        mark = server.mark()
        await press(server, dan, confirm, next(d for d in confirm.button_data if d.startswith("tk:wdy:")),
                    pred=lambda c: "withdrawn" in c.text)
        notice = await server.wait_for_message(HOTLINE, lambda c: "withdrew" in c.text, after=mark, timeout=10)
        assert ticket in notice.text and notice.button_data == []
