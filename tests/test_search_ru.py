"""Russian questions: read through knowledge/terms_ru.yaml (Snowball stems), cited with Russian labels.

The questions here are written for these tests, not taken from bench/data/faq_ru.jsonl.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.answering import answer_question, searcher

ROOT = Path(__file__).resolve().parents[1]
HZ = "knowledge/documents/hangzhou-onecard.yaml"


def cited(q, city):
    a = answer_question(q, city=city)
    assert a.lang == "ru"
    return a.sources[0]["article"] if a.answered else None


@pytest.mark.parametrize("q,city,article", [
    ("Можно ли в Урумчи снять жильё со скидкой, если я специалист категории А?", "urumqi", "20"),
    ("мой сын пойдет в детский сад в урумчи, кто поможет с местом", "urumqi", "19"),
    ("Выдают ли в Ханчжоу кредитную карту обладателям разрешения на работу категории A?", "hangzhou", "5.4"),
    ("Сколько рабочих дней занимает предварительная проверка онлайн в Ханчжоу?", "hangzhou", "6.2"),
    ("Признают ли талантом в Чжоушане доктора наук 39 лет из университета топ-500?", "zhoushan", "9"),
    ("нужно ли ходить на собеседование лично ради разрешения на работу в Урумчи", "urumqi", "9"),
    ("Как иностранцу, который работает в Урумчи, подать на ПМЖ?", "urumqi", "7"),
])
def test_russian_questions_cite_the_right_article(q, city, article):
    assert cited(q, city) == article


@pytest.mark.parametrize("form", ["аренда", "аренды", "аренду", "арендой", "аренде"])
def test_case_endings_read_as_one_word(form):
    reading = searcher().index.reading(f"скидка на {form} для талантов категории A в Урумчи")
    assert "rent" in reading.split() and "discount" in reading.split()
    assert cited(f"Есть ли скидка на {form} жилья для талантов категории A в Урумчи?", "urumqi") == "20"


def test_short_words_are_not_folded_into_other_words():
    reading = searcher().index.reading("и летом")
    assert "yiwu" not in reading and "years" not in reading  # и is not Иу (Yiwu), летом is not лет


@pytest.mark.parametrize("q,city", [
    ("Какая погода в Урумчи весной?", "urumqi"),
    ("Где в Ханчжоу лучший ресторан с пельменями?", "hangzhou"),
    ("Есть ли в Урумчи налоговые льготы для иностранцев?", "urumqi"),  # a gap the document declares
])
def test_russian_out_of_scope_is_not_answered(q, city):
    assert cited(q, city) is None


def test_russian_place_names_take_scope_and_origin_into_account():
    a = answer_question("Какие правила признания талантов в Пекине?", city="zhoushan")
    assert not a.answered and a.sources == []
    # Шанхай is where the permit came from: the question stays with Zhoushan
    assert cited("У меня разрешение на работу категории A, полученное в Шанхае. Признают ли меня в Чжоушане?",
                 "zhoushan") == "4"


def test_russian_users_see_russian_citations_and_the_english_answer():
    a = answer_question("есть ли скидка на аренду для талантов категории A в Урумчи?", city="urumqi")
    assert a.answered and a.sources == [{"doc": "urumqi-facilitation", "article": "20"}]
    assert "Мера 20" in a.answer and "Меры Урумчи для работы иностранцев" in a.answer
    assert "80%" in a.answer  # the English answer text is kept
    en = answer_question("is there a rent discount for A class talent", city="urumqi", lang="en")
    assert "Measure 20" in en.answer and "Мера" not in en.answer


def test_every_label_and_title_has_a_russian_form():
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    assert all(e.label.get("ru") for e in kb.entries)
    assert all(d.short_title.get("ru") and d.title.get("ru") for d in kb.documents.values())
    assert kb.entry("hangzhou-onecard", "5.2").label["ru"] == "Статья 5(2)"
    assert kb.entry("zhoushan-recognition", "notice").label["ru"] == "Уведомление об издании"


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    monkeypatch.setenv("TALENTBOT_HOME", str(tmp_path))
    return tmp_path


def _check():
    from bot.knowledge import check

    return check()


def test_kb_check_catches_a_broken_russian_label(kb_copy):
    path = kb_copy / HZ
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data["entries"] if str(e["article"]) == "5.2")
    entry["label"]["ru"] = "Статья 5(3)"  # names another item
    next(e for e in data["entries"] if str(e["article"]) == "5.3")["label"]["ru"] = "Article 5(3)"  # not Russian
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = _check()
    assert any(p.startswith(f"{HZ}: entry 5.2: field label.ru:") and "same article" in p for p in problems)
    assert any(p.startswith(f"{HZ}: entry 5.3: field label.ru: not Russian") for p in problems)


def test_kb_check_catches_a_term_table_reading_into_nothing(kb_copy):
    path = kb_copy / "knowledge" / "terms_ru.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["terms"]["wrok permit"] = ["рабочка"]  # a typo: search knows no such word
    raw["terms"]["visa"].append("аренда")  # already read as rent
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = _check()
    assert any("term 'wrok permit'" in p and "wrok" in p for p in problems)
    assert any("'аренда' is already read as" in p for p in problems)
