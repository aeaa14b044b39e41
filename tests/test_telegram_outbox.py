"""Messages to other chats (the hotline group, complainants) go out through the outbox job over Telegram:
promptly after the complaint is filed, and Telegram's refusals are mapped so the outbox reacts right."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot import outbox
from bot.core.messages import Button
from bot.handlers import build_application
from bot.handlers.jobs import TelegramSender
from bot.handlers.ratelimit import Limits
from bot.settings import Settings
from bot.store import Store
from fakes.botapi import running_application

HOTLINE = -100900


async def test_sender_maps_telegram_refusals(server):
    async with Bot(server.token, base_url=server.base_url) as bot:
        sender = TelegramSender(bot)
        message_id = await sender.send(5, "<b>Ticket</b> HZ-2026-000001", ((Button("Claim", "tk:claim:1"),),))
        sent = await server.wait_for_message(5)
        assert sent.result["message_id"] == message_id and sent.button_data == ["tk:claim:1"]
        assert await sender.send(5, "pairs too", [[("Claim", "tk:claim:2")]])
        server.fail_next(1, status=429, retry_after=7)
        with pytest.raises(outbox.RetryAfter) as flood:
            await sender.send(5, "x", ())
        assert flood.value.seconds == 7
        server.block(6)
        with pytest.raises(outbox.Undeliverable):
            await sender.send(6, "x", ())
        with pytest.raises(outbox.Undeliverable):
            await sender.send(0, "x", ())  # "chat not found"
        server.fail_next(3, status=500)
        with pytest.raises(Exception) as transient:
            await sender.send(5, "x", ())
        assert not isinstance(transient.value, (outbox.RetryAfter, outbox.Undeliverable))


async def test_complaint_reaches_the_hotline_group_promptly(server, tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    store = Store(url)
    store.migrate()
    settings = Settings(token=server.token, api_base_url=server.base_url, database_url=url, hotline_chat_id=HOTLINE)
    app = build_application(settings, store, limits=Limits.unpaced())
    frank = server.user(5001, lang="en")
    async with running_application(app):
        steps = [("cmd", "complaint"), ("press", "cmp:cat:delay"), ("press", "cmp:city:zhoushan"),
                 ("text", "My work permit renewal has been waiting for three months without any answer."),
                 ("press", "cmp:skip"), ("press", "cmp:ok")]
        last = None
        for kind, value in steps:
            mark = server.mark()
            if kind == "cmd":
                server.send_command(frank, value)
            elif kind == "text":
                server.send_text(frank, value)
            else:
                server.press(frank, last, value)
            last = await server.wait_for_message(5001, after=mark)
        assert "ticket number" in last.text
        announcement = await server.wait_for_message(HOTLINE, timeout=3)
        assert "2026-000001" in announcement.text
        assert announcement.time - last.time < 1.0  # woken by the commit, not after a polling period
    store.dispose()


async def test_sender_sends_files_and_maps_refusals(server):
    async with Bot(server.token, base_url=server.base_url) as bot:
        sender = TelegramSender(bot)
        mid = await sender.send_media(HOTLINE, "photo", "AgAD-photo", "📎 <b>HZ-2026-000001</b>")
        photo = await server.wait_for_call("sendPhoto")
        assert photo.result["message_id"] == mid and photo.params["photo"] == "AgAD-photo"
        assert photo.params["caption"] == "📎 <b>HZ-2026-000001</b>" and photo.params["parse_mode"] == "HTML"
        await sender.send_media(HOTLINE, "document", "BQAD-doc", "contract.pdf")
        assert (await server.wait_for_call("sendDocument")).params["document"] == "BQAD-doc"
        with pytest.raises(outbox.Rejected):  # a file Telegram does not know: that message fails, not the chat
            await sender.send_media(HOTLINE, "photo", "BAD-file", "x")
        server.fail_next(1, status=429, retry_after=5)
        with pytest.raises(outbox.RetryAfter):
            await sender.send_media(HOTLINE, "photo", "AgAD-photo", "x")
        server.block(6)
        with pytest.raises(outbox.Undeliverable) as gone:
            await sender.send_media(6, "photo", "AgAD-photo", "x")
        assert not isinstance(gone.value, outbox.Rejected)
