"""Question intent (knowledge/intents.yaml): is the asker asking whether they are recognized, or what they get?

Criterion and benefit articles share their words ("A permit", "degree", "investment"); the question's
verbs tell them apart ("do I qualify" vs "can I still get a permit", "算不算人才" vs "可以免交").
`Intents.bonus(text)` gives, for every entry, the factor its score is multiplied by; `granted_by` links
a criterion article to the benefit articles that name it ("认定标准第十二、十三条的外籍人才 … 放宽至70周岁"),
so a question asking what a person meeting that criterion gets is answered by the benefit article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.textnorm import CYRILLIC, HAN, normalize

INTENT_BONUS = 1.15  # small: intent breaks ties between close neighbours, it does not override the topic


def _term(t: str) -> str:
    """Chinese as a substring, English as a word start ("recogni"), Russian words by stem ("признан" finds "признают")."""
    if HAN.search(t):
        return re.escape(t)
    if CYRILLIC.search(t):
        from bot.russian import term_regex

        return term_regex(t)
    return rf"(?<![a-z]){re.escape(t)}"


def _pattern(terms) -> re.Pattern | None:
    parts = [_term(t) for t in sorted({normalize(str(x)) for x in terms or ()}, key=len, reverse=True) if t]
    return re.compile("|".join(parts)) if parts else None


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_REF = re.compile(r"第([一二三四五六七八九十、]+)条")


def _zh_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十八 → 28 (article numbers)."""
    if not text or any(c not in _DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def referenced_articles(zh_text: str) -> list[str]:
    """Article numbers a text refers to: "认定标准第五、六、七条" → ["5", "6", "7"]."""
    out = []
    for m in _REF.finditer(zh_text or ""):
        for part in m.group(1).split("、"):
            n = _zh_number(part)
            if n is not None:
                out.append(str(n))
    return out


@dataclass
class Intents:
    cues: dict  # kind -> pattern
    kinds: list  # per entry: its kind in the "ask" group ("criterion", "benefit" or None)
    granted_by: dict  # entry index of a criterion -> indices of the benefit entries that name it
    groups: dict = None  # group -> kinds in it (kinds of one group compete; groups combine)
    members: dict = None  # kind -> set of entry indices that kind favours
    factor: dict = None  # kind -> score factor

    @classmethod
    def build(cls, raw, entries) -> "Intents":
        raw = raw or {}
        cues, groups, members, factor = {}, {}, {}, {}
        topics = {k: set((v or {}).get("topics") or ()) for k, v in raw.items()}
        for kind, spec in raw.items():
            spec = spec or {}
            group = spec.get("group", "ask")
            groups.setdefault(group, []).append(kind)
            cues[kind] = _pattern(spec.get("cues"))
            factor[kind] = float(spec.get("bonus", INTENT_BONUS))
        for kind, spec in raw.items():
            spec = spec or {}
            rivals = set().union(*(topics[k] for k in groups[spec.get("group", "ask")] if k != kind))
            text = re.compile(spec["text"]) if spec.get("text") else None
            # an entry is of a kind when it has the kind's topics and none of its rivals' (entries with both stay neutral)
            members[kind] = {i for i, e in enumerate(entries)
                             if topics[kind] & set(e.topics) and not rivals & set(e.topics)
                             and (text is None or text.search(e.text.get("zh", "")))}
        kinds = [next((k for k in groups.get("ask", ()) if i in members[k]), None) for i in range(len(entries))]
        index = {(e.doc_id, e.article): i for i, e in enumerate(entries)}
        granted_by: dict = {}
        for i, e in enumerate(entries):
            if kinds[i] != "benefit":
                continue
            for art in referenced_articles(e.text.get("zh", "")):
                j = index.get((e.doc_id, art))
                if j is not None and kinds[j] == "criterion":
                    granted_by.setdefault(j, []).append(i)
        return cls(cues, kinds, granted_by, groups, members, factor)

    def of(self, text: str, group: str = "ask") -> str | None:
        """The kind of `group` the question asks for, when its cues name exactly one."""
        norm = normalize(text)
        found = [k for k in (self.groups or {}).get(group, ()) if self.cues.get(k) is not None and self.cues[k].search(norm)]
        return found[0] if len(found) == 1 else None

    def bonus(self, text: str) -> list[float] | None:
        asked = [k for g in (self.groups or {}) if (k := self.of(text, g))]
        if not asked:
            return None
        out = [1.0] * len(self.kinds)
        for k in asked:
            for i in self.members[k]:
                out[i] *= self.factor[k]
        return out
