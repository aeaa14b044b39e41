"""Keep within Telegram's flood limits, and wait out a 429 instead of losing the message.

Telegram allows about 30 messages a second overall, about one a second in one chat (short bursts are
tolerated), and 20 a minute in one group. python-telegram-bot's AIORateLimiter paces groups and the
total but not a single private chat, and retries nothing unless told to; a reply of two or three parts
needs its own pacing. Here every limit is a GCRA token bucket ("virtual scheduling"): a request
reserves the next slot at once and sleeps until it, so callers keep their order and no lock is needed.

The buckets take a clock and a sleep function, so tests run them on a fake clock.

`rate_limit_args` per call: {"max_retries": n} overrides how many 429s are waited out (the outbox passes
0: it reschedules a message itself rather than blocking its job).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Coroutine

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]

# methods that put something into a chat and so count against the chat's and the group's limits
_CHAT_EXEMPT = {"sendChatAction", "answerCallbackQuery", "answerInlineQuery", "getChat", "setMyCommands",
                "deleteMyCommands", "getMe", "getUpdates", "deleteWebhook", "setWebhook", "getWebhookInfo"}


class Bucket:
    """A GCRA token bucket: `rate` per second on average, up to `burst` at once."""

    def __init__(self, rate: float, burst: int = 1, clock: Clock = time.monotonic):
        self.interval = 1.0 / rate
        self.tolerance = (max(burst, 1) - 1) * self.interval
        self.clock = clock
        self.tat = 0.0  # theoretical arrival time of the next request

    def reserve(self) -> float:
        """Take the next slot; returns how long to wait before using it (0 when free now)."""
        now = self.clock()
        start = max(now, self.tat - self.tolerance)
        self.tat = max(self.tat, now) + self.interval
        return start - now

    def pause_until(self, when: float) -> None:
        """Nothing through this bucket before `when` (after a 429)."""
        self.tat = max(self.tat, when + self.tolerance)

    def idle(self) -> bool:
        return self.tat <= self.clock()


@dataclass(frozen=True)
class Limits:
    overall_per_second: float | None = 30.0  # None: no global bucket (benchmarks against a local server)
    chat_per_second: float | None = 1.0  # None: chats not paced (benchmarks)
    chat_burst: int = 3  # a reply of 2-3 parts goes out at once
    group_per_minute: float | None = 20.0
    group_burst: int = 5
    max_retries: int = 3  # 429s waited out per request
    server_error_retries: int = 2  # 5xx answers retried (the message was not sent)
    server_error_backoff: float = 0.5

    @classmethod
    def unpaced(cls) -> "Limits":
        """No pacing at all, 429s and 5xx still retried: for measuring the bot against a local server."""
        return cls(overall_per_second=None, chat_per_second=None, group_per_minute=None)


class TelegramRateLimiter(BaseRateLimiter[dict]):
    """Paces requests per chat, per group and overall; retries after 429 (retry_after) and 5xx."""

    def __init__(self, limits: Limits | None = None, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep):
        self.limits = limits or Limits()
        self.clock = clock
        self.sleep = sleep
        lim = self.limits
        self.overall = Bucket(lim.overall_per_second, int(lim.overall_per_second), clock) if lim.overall_per_second else None
        self._chats: dict[int | str, Bucket] = {}
        self._groups: dict[int | str, Bucket] = {}
        self.retries = 0  # 429s waited out, for tests and logs

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _chat_bucket(self, chat_id) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats that have been quiet
                self._chats = {k: b for k, b in self._chats.items() if not b.idle()}
            bucket = self._chats[chat_id] = Bucket(self.limits.chat_per_second, self.limits.chat_burst, self.clock)
        return bucket

    def _group_bucket(self, chat_id) -> Bucket:
        bucket = self._groups.get(chat_id)
        if bucket is None:
            if len(self._groups) > 10_000:
                self._groups = {k: b for k, b in self._groups.items() if not b.idle()}
            bucket = self._groups[chat_id] = Bucket(self.limits.group_per_minute / 60.0, self.limits.group_burst, self.clock)
        return bucket

    def buckets_for(self, endpoint: str, data: dict) -> list[Bucket]:
        """The buckets a request passes through, narrowest first."""
        buckets: list[Bucket] = []
        chat_id = _chat_id(data.get("chat_id"))
        if chat_id is not None and endpoint not in _CHAT_EXEMPT:
            if self.limits.chat_per_second:
                buckets.append(self._chat_bucket(chat_id))
            if self.limits.group_per_minute and (isinstance(chat_id, str) or chat_id < 0):  # groups and channels
                buckets.append(self._group_bucket(chat_id))
        if self.overall is not None and endpoint not in _CHAT_EXEMPT:
            buckets.append(self.overall)
        return buckets

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict | None,
    ) -> Any:
        max_retries = (rate_limit_args or {}).get("max_retries", self.limits.max_retries)
        buckets = self.buckets_for(endpoint, data)
        retried_429 = retried_5xx = 0
        while True:
            for bucket in buckets:  # one at a time: a slot is not held while waiting for the next bucket
                wait = bucket.reserve()
                if wait > 0:
                    await self.sleep(wait)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if retried_429 >= max_retries:
                    raise
                retried_429 += 1
                self.retries += 1
                delay = retry_seconds(exc) + 0.05
                log.info("Telegram asked to wait %.1fs before %s (attempt %d)", delay, endpoint, retried_429)
                until = self.clock() + delay
                for bucket in buckets or ([self.overall] if self.overall else []):
                    bucket.pause_until(until)
                await self.sleep(delay)
            except TimedOut:
                raise  # it may have been delivered: sending again could duplicate it
            except NetworkError as exc:
                if not _server_error(exc) or retried_5xx >= self.limits.server_error_retries:
                    raise
                retried_5xx += 1
                log.warning("Telegram answered %s to %s; retrying", exc, endpoint)
                await self.sleep(self.limits.server_error_backoff * retried_5xx)


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds (python-telegram-bot 22 holds it as a timedelta)."""
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def _server_error(exc: NetworkError) -> bool:
    text = str(exc)
    return any(marker in text for marker in ("(500)", "(502)", "(503)", "(504)", "Internal Server Error",
                                             "Bad Gateway", "Service Unavailable", "Gateway Timeout"))


def _chat_id(value) -> int | str | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)
