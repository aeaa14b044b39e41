"""Benchmark: the whole Telegram Application against the local Bot API stand-in.

Two processes, as in production: this one plays Telegram and the users (tests/fakes/botapi.py, an HTTP
server on 127.0.0.1); a child process runs the bot exactly as `talentbot run` does (build_application,
long polling, the real Dialogue on a SQLite file, the outbox job). Each virtual user has its own private
chat and sends its next update only after the reply to the previous one arrived: a question (full-text
search and a cited answer), a menu button, /help, a sticker, in turn. Latency is measured on the server
from handing out an update to receiving the bot's reply. Every update must get exactly one reply.

Runs: pacing off (the rate limiter stays in the path and retries 429s but paces nothing: this measures the
Application), Telegram's limits on (30/s overall, 1/s per chat with a burst of 3: the numbers are then the
limiter's, by design), the dialogue in a worker thread (asyncio.to_thread) instead of inline on the event
loop (the SQLite default), and the adapter alone with a dialogue that answers at once.

    .venv/bin/python bench/bot.py [--seconds 5] [--users 1,10,100] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUESTIONS = (
    "Who can get the Hangzhou talent card?",
    "What services does the one card give?",
    "How do I apply for the talent card?",
    "Can my children go to school in Hangzhou?",
)


# ---- the bot process -------------------------------------------------------------------------------------

def bot_main(args) -> None:
    import logging
    import signal

    from bot.handlers import build_application
    from bot.handlers.ratelimit import Limits
    from bot.settings import Settings
    from bot.store import Store

    logging.basicConfig(level=logging.WARNING)
    settings = Settings(token=args.token, api_base_url=args.base_url, database_url=args.db)
    store = Store(args.db)
    store.migrate()
    limits = Limits() if args.limits == "telegram" else Limits.unpaced()
    dialogue = None
    if args.echo:  # the adapter alone: a dialogue that answers at once, with no database
        from bot.core.messages import Button, Reply

        class Echo:
            async def handle(self, inc):
                return [Reply.of("ok", [[Button("Menu", "menu:home")], [Button("x", "set:lang:en:s"), Button("y", "set:city:hangzhou:s")]])]

        dialogue = Echo()
    app = build_application(settings, store, dialogue=dialogue, limits=limits, inline_db=not args.threads)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("app.run_polling(poll_interval=0, timeout=10, stop_signals=(signal.SIGTERM, signal.SIGINT))",
                        globals(), locals(), os.environ["BENCH_PROFILE"])
        return
    app.run_polling(poll_interval=0, timeout=10, stop_signals=(signal.SIGTERM, signal.SIGINT))


# ---- the Telegram side ----------------------------------------------------------------------------------

class VirtualUser:
    def __init__(self, server, user_id: int):
        self.server = server
        self.user = server.user(user_id, lang="en")
        self.replies = server.watch(user_id)
        self.last = None  # the last message with buttons, for presses
        self.latencies: list[float] = []
        self.sent = 0
        self.extra = 0

    async def exchange(self, inject, timeout: float = 30.0):
        start = time.monotonic()
        inject()
        self.sent += 1
        call = await asyncio.wait_for(self.replies.get(), timeout)
        self.latencies.append(call.time - start)
        if call.button_data:
            self.last = call
        return call

    async def onboard(self) -> None:
        s = self.server
        await self.exchange(lambda: s.send_command(self.user, "start"))
        await self.exchange(lambda: s.press(self.user, self.last, "set:lang:en:s"))
        await self.exchange(lambda: s.press(self.user, self.last, "set:city:hangzhou:s"))
        self.latencies.clear()
        self.sent = 0

    def step(self, n: int):
        s, u = self.server, self.user
        kind = n % 4
        if kind == 0:
            return lambda: s.send_text(u, QUESTIONS[(n // 4) % len(QUESTIONS)])
        if kind == 1:
            return lambda: s.press(u, self.last, "menu:home")
        if kind == 2:
            return lambda: s.send_command(u, "help")
        return lambda: s.send_sticker(u)

    async def run(self, deadline: float) -> None:
        n = 0
        while time.monotonic() < deadline:
            await self.exchange(self.step(n))
            n += 1


async def measure(server, first_id: int, users: int, seconds: float) -> dict:
    vus = [VirtualUser(server, first_id + k) for k in range(users)]
    await asyncio.gather(*(vu.onboard() for vu in vus))
    start = time.monotonic()
    await asyncio.gather(*(vu.run(start + seconds) for vu in vus))
    elapsed = time.monotonic() - start
    await asyncio.sleep(0.5)  # anything arriving now is a duplicate
    extra = sum(vu.replies.qsize() for vu in vus)
    lat = sorted(x for vu in vus for x in vu.latencies)
    done = len(lat)
    return {
        "users": users, "updates": done, "per_s": done / elapsed,
        "p50": statistics.median(lat) * 1000, "p99": lat[min(done - 1, int(done * 0.99))] * 1000,
        "lost": sum(vu.sent for vu in vus) - done, "dup": extra,
    }


async def run_config(name: str, limits: str, threads: bool, levels, seconds: float, first_id: int,
                     echo: bool = False) -> list[dict]:
    from fakes.botapi import FakeBotAPI

    rows = []
    async with FakeBotAPI() as server:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, __file__, "--bot", "--token", server.token, "--base-url", server.base_url,
                   "--db", f"sqlite:///{tmp}/bench.sqlite3", "--limits", limits] + (["--threads"] if threads else []) + (["--echo"] if echo else [])
            proc = await asyncio.create_subprocess_exec(*cmd, cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)})
            try:
                for k, users in enumerate(levels):
                    bot_cpu, own_cpu = _cpu_seconds(proc.pid), _own_cpu()
                    row = await measure(server, first_id + k * 1000, users, seconds)
                    row["bot_cpu"] = (_cpu_seconds(proc.pid) - bot_cpu) * 1000 / max(1, row["updates"] + 3 * users)
                    row["srv_cpu"] = (_own_cpu() - own_cpu) * 1000 / max(1, row["updates"] + 3 * users)
                    row["config"] = name
                    rows.append(row)
                    print(_line(row), flush=True)
            finally:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 15)  # the server keeps answering while the bot stops
    return rows


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _line(r: dict) -> str:
    return (f"{r['config']:<34} {r['users']:>5} {r['updates']:>8} {r['per_s']:>9.1f} {r['p50']:>8.1f} "
            f"{r['p99']:>8.1f} {r['lost']:>5} {r['dup']:>4} {r['bot_cpu']:>8.2f} {r['srv_cpu']:>8.2f}")


async def driver(args) -> None:
    levels = [int(x) for x in args.users.split(",")]
    print(f"bench/bot.py: {os.cpu_count()} CPUs, {args.seconds:.0f}s per level; bot in a child process, "
          f"long polling, real Dialogue on SQLite")
    print(f"{'config':<34} {'users':>5} {'updates':>8} {'upd/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5} {'dup':>4} {'bot ms':>8} {'srv ms':>8}")
    print("(bot ms / srv ms: CPU milliseconds per update spent by the bot process / by this process, the stand-in)")
    await run_config("pacing off (limiter in path)", "unpaced", False, levels, args.seconds, 10_000)
    if not args.quick:
        await run_config("pacing off, dialogue in a thread", "unpaced", True, [10], args.seconds, 20_000)
        await run_config("adapter only (instant dialogue)", "unpaced", False, [10], args.seconds, 40_000, echo=True)
        await run_config("Telegram limits on (30/s, 1/s/chat)", "telegram", False, levels, args.seconds, 30_000)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--users", default="1,10,100")
    p.add_argument("--quick", action="store_true", help="only the pacing-off run")
    p.add_argument("--bot", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--token", help=argparse.SUPPRESS)
    p.add_argument("--base-url", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--limits", default="unpaced", help=argparse.SUPPRESS)
    p.add_argument("--threads", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--echo", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.bot:
        bot_main(args)
    else:
        asyncio.run(driver(args))


if __name__ == "__main__":
    main()
