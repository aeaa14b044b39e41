"""Separate processes against one database (both backends): simultaneous claims, and a process killed
(SIGKILL) between the commit and the hotline notification."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from bot import outbox
from bot.complaints import Complaints
from queue_helpers import HOTLINE, Clock, RecordingSender, settings

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}")
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


CLAIM = """
import json, os, sys, time
from bot.complaints import Complaints
from bot.store import Store
from queue_helpers import settings
url, ticket, staff, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
svc = Complaints(Store(url), settings())
svc.get(ticket)  # connect before the start line
while not os.path.exists(go):
    time.sleep(0.001)
r = svc.claim(ticket, staff, f"staff{staff}")
print(json.dumps({"won": r.won, "holder": r.holder}))
"""


def test_two_processes_claim_the_same_ticket(store, db_url, tmp_path):
    svc = Complaints(store, settings())
    for round_ in range(3):
        t = svc.file(user_id=100 + round_, chat_id=100 + round_, city="zhoushan", category="other", description="x" * 20)
        go = tmp_path / f"go{round_}"
        procs = [_python(CLAIM, db_url, t.ticket, str(staff), str(go)) for staff in (501, 502)]
        time.sleep(1.5)  # both started and connected
        go.touch()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            results.append(json.loads(out))
        assert sorted(r["won"] for r in results) == [False, True]
        winner = svc.get(t.ticket).claimed_by_name
        loser = next(r for r in results if not r["won"])
        assert loser["holder"] == winner
        assert [a["action"] for a in svc.show(t.ticket)["actions"]].count("claim") == 1


KILLED = """
import asyncio, os, signal, sys
from bot import outbox
from bot.complaints import Complaints
from bot.store import Store
from queue_helpers import settings
url, when = sys.argv[1], sys.argv[2]
store = Store(url)
t = Complaints(store, settings()).file(user_id=9, chat_id=9, city="urumqi", category="delay", description="killed after commit")
print(t.ticket, flush=True)
if when == "commit":
    os.kill(os.getpid(), signal.SIGKILL)

class DyingSender:
    async def send(self, chat_id, text, buttons):
        os.kill(os.getpid(), signal.SIGKILL)  # killed while the announcement is on its way

asyncio.run(outbox.OutboxWorker(store, DyingSender(), settings()).run_once())
"""


def _killed_then_restart(store, db_url, when: str, advance: float) -> None:
    p = _python(KILLED, db_url, when)
    out, err = p.communicate(timeout=60)
    assert p.returncode == -signal.SIGKILL, err
    ticket = out.strip()
    assert Complaints(store, settings()).get(ticket) is not None  # committed before the ticket was shown
    clock = Clock(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=advance))
    sender = RecordingSender(clock)
    w = outbox.OutboxWorker(store, sender, settings(), clock=clock)
    for _ in range(3):
        asyncio.run(w.run_once())
        clock.advance(1)
    assert [m[2].count(ticket) for m in sender.to(HOTLINE)] == [1]


def test_killed_right_after_commit(store, db_url):
    _killed_then_restart(store, db_url, "commit", advance=1)


def test_killed_during_send(store, db_url):
    # the dead worker's lease on the row runs out (60 s) and the restarted one sends it, once
    _killed_then_restart(store, db_url, "send", advance=61)
