"""The Telegram adapter, end to end over HTTP against the local Bot API stand-in, with a fake dialogue.

What a user would notice: every kind of message gets an answer (or, in a group, only what is addressed
to the bot does), buttons stop spinning and edit their menu, long answers arrive whole, flood limits
and server hiccups do not lose messages, a redelivered update is answered once, and errors are polite.
"""

from __future__ import annotations

import asyncio
import html

import pytest

from bot.core.messages import Button, Reply
from bot.handlers import build_application
from bot.settings import Settings
from bot.store import Store
from fakes.botapi import running_application


class EchoDialogue:
    """Says back what it received, with one button; raises on the text "boom"."""

    def __init__(self):
        self.seen = []

    def handle(self, inc):
        self.seen.append(inc)
        if inc.text == "boom":
            raise RuntimeError("the database is on fire")
        if inc.text == "long":
            return [Reply.of("A fairly long sentence about residence permits. " * 200, [[Button("Menu", "menu:home")]])]
        label = f"{inc.kind}|{inc.command or ''}|{inc.text}|{inc.data or ''}|{inc.what or ''}"
        if inc.attachment:
            label += f"|{inc.attachment.kind}:{inc.attachment.file_id}"
        return [Reply.of(f"<b>echo</b> {html.escape(label)}", [[Button("Again", "echo:again")]], edit=inc.kind == "button")]


HOTLINE = -100777


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    s.migrate()
    yield s
    s.dispose()


@pytest.fixture
async def bot(server, store):
    settings = Settings(token=server.token, api_base_url=server.base_url, hotline_chat_id=HOTLINE)
    dialogue = EchoDialogue()
    app = build_application(settings, store, dialogue=dialogue, jobs=False)
    async with running_application(app):
        yield server, dialogue


async def test_private_text_command_and_attachments_reach_the_dialogue(bot):
    server, dialogue = bot
    alice = server.user(1001, lang="ru")
    server.send_text(alice, "Hello <there>")
    msg = await server.wait_for_message(1001, lambda c: "text||Hello &lt;there&gt;" in c.text)
    assert msg.params["parse_mode"] == "HTML" and msg.button_data == ["echo:again"]
    server.send_command(alice, "ask", "how long is the card valid")
    await server.wait_for_message(1001, lambda c: "command|ask|how long is the card valid" in c.text)
    server.send_photo(alice, caption="my permit")
    await server.wait_for_message(1001, lambda c: "attachment||my permit" in c.text and "photo:PHOTO-big" in c.text)
    server.send_document(alice)
    await server.wait_for_message(1001, lambda c: "document:DOC1" in c.text)
    assert dialogue.seen[0].client_lang == "ru" and dialogue.seen[0].chat_type == "private"


@pytest.mark.parametrize("send, what", [
    ("send_sticker", "sticker"), ("send_voice", "voice"), ("send_location", "location")])
async def test_unsupported_kinds_get_an_answer(bot, send, what):
    server, _ = bot
    alice = server.user(1002)
    getattr(server, send)(alice)
    await server.wait_for_message(1002, lambda c: f"unsupported||||{what}" in c.text)


async def test_edited_message_is_answered_not_ignored(bot):
    server, _ = bot
    alice = server.user(1003)
    original = server.send_text(alice, "first")
    await server.wait_for_message(1003, lambda c: "first" in c.text)
    server.edit_text(alice, original, "second")
    await server.wait_for_message(1003, lambda c: "unsupported||||edited" in c.text)


async def test_button_press_is_answered_and_edits_its_menu(bot):
    server, _ = bot
    alice = server.user(1004)
    server.send_text(alice, "hi")
    menu = await server.wait_for_message(1004, lambda c: "hi" in c.text)
    mark = server.mark()
    server.press(alice, menu, "echo:again")
    edited = await server.wait_for_call("editMessageText", lambda c: c.chat_id == 1004, after=mark)
    assert "button|||echo:again" in edited.text
    assert edited.params["message_id"] == menu.result["message_id"]
    await server.wait_for_call("answerCallbackQuery", after=mark)


async def test_group_only_what_is_addressed_to_the_bot(bot):
    server, dialogue = bot
    group = server.group(-100500)
    bob = server.user(2001)
    server.send_text(bob, "chatting with friends", chat=group)
    server.send_command(bob, "start", chat=group)
    server.send_command(bob, "ask", "visa for spouse", chat=group)
    answer = await server.wait_for_message(-100500, lambda c: "command|ask|visa for spouse" in c.text)
    assert answer.params["reply_parameters"]["message_id"] == 3  # quotes bob's question
    server.send_mention(bob, "what about housing?", chat=group)
    await server.wait_for_message(-100500, lambda c: "command|ask|what about housing?" in c.text)
    server.send_reply_to_bot(bob, "and for children?", to=answer, chat=group)
    await server.wait_for_message(-100500, lambda c: "text||and for children?" in c.text)
    await asyncio.sleep(0.1)
    texts = [i.text for i in dialogue.seen]
    assert "chatting with friends" not in texts and not any(i.command == "start" for i in dialogue.seen)


async def test_staff_commands_pass_in_the_hotline_group_only(bot):
    server, dialogue = bot
    staff = server.user(3001)
    server.send_command(staff, "queue", chat=server.group(-100500))
    server.send_command(staff, "claim", "HZ-2026-000001", chat=server.group(HOTLINE))
    await server.wait_for_message(HOTLINE, lambda c: "command|claim|HZ-2026-000001" in c.text)
    assert not any(i.command == "queue" for i in dialogue.seen)


async def test_long_reply_arrives_in_parts_with_buttons_on_the_last(bot):
    server, _ = bot
    alice = server.user(1005)
    server.send_text(alice, "long")
    await server.wait_for_message(1005, lambda c: bool(c.buttons))
    parts = server.messages(1005)
    assert len(parts) == 3
    assert all(len(p.text) <= 4096 and p.text.endswith("permits.") for p in parts)
    assert [bool(p.buttons) for p in parts] == [False, False, True]


async def test_flood_wait_is_waited_out_and_the_message_arrives(bot):
    server, _ = bot
    alice = server.user(1006)
    server.fail_next(1, status=429, retry_after=1, methods=["sendMessage"])
    server.send_text(alice, "are you there?")
    msg = await server.wait_for_message(1006, lambda c: "are you there?" in c.text, timeout=5)
    refused = [c for c in server.calls_to("sendMessage", 1006) if c.status == 429]
    assert len(refused) == 1 and msg.time - refused[0].time >= 1.0


async def test_server_error_is_retried(bot):
    server, _ = bot
    server.fail_next(1, status=500, methods=["sendMessage"])
    server.send_text(server.user(1007), "hello")
    await server.wait_for_message(1007, lambda c: "hello" in c.text)


async def test_dialogue_failure_gets_a_polite_message_not_a_traceback(bot):
    server, _ = bot
    server.send_text(server.user(1008, lang="en"), "boom")
    msg = await server.wait_for_message(1008)
    assert "something went wrong" in msg.text
    assert "Traceback" not in msg.text and "fire" not in msg.text


async def test_redelivered_update_is_handled_once(server, store):
    settings = Settings(token=server.token, api_base_url=server.base_url)
    alice = server.user(1009)
    update = server.send_text(alice, "only once")
    dialogue = EchoDialogue()
    async with running_application(build_application(settings, store, dialogue=dialogue, jobs=False)):
        await server.wait_for_message(1009, lambda c: "only once" in c.text)
    # the bot stopped before Telegram saw the offset confirmed: the same update comes again
    server.inject(dict(update))
    server.send_text(alice, "next")
    async with running_application(build_application(settings, store, dialogue=dialogue, jobs=False)):
        await server.wait_for_message(1009, lambda c: "next" in c.text)
    assert [i.text for i in dialogue.seen] == ["only once", "next"]
    assert len(server.messages(1009)) == 2


async def test_one_users_updates_stay_in_order_while_users_run_concurrently(bot):
    server, dialogue = bot
    alice, bob = server.user(1010), server.user(1011)
    for n in range(5):
        server.send_text(alice, f"a{n}")
        server.send_text(bob, f"b{n}")
    await server.wait_for_message(1010, lambda c: "a4" in c.text)
    await server.wait_for_message(1011, lambda c: "b4" in c.text)
    assert [i.text for i in dialogue.seen if i.user_id == 1010] == [f"a{n}" for n in range(5)]
    assert [c.text.split("|")[2] for c in server.messages(1010)] == [f"a{n}" for n in range(5)]


async def test_hotline_staff_text_and_force_reply_prompts(server, store):
    """Staff members' text and /cancel in the hotline group reach the dialogue (an awaited reply);
    other members' chatter does not; a force_reply Reply becomes a selective ForceReply."""

    class PromptDialogue(EchoDialogue):
        def handle(self, inc):
            if inc.text == "prompt":
                self.seen.append(inc)
                return [Reply.of("Write your reply", force_reply=True)]
            return super().handle(inc)

    settings = Settings(token=server.token, api_base_url=server.base_url, hotline_chat_id=HOTLINE,
                        staff_user_ids=frozenset({3001}))
    dialogue = PromptDialogue()
    app = build_application(settings, store, dialogue=dialogue, jobs=False)
    staff, other = server.user(3001), server.user(3002)
    hotline = server.group(HOTLINE)
    async with running_application(app):
        server.send_text(other, "lunch?", chat=hotline)
        server.send_text(staff, "prompt", chat=hotline)
        prompt = await server.wait_for_message(HOTLINE, lambda c: "Write your reply" in c.text)
        assert prompt.params["reply_markup"] == {"force_reply": True, "selective": True}
        server.send_text(staff, "the answer for the complainant", chat=hotline)
        await server.wait_for_message(HOTLINE, lambda c: "text||the answer for the complainant" in c.text)
        server.send_command(staff, "cancel", chat=hotline)
        await server.wait_for_message(HOTLINE, lambda c: "command|cancel|" in c.text)
        server.send_text(staff, "not for the hotline", chat=server.group(-100500))
        await asyncio.sleep(0.1)
    texts = [i.text for i in dialogue.seen]
    assert "lunch?" not in texts and "not for the hotline" not in texts
