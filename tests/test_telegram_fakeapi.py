"""The local Bot API stand-in behaves like Telegram where the bot depends on it (python-telegram-bot's own Bot)."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import Forbidden, InvalidToken, NetworkError, RetryAfter

from fakes.botapi import FakeBotAPI


@pytest.fixture
async def api():
    async with FakeBotAPI() as server:
        async with Bot(server.token, base_url=server.base_url) as bot:
            yield server, bot


async def test_updates_and_messages_round_trip(api):
    server, bot = api
    alice = server.user(5, lang="ru")
    server.send_command(alice, "ask", "visa")
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text == "/ask visa"
    assert updates[0].effective_user.language_code == "ru"
    await bot.send_message(5, "<b>hi</b>", parse_mode="HTML",
                           reply_markup={"inline_keyboard": [[{"text": "Ask", "callback_data": "menu:ask"}]]})
    sent = await server.wait_for_message(5, lambda c: "hi" in c.text)
    assert sent.button_data == ["menu:ask"] and sent.params["parse_mode"] == "HTML"
    server.press(alice, sent, "menu:ask")
    updates = await bot.get_updates(offset=updates[0].update_id + 1, timeout=1)
    assert updates[0].callback_query.data == "menu:ask"
    assert updates[0].callback_query.message.message_id == sent.result["message_id"]


async def test_failures_on_demand(api):
    server, bot = api
    server.fail_next(1, status=429, retry_after=2)
    with pytest.raises(RetryAfter):
        await bot.send_message(5, "x")
    server.fail_next(1, status=500)
    with pytest.raises(NetworkError):
        await bot.send_message(5, "x")
    server.block(5)
    with pytest.raises(Forbidden):
        await bot.send_message(5, "x")
    await bot.send_message(6, "still fine")
    with pytest.raises(InvalidToken):
        async with Bot("999:refused", base_url=server.base_url):
            pass


async def test_long_poll_returns_when_an_update_arrives(api):
    import asyncio
    import time

    server, bot = api
    start = time.monotonic()
    asyncio.get_running_loop().call_later(0.1, server.send_text, server.user(7), "hello")
    updates = await bot.get_updates(timeout=5)
    assert updates and time.monotonic() - start < 2
