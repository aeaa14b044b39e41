"""The terminal chat (`talentbot chat`): the same conversation as the Telegram bot, on stdin and stdout.

Each line is one message. Replies are shown as plain text with their buttons numbered across the batch
("1) Ask a question"); typing a number presses that button, `'` before a number sends it as text (for a
wizard question whose answer is a small number that is also a button number), `/commands` work and
anything else is text. A number that presses no button ("42" at a 9-button menu) gets "there is no option
42" and the same buttons, except where the chat's flow expects a typed answer (an age, a phone number). Works with stdin not a TTY (tests pipe input) and ends cleanly on EOF or Ctrl-C.
The console's chat id is the user id and its chat type is "console". The chat's state lives in the
database, so a new `talentbot chat` on the same database resumes a flow left half-way (the wizard's
question, the complaint's current prompt) instead of starting over at the menu.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

from bot.core.dialogue import Dialogue
from bot.core.messages import Button, Incoming, Reply
from bot.i18n import gettext, normalize, pick
from bot.render import to_plain

PROMPT = "> "
TYPED_FLOWS = ("wiz", "cmp", "tk")  # flows whose steps (but the ones with only buttons) read typed text
RULE = "-" * 40


class Console:
    def __init__(self, dialogue: Dialogue, user_id: int, out: TextIO, lang: str = "en", interactive: bool = False):
        self.dialogue = dialogue
        self.user_id = user_id
        self.out = out
        self.lang = lang
        self.interactive = interactive
        self.buttons: list[Button] = []  # the numbered buttons of the last batch of replies

    # ------------------------------------------------------------ one line in, replies out

    def incoming(self, line: str) -> Incoming | None:
        """The Incoming a typed line stands for; None for a number that presses no button (see no_option)."""
        base = dict(chat_id=self.user_id, user_id=self.user_id, chat_type="console", client_lang=self.lang)
        text = line.strip()
        if text.isdigit() and self.buttons and 1 <= int(text) <= len(self.buttons):
            return Incoming(kind="button", data=self.buttons[int(text) - 1].data, **base)
        if text.isdigit() and self.buttons and not self._expects_text():
            return None  # a number that presses nothing is a mistyped choice, not a question
        if text.startswith("'"):
            return Incoming(kind="text", text=text[1:], **base)
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            command, _, args = text[1:].partition(" ")
            return Incoming(kind="command", command=command, text=args.strip(), **base)
        return Incoming(kind="text", text=line, **base)

    def _state(self):
        return self.dialogue.services.store.chats.load(self.user_id, self.user_id)[0]

    def _expects_text(self) -> bool:
        """True where the chat's flow takes typed text as the answer: a wizard question (an age, points), a
        complaint's description or contact (a phone number), a reply to the hotline. Elsewhere a number that
        presses no button was meant as a button, not as a question."""
        state = self._state()
        return state.flow in TYPED_FLOWS and state.step not in (None, "result", "cat", "city", "confirm")

    def no_option(self, line: str) -> None:
        lang = pick(self._state().lang, self.lang)
        print(RULE, file=self.out)
        print(gettext(lang, "There is no option %(n)s; type a number from 1 to %(max)s, or write your question.",
                      n=line.strip(), max=len(self.buttons)), file=self.out)
        self.out.flush()  # the buttons above stay as they were

    def send(self, incoming: Incoming) -> None:
        self.show(self.dialogue.handle(incoming))

    def show(self, replies: list[Reply]) -> None:
        self.buttons = []
        for reply in replies:
            print(RULE, file=self.out)
            if reply.chat_id is not None and reply.chat_id != self.user_id:
                print(gettext(self.lang, "[to chat %(chat)s]", chat=reply.chat_id), file=self.out)
            print(to_plain(reply.text), file=self.out)
            for row in reply.buttons:
                for button in row:
                    self.buttons.append(button)
                    print(f"  {len(self.buttons)}) {button.label}", file=self.out)
        self.out.flush()

    # ------------------------------------------------------------ the loop

    def loop(self, lines) -> int:
        try:
            while True:
                if self.interactive:
                    print(PROMPT, end="", file=self.out, flush=True)
                line = lines.readline()
                if not line:  # EOF (Ctrl-D, or the end of piped input)
                    break
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                if line.strip() in ("/quit", "/exit"):
                    break
                incoming = self.incoming(line)
                if incoming is None:
                    self.no_option(line)
                else:
                    self.send(incoming)
        except KeyboardInterrupt:
            pass
        if self.interactive:
            print(file=self.out)
        return 0


class _QuietFormatter(logging.Formatter):
    """One line per log record: the terminal chat never shows a traceback."""

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return ""

    def format(self, record) -> str:
        record.exc_text = ""
        return super().format(record).rstrip()


def quiet_logging(stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_QuietFormatter("talentbot: %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.ERROR)


def env_language(environ=None) -> str | None:
    """The terminal's language, as a client language: the first of LC_ALL, LC_MESSAGES, LANG that is set
    decides (POSIX order), "zh_CN.UTF-8" → zh, "ru_RU" → ru; None for C/POSIX or a language we do not speak."""
    environ = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:
            return normalize(value.split(".")[0].split("@")[0])
    return None


def preset(store, user_id: int, city: str | None, lang: str | None) -> str | None:
    """Apply --city/--lang to the user's stored state; returns the stored language, if any."""
    for _ in range(3):
        state, version = store.chats.load(user_id, user_id)
        if city:
            state.city = city
        if lang:
            state.lang = lang
        if not (city or lang) or store.chats.save(user_id, user_id, state, version):
            return state.lang
    return lang


def run(store, settings, user_id: int = 1, city: str | None = None, lang: str | None = None,
        stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """The terminal chat on an open, migrated store. Returns the exit code."""
    from bot.core.services import Services

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if hasattr(stdin, "reconfigure"):
        try:  # undecodable bytes become U+FFFD instead of an exception
            stdin.reconfigure(errors="replace")
        except Exception:
            pass
    stored_lang = preset(store, user_id, city, lang)
    interactive = bool(getattr(stdin, "isatty", lambda: False)())
    # the user's stored choice, else --lang, else the terminal's locale (like a Telegram client's language)
    console = Console(Dialogue(Services(store, settings)), user_id, stdout,
                      lang=stored_lang or lang or env_language() or "en", interactive=interactive)
    if interactive:
        try:  # line editing and history where the platform has it
            import readline  # noqa: F401
        except ImportError:
            pass
        print(gettext(console.lang, "Type a number to press a button, /help for commands, Ctrl-D to leave."), file=stdout)
    state = store.chats.load(user_id, user_id)[0]
    if state.flow:  # the chat was in the middle of something (its state is in the database): go on with it
        first = Incoming(kind="resume", chat_id=user_id, user_id=user_id, chat_type="console", client_lang=console.lang)
    else:
        first = console.incoming("/menu" if stored_lang and (city or state.city) else "/start")
    try:
        console.send(first)
    except KeyboardInterrupt:
        return 0
    return console.loop(stdin)
