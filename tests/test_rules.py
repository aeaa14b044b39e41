"""Rules validation: the shipped rules load clean, and each kind of defect in a broken copy is named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.errors import DataError
from bot.rules import check, load_rules

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_rules_are_clean():
    assert check() == []
    rs = load_rules()
    assert set(rs.cities) == {"hangzhou", "zhoushan", "urumqi"}
    assert rs.summary().startswith("3 cities, ")


def test_every_fact_of_the_interfaces_is_asked_in_three_languages():
    rs = load_rules()
    for name in ("age", "healthy", "points", "employer_kind", "salary_ratio", "work_category", "zhejiang_red_card"):
        fact = rs.facts[name]
        assert all(fact.question[lang] and fact.help[lang] for lang in ("zh", "en", "ru"))


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of rules/ and knowledge/ under TALENTBOT_HOME; returns a function editing one file."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    if (ROOT / "knowledge").exists():
        shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    monkeypatch.setenv("TALENTBOT_HOME", str(tmp_path))

    def edit(name: str, old: str, new: str) -> list[str]:
        path = tmp_path / "rules" / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return check()

    return edit


@pytest.mark.parametrize("name,old,new,expected", [
    ("zhoushan.yaml", '"age <= 40"', '"agee <= 40"', "zhoushan.yaml: rule c9: when: unknown fact 'agee'"),
    ("zhoushan.yaml", '"age <= 40"', '"age =< 40"', "zhoushan.yaml: rule c9: when: cannot read condition"),
    ("zhoushan.yaml", 'cite: "9"', 'cite: "99"', "zhoushan.yaml: rule c9: cite: unknown article '99'"),
    ("zhoushan.yaml", '"highest_degree == phd"', '"highest_degree == doctor"', "wrong type for choice fact 'highest_degree'"),
    ("zhoushan.yaml", '"age <= 40"', '"age <= forty"', "wrong type for int fact 'age'"),
    ("zhoushan.yaml", '{met: c4}', '{met: c44}', "reference to unknown rule 'c44'"),
    ("urumqi.yaml", "kind: benefit", "kind: perk", "urumqi.yaml: rule u1_a: kind: 'perk'"),
    ("zhoushan.yaml", "{{ age }}岁，在第九条", "{{ age }岁，在第九条", "zhoushan.yaml: rule c9: explain.zh: template fails"),
    ("facts.yaml", 'question: {zh: "您今年多少岁（周岁）？", ', 'question: {', "facts.yaml: fact age: question: missing zh text"),
])
def test_broken_rules_are_named(broken, name, old, new, expected):
    problems = broken(name, old, new)
    assert any(expected in p for p in problems), problems


def test_loading_broken_rules_raises_data_error(broken):
    broken("hangzhou.yaml", "holds_a_permit, recognized_by_bureau", "holds_a_card, recognized_by_bureau")
    with pytest.raises(DataError) as exc:
        load_rules()
    assert any("unknown fact 'holds_a_card'" in p for p in exc.value.problems)


def test_a_new_city_is_just_a_file(broken, tmp_path):
    text = (tmp_path / "rules" / "hangzhou.yaml").read_text(encoding="utf-8")
    (tmp_path / "rules" / "ningbo.yaml").write_text(text.replace("city: hangzhou", "city: ningbo"), encoding="utf-8")
    assert check() == []
    from bot.assess import assess

    assert assess("ningbo", {"holds_a_permit": True}).recognized is True
