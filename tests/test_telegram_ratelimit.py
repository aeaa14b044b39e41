"""The rate limiter keeps Telegram's flood limits and waits out 429s (fake clock: no real sleeping)."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.handlers.ratelimit import Bucket, Limits, TelegramRateLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(clock: FakeClock, **kw) -> TelegramRateLimiter:
    return TelegramRateLimiter(Limits(**kw), clock=clock, sleep=clock.sleep)


async def send_times(rl: TelegramRateLimiter, clock: FakeClock, chat_ids, endpoint="sendMessage") -> list[float]:
    """Send one message to each chat id in turn; the clock time each was sent at."""
    times = []

    async def call(**_):
        times.append(clock.now)
        return {"ok": True}

    for chat_id in chat_ids:
        await rl.process_request(call, (), {}, endpoint, {"chat_id": chat_id}, None)
    return times


def test_bucket_allows_burst_then_paces():
    clock = FakeClock()
    b = Bucket(rate=1.0, burst=3, clock=clock)
    assert [b.reserve() for _ in range(3)] == [0, 0, 0]
    assert b.reserve() == pytest.approx(1.0)
    assert b.reserve() == pytest.approx(2.0)


async def test_a_three_part_reply_goes_out_at_once_then_one_a_second():
    clock = FakeClock()
    rl = limiter(clock)
    times = await send_times(rl, clock, [7] * 6)
    start = times[0]
    assert [t - start for t in times[:3]] == [0, 0, 0]
    assert [round(t - start, 3) for t in times[3:]] == [1.0, 2.0, 3.0]


async def test_different_chats_are_not_slowed_by_each_other():
    clock = FakeClock()
    rl = limiter(clock)
    times = await send_times(rl, clock, list(range(1, 21)))
    assert times[-1] == times[0]


async def test_overall_limit_thirty_a_second():
    clock = FakeClock()
    rl = limiter(clock)
    times = await send_times(rl, clock, list(range(1, 91)))
    elapsed = times[-1] - times[0]
    assert 1.9 <= elapsed <= 2.1  # 30 in the burst, then 60 more at 30/s


async def test_overall_limit_can_be_switched_off():
    clock = FakeClock()
    rl = limiter(clock, overall_per_second=None)
    times = await send_times(rl, clock, list(range(1, 200)))
    assert times[-1] == times[0]


async def test_group_twenty_a_minute():
    clock = FakeClock()
    rl = limiter(clock)
    times = await send_times(rl, clock, [-100123] * 45)
    # after a short burst, one every three seconds: never more than 20 (+ the burst) in any minute
    assert times[2] == times[0]
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u < t + 60) <= 25
    assert times[-1] - times[0] >= 40 * 3.0 - 1


async def test_callback_answers_and_chat_actions_are_not_paced():
    clock = FakeClock()
    rl = limiter(clock)
    times = await send_times(rl, clock, [7] * 10, endpoint="sendChatAction")
    assert times[-1] == times[0]


async def test_429_is_waited_out_and_the_chat_paused():
    clock = FakeClock()
    rl = limiter(clock)
    attempts = []

    async def call(**_):
        attempts.append(clock.now)
        if len(attempts) == 1:
            raise RetryAfter(5)
        return {"ok": True}

    assert await rl.process_request(call, (), {}, "sendMessage", {"chat_id": 7}, None) == {"ok": True}
    assert attempts[1] - attempts[0] >= 5
    assert rl.retries == 1


async def test_429_given_up_after_max_retries_and_when_told_not_to_retry():
    clock = FakeClock()
    rl = limiter(clock, max_retries=2)

    async def always_flooded(**_):
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await rl.process_request(always_flooded, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert rl.retries == 2
    with pytest.raises(RetryAfter):
        await rl.process_request(always_flooded, (), {}, "sendMessage", {"chat_id": 8}, {"max_retries": 0})
    assert rl.retries == 2


async def test_server_errors_retried_but_not_timeouts_or_refusals():
    clock = FakeClock()
    rl = limiter(clock)
    calls = []

    async def flaky(**_):
        calls.append(1)
        if len(calls) < 3:
            raise NetworkError("Internal Server Error")
        return True

    assert await rl.process_request(flaky, (), {}, "sendMessage", {"chat_id": 7}, None) is True
    for exc in (TimedOut(), Forbidden("Forbidden: bot was blocked by the user")):
        async def failing(**_):
            raise exc
        with pytest.raises(type(exc)):
            await rl.process_request(failing, (), {}, "sendMessage", {"chat_id": 9}, None)


async def test_real_clock_short_window():
    rl = TelegramRateLimiter(Limits(chat_per_second=20, chat_burst=1))
    loop = asyncio.get_running_loop()
    times = []

    async def call(**_):
        times.append(loop.time())

    await asyncio.gather(*(rl.process_request(call, (), {}, "sendMessage", {"chat_id": 1}, None) for _ in range(4)))
    assert times[-1] - times[0] >= 0.14  # 3 intervals of 50 ms
