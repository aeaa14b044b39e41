"""What a user sees in the details of the conversation: honest progress, short lists and messages,
natural sentences in every language, and the terminal's own helpfulness."""

from __future__ import annotations

import re

import pytest

from bot.core.dialogue import Dialogue
from bot.core.services import Services
from bot.settings import Settings
from test_dialogue import Chat, finish_wizard, onboard  # tests/ is on sys.path (no package)


@pytest.fixture
def dialogue(store):
    return Dialogue(Services(store, Settings()))


def _progress(chat: Chat) -> str:
    return next(line for line in chat.text().splitlines() if line.startswith(("Question ", "第 ")))


@pytest.mark.parametrize("city", ["Zhoushan", "Urumqi", "Hangzhou"])
def test_wizard_progress_counts_questions_asked_and_never_promises_a_total(dialogue, city):
    chat = Chat(dialogue)
    onboard(chat, city_label=city)
    chat.press("Check my eligibility")
    seen = []
    for _ in range(40):
        if "Change an answer" in chat.labels():
            break
        seen.append(_progress(chat))
        numbers = re.search(r"Type a number from ([0-9.,]+) to", chat.text())
        button = next((b for b in ("None of these", "No", "I don't know") if b in chat.labels()), None)
        chat.press(button) if button else chat.say(numbers.group(1).replace(",", ""))
    assert seen and all("about" not in line for line in seen), seen
    assert seen == [f"Question {n}" for n in range(1, len(seen) + 1)]


def _change_buttons(chat: Chat) -> list:
    return [b for b in chat.buttons() if b.data.startswith("wiz:c:")]


@pytest.mark.parametrize("city", ["Zhoushan", "Urumqi", "Hangzhou"])
def test_change_an_answer_lists_the_answers_given_a_page_at_a_time(dialogue, city):
    chat = Chat(dialogue)
    onboard(chat, city_label=city)
    chat.press("Check my eligibility")
    asked = finish_wizard(chat, prefer=("None of these", "No", "I don't know"))
    chat.press("Change an answer")
    listed = []
    for _ in range(10):
        page = _change_buttons(chat)
        assert 0 < len(page) <= 8, chat.labels()
        assert all(len(b.label) <= 48 for b in page), [b.label for b in page]
        listed += page
        if "Next »" not in chat.labels():
            break
        chat.press("Next »")
    assert len(listed) == asked, ([b.label for b in listed], asked)
    assert len({b.data for b in listed}) == len(listed)
    assert any(b.label.endswith(": None of these") for b in listed)
    chat.data(listed[-1].data)
    assert "Question" in chat.text() and "Cancel" in chat.labels()


@pytest.mark.parametrize("lang_label,expect", [("English", "Please press one of the buttons"), ("中文", "请按下其中一个按钮")])
def test_a_wrong_choice_is_answered_shortly_and_the_question_follows(dialogue, lang_label, expect):
    chat = Chat(dialogue)
    onboard(chat, lang_label=lang_label, city_label={"English": "Urumqi", "中文": "乌鲁木齐"}[lang_label])
    chat.press(chat.labels()[1])  # Check my eligibility
    question = chat.text()
    chat.say("banana")
    note, rest = chat.text().split("\n", 1)
    assert expect in note and len(note) < 80, note
    assert rest.strip().endswith(question.strip().splitlines()[-1])  # the question, with its buttons, follows


@pytest.mark.parametrize("lang,need", [("en", "selected into a national talent programme"),
                                       ("zh", "入选国内人才引进计划"), ("ru", "национальн")])
def test_what_would_change_the_result_names_the_missing_fact_once(lang, need):
    from bot.assess import assess

    profile = {"age": 41, "highest_degree": "phd", "top500_university": True, "job_matches_field": True}
    summary = assess("zhoushan", profile, lang).summary
    line = next(l for l in summary.splitlines() if "3(1)" in l or "第三条（一）" in l)
    assert line.lower().count(need) == 1, line


def test_what_would_change_the_result_keeps_a_title_that_says_more():
    from bot.assess import assess

    summary = assess("urumqi", {"age": 30, "points": 84}, "en").summary
    assert "postdoc at a high-level university — then Urumqi measure 2 (postdoctoral researcher" in summary, summary


def test_article_titles_on_buttons_read_as_one_sentence_in_chinese(dialogue):
    from bot.answering import answer_question

    other = answer_question("购房补贴", "zhoushan", "zh").elsewhere
    assert other and "第五条（六）：购房" in other["title"] and ": " not in other["title"], other
    assert ": " in answer_question("housing purchase subsidy", "zhoushan", "en").elsewhere["title"]
    chat = Chat(dialogue, client_lang="zh")
    onboard(chat, lang_label="中文", city_label="舟山")
    chat.say("购房补贴")
    read = [label for label in chat.labels() if "第五条（六）" in label]
    assert read and ": " not in read[0], chat.labels()


def test_change_an_answer_labels_read_as_one_sentence_in_chinese():
    from bot.wizard import wizard_answer, wizard_answers, wizard_start

    state = wizard_start("urumqi", "zh")
    for answer in ("none", "none", "calc"):
        state = wizard_answer(state, answer)
    labels = [label for _f, label in wizard_answers(state)]
    assert labels and all("：" in label and ": " not in label for label in labels), labels


# ---------------------------------------------------------------- the terminal

def _console(store, lines, **kw) -> str:
    import io

    from bot import console

    out = io.StringIO()
    assert console.run(store, Settings(), stdin=io.StringIO("".join(l + "\n" for l in lines)), stdout=out, **kw) == 0
    return out.getvalue()


def test_a_number_that_presses_no_button_says_so_and_keeps_the_buttons(store):
    from bot import console

    out = _console(store, ["/menu", "42", "0", "1"], city="urumqi", lang="en", user_id=61)
    menu = out.split(console.RULE)[1]
    n = len(re.findall(r"^  \d+\) ", menu, re.M))
    assert f"There is no option 42; type a number from 1 to {n}, or write your question." in out
    assert "There is no option 0;" in out
    assert store.chats.load(61, 61)[0].flow == "ask"  # "1" after them still pressed the menu's first button
    out = _console(store, ["/menu", "42"], lang="zh", user_id=62, city="urumqi")
    assert "没有选项 42" in out


def test_a_number_is_still_an_answer_where_the_wizard_asks_for_one(store):
    _console(store, ["/eligibility"], city="zhoushan", lang="en", user_id=63)
    for _ in range(12):  # "I don't know" (by its number) until a question asks for a number

        out = _console(store, [], user_id=63)
        last = out.rsplit("-" * 40, 1)[-1]
        if "Type a number from" in last:
            break
        number = next(l.strip().split(")")[0] for l in last.splitlines() if l.strip().endswith(") I don't know"))
        _console(store, [number], user_id=63)
    out = _console(store, ["42"], user_id=63)
    assert "There is no option" not in out and "Question" in out


# ---------------------------------------------------------------- settings commands with an argument

def test_an_unknown_city_or_language_is_named_before_the_chooser(dialogue):
    chat = Chat(dialogue)
    onboard(chat, city_label="Urumqi")
    chat.command("city", "paris")
    assert "I don't know the city 'paris'; I cover Hangzhou, Zhoushan and Urumqi." in chat.text()
    assert {"Hangzhou", "Zhoushan", "Urumqi"} <= set(chat.labels()) and chat.state().city == "urumqi"
    chat.command("city", "<b>x</b>")
    assert "<b>x</b>" not in "".join(r.text for r in chat.replies)  # the user's text is escaped
    chat.command("city", "Zhoushan")
    assert chat.state().city == "zhoushan"
    chat.command("language", "fr")
    assert "I don't know the language 'fr'; I speak Chinese, English and Russian." in chat.text()
    assert {"中文", "English", "Русский"} <= set(chat.labels()) and chat.state().lang == "en"
    chat.command("language", "ru")
    assert chat.state().lang == "ru"
    chat.command("city", "paris")
    assert "paris" in chat.text() and "Ханчжоу" in chat.text()


# ---------------------------------------------------------------- the complaint's contact

def _at_contact(chat: Chat) -> None:
    chat.command("complaint")
    chat.press("Processing delay")
    chat.press("Zhoushan")
    chat.say("My permit renewal has waited four months without any answer.")
    assert "besides this chat" in chat.text()


@pytest.mark.parametrize("contact", ["abc", "12", "call me maybe", "a@b", "@x", "+86 138 0013 8000 9999 1234 5"])
def test_a_contact_that_is_no_phone_email_or_username_is_asked_again(dialogue, contact):
    chat = Chat(dialogue, user_id=71)
    onboard(chat)
    _at_contact(chat)
    chat.say(contact)
    assert "phone number, an e-mail address or a Telegram @username" in chat.text(), chat.text()
    assert {"Skip", "Cancel"} <= set(chat.labels()) and "I agree, send it" not in chat.labels()
    assert chat.state().step == "contact"
    chat.press("Skip")
    assert "Contact: none" in chat.text()


@pytest.mark.parametrize("contact", ["+86 (571) 8888-1234", "13800138000", "alice@example.com", "@alice_w",
                                     "Ivan.Petrov@mail.ru", "+7 912 345-67-89; ivan@mail.ru"])
def test_a_phone_email_or_username_is_taken(dialogue, contact):
    chat = Chat(dialogue, user_id=72)
    onboard(chat)
    _at_contact(chat)
    chat.say(contact)
    assert f"Contact: {contact}" in chat.text() and "I agree, send it" in chat.labels()


@pytest.mark.parametrize("word", ["none", "No.", "нет", "没有", "skip"])
def test_no_contact_typed_in_words_is_the_same_as_skip(dialogue, word):
    chat = Chat(dialogue, user_id=73)
    onboard(chat)
    _at_contact(chat)
    chat.say(word)
    assert "Contact: none" in chat.text() and "I agree, send it" in chat.labels()


@pytest.mark.parametrize("env,welcome", [({"LANG": "zh_CN.UTF-8"}, "欢迎"), ({"LANG": "en_US.UTF-8", "LC_ALL": "ru_RU.UTF-8"}, "Добро"),
                                         ({"LANG": "C.UTF-8"}, "Welcome"), ({"LANG": "fr_FR.UTF-8"}, "Welcome")])
def test_the_terminal_greets_in_the_language_of_the_environment(store, monkeypatch, env, welcome):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    out = _console(store, [], user_id=81)
    assert welcome in out.split("-" * 40)[1], out
    assert "Welcome" in _console(store, [], user_id=82, lang="en")  # --lang still wins
