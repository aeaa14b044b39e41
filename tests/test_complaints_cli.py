"""`talentbot complaints list|show|export` on both databases."""

from __future__ import annotations

import csv
import io
import json

from bot import cli
from bot.complaints import Complaints
from queue_helpers import settings


def seed(store):
    svc = Complaints(store, settings())
    a = svc.file(user_id=1, chat_id=1, city="urumqi", category="delay", description="Waiting <3 months>", lang="ru")
    b = svc.file(user_id=2, chat_id=2, city="hangzhou", category="misconduct", description="Fraud", contact="+86 1")
    svc.claim(b.ticket, 501, "Li")
    svc.reply(b.ticket, 501, "Li", "We are checking")
    return a, b


def run(capsys, monkeypatch, url, *argv):
    monkeypatch.setenv("DATABASE_URL", url)
    code = cli.main(["complaints", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_json_and_filters(store, db_url, capsys, monkeypatch):
    a, b = seed(store)
    code, out, _ = run(capsys, monkeypatch, db_url, "list", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["ticket"] for r in rows] == [a.ticket, b.ticket]
    assert {"ticket", "status", "city", "category", "created_at", "claimed_by"} <= set(rows[0])
    assert rows[1]["status"] == "answered" and rows[1]["claimed_by"] == 501
    _, out, _ = run(capsys, monkeypatch, db_url, "list", "--json", "--status", "new")
    assert [r["ticket"] for r in json.loads(out)] == [a.ticket]
    _, out, _ = run(capsys, monkeypatch, db_url, "list", "--json", "--city", "hangzhou", "--category", "misconduct")
    assert [r["ticket"] for r in json.loads(out)] == [b.ticket]
    _, out, _ = run(capsys, monkeypatch, db_url, "list", "--json", "--since", "2999-01-01")
    assert json.loads(out) == []
    code, _, err = run(capsys, monkeypatch, db_url, "list", "--since", "yesterday")
    assert code == 2 and "2026-03-01" in err


def test_show_json_has_text_and_history(store, db_url, capsys, monkeypatch):
    _, b = seed(store)
    code, out, _ = run(capsys, monkeypatch, db_url, "show", b.ticket, "--json")
    rec = json.loads(out)
    assert rec["description"] == "Fraud" and [x["action"] for x in rec["actions"]] == ["filed", "claim", "reply"]
    assert rec["messages"][0]["text"] == "We are checking"
    code, out, _ = run(capsys, monkeypatch, db_url, "show", b.ticket)
    assert code == 0 and "We are checking" in out
    code, _, err = run(capsys, monkeypatch, db_url, "show", "UR-2026-999999")
    assert code == 2 and "UR-2026-999999" in err


def test_export_csv(store, db_url, capsys, monkeypatch, tmp_path):
    a, b = seed(store)
    code, out, _ = run(capsys, monkeypatch, db_url, "export")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["ticket"] for r in rows] == [a.ticket, b.ticket] and rows[1]["replies"] == "1"
    assert "Fraud" not in out
    target = tmp_path / "out.csv"
    run(capsys, monkeypatch, db_url, "export", "--status", "new", "-o", str(target))
    assert len(list(csv.DictReader(target.open()))) == 1
