"""The real conversation over Telegram: the Application, the Dialogue and the database, driven through the
local Bot API stand-in exactly as a user's Telegram app would drive them."""

from __future__ import annotations

import importlib.util

import pytest

from bot.handlers import build_application
from bot.handlers.ratelimit import Limits
from bot.settings import Settings
from bot.store import Store
from fakes.botapi import running_application

HOTLINE = -100900


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    Store(url).migrate()
    return url


def _app(server, url, **kw):
    settings = Settings(token=server.token, api_base_url=server.base_url, database_url=url,
                        hotline_chat_id=HOTLINE, staff_user_ids=frozenset({555}))
    store = Store(url)
    # one message a second per chat would make a 20-question wizard take 20 s; pacing is tested on its own
    kw.setdefault("limits", Limits.unpaced())
    return build_application(settings, store, **kw), store


async def _press(server, user, on, data, timeout=5.0):
    """Press a button and wait for what it shows (an edit of that message or a new message)."""
    assert data in on.button_data, (data, on.button_data)
    mark = server.mark()
    server.press(user, on, data)
    return await server.wait_for_message(user.id, after=mark, timeout=timeout)


async def test_start_language_city_question_cited_answer(server, db_url):
    app, store = _app(server, db_url)
    alice = server.user(4001, lang="en")
    async with running_application(app):
        server.send_command(alice, "start")
        welcome = await server.wait_for_message(4001, lambda c: "Welcome" in c.text)
        city = await _press(server, alice, welcome, "set:lang:en:s")
        assert "city" in city.text.lower()
        menu = await _press(server, alice, city, "set:city:hangzhou:s")
        assert "Main menu" in menu.text and "menu:ask" in menu.button_data
        mark = server.mark()
        server.send_text(alice, "Who can get the Hangzhou talent card?")
        answer = await server.wait_for_message(4001, after=mark)
        assert "Source" in answer.text and "Article" in answer.text
        assert answer.params["parse_mode"] == "HTML"
        assert any(d.startswith("ask:no:hangzhou-onecard:") for d in answer.button_data)
        assert len(server.calls_to("answerCallbackQuery")) == 2  # no spinning buttons
    store.dispose()


async def test_unsupported_messages_get_a_friendly_reply(server, db_url):
    app, store = _app(server, db_url)
    bob = server.user(4003, lang="en")
    async with running_application(app):
        server.send_sticker(bob)
        sticker = await server.wait_for_message(4003)
        assert "only read text" in sticker.text
        mark = server.mark()
        server.send_voice(bob)
        voice = await server.wait_for_message(4003, after=mark)
        assert "voice" in voice.text
        assert "menu:home" in voice.button_data
    store.dispose()


async def test_inline_query_offers_cited_answers(server, db_url):
    app, store = _app(server, db_url)
    carol = server.user(4004, lang="en")
    async with running_application(app):
        server.inline_query(carol, "Who can get the Hangzhou talent card?")
        call = await server.wait_for_call("answerInlineQuery", timeout=10)
        results = call.params["results"]
        assert results, call.params
        first = results[0]
        assert first["type"] == "article"
        assert "Article" in first["title"] or "Article" in first.get("description", "")
        content = first["input_message_content"]
        assert content["parse_mode"] == "HTML" and "Article" in content["message_text"]

        mark = server.mark()
        server.inline_query(carol, "what is the weather on mars tomorrow")
        call = await server.wait_for_call("answerInlineQuery", after=mark, timeout=10)
        titles = [r["title"] for r in call.params["results"]]
        # nothing in the documents is close: say so, and list no unrelated articles
        assert titles[0].startswith("No confident answer") and len(titles) == 1
    store.dispose()


needs_wizard = pytest.mark.skipif(importlib.util.find_spec("bot.wizard") is None, reason="bot/wizard.py not in the tree yet")


async def _answer_wizard(server, user, msg, max_steps=40):
    """Answer every wizard question with its first answer button until a result shows."""
    for _ in range(max_steps):
        if "wiz:restart" in msg.button_data or "wiz:chg" in msg.button_data:
            return msg
        answers = [d for d in msg.button_data if d.startswith("wiz:a:")]
        dont_know = [d for d in msg.button_data if d.startswith("wiz:dk:")]
        if answers:
            msg = await _press(server, user, msg, answers[0])
        else:  # a number to type (age, salary, years): "I don't know" is always offered
            assert dont_know, (msg.text, msg.button_data)
            msg = await _press(server, user, msg, dont_know[0])
    raise AssertionError("the wizard did not finish")


async def _wizard_start(server, user):
    server.send_command(user, "city")
    city = await server.wait_for_message(user.id, lambda c: any(d.startswith("set:city:") for d in c.button_data))
    await _press(server, user, city, next(d for d in city.button_data if d.startswith("set:city:zhoushan")))
    mark = server.mark()
    server.send_command(user, "eligibility")
    return await server.wait_for_message(user.id, lambda c: any(d.startswith("wiz:") for d in c.button_data), after=mark)


@needs_wizard
async def test_eligibility_wizard_to_a_result(server, db_url):
    app, store = _app(server, db_url)
    dave = server.user(4005, lang="en")
    async with running_application(app):
        first = await _wizard_start(server, dave)
        result = await _answer_wizard(server, dave, first)
        assert result.text
    store.dispose()


@needs_wizard
async def test_restart_in_the_middle_of_the_wizard_resumes_it(server, db_url):
    erin = server.user(4006, lang="en")
    app, store = _app(server, db_url)
    async with running_application(app):
        first = await _wizard_start(server, erin)
        answers = [d for d in first.button_data if d.startswith("wiz:a:")]
        second = await _press(server, erin, first, answers[0])
    store.dispose()
    # a new process on the same database: the buttons of the last question still work
    app, store = _app(server, db_url)
    async with running_application(app):
        answers = [d for d in second.button_data if d.startswith("wiz:a:")]
        assert answers
        after = await _press(server, erin, second, answers[0])
        assert "expired" not in after.text.lower()
        assert after.text != first.text
        result = await _answer_wizard(server, erin, after)
        assert result.text
    store.dispose()
