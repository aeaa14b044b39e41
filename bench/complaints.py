"""Benchmark: filing complaints end to end through the Telegram Application, with the rate limiter on.

The local Bot API stand-in (tests/fakes/botapi.py) plays Telegram; the real Application, Dialogue,
complaint queue and outbox job run in the same process (one event loop), on SQLite and on PostgreSQL.
Each user is put straight at the consent step (their answers already in their chat state), then all
press "I agree, send it" at once. Measured:
- confirmations per second: from the burst's first press to the last ticket confirmation;
- per-complaint latency: press → confirmation (p50/p99);
- filing → hotline announcement: confirmation → the ticket appears in the hotline group (p50/p99),
  under Telegram's 20-messages-a-minute group limit (digests under a burst);
- a single complaint on a quiet bot: press → confirmation, and → announcement.

    .venv/bin/python bench/complaints.py [--users 500] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

HOTLINE = -100555
TICKET = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def seed_consent(store, user_ids):
    from bot.core.messages import ChatState

    for uid in user_ids:
        state = ChatState(lang="en", city="urumqi", flow="cmp", step="confirm", data={"cmp": {
            "key": uuid.uuid4().hex, "category": "delay", "city": "urumqi",
            "desc": f"Benchmark complaint of user {uid}: the permit has been pending for months.", "contact": None}})
        store.chats.save(uid, uid, state, 0)


def press_consent(server, uid):
    return server.inject({"callback_query": {
        "id": f"b{uid}-{time.monotonic_ns()}", "from": {"id": uid, "is_bot": False, "first_name": f"U{uid}", "language_code": "en"},
        "chat_instance": f"ci{uid}", "data": "cmp:ok",
        "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": uid, "type": "private"},
                    "from": {"id": 1, "is_bot": True, "first_name": "bot"}, "text": "consent"}}})


async def run_burst(url: str, users: int, label: str) -> dict:
    from bot.handlers import build_application
    from bot.settings import Settings
    from bot.store import Store
    from fakes.botapi import FakeBotAPI, running_application

    store = Store(url)
    store.migrate()
    base = 1_000_000
    single = base - 1
    seed_consent(store, [single] + [base + i for i in range(users)])
    async with FakeBotAPI() as server:
        settings = Settings(token=server.token, api_base_url=server.base_url, database_url=url,
                            hotline_chat_id=HOTLINE, staff_user_ids=frozenset({7}))
        app = build_application(settings, store)  # default Limits: 30/s overall, 1/s a chat, 20/min a group
        async with running_application(app):
            # one complaint on a quiet bot
            t0 = time.monotonic()
            press_consent(server, single)
            conf = await server.wait_for_message(single, lambda c: TICKET.search(c.text), timeout=30)
            ticket = TICKET.search(conf.text).group(0)
            ann = await server.wait_for_message(HOTLINE, lambda c: ticket in c.text, timeout=30)
            single_conf, single_ann = conf.time - t0, ann.time - conf.time

            # the burst
            pressed = {}
            start = time.monotonic()
            for i in range(users):
                pressed[base + i] = time.monotonic()
                press_consent(server, base + i)
            confirmations: dict[int, tuple[float, str]] = {}
            deadline = time.monotonic() + 600
            seen = 0
            while len(confirmations) < users and time.monotonic() < deadline:
                for c in server.calls[seen:]:
                    if c.ok and c.method in ("sendMessage", "editMessageText") and c.chat_id in pressed:
                        m = TICKET.search(c.text)
                        if m and c.chat_id not in confirmations:
                            confirmations[c.chat_id] = (c.time, m.group(0))
                seen = len(server.calls)
                await asyncio.sleep(0.05)
            end = max(t for t, _ in confirmations.values())
            tickets = {tk: t for t, tk in confirmations.values()}
            announced: dict[str, float] = {}
            seen = 0
            while len(announced) < len(tickets) and time.monotonic() < deadline:
                for c in server.calls[seen:]:
                    if c.ok and c.method == "sendMessage" and c.chat_id == HOTLINE:
                        for tk in TICKET.findall(c.text):
                            announced.setdefault(tk, c.time)
                seen = len(server.calls)
                await asyncio.sleep(0.2)
            group_msgs = [c.time for c in server.messages(HOTLINE)]
        max_minute = max((sum(1 for u in group_msgs if t <= u < t + 60) for t in group_msgs), default=0)
    store.dispose()
    lat = [confirmations[u][0] - pressed[u] for u in confirmations]
    ann_lat = [announced[tk] - t for tk, t in tickets.items() if tk in announced]
    return {
        "label": label, "users": users, "confirmed": len(confirmations), "distinct": len(tickets),
        "announced": len(announced), "rate": len(confirmations) / (end - start),
        "p50": pct(lat, 50), "p99": pct(lat, 99), "ann_p50": pct(ann_lat, 50), "ann_p99": pct(ann_lat, 99),
        "ann_max": max(ann_lat, default=float("nan")), "group_msgs": len(group_msgs), "group_max_minute": max_minute,
        "single_conf": single_conf, "single_ann": single_ann,
    }


def report(r: dict) -> None:
    print(f"\n== {r['label']}: burst of {r['users']} complaints, rate limiter on ==")
    print(f"confirmed {r['confirmed']}/{r['users']}, distinct tickets {r['distinct']}, announced {r['announced']}")
    print(f"confirmations/s (first press → last confirmation): {r['rate']:.1f}")
    print(f"press → confirmation: p50 {r['p50']:.2f}s  p99 {r['p99']:.2f}s")
    print(f"confirmation → hotline announcement: p50 {r['ann_p50']:.1f}s  p99 {r['ann_p99']:.1f}s  max {r['ann_max']:.1f}s")
    print(f"hotline group: {r['group_msgs']} messages, at most {r['group_max_minute']} in any 60 s")
    print(f"single complaint on a quiet bot: confirmation {r['single_conf']:.2f}s, announcement {r['single_ann']:.2f}s later")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        report(asyncio.run(run_burst(f"sqlite:///{tmp}/bench.sqlite3", args.users, "SQLite")))
    if args.no_pg:
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"\nPostgreSQL not reachable ({str(exc).splitlines()[0]}); skipped")
        return
    sep = "&" if "?" in args.pg else "?"
    try:
        report(asyncio.run(run_burst(f"{args.pg}{sep}options=-csearch_path%3D{schema}", args.users, "PostgreSQL")))
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
