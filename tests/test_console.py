"""The terminal chat: piped stdin in, plain text with numbered buttons out, on the embedded database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import console
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def chat(store, lines: list[str], **kw) -> str:
    out = io.StringIO()
    rc = console.run(store, Settings(), stdin=io.StringIO("".join(l + "\n" for l in lines)), stdout=out, **kw)
    assert rc == 0
    return out.getvalue()


def number_of(output: str, label: str) -> str:
    """The number printed before `label` in the last keyboard shown."""
    for line in reversed(output.splitlines()):
        line = line.strip()
        if line.endswith(f") {label}"):
            return line.split(")", 1)[0]
    raise AssertionError(f"no button {label!r} in:\n{output[-1500:]}")


def test_start_pick_language_and_city_then_ask(store):
    out = chat(store, ["2", "3", "How long can my work permit be?"])
    assert "Welcome" in out
    assert "1) 中文" in out and "2) English" in out and "3) Русский" in out
    assert "City set to Urumqi" in out
    assert "1) Ask a question" in out
    assert "Measure 3" in out and "Original Chinese text" in out
    assert "<b>" not in out  # plain text, not Telegram HTML


def test_numbers_press_buttons_of_the_last_reply_and_state_is_kept(store):
    out = chat(store, ["2", "1"], user_id=5)
    assert "City set to Hangzhou" in out
    out = chat(store, ["/help"], user_id=5)  # a second session: language and city remembered
    assert "Your city: Hangzhou" in out
    out = chat(store, [number_of(chat(store, [], user_id=5), "Benefits by topic")], user_id=5)
    assert "Choose a topic" in out


def test_presets_and_commands(store):
    out = chat(store, ["/city zhoushan", "/language"], city="urumqi", lang="en", user_id=9)
    assert "Main menu" in out.split(console.RULE)[1]  # preset: straight to the menu, no greeting
    assert "City: Urumqi" in out and "City set to Zhoushan" in out
    assert "Which language" in out


def test_bad_lines_never_give_a_traceback(store):
    out = chat(store, ["2", "1", "99", "\x00\x01\x02", "😀", "/nope", "'2", "x" * 5000])
    assert "Traceback" not in out
    assert "/nope" in out and "too long" in out


def test_eof_ends_cleanly_and_the_cli_works_without_a_token(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "PYTHONPATH": str(ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    proc = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "en", "--city", "hangzhou", "--user", "3"],
                          input="/ask can my children go to a local school?\n", capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Article 5(2)" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_bad_arguments_are_a_message_not_a_traceback(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "bot", "chat", "--city", "paris"], input="", capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 2 and "paris" in proc.stderr and "Traceback" not in proc.stderr


class Typist:
    """stdin that reads the screen before typing: presses a preferred button by its number, else a number."""

    def __init__(self, screen: io.StringIO, script: list[str], prefer: tuple[str, ...], limit: int = 120):
        self.screen, self.script, self.prefer, self.limit = screen, list(script), prefer, limit

    def readline(self) -> str:
        import re

        self.limit -= 1
        if self.script:
            return self.script.pop(0) + "\n"
        last = self.screen.getvalue().rsplit(console.RULE, 3)
        shown = console.RULE.join(last[1:])
        if "Change an answer" in shown or self.limit <= 0:
            return ""  # EOF
        for label in self.prefer:
            if f") {label}\n" in shown:
                return number_of(shown, label) + "\n"
        number = re.search(r"Type a number from ([0-9.,]+) to", shown)
        return (number.group(1).replace(",", "") if number else "1") + "\n"


def test_wizard_to_a_result_in_the_terminal(store):
    screen = io.StringIO()
    typist = Typist(screen, ["/eligibility"], prefer=("None of these", "No", "I don't know"))
    rc = console.run(store, Settings(), stdin=typist, stdout=screen, city="zhoushan", lang="en", user_id=11)
    out = screen.getvalue()
    assert rc == 0
    assert "Question 1" in out and ") Cancel" in out
    assert "Eligibility in Zhoushan" in out and "Zhoushan art." in out
    assert ") Change an answer" in out and ") Start again" in out


def test_a_new_terminal_chat_resumes_a_half_finished_wizard(tmp_path):
    """The state is in the database: a second `talentbot chat` goes on with the wizard, not the menu."""
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    first = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "en", "--city", "zhoushan", "--user", "21"],
                           input="/eligibility\n1\n1\n", capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    last_question = first.stdout.rsplit(console.RULE, 1)[1].split("\n", 2)[1]
    assert last_question.startswith("Question 3")

    from bot.store import Store

    store = Store(url)
    try:
        screen = io.StringIO()
        typist = Typist(screen, [], prefer=("I don't know",))  # a label every question has: never a stale number
        assert console.run(store, Settings(), stdin=typist, stdout=screen, user_id=21) == 0
        out = screen.getvalue()
        opening = out.split(console.RULE)[1]
        assert "Continuing where you left off" in opening and last_question in opening
        assert "Main menu" not in opening and "Welcome" not in opening
        assert "Eligibility in Zhoushan" in out and ") Change an answer" in out
    finally:
        store.dispose()


def test_a_new_terminal_chat_resumes_a_complaint_at_its_prompt(store):
    out = chat(store, ["/complaint"], user_id=31, lang="en", city="hangzhou")
    out = chat(store, [number_of(out, "Processing delay")], user_id=31)
    out = chat(store, [number_of(out.rsplit(console.RULE, 1)[1], "Zhoushan"),
                       "My permit renewal has waited four months without any answer."], user_id=31)
    assert "besides this chat" in out.rsplit(console.RULE, 1)[1]
    out = chat(store, [], user_id=31)  # reopened: the contact question again, nothing lost
    assert "besides this chat" in out and "Main menu" not in out.split(console.RULE)[1]
    out = chat(store, [number_of(out, "Skip")], user_id=31)
    assert "Please check your complaint" in out and "four months" in out
    out = chat(store, [], user_id=31)
    assert "Please check your complaint" in out.split(console.RULE)[1]
    out = chat(store, [number_of(out, "I agree, send it")], user_id=31)
    assert "Your ticket number is ZS-" in out
    assert "Main menu" in chat(store, [], user_id=31).split(console.RULE)[1]  # done: back to the menu
