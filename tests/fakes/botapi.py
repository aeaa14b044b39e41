"""A local stand-in of the Telegram Bot API for end-to-end tests and benchmarks.

An HTTP server (tornado, which python-telegram-bot's webhooks extra installs) on 127.0.0.1 at a random
port, running on the test's own event loop. Point python-telegram-bot at it with
`base_url=server.base_url` (TELEGRAM_API_BASE_URL), the token appended by the library.

It implements what the bot calls (getMe, getUpdates as a long poll, sendMessage, sendPhoto, sendDocument, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, answerInlineQuery, setMyCommands, webhook methods,
sendChatAction, close/logOut), records every call, serves updates a test injects, and can be told to
fail: 429 with retry_after or 500 for the next N calls or for a time window, 403 "bot was blocked by
the user" for one chat, 401 for an unknown token. Like Telegram, it refuses HTML it cannot parse (a tag
Telegram does not support, an unclosed or mismatched tag, a stray "<") with 400 "can't parse entities".

    async with FakeBotAPI() as server:
        alice = server.user(1001, lang="en")
        server.send_text(alice, "/start")
        msg = await server.wait_for_message(alice.id, lambda m: "Welcome" in m.text)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import tornado.httpserver
import tornado.netutil
import tornado.web

DEFAULT_TOKEN = "123456:TEST-token"

# form fields python-telegram-bot sends as raw strings; every other field is JSON-encoded
_STRING_FIELDS = {
    "text", "parse_mode", "caption", "callback_query_id", "inline_query_id", "url", "secret_token",
    "language_code", "action", "next_offset", "inline_message_id", "switch_pm_text", "switch_pm_parameter",
    "ip_address", "description", "short_description", "name", "business_connection_id", "message_effect_id",
    "photo", "document",  # file ids (sendPhoto, sendDocument)
}


# the tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style)
_HTML_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
                        "tg-emoji", "code", "pre", "blockquote"})
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>|<")


def html_problem(text: str) -> str | None:
    """What Telegram's HTML parser would refuse in `text` ("can't parse entities: …"); None when it parses.
    (A "&" that starts no entity is taken literally, as Telegram does.)"""
    stack: list[str] = []
    for m in _HTML_TAG.finditer(text):
        offset = len(text[:m.start()].encode("utf-8"))
        if m.group(0) == "<":
            return f"Unsupported start tag at byte offset {offset}"
        closing, name = m.group(1), m.group(2).lower()
        if name not in _HTML_TAGS:
            return f'Unsupported start tag "{name}" at byte offset {offset}'
        if not closing:
            stack.append(name)
        elif not stack or stack[-1] != name:
            expected = stack[-1] if stack else ""
            return f'Unmatched end tag at byte offset {offset}, expected "</{expected}>", found "</{name}>"'
        else:
            stack.pop()
    if stack:
        return f"Can't find end tag corresponding to start tag \"{stack[-1]}\""
    return None


def _parse_error(params: dict, field: str = "text") -> tuple[int, str] | None:
    if str(params.get("parse_mode") or "").upper() != "HTML":
        return None
    problem = html_problem(params.get(field) or "")
    return (400, f"Bad Request: can't parse entities: {problem}") if problem else None


@dataclass(frozen=True)
class User:
    id: int
    lang: str | None = "en"
    first_name: str = "Test"
    username: str | None = None

    def to_dict(self) -> dict:
        d = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.lang:
            d["language_code"] = self.lang
        if self.username:
            d["username"] = self.username
        return d


@dataclass(frozen=True)
class Chat:
    id: int
    type: str = "private"
    title: str | None = None

    def to_dict(self) -> dict:
        d = {"id": self.id, "type": self.type}
        if self.title:
            d["title"] = self.title
        return d


@dataclass
class Call:
    """One request the bot made: method name, decoded parameters, when (time.monotonic())."""

    method: str
    params: dict
    time: float
    token: str
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if isinstance(value, (int, str)) and str(value).lstrip("-").isdigit() else value

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def buttons(self) -> list[list[dict]]:
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard") or []

    @property
    def button_data(self) -> list[str]:
        return [b.get("callback_data") for row in self.buttons for b in row if b.get("callback_data")]

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None = None
    remaining: int | None = None  # calls left to fail (None: until `until`)
    until: float | None = None  # monotonic deadline
    methods: frozenset[str] | None = None  # None: every method but getUpdates
    chat_id: int | None = None

    def applies(self, method: str, params: dict, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.methods is None and method in ("getUpdates", "getMe"):
            return False
        if self.methods is not None and method not in self.methods:
            return False
        if self.chat_id is not None and str(params.get("chat_id")) != str(self.chat_id):
            return False
        return True


class FakeBotAPI:
    """The stand-in server. Use as `async with FakeBotAPI() as server:` inside a running event loop."""

    def __init__(self, token: str = DEFAULT_TOKEN, username: str = "talent_test_bot", bot_id: int | None = None):
        self.tokens = {token}
        self.token = token
        self.bot_id = bot_id or int(token.split(":")[0])
        self.username = username
        self.calls: list[Call] = []
        self.port: int | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._updates: list[dict] = []  # pending, in update_id order
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._inline_ids = itertools.count(1)
        self._bot_messages: dict[tuple[int, int], dict] = {}  # (chat_id, message_id) -> message
        self._failures: list[_Failure] = []
        self._blocked: set[int] = set()
        self._changed: asyncio.Condition | None = None
        self._watchers: dict[int, asyncio.Queue] = {}
        self.webhook: dict | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> "FakeBotAPI":
        self._changed = asyncio.Condition()
        logging.getLogger("tornado.access").setLevel(logging.ERROR)  # 4xx we asked for are not news
        app = tornado.web.Application([(r"/bot([^/]+)/(\w+)", _Handler, {"api": self})])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app, idle_connection_timeout=30)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.stop()
            await self._notify()  # wake long polls so they return
            try:
                await asyncio.wait_for(self._server.close_all_connections(), 2)
            except asyncio.TimeoutError:
                pass
            self._server = None

    async def __aenter__(self) -> "FakeBotAPI":
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """python-telegram-bot's base_url form (the token is appended): TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def _notify(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    def _notify_soon(self) -> None:
        if self._changed is not None:
            asyncio.get_running_loop().create_task(self._notify())

    # ---- failures ------------------------------------------------------------------------
    def fail_next(self, n: int = 1, status: int = 429, retry_after: int | None = 1,
                  methods: Iterable[str] | None = None, description: str | None = None) -> None:
        """The next `n` calls (of `methods`, default every sending method) answer `status`."""
        self._failures.append(_Failure(status, description or _describe(status, retry_after),
                                       retry_after if status == 429 else None, remaining=n,
                                       methods=frozenset(methods) if methods else None))

    def fail_for(self, seconds: float, status: int = 429, retry_after: int | None = 1,
                 methods: Iterable[str] | None = None, description: str | None = None) -> None:
        """Every call (of `methods`) in the next `seconds` answers `status`."""
        self._failures.append(_Failure(status, description or _describe(status, retry_after),
                                       retry_after if status == 429 else None, until=time.monotonic() + seconds,
                                       methods=frozenset(methods) if methods else None))

    def block(self, chat_id: int) -> None:
        """The user behind `chat_id` blocked the bot: 403 for every message to it."""
        self._blocked.add(chat_id)

    def clear_failures(self) -> None:
        self._failures.clear()
        self._blocked.clear()

    # ---- building and injecting updates -----------------------------------------------------
    def user(self, user_id: int, lang: str | None = "en", first_name: str = "Test", username: str | None = None) -> User:
        return User(user_id, lang, first_name, username)

    def group(self, chat_id: int, title: str = "Group", type: str = "supergroup") -> Chat:
        return Chat(chat_id, type, title)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def inject(self, update: dict) -> dict:
        """Queue a raw update (an update_id is assigned when missing) for the next getUpdates."""
        update.setdefault("update_id", self.next_update_id())
        self._updates.append(update)
        self._updates.sort(key=lambda u: u["update_id"])
        self._notify_soon()
        return update

    def message(self, user: User, text: str | None = None, chat: Chat | None = None, **extra) -> dict:
        """A Message object from `user` (in their private chat unless `chat` is given)."""
        chat = chat or Chat(user.id)
        msg = {
            "message_id": self._next_message_id(chat.id),
            "date": int(time.time()),
            "chat": chat.to_dict(),
            "from": user.to_dict(),
        }
        if text is not None:
            msg["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0])
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        msg.update(extra)
        return msg

    def send_text(self, user: User, text: str, chat: Chat | None = None, **extra) -> dict:
        """Inject a text message (a command when it starts with "/") and return the update."""
        return self.inject({"message": self.message(user, text, chat, **extra)})

    def send_command(self, user: User, command: str, args: str = "", chat: Chat | None = None) -> dict:
        text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
        return self.send_text(user, text, chat)

    def send_reply_to_bot(self, user: User, text: str, to: Call, chat: Chat | None = None) -> dict:
        """A message answering one of the bot's messages (Telegram's "reply")."""
        original = self._bot_messages.get((to.chat_id, to.result["message_id"])) if to.result else None
        return self.send_text(user, text, chat, reply_to_message=original)

    def send_mention(self, user: User, text: str, chat: Chat) -> dict:
        """A group message mentioning the bot: "@bot text"."""
        mention = f"@{self.username}"
        full = f"{mention} {text}"
        return self.inject({"message": self.message(
            user, full, chat, entities=[{"type": "mention", "offset": 0, "length": len(mention)}])})

    def press(self, user: User, on: Call, data: str, chat: Chat | None = None) -> dict:
        """The user presses a button `data` under the bot message sent by call `on`."""
        chat_id = on.chat_id
        message = self._bot_messages.get((chat_id, on.result["message_id"])) or on.result
        return self.inject({"callback_query": {
            "id": str(next(self._inline_ids)),
            "from": user.to_dict(),
            "chat_instance": f"ci{chat_id}",
            "message": message,
            "data": data,
        }})

    def inline_query(self, user: User, query: str, offset: str = "") -> dict:
        return self.inject({"inline_query": {
            "id": f"iq{next(self._inline_ids)}",
            "from": user.to_dict(),
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }})

    def send_sticker(self, user: User, chat: Chat | None = None) -> dict:
        return self.inject({"message": self.message(user, None, chat, sticker={
            "file_id": "STK1", "file_unique_id": "stk1", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "type": "regular"})})

    def send_photo(self, user: User, caption: str | None = None, chat: Chat | None = None) -> dict:
        extra: dict = {"photo": [
            {"file_id": "PHOTO-small", "file_unique_id": "ps", "width": 90, "height": 90},
            {"file_id": "PHOTO-big", "file_unique_id": "pb", "width": 1280, "height": 1280}]}
        if caption:
            extra["caption"] = caption
        return self.inject({"message": self.message(user, None, chat, **extra)})

    def send_document(self, user: User, name: str = "contract.pdf", chat: Chat | None = None) -> dict:
        return self.inject({"message": self.message(user, None, chat, document={
            "file_id": "DOC1", "file_unique_id": "doc1", "file_name": name, "mime_type": "application/pdf"})})

    def send_voice(self, user: User, chat: Chat | None = None) -> dict:
        return self.inject({"message": self.message(user, None, chat, voice={
            "file_id": "VOICE1", "file_unique_id": "v1", "duration": 3})})

    def send_location(self, user: User, chat: Chat | None = None) -> dict:
        return self.inject({"message": self.message(user, None, chat, location={
            "latitude": 30.27, "longitude": 120.15})})

    def edit_text(self, user: User, original: dict, text: str) -> dict:
        """The user edits their earlier message (the update returned by send_text)."""
        msg = dict(original["message"], text=text, edit_date=int(time.time()))
        return self.inject({"edited_message": msg})

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    # ---- waiting and asserting ------------------------------------------------------------------
    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.chat_id == chat_id)]

    def messages(self, chat_id: int | None = None) -> list[Call]:
        """Messages delivered (sendMessage answered 200), optionally to one chat."""
        return [c for c in self.calls_to("sendMessage", chat_id) if c.ok]

    def shown(self, chat_id: int) -> list[Call]:
        """Messages sent to or edited in a chat, in order."""
        return [c for c in self.calls if c.ok and c.chat_id == chat_id
                and c.method in ("sendMessage", "editMessageText")]

    async def wait_for_call(self, method: str | Iterable[str], predicate: Callable[[Call], bool] | None = None,
                            timeout: float = 5.0, after: int = 0) -> Call:
        """The first successful call of `method` (index >= `after`) matching `predicate`; waits for it."""
        methods = {method} if isinstance(method, str) else set(method)
        deadline = time.monotonic() + timeout
        assert self._changed is not None, "server not started"
        async with self._changed:
            while True:
                for call in self.calls[after:]:
                    if call.method in methods and call.ok and (predicate is None or predicate(call)):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("chat_id"), c.text[:80]) for c in self.calls[-10:]]
                    raise AssertionError(f"no {sorted(methods)} call matched within {timeout}s; last calls: {seen}")
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except asyncio.TimeoutError:
                    pass

    async def wait_for_message(self, chat_id: int, predicate: Callable[[Call], bool] | None = None,
                               timeout: float = 5.0, after: int = 0, edits: bool = True) -> Call:
        """The first message sent to (or, with `edits`, edited in) `chat_id` matching `predicate`."""
        methods = ("sendMessage", "editMessageText") if edits else ("sendMessage",)
        return await self.wait_for_call(
            methods, lambda c: c.chat_id == chat_id and (predicate is None or predicate(c)), timeout, after)

    def watch(self, chat_id: int) -> asyncio.Queue:
        """A queue receiving every message sent to or edited in `chat_id` from now on (cheap: benchmarks)."""
        return self._watchers.setdefault(chat_id, asyncio.Queue())

    def mark(self) -> int:
        """An index into `calls`: pass as `after=` to wait only for calls made from now on."""
        return len(self.calls)

    # ---- the API itself --------------------------------------------------------------------------
    async def handle(self, token: str, method: str, params: dict) -> tuple[int, dict]:
        now = time.monotonic()
        if token not in self.tokens:
            return self._record(method, params, token, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if method != "getUpdates":
            for failure in self._failures:
                if failure.applies(method, params, now):
                    if failure.remaining is not None:
                        failure.remaining -= 1
                    body = {"ok": False, "error_code": failure.status, "description": failure.description}
                    if failure.retry_after is not None:
                        body["parameters"] = {"retry_after": failure.retry_after}
                    return self._record(method, params, token, failure.status, body)
            chat = params.get("chat_id")
            if chat is not None and str(chat).lstrip("-").isdigit() and int(chat) in self._blocked:
                return self._record(method, params, token, 403, {
                    "ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
        if method == "getUpdates":
            result = await self._get_updates(params)
            return self._record(method, params, token, 200, {"ok": True, "result": result})
        fn = getattr(self, f"_api_{method}", None)
        if fn is None:
            return self._record(method, params, token, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
        outcome = fn(params)
        if isinstance(outcome, tuple):  # (status, description): an API-level error
            status, description = outcome
            return self._record(method, params, token, status,
                                {"ok": False, "error_code": status, "description": description})
        return self._record(method, params, token, 200, {"ok": True, "result": outcome})

    def _record(self, method: str, params: dict, token: str, status: int, body: dict) -> tuple[int, dict]:
        if method != "getUpdates" or body.get("result"):
            call = Call(method, params, time.monotonic(), token, status, body.get("result"))
            self.calls.append(call)
            if self._watchers and status == 200 and method in ("sendMessage", "editMessageText"):
                queue = self._watchers.get(call.chat_id)
                if queue is not None:
                    queue.put_nowait(call)
            self._notify_soon()
        return status, body

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:  # Telegram forgets updates below the offset once it is confirmed
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        assert self._changed is not None
        async with self._changed:
            while not self._updates and self._server is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except asyncio.TimeoutError:
                    break
        return self._updates[:limit]

    def _me(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Talent Bot", "username": self.username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}

    def _api_getMe(self, params):
        return self._me()

    def _api_sendMessage(self, params):
        chat_id = int(params["chat_id"])
        text = params.get("text") or ""
        if not text.strip():
            return 400, "Bad Request: message text is empty"
        if len(text) > 4096:
            return 400, "Bad Request: message is too long"
        if chat_id == 0:
            return 400, "Bad Request: chat not found"
        if (error := _parse_error(params)) is not None:
            return error
        msg = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
               "from": self._me(), "text": text}
        if (params.get("reply_markup") or {}).get("inline_keyboard"):  # a Message carries inline keyboards only
            msg["reply_markup"] = params["reply_markup"]
        self._bot_messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _send_file(self, params, kind: str):
        """sendPhoto / sendDocument by file_id (what the outbox forwards): the message carries the file."""
        chat_id = int(params["chat_id"])
        file_id = params.get(kind)
        caption = params.get("caption") or ""
        if chat_id == 0:
            return 400, "Bad Request: chat not found"
        if not isinstance(file_id, str) or not file_id or file_id.startswith("BAD"):
            return 400, "Bad Request: wrong file identifier/HTTP URL specified"
        if len(caption) > 1024:
            return 400, "Bad Request: message caption is too long"
        if (error := _parse_error(params, "caption")) is not None:
            return error
        msg = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
               "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}, "from": self._me()}
        if kind == "photo":
            msg["photo"] = [{"file_id": file_id, "file_unique_id": file_id[-8:], "width": 1280, "height": 1280}]
        else:
            msg["document"] = {"file_id": file_id, "file_unique_id": file_id[-8:]}
        if caption:
            msg["caption"] = caption
        self._bot_messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _api_sendPhoto(self, params):
        return self._send_file(params, "photo")

    def _api_sendDocument(self, params):
        return self._send_file(params, "document")

    def _api_editMessageText(self, params):
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self._bot_messages.get(key)
        if msg is None:
            return 400, "Bad Request: message to edit not found"
        if (error := _parse_error(params)) is not None:
            return error
        if msg.get("text") == params.get("text") and msg.get("reply_markup") == params.get("reply_markup"):
            return 400, ("Bad Request: message is not modified: specified new message content and reply markup "
                         "are exactly the same as a current content and reply markup of the message")
        msg = dict(msg, text=params.get("text") or "", edit_date=int(time.time()))
        msg.pop("reply_markup", None)
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self._bot_messages[key] = msg
        return msg

    def _api_editMessageReplyMarkup(self, params):
        key = (int(params["chat_id"]), int(params["message_id"]))
        msg = self._bot_messages.get(key)
        if msg is None:
            return 400, "Bad Request: message to edit not found"
        msg = dict(msg)
        msg.pop("reply_markup", None)
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self._bot_messages[key] = msg
        return msg

    def _api_answerCallbackQuery(self, params):
        return True

    def _api_answerInlineQuery(self, params):
        if len(params.get("results") or []) > 50:
            return 400, "Bad Request: RESULTS_TOO_MUCH"
        return True

    def _api_sendChatAction(self, params):
        return True

    def _api_setMyCommands(self, params):
        return True

    def _api_deleteMyCommands(self, params):
        return True

    def _api_deleteWebhook(self, params):
        self.webhook = None
        return True

    def _api_setWebhook(self, params):
        self.webhook = dict(params)
        return True

    def _api_getWebhookInfo(self, params):
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    def _api_close(self, params):
        return True

    def _api_logOut(self, params):
        return True


def _describe(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after}"
    if status == 403:
        return "Forbidden: bot was blocked by the user"
    if status == 400:
        return "Bad Request: chat not found"
    return "Internal Server Error"


def _decode(key: str, value: str) -> Any:
    if key in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _Handler(tornado.web.RequestHandler):
    def initialize(self, api: FakeBotAPI) -> None:
        self.api = api

    async def _serve(self, token: str, method: str) -> None:
        params: dict = {}
        ctype = self.request.headers.get("Content-Type", "")
        if ctype.startswith("application/json") and self.request.body:
            params = json.loads(self.request.body)
        else:
            for key, values in {**self.request.query_arguments, **self.request.body_arguments}.items():
                params[key] = _decode(key, values[-1].decode("utf-8"))
        status, body = await self.api.handle(token, method, params)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)

    def log_exception(self, typ, value, tb) -> None:  # keep test output readable
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)


# ---- running a python-telegram-bot Application against the stand-in -------------------------------------

class running_application:
    """`async with running_application(app):` — initialize, start, long-poll; stop and shut down after.

    Polls with a short long-poll timeout so stopping never waits long.
    """

    def __init__(self, app, poll_timeout: float = 1.0):
        self.app = app
        self.poll_timeout = poll_timeout

    async def __aenter__(self):
        await self.app.initialize()
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0, timeout=self.poll_timeout)
        return self.app

    async def __aexit__(self, *exc):
        try:
            if self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
        finally:
            await self.app.shutdown()
