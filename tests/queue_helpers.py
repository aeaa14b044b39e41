"""Helpers for the complaint-queue tests: a settable clock and a recording Sender with scripted failures."""

from __future__ import annotations

import datetime as dt
import itertools

from bot import outbox

HOTLINE = -1001234567890
STAFF = (501, 502)


class Clock:
    def __init__(self, start: dt.datetime | None = None):
        self.now = start or dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class RecordingSender:
    """Records every message; `fail` is a list of exceptions raised by the next calls (None = succeed)."""

    def __init__(self, clock=None):
        self.clock = clock
        self.sent: list[tuple] = []  # (time, chat_id, text, buttons, message_id)
        self.fail: list[Exception | None] = []
        self.blocked: set[int] = set()
        self.calls = 0
        self._ids = itertools.count(1000)

    async def send(self, chat_id, text, buttons):
        self.calls += 1
        if self.fail:
            exc = self.fail.pop(0)
            if exc is not None:
                raise exc
        if chat_id in self.blocked:
            raise outbox.Undeliverable("Forbidden: bot was blocked by the user")
        mid = next(self._ids)
        self.sent.append((self.clock() if self.clock else None, chat_id, text, buttons, mid))
        return mid

    async def send_media(self, chat_id, kind, file_id, caption):
        """A file: recorded among the messages (it counts toward a group's budget) as (…, caption, ("media", kind, file_id), id)."""
        self.calls += 1
        if self.fail:
            exc = self.fail.pop(0)
            if exc is not None:
                raise exc
        if file_id.startswith("BAD"):
            raise outbox.Rejected("Bad Request: wrong file identifier/HTTP URL specified")
        mid = next(self._ids)
        self.sent.append((self.clock() if self.clock else None, chat_id, caption, ("media", kind, file_id), mid))
        return mid

    def files(self, chat_id):
        return [m for m in self.to(chat_id) if m[3] and m[3][0] == "media"]

    def to(self, chat_id):
        return [m for m in self.sent if m[1] == chat_id]

    def max_per_minute(self, chat_id) -> int:
        times = sorted(m[0] for m in self.to(chat_id))
        best, j = 0, 0
        for i, t in enumerate(times):
            while times[j] <= t - dt.timedelta(seconds=60):
                j += 1
            best = max(best, i - j + 1)
        return best


def settings(**kw):
    from bot.settings import Settings

    base = dict(hotline_chat_id=HOTLINE, staff_user_ids=frozenset(STAFF), overdue_minutes=30)
    base.update(kw)
    return Settings(**base)
