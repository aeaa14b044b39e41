"""The complaint queue service and its outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import re

import pytest

from bot import outbox
from bot.complaints import Complaints, TooFast
from bot.errors import UserError
from queue_helpers import HOTLINE, Clock, RecordingSender, settings


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def svc(store, clock):
    return Complaints(store, settings(), clock=clock)


def worker(store, sender, clock, **kw):
    return outbox.OutboxWorker(store, sender, settings(), clock=clock, **kw)


def file(svc, user=7, city="urumqi", key=None, **kw):
    kw.setdefault("category", "delay")
    kw.setdefault("description", "My permit has been pending for 3 months")
    return svc.file(user_id=user, chat_id=user, city=city, idem_key=key, lang=kw.pop("lang", "ru"), **kw)


async def drain(w, clock, step=1.0, rounds=2000):
    for _ in range(rounds):
        await w.run_once()
        if w.pending() == 0:
            return
        clock.advance(step)
    raise AssertionError("outbox never drained")


def test_ticket_numbers_per_city_and_year(svc):
    a = file(svc, user=1, city="urumqi")
    b = file(svc, user=2, city="urumqi")
    c = file(svc, user=3, city="hangzhou")
    d = file(svc, user=4, city="zhoushan")
    assert (a.ticket, b.ticket, c.ticket, d.ticket) == ("UR-2026-000001", "UR-2026-000002", "HZ-2026-000001", "ZS-2026-000001")
    assert a.status == "new" and svc.get(a.ticket).description.startswith("My permit")


def test_same_idempotency_key_files_once(svc):
    a = file(svc, key="k1")
    b = file(svc, key="k1")
    assert a.ticket == b.ticket and len(svc.list()) == 1


def test_filing_too_fast_is_slowed_down(svc, clock):
    for i in range(3):
        file(svc, key=f"k{i}")
    with pytest.raises(TooFast) as exc:
        file(svc, key="k9")
    assert "wait" in exc.value.text("en")
    clock.advance(11 * 60)
    file(svc, key="k10")


def test_bad_input_is_a_user_error(svc):
    with pytest.raises(UserError):
        file(svc, city="paris")
    with pytest.raises(UserError):
        file(svc, category="weather")
    with pytest.raises(UserError):
        file(svc, description="   ")


async def test_claim_reply_answer_resolve_thread(store, svc, clock):
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    t = file(svc, user=7)
    await drain(w, clock)
    [ann] = sender.to(HOTLINE)
    assert t.ticket in ann[2] and [b.data for b in ann[3][0]] == [f"hl:claim:{t.id}", f"hl:reply:{t.id}", f"hl:resolve:{t.id}"]

    assert svc.claim(t.ticket, 501, "Li").won
    lost = svc.claim(t.ticket, 502, "Wang")
    assert not lost.won and lost.holder == "Li"
    with pytest.raises(UserError, match="handled by Li"):
        svc.reply(t.ticket, 502, "Wang", "hello")
    svc.reply(t.ticket, 501, "Li", "We called the bureau <today>")
    svc.answer(t.ticket, 7, "Thank you, still waiting")
    with pytest.raises(UserError):
        svc.answer(t.ticket, 8, "not mine")
    svc.resolve(t.ticket, 501, "Li", "Permit issued")
    await drain(w, clock)

    to_user = [m[2] for m in sender.to(7)]
    assert len(to_user) == 3  # claimed, the reply (framed, in Russian once translated), resolved
    assert "&lt;today&gt;" in to_user[1] and t.ticket in to_user[1]
    assert "Permit issued" in to_user[2]
    staff = [m[2] for m in sender.to(HOTLINE)]
    assert any("Thank you, still waiting" in x for x in staff)
    shown = svc.show(t.ticket)
    assert shown["status"] == "resolved"
    assert [m["author"] for m in shown["messages"]] == ["staff", "user"]
    assert shown["messages"][0]["delivery"] == "sent"
    assert [a["action"] for a in shown["actions"]] == ["filed", "claim", "reply", "answer", "resolve"]


async def test_reply_to_user_who_blocked_the_bot_is_reported(store, svc, clock):
    sender = RecordingSender(clock)
    sender.blocked.add(7)
    w = worker(store, sender, clock)
    t = file(svc, user=7)
    svc.reply(t.ticket, 501, "Li", "answer")
    await drain(w, clock)
    assert svc.show(t.ticket)["messages"][0]["delivery"] == "failed"
    assert svc.last_reply_delivery(t.id) == "failed"
    assert any("could not be delivered" in m[2] for m in sender.to(HOTLINE))


async def test_retry_after_and_server_errors_until_recovery(store, svc, clock):
    sender = RecordingSender(clock)
    sender.fail = [outbox.RetryAfter(7)] + [RuntimeError("500 Internal Server Error")] * 6
    w = worker(store, sender, clock)
    tickets = [file(svc, user=u) for u in range(1, 6)]
    await w.run_once()
    assert sender.sent == []  # 429: the group waits
    clock.advance(3)
    await w.run_once()
    assert sender.calls == 1  # not before retry_after
    await drain(w, clock)
    announced = " ".join(m[2] for m in sender.to(HOTLINE))
    for t in tickets:
        assert announced.count(t.ticket) == 1
    with store.session() as s:
        from sqlalchemy import select
        from bot.store.models import OutboxMessage

        assert {r.status for r in s.scalars(select(OutboxMessage))} == {"sent"}


async def test_hostile_input_escaped_for_staff(store, svc, clock):
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    evil = "<b>bold</b> <a href='x'>link</a> *md* _x_ `code` " + "长" * 4100
    t = file(svc, description=evil, contact="<script>alert(1)</script>", user_name="<i>Mallory</i>")
    await drain(w, clock)
    [ann] = sender.to(HOTLINE)
    text = ann[2]
    assert "&lt;b&gt;bold&lt;/b&gt;" in text and "<script>" not in text and "&lt;i&gt;Mallory" in text
    assert len(text) <= 4096
    assert re.findall(r"</?(\w+)", text) and set(re.findall(r"</?(\w+)", text)) <= {"b", "blockquote"}
    assert len(svc.get(t.ticket).description) == 4000


async def test_overdue_tickets_announced_again_once(store, svc, clock):
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    t = file(svc)
    await drain(w, clock)
    assert svc.reannounce_overdue() == 0
    clock.advance(31 * 60)
    assert svc.reannounce_overdue() == 1
    assert svc.reannounce_overdue() == 0
    await drain(w, clock)
    assert "31 minutes" in sender.to(HOTLINE)[-1][2]
    assert [x.ticket for x in svc.queue()["overdue"]] == [t.ticket]
    svc.claim(t.ticket, 501, "Li")
    clock.advance(31 * 60)
    assert svc.reannounce_overdue() == 0


async def test_forget_keeps_anonymous_statistics(store, svc, clock):
    from bot.core.messages import ChatState

    store.chats.save(7, 7, ChatState(lang="ru"), 0)
    t = file(svc, user=7, contact="+86 123")
    svc.reply(t.ticket, 501, "Li", "answer")
    svc.answer(t.ticket, 7, "my answer")
    assert svc.forget_user(7) == 1
    shown = svc.show(t.ticket)
    assert shown["description"] is None and shown["contact"] is None and shown["user_id"] is None
    assert all(m["text"] is None for m in shown["messages"])
    assert shown["city"] == "urumqi" and shown["status"] == "answered"
    assert svc.for_user(7) == [] and store.chats.load(7, 7)[1] == 0


def test_withdraw_only_own_ticket(svc):
    t = file(svc, user=7)
    with pytest.raises(UserError, match="no complaint"):
        svc.withdraw(t.ticket, 8)
    assert svc.withdraw(t.ticket, 7).status == "withdrawn"
    with pytest.raises(UserError):
        svc.withdraw(t.ticket, 7)
    with pytest.raises(UserError):
        svc.claim("UR-2026-999999", 501)


async def test_burst_of_500_concurrent_filings(store, clock):
    svc = Complaints(store, settings(), clock=clock)
    with cf.ThreadPoolExecutor(32) as pool:
        tickets = list(pool.map(lambda u: file(svc, user=10_000 + u, key="k").ticket, range(500)))
    assert len(set(tickets)) == 500 and len(svc.list()) == 500
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    await drain(w, clock, step=1.0)
    announced = " ".join(m[2] for m in sender.to(HOTLINE))
    assert all(announced.count(t) == 1 for t in tickets)
    assert sender.max_per_minute(HOTLINE) <= 20
    last = max(m[0] for m in sender.to(HOTLINE))
    assert (last - clock.now).total_seconds() <= 0 and (last - sender.to(HOTLINE)[0][0]).total_seconds() < 120


PHOTO = {"kind": "photo", "file_id": "AgAD-photo-1", "name": None}
DOC = {"kind": "document", "file_id": "BQAD-doc-1", "name": "contract <v2>.pdf"}


async def test_attachments_reach_the_group_after_their_announcement(store, svc, clock):
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    t = file(svc, user=7, attachments=[PHOTO, DOC])
    await drain(w, clock)
    ann, photo, doc = sender.to(HOTLINE)
    assert t.ticket in ann[2] and "Attachments: 2" in ann[2]
    assert photo[3] == ("media", "photo", "AgAD-photo-1") and doc[3] == ("media", "document", "BQAD-doc-1")
    assert t.ticket in photo[2] and "1 of 2" in photo[2]
    assert "contract &lt;v2&gt;.pdf" in doc[2]  # the file name is escaped in the HTML caption
    # a file sent with an answer follows the answer's notice
    svc.answer(t.ticket, 7, "Here is the receipt", [{"kind": "photo", "file_id": "AgAD-receipt", "name": None}])
    await drain(w, clock)
    notice, receipt = sender.to(HOTLINE)[3:]
    assert "Here is the receipt" in notice[2]
    assert receipt[3] == ("media", "photo", "AgAD-receipt") and "answer" in receipt[2] and t.ticket in receipt[2]


async def test_a_file_waits_for_its_announcement_even_after_a_failure(store, svc, clock):
    sender = RecordingSender(clock)
    sender.fail = [RuntimeError("network down")]  # the announcement fails once and waits for a retry
    w = worker(store, sender, clock)
    t = file(svc, user=7, attachments=[PHOTO])
    assert await w.run_once() == 0
    # another worker (a restart) finds the file due and the announcement not yet: the file waits
    w = worker(store, sender, clock)
    assert await w.run_once() == 0 and sender.to(HOTLINE) == []
    await drain(w, clock)
    kinds = ["file" if m[3] and m[3][0] == "media" else "text" for m in sender.to(HOTLINE)]
    assert kinds == ["text", "file"] and t.ticket in sender.to(HOTLINE)[0][2]


async def test_a_file_telegram_refuses_does_not_hold_the_group(store, svc, clock):
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    first = file(svc, user=7, attachments=[{"kind": "photo", "file_id": "BAD-id", "name": None}])
    second = file(svc, user=8, attachments=[PHOTO])
    await drain(w, clock)
    assert [m[3][2] for m in sender.files(HOTLINE)] == ["AgAD-photo-1"]
    texts = " ".join(m[2] for m in sender.to(HOTLINE))
    assert first.ticket in texts and second.ticket in texts


async def test_burst_with_photos_keeps_the_group_budget(store, clock):
    svc = Complaints(store, settings(), clock=clock)
    tickets = [file(svc, user=20_000 + u, key="k", attachments=[PHOTO]).ticket for u in range(60)]
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    await drain(w, clock, step=1.0)
    assert sender.max_per_minute(HOTLINE) <= 20
    assert len(sender.files(HOTLINE)) == 60
    texts = [m for m in sender.to(HOTLINE) if not m[3] or m[3][0] != "media"]
    # every ticket announced once, and every announcement before the files (files never hold tickets back)
    assert all(" ".join(m[2] for m in texts).count(t) == 1 for t in tickets)
    assert max(m[0] for m in texts) <= min(m[0] for m in sender.files(HOTLINE))


async def test_overdue_announcement_does_not_send_the_files_again(store, svc, clock):
    sender = RecordingSender(clock)
    w = worker(store, sender, clock)
    file(svc, attachments=[PHOTO])
    await drain(w, clock)
    clock.advance(31 * 60)
    assert svc.reannounce_overdue() == 1
    await drain(w, clock)
    again = sender.to(HOTLINE)[-1]
    assert "31 minutes" in again[2] and "sent with the first announcement" in again[2]
    assert len(sender.files(HOTLINE)) == 1
