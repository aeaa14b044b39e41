"""The knowledge base loads into typed entries, and broken copies of it are reported by file, entry and field."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
HZ = "knowledge/documents/hangzhou-onecard.yaml"


def test_loads_documents_entries_and_lookups():
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    assert kb.entry("hangzhou-onecard", "5.2").parent == "5"
    assert kb.entry("zhoushan-recognition", "notice") is not None
    assert {e.doc_id for e in kb.for_city("urumqi")} == {"urumqi-facilitation"}
    assert any(e.article == "5.2" for e in kb.for_topic("schooling", "hangzhou"))
    assert kb.summary().startswith(f"{len(kb.documents)} documents, {len(kb.entries)} entries")


def test_document_status_against_a_given_day():
    from bot.knowledge import load_knowledge

    docs = load_knowledge().documents
    assert docs["hangzhou-onecard"].status(dt.date(2025, 1, 1)) == "draft"
    assert docs["urumqi-facilitation"].status(dt.date(2025, 1, 1)) == "in_force"
    assert docs["urumqi-facilitation"].status(dt.date(2026, 6, 17)) == "in_force"
    assert docs["urumqi-facilitation"].status(dt.date(2026, 6, 18)) == "lapsed"
    assert docs["urumqi-facilitation"].status(dt.date(2024, 6, 1)) == "not_yet_in_force"


def test_shipped_knowledge_passes_check():
    from bot.knowledge import check

    assert check() == []


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of knowledge/ under TALENTBOT_HOME; call it with a function that damages the Hangzhou data."""
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    monkeypatch.setenv("TALENTBOT_HOME", str(tmp_path))

    def damage(fn):
        path = tmp_path / HZ
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        fn(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        from bot.knowledge import check

        return check()

    return damage


def _entry(data, article):
    return next(e for e in data["entries"] if str(e["article"]) == article)


def test_missing_translation_is_named(broken):
    problems = broken(lambda d: _entry(d, "5.2")["answer"].pop("en"))
    assert f"{HZ}: entry 5.2: field answer.en: missing" in problems


def test_duplicate_id_is_named(broken):
    problems = broken(lambda d: _entry(d, "5.3").__setitem__("article", "5.2"))
    assert any(p.startswith(f"{HZ}: entry 5.2: field article: duplicate") for p in problems)
    assert f"{HZ}: entry 5.3: missing (interfaces section 1 lists it)" in problems


def test_unknown_topic_is_named(broken):
    problems = broken(lambda d: _entry(d, "4")["topics"].append("weather"))
    assert f"{HZ}: entry 4: field topics: unknown topic weather" in problems


def test_missing_and_extra_articles_are_named(broken):
    def fn(d):
        d["entries"] = [e for e in d["entries"] if str(e["article"]) != "7.6"]
        extra = dict(_entry(d, "8"), article="9")
        d["entries"].append(extra)

    problems = broken(fn)
    assert f"{HZ}: entry 7.6: missing (interfaces section 1 lists it)" in problems
    assert any(p.startswith(f"{HZ}: entry 9: not an article id") for p in problems)


def test_spam_and_foreign_urls_are_rejected(broken):
    def fn(d):
        _entry(d, "7.5")["text"]["zh"] += "亚洲365bet网址"
        _entry(d, "7.5")["answer"]["en"] += " See http://example.com/x"

    problems = broken(fn)
    assert any(p.startswith(f"{HZ}: entry 7.5: field text.zh: spam text") for p in problems)
    assert any(p.startswith(f"{HZ}: entry 7.5: field answer.en: URL http://example.com/x") for p in problems)
    assert any(p.startswith(f"{HZ}: entry 7.5: field text.zh: not found in source") for p in problems)


def test_load_raises_data_error_on_broken_kb(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    path = tmp_path / HZ
    path.write_text(path.read_text(encoding="utf-8").replace("\n    topics: [", "\n    topics: [nosuchtopic, ", 1), encoding="utf-8")
    monkeypatch.setenv("TALENTBOT_HOME", str(tmp_path))
    from bot.knowledge import load_knowledge

    with pytest.raises(DataError) as exc:
        load_knowledge()
    assert any("unknown topic nosuchtopic" in p for p in exc.value.problems)


def test_bad_yaml_is_reported_not_raised(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    (tmp_path / HZ).write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("TALENTBOT_HOME", str(tmp_path))
    from bot.knowledge import check

    assert any(p.startswith(f"{HZ}: not valid YAML") for p in check())
