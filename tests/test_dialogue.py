"""The conversation core on a real Store: what a user sees after each thing they do, and what is remembered."""

from __future__ import annotations

import pytest

from bot.core.dialogue import Dialogue
from bot.core.messages import Incoming
from bot.core.services import Services
from bot.render import to_plain
from bot.settings import Settings


class Chat:
    """One user in one chat, pressing buttons by label like a person would."""

    def __init__(self, dialogue: Dialogue, user_id: int = 7, client_lang: str | None = "en", chat_id: int | None = None):
        self.dialogue = dialogue
        self.user_id = user_id
        self.chat_id = chat_id if chat_id is not None else user_id
        self.client_lang = client_lang
        self.replies = []

    def _send(self, **kw):
        kw.setdefault("client_lang", self.client_lang)
        self.replies = self.dialogue.handle(Incoming(chat_id=self.chat_id, user_id=self.user_id, **kw))
        return self.replies

    def command(self, name: str, args: str = ""):
        return self._send(kind="command", command=name, text=args)

    def say(self, text):
        return self._send(kind="text", text=text)

    def data(self, data):
        return self._send(kind="button", data=data)

    def press(self, label: str):
        for button in self.buttons():
            if button.label == label:
                return self.data(button.data)
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons()]}")

    def buttons(self):
        return [b for r in self.replies for row in r.buttons for b in row]

    def labels(self):
        return [b.label for b in self.buttons()]

    def text(self) -> str:
        return "\n".join(to_plain(r.text) for r in self.replies)

    def state(self):
        return self.dialogue.services.store.chats.load(self.chat_id, self.user_id)[0]


@pytest.fixture
def dialogue(store):
    return Dialogue(Services(store, Settings()))


def onboard(chat: Chat, lang_label="English", city_label="Urumqi"):
    chat.command("start")
    chat.press(lang_label)
    chat.press(city_label)


def test_start_language_city_question_gives_a_cited_answer(dialogue):
    chat = Chat(dialogue)
    chat.command("start")
    assert "Welcome" in chat.text()
    assert chat.labels()[:3] == ["中文", "English", "Русский"]
    chat.press("English")
    assert {"Hangzhou", "Zhoushan", "Urumqi"} <= set(chat.labels())
    chat.press("Urumqi")
    assert "Main menu" in chat.text()
    for label in ("Ask a question", "Check my eligibility", "Benefits by topic", "How to apply",
                  "File a complaint", "My complaints", "Language", "City"):
        assert label in chat.labels()
    chat.say("How long can my work permit be?")
    assert "Measure 3" in chat.text() and "Source" in chat.text()
    assert "Original Chinese text" in chat.labels() and "Not helpful" in chat.labels()
    chat.press("Original Chinese text")
    assert "第3项" in chat.text() or "工作许可" in chat.text()
    state = chat.state()
    assert (state.lang, state.city) == ("en", "urumqi")


def test_not_helpful_is_recorded_and_thanked(dialogue, store):
    chat = Chat(dialogue)
    onboard(chat)
    chat.say("How long can my work permit be?")
    before = store.feedback.count()
    chat.press("Not helpful")
    assert "Thank you" in chat.text()
    assert store.feedback.count() == before + 1


def test_unanswered_question_offers_topics_eligibility_and_complaint(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Hangzhou")
    chat.say("Where can I buy the best dumplings near West Lake?")
    assert "could not find" in chat.text()
    assert {"Benefits by topic", "Check my eligibility", "File a complaint"} <= set(chat.labels())


def test_language_is_chosen_per_user(dialogue):
    zh = Chat(dialogue, user_id=101, client_lang="zh-hans")
    ru = Chat(dialogue, user_id=102, client_lang="en")
    zh.say("工作许可最长几年？")
    assert zh.state().lang is None  # nothing stored until the user chooses; the client's language is used
    onboard(ru, lang_label="Русский", city_label="Урумчи")  # the city buttons speak the chosen language
    onboard(zh, lang_label="中文", city_label="乌鲁木齐")
    assert ru.state().lang == "ru" and zh.state().lang == "zh"
    zh.say("工作许可最长几年？")
    assert "第" in zh.text()  # a Chinese citation for the Chinese user
    ru.say("How long can my work permit be?")
    assert ru.state().lang == "ru"


def test_client_language_is_used_until_the_user_chooses(dialogue):
    chat = Chat(dialogue, user_id=103, client_lang="zh-CN")
    chat.command("city", "urumqi")
    chat.say("工作许可最长几年")
    assert "第3项" in chat.text()


def test_stale_or_unknown_buttons_get_the_menu_and_keep_the_state(dialogue):
    chat = Chat(dialogue)
    onboard(chat)
    before = chat.state().to_json()
    for data in ("zz:1", "menu:nothing", "top:e:no-such-doc:1:a", "ask:zh:urumqi-facilitation:999", "set:lang:xx", "wiz:a:age:3"):
        chat.data(data)
        assert "expired" in chat.text() or "current one" in chat.text() or "not available" in chat.text(), data
        assert "Main menu" in chat.text() or "Main menu" in chat.labels()
    assert chat.state().to_json() == before


def test_unsupported_messages_get_a_friendly_reply_and_keep_the_flow(dialogue):
    chat = Chat(dialogue)
    onboard(chat)
    chat.press("Ask a question")
    assert chat.state().flow == "ask"
    for what in ("sticker", "voice", "edited", None):
        chat._send(kind="unsupported", what=what)
        assert chat.replies and chat.text()
        assert chat.state().flow == "ask"
    chat.command("frobnicate")
    assert "/frobnicate" in chat.text() and "/help" in chat.text()


@pytest.mark.parametrize("text,expect", [
    ("", "in words"),
    ("   \n\t ", "in words"),
    ("x" * 5000, "too long"),
    ("😀🎉👍", "in words"),
    ("\x00\x01\x02\x03\x04", "could not read"),
    ("\ufffd\ufffd\ufffd\ufffd", "could not read"),
])
def test_bad_input_gets_a_clear_message_and_no_state_change(dialogue, text, expect):
    chat = Chat(dialogue)
    onboard(chat)
    before = chat.state().to_json()
    chat.say(text)
    assert expect in chat.text()
    assert chat.state().to_json() == before


def test_wrong_types_from_an_adapter_never_raise(dialogue):
    chat = Chat(dialogue)
    for kw in (dict(kind="text", text=None), dict(kind="button", data=None), dict(kind="button", data=123),
               dict(kind="command", command=None), dict(kind="bogus"), dict(kind="attachment")):
        replies = chat._send(**kw)
        assert replies and all(r.text for r in replies), kw


def test_control_characters_inside_a_question_are_dropped(dialogue):
    chat = Chat(dialogue)
    onboard(chat)
    chat.say("How long\x07 can my work\u200b permit be?")
    assert "Measure 3" in chat.text()


def test_state_survives_a_new_dialogue_on_the_same_database(store):
    first = Chat(Dialogue(Services(store, Settings())))
    onboard(first, city_label="Zhoushan")
    first.press("Ask a question")
    again = Chat(Dialogue(Services(store, Settings())))
    assert (again.state().lang, again.state().city, again.state().flow) == ("en", "zhoushan", "ask")
    again.data("menu:home")
    assert "Zhoushan" in again.text()


def test_concurrent_save_is_retried_on_fresh_state(dialogue, store):
    chat = Chat(dialogue)
    onboard(chat, city_label="Hangzhou")
    real_save = store.chats.save
    calls = []

    def racing_save(chat_id, user_id, state, version):
        calls.append(version)
        if len(calls) == 1:  # another worker saves the city first
            other, v = store.chats.load(chat_id, user_id)
            other.city = "urumqi"
            assert real_save(chat_id, user_id, other, v)
        return real_save(chat_id, user_id, state, version)

    store.chats.save = racing_save
    try:
        chat.data("set:lang:ru")
    finally:
        store.chats.save = real_save
    assert len(calls) == 2
    state = chat.state()
    assert (state.lang, state.city) == ("ru", "urumqi")  # both changes kept


def test_unexpected_errors_become_an_apology(dialogue, monkeypatch):
    chat = Chat(dialogue)
    onboard(chat)

    def broken(*a, **k):
        raise RuntimeError("search index exploded")

    monkeypatch.setattr(dialogue.services, "answer", broken)
    chat.say("How long can my work permit be?")
    assert "something went wrong" in chat.text()
    assert "exploded" not in chat.text()
    assert chat.labels() == ["Main menu"]


def test_cancel_and_help_commands(dialogue):
    chat = Chat(dialogue)
    onboard(chat)
    chat.press("Ask a question")
    chat.command("cancel")
    assert "Cancelled" in chat.text() and chat.state().flow is None
    chat.command("help")
    assert "/eligibility" in chat.text() and "/complaint" in chat.text()


def test_topics_show_only_the_city_topics_with_paging(dialogue, store):
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    chat = Chat(dialogue)
    onboard(chat, city_label="Hangzhou")
    chat.press("Benefits by topic")
    labels = []
    while True:
        page = [b for b in chat.buttons() if b.data.startswith("top:t:")]
        assert len(page) <= 6
        labels += [b.data.split(":")[2] for b in page]
        if "Next »" not in chat.labels():
            break
        chat.press("Next »")
    city_topics = {t for e in kb.for_city("hangzhou") for t in e.topics}
    assert set(labels) == city_topics
    chat.data(f"top:t:{labels[0]}:0")
    entry_button = next(b for b in chat.buttons() if b.data.startswith("top:e:"))
    chat.data(entry_button.data)
    assert "Source" in chat.text() and "Back" in chat.labels()


def test_how_to_apply_lists_the_procedure_entries(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Hangzhou")
    chat.press("How to apply")
    assert "How to apply" in chat.text()
    assert any(b.data.startswith("top:e:hangzhou-onecard:6") for b in chat.buttons())


def test_a_city_is_asked_first_when_none_is_chosen(dialogue):
    chat = Chat(dialogue)
    chat.data("menu:topics")
    assert "which city" in chat.text().lower()
    chat.press("Zhoushan")
    assert chat.state().city == "zhoushan"
    assert any(b.data.startswith("top:t:") for b in chat.buttons())


# ---------------------------------------------------------------- the eligibility wizard


def finish_wizard(chat: Chat, prefer=("None of these", "No", "I don't know"), limit: int = 80) -> int:
    """Answer every question (a preferred button, else the smallest allowed number) until the result."""
    import re

    for n in range(limit):
        if "Change an answer" in chat.labels():
            return n
        numbers = re.search(r"Type a number from ([0-9.,]+) to", chat.text())
        button = next((label for label in prefer if label in chat.labels()), None)
        if button is not None:
            chat.press(button)
        elif numbers:
            chat.say(numbers.group(1).replace(",", ""))
        else:
            chat.press(chat.labels()[0])
    raise AssertionError(f"no result after {limit} answers:\n{chat.text()}")


def test_wizard_runs_to_an_assessment_with_validation_back_and_change(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Urumqi")
    chat.press("Check my eligibility")
    assert "Question 1" in chat.text() and "Cancel" in chat.labels() and "I don't know" in chat.labels()
    first = chat.text()
    chat.press("None of these")
    assert "« Back" in chat.labels()
    chat.press("« Back")
    assert chat.text().split("Question 1", 1)[1] == first.split("Question 1", 1)[1]
    chat.press("None of these")
    before = chat.state().to_json()
    chat.data(f"wiz:a:{before['step']}:99")  # a choice that does not exist
    chat.data("wiz:a:no_such_fact:0")  # a button of an earlier question
    assert "already answered" in chat.text()
    assert chat.state().to_json()["data"] == before["data"]
    finish_wizard(chat)
    assert "Eligibility in Urumqi" in chat.text()
    assert "Urumqi measure" in chat.text()  # cited articles
    assert {"Change an answer", "Start again", "Main menu"} <= set(chat.labels())
    chat.press("Change an answer")
    changeable = [b for b in chat.buttons() if b.data.startswith("wiz:c:")]
    assert changeable
    chat.data(changeable[0].data)
    assert "Question" in chat.text() and "Cancel" in chat.labels()
    chat.press("Cancel")
    assert "stopped" in chat.text() and chat.state().flow is None


def test_wizard_typed_answers_are_validated_in_the_users_words(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Urumqi")
    chat.press("Check my eligibility")
    chat.press("None of these")
    chat.press("None of these")
    assert "points" in chat.text().lower()
    before = chat.state().to_json()
    chat.say("lots")
    assert "points" in chat.text().lower() and "Question" in chat.text()
    chat.say("500")
    assert chat.state().to_json() == before  # refused answers change nothing
    chat.say("90")
    assert chat.state().to_json() != before


def test_points_calculator_sub_flow_shows_its_breakdown(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Urumqi")
    chat.press("Check my eligibility")
    chat.press("None of these")
    chat.press("None of these")
    chat.press("I don't know — calculate it")
    for _ in range(30):
        if "Your national points score" in chat.text():
            break
        chat.press("I don't know")
    assert "Your national points score" in chat.text() and "Total" in chat.text()


def test_wizard_resumes_after_a_restart(store):
    chat = Chat(Dialogue(Services(store, Settings())))
    onboard(chat, city_label="Zhoushan")
    chat.press("Check my eligibility")
    chat.press(chat.labels()[-3] if "None of these" not in chat.labels() else "None of these")
    asked = chat.text()
    again = Chat(Dialogue(Services(store, Settings())))  # a new process on the same database
    again.command("eligibility")
    assert "Continuing where you left off" in again.text()
    assert asked.split("Question", 1)[1] == again.text().split("Question", 1)[1]


def test_wizard_follows_a_language_change(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Hangzhou")
    chat.press("Check my eligibility")
    chat.data("set:lang:zh")
    chat.command("eligibility")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chat.text())  # the question itself is now Chinese


def test_a_question_another_citys_document_answers_offers_that_article(dialogue):
    chat = Chat(dialogue, user_id=120)
    onboard(chat, city_label="Zhoushan")
    chat.say("can my kid go to a public school? what about the credit card for A permit holders")
    labels = [b.label for b in chat.buttons()]
    other = [b for b in chat.buttons() if b.label.startswith("Read it:")]
    assert other and "Hangzhou" in other[0].label, labels
    chat.data(other[0].data)
    assert "Hangzhou" in chat.text() and "draft" in chat.text()  # shown as Hangzhou's rule, with its status
