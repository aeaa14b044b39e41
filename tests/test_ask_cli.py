"""`talentbot ask` from the shell: JSON shape, batch order, and every kind of bad input without a traceback."""

from __future__ import annotations

import io
import json

from bot.cli import main


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["ask", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_single_question_json_matches_the_contract(capsys):
    code, out, _ = run(capsys, "--city", "urumqi", "--json", "do I need a face-to-face interview for the work permit")
    data = json.loads(out)
    assert code == 0
    assert list(data) == ["q", "city", "lang", "answered", "answer", "sources", "confidence", "suggestions"]
    assert data["answered"] and data["sources"][0] == {"doc": "urumqi-facilitation", "article": "9"}
    assert "<b>" not in data["answer"] and 0 <= data["confidence"] <= 1


def test_plain_output(capsys):
    code, out, _ = run(capsys, "--city", "hangzhou", "杭州外籍人员子女学校有几所")
    assert code == 0 and "第五条" in out


def test_batch_keeps_order_and_reports_bad_lines_in_place(capsys, monkeypatch, tmp_path):
    lines = [
        json.dumps({"q": "乌鲁木齐外国人能交住房公积金吗", "city": "urumqi"}, ensure_ascii=False),
        "{not json",
        json.dumps({"q": "", "city": "urumqi"}),
        json.dumps({"q": "credit card?", "city": "paris"}),
        json.dumps({"q": "what is the one card", "city": "hangzhou", "lang": "en"}),
    ]
    code, out, _ = run(capsys, "--batch", "-", "--json", stdin="\n".join(lines) + "\n", monkeypatch=monkeypatch)
    rows = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(rows) == 5
    assert rows[0]["sources"][0]["article"] == "20"
    assert "error" in rows[1] and "line 2" in rows[1]["error"]
    assert "error" in rows[2] and "error" in rows[3] and "paris" in rows[3]["error"]
    assert rows[4]["city"] == "hangzhou"


def test_bad_inputs_fail_with_clear_messages(capsys):
    cases = [
        (["--city", "urumqi", "   "], "Please type a question"),
        (["--city", "urumqi", "😀😀🎉"], "in words"),
        (["--city", "urumqi", "x" * 10_000], "too long"),
        (["--city", "beijing", "work permit?"], "Unknown city beijing"),
        (["--city", "urumqi", "--lang", "fr", "work permit?"], "Unknown language fr"),
        ([], "Please type a question"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2 and message in err and out == ""


def test_control_characters_are_ignored(capsys):
    code, out, _ = run(capsys, "--city", "urumqi", "--json", "public\x00 school\x07 for my kid\u200b")
    assert code == 0 and json.loads(out)["sources"][0]["article"] == "19"


def test_missing_batch_file(capsys):
    code, _, err = run(capsys, "--batch", "/nonexistent/file.jsonl")
    assert code == 2 and "Cannot read" in err
