#!/usr/bin/env python3
"""Adds the Russian form (`ru`) of every entry label and of each document's title and short_title.

    .venv/bin/python tools/ru_labels.py        # edits knowledge/documents/*.yaml in place; run again: no change

Citations shown to Russian users name the document and the article in Russian ("Статья 5(2)", "Мера 20");
the answer text itself stays English with the Russian note. Labels are derived from the English label
by rule (Article → Статья, Measure → Мера, the national table's parts by name); the four titles are
written here. The files are edited line by line, so their layout and comments stay as they are.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "knowledge" / "documents"

TITLES = {
    "hangzhou-onecard": {
        "title": "Порядок реализации в Ханчжоу услуги «единой карты» для иностранных талантов высокого уровня (проект для обсуждения)",
        "short_title": "Правила «единой карты» Ханчжоу (проект)",
    },
    "zhoushan-recognition": {
        "title": "Порядок признания иностранных талантов в Чжоушане (пробный)",
        "short_title": "Признание иностранных талантов, Чжоушань",
    },
    "urumqi-facilitation": {
        "title": "Меры по упрощению обслуживания иностранцев, приезжающих на работу в Урумчи (пробные)",
        "short_title": "Меры Урумчи для работы иностранцев",
    },
    "national-classification": {
        "title": "Стандарт классификации иностранцев, работающих в Китае (пробный), и таблица баллов "
                 "(приложение 3 к Вай Чжуань Фа [2017] № 40)",
        "short_title": "Классификация A/B/C и баллы (КНР)",
    },
}
WORDS = {  # whole English labels and label parts that are not "<Word> <number>"
    "Issuing notice": "Уведомление об издании",
    "Preamble": "Преамбула",
    "Final provision (effective date and validity)": "Заключительное положение (вступление в силу и срок действия)",
    "foreign high-end talent": "иностранные таланты высокого уровня",
    "foreign professionals": "иностранные специалисты",
    "other foreign personnel": "прочие иностранцы",
    "Points table": "Таблица баллов",
    "salary": "зарплата",
    "education": "образование",
    "work experience": "опыт работы",
    "time in China": "время работы в Китае",
    "Chinese language": "китайский язык",
    "work location": "место работы",
    "age": "возраст",
    "extra points": "дополнительные баллы",
    "local bonus": "местные баллы",
}
NUMBERED = {"Article": "Статья", "Measure": "Мера", "Category": "Категория"}


def ru_label(en: str) -> str:
    """'Article 5(2)' → 'Статья 5(2)', 'Category A (foreign high-end talent)' → 'Категория A (иностранные …)'."""
    if en in WORDS:
        return WORDS[en]
    m = re.fullmatch(r"(Article|Measure|Category) (\S+)(?: \((.+)\))?", en)
    if m:
        word, number, note = m.groups()
        out = f"{NUMBERED[word]} {number}"
        if note:
            out += f" ({WORDS.get(note, note)})"
        return out
    m = re.fullmatch(r"Points table: (.+)", en)
    if m and m.group(1) in WORDS:
        return f"{WORDS['Points table']}: {WORDS[m.group(1)]}"
    raise SystemExit(f"no Russian form for label {en!r}: add it to WORDS in {Path(__file__).name}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


FLOW = re.compile(r"^(\s*)(label|title|short_title): \{(.*)\}\s*$")
FLOW_EN = re.compile(r"(?:^|,)\s*en: (\"[^\"]*\"|'[^']*'|[^,]*)\s*(?:,|$)")


def add_ru(text: str, doc_id: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    block: tuple[str, str] | None = None  # (field name, indent of its zh/en lines) while inside a block mapping
    for i, line in enumerate(lines):
        m = FLOW.match(line)
        if m and "ru:" not in m.group(3) and (m.group(2) == "label" or m.group(1) == ""):
            en = _unquote(FLOW_EN.search(m.group(3)).group(1))
            ru = ru_label(en) if m.group(2) == "label" else TITLES[doc_id][m.group(2)]
            line = f"{m.group(1)}{m.group(2)}: {{{m.group(3).rstrip()}, ru: {_quote(ru)}}}"
        out.append(line)
        bm = re.match(r"^(\s*)(label|title|short_title):\s*$", line)
        if bm and (bm.group(2) == "label" or bm.group(1) == ""):
            block = (bm.group(2), bm.group(1) + "  ")
            continue
        if block and line.startswith(block[1] + "en:"):
            name, indent = block
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not nxt.startswith(indent + "ru:"):
                en = _unquote(line[len(indent) + 3:])
                ru = ru_label(en) if name == "label" else TITLES[doc_id][name]
                out.append(f"{indent}ru: {_quote(ru)}")
            block = None
    return "\n".join(out)


def main() -> int:
    for path in sorted(DOCS.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        new = add_ru(text, path.stem)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{path.relative_to(ROOT)}: Russian labels and titles added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
