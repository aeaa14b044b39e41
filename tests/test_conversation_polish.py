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
