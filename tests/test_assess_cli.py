"""`talentbot assess` as users run it: JSON, summaries, batches with bad lines, clear errors, no tracebacks."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main


def run(capsys, monkeypatch, argv, stdin=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_output_matches_the_contract(tmp_path, capsys, monkeypatch):
    p = tmp_path / "p.json"
    p.write_text(json.dumps({"age": 35, "highest_degree": "phd", "top500_university": True, "job_matches_field": True}))
    code, out, _ = run(capsys, monkeypatch, ["assess", "--city", "zhoushan", "--profile", str(p), "--json"])
    data = json.loads(out)
    assert code == 0
    assert {"city", "recognized", "criteria", "benefits", "blocked_by", "max_permit_years", "missing_facts",
            "summary"} <= set(data)
    assert data["criteria"] == [{"doc": "zhoushan-recognition", "article": "9"}] and "good_credit" in data["missing_facts"]


def test_summary_from_stdin_in_chinese(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, ["assess", "--city", "urumqi", "--profile", "-", "--lang", "zh"],
                       stdin='{"age": 38, "postdoc_high_level": true}')
    assert code == 0 and "乌鲁木齐第2条" in out


def test_batch_reports_bad_lines_in_place(tmp_path, capsys, monkeypatch):
    lines = [{"id": "x", "city": "zhoushan", "profile": {"points": 90}, "expect": {}},
             {"city": "zhoushan", "profile": {"agee": 3}},
             "not json",
             {"city": "beijing", "profile": {}},
             {"city": "hangzhou", "profile": []},
             {"city": "hangzhou", "profile": {"holds_a_permit": True}}]
    p = tmp_path / "b.jsonl"
    p.write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines))
    code, out, err = run(capsys, monkeypatch, ["assess", "--batch", str(p), "--json"])
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 6 and rows[0]["recognized"] and rows[5]["recognized"]
    assert "agee" in rows[1]["error"] and "JSON" in rows[2]["error"] and "beijing" in rows[3]["error"]
    assert "object" in rows[4]["error"] and "Traceback" not in err


@pytest.mark.parametrize("argv,stdin,needle", [
    (["assess", "--city", "paris", "--profile", "-"], "{}", "paris"),
    (["assess", "--city", "zhoushan", "--profile", "-"], "{bad", "not valid JSON"),
    (["assess", "--city", "zhoushan", "--profile", "-"], '{"age": "old"}', "age"),
    (["assess", "--city", "zhoushan", "--profile", "-"], "[1, 2]", "JSON object"),
    (["assess", "--city", "zhoushan", "--profile", "/nonexistent.json"], None, "Cannot read"),
])
def test_bad_input_is_a_clear_message_and_non_zero_exit(capsys, monkeypatch, argv, stdin, needle):
    code, out, err = run(capsys, monkeypatch, argv, stdin)
    assert code != 0 and needle in err and "Traceback" not in err
