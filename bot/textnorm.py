"""Text normalisation, language detection and tokenisation for search.

normalize: NFKC (full-width forms), control characters out, Traditional → Simplified (zhconv, imported
only when the text has Han characters), lower case. Tokens: Chinese as character unigrams and bigrams
plus dictionary words (knowledge keywords and synonym terms); English as stemmed words without stop
words; every synonym term found also yields its group's canonical token ("~permanent residence"), so
绿卡, PR and 永久居留 meet in the index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[a-z0-9\u00e0-\u024f]+(?:'[a-z]+)?|[\u0400-\u04ff]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}|[A-Za-z](?=\s|$)")

EN_STOP = frozenset("""
a an the and or but if of to in on at by for with from as into about over under than then so too very
is are was were be been being am do does did doing done have has had having can could will would shall
should may might must i me my mine we us our you your he him his she her it its they them their this that
these those there here what which who whom whose when where why how whats hows wheres im ive id hi hello
pls please thanks thank any some all just still also really actually exactly get got getting go going
want need know tell say said heard hear like way thing things much many more most there's it's i'm
don't dont does doesnt doesn't isn't isnt not no yes ok okay one's s t d ll re ve m
wat wht hav frm u ur pls plz thx abt bc cuz coz gonna wanna w o r y im ive
""".split())
# Chinese characters that carry no meaning on their own in a question (particles, pronouns)
ZH_STOP = frozenset("的了吗呢吧啊么嘛呀哦嘅咩喔我你他她它们是在和与及或就都也还这那个些啥吗么哪谁怎什")


def _zhconv():
    import zhconv  # lazily: only texts with Han characters pay for the dictionary

    return zhconv


_CONTROL = {cat for cat in ("Cc", "Cf", "Co", "Cs")}

# Written Cantonese → Standard Chinese, applied before Traditional → Simplified (so 係 becomes 是 and not 系).
# Longer phrases first; only forms that are not also ordinary Mandarin words are listed.
CANTONESE = {
    "得唔得": "可以吗", "可唔可以": "可不可以", "使唔使": "需不需要", "要唔要": "要不要", "係唔係": "是不是",
    "系唔系": "是不是", "有冇": "有没有", "點樣": "怎么", "点样": "怎么", "點解": "为什么", "点解": "为什么",
    "幾多": "多少", "几多": "多少", "幾耐": "多久", "几耐": "多久", "邊個": "谁", "边个": "谁", "邊度": "哪里",
    "边度": "哪里", "乜嘢": "什么", "乜野": "什么", "咩嘢": "什么", "個仔": "儿子", "个仔": "儿子", "個女": "女儿",
    "个女": "女儿", "細路仔": "孩子", "细路仔": "孩子", "細路": "孩子", "细路": "孩子", "老細": "老板", "老细": "老板",
    "屋企": "家", "返工": "上班", "佢哋": "他们", "我哋": "我们", "你哋": "你们", "喺": "在", "唔": "不", "嘅": "的",
    "係": "是", "冇": "没有", "佢": "他", "咗": "了", "啲": "些", "嚟": "来", "睇": "看", "畀": "给", "搵": "找",
}
_CANTONESE = re.compile("|".join(sorted(map(re.escape, CANTONESE), key=len, reverse=True)))


# One question is normalised by each step of a search (places, gaps, intents, scoring); the cache makes
# that once. The function is pure, so the cache never changes an answer.
@lru_cache(maxsize=2048)
def normalize(text: str) -> str:
    """NFKC, control characters → spaces, Cantonese → Standard written Chinese, Traditional → Simplified, lower case, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    if not text.isprintable():  # printable text has none of the _CONTROL categories: skip the per-character pass
        text = "".join(" " if unicodedata.category(ch) in _CONTROL else ch for ch in text)
    if HAN.search(text):
        text = _CANTONESE.sub(lambda m: CANTONESE[m.group()], text)
        text = _zhconv().convert(text, "zh-hans")
    return " ".join(text.lower().split())


def detect_lang(text: str) -> str:
    """zh, en or ru by script; mixed Chinese/English counts as Chinese when it has enough Han characters."""
    han = len(HAN.findall(text))
    cyr = len(CYRILLIC.findall(text))
    latin_words = len(LATIN_WORD.findall(text))
    if cyr and cyr >= han and cyr >= 2 * latin_words:
        return "ru"
    if han >= 2 and han >= latin_words:
        return "zh"
    if han and not latin_words:
        return "zh"
    return "en"


def stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed (enough to meet 'permits'/'permit', 'renting'/'rent')."""
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith(("ise", "is")) and len(word) > 6:  # British -ise spellings meet -ize ones
        word = word[: word.rindex("is")] + "iz" + word[word.rindex("is") + 2:]
    return word


@dataclass
class Tokenizer:
    """Turns normalised text into tokens; knows the dictionary words and synonym groups of the knowledge base."""

    han_terms: dict = field(default_factory=dict)  # normalised term with Han chars -> canonical token or None
    phrases: dict = field(default_factory=dict)  # tuple of stemmed words -> canonical token
    max_phrase: int = 1
    city_terms: frozenset = frozenset()  # normalised names of the cities (removed for fuzzy matching)

    @classmethod
    def build(cls, synonym_groups, words=(), cities=()) -> "Tokenizer":
        tok = cls()
        city_terms = set()
        for group in synonym_groups:
            canon = "~" + normalize(group[0])
            is_city = normalize(group[0]) in cities
            for term in group:
                tok._add(normalize(term), canon)
                if is_city:
                    city_terms.add(normalize(term))
        for word in words:
            w = normalize(word)
            if HAN.search(w) and len(w) >= 2 and w not in tok.han_terms:
                tok.han_terms[w] = None
        tok.city_terms = frozenset(city_terms)
        return tok

    def _add(self, term: str, canon: str) -> None:
        if HAN.search(term):
            self.han_terms[term] = canon
        else:
            key = tuple(stem(w) for w in WORD.findall(term))
            if key:
                self.phrases[key] = canon
                self.max_phrase = max(self.max_phrase, len(key))

    def tokens(self, text: str, normalized: bool = False) -> list[str]:
        text = text if normalized else normalize(text)
        out: list[str] = []
        for run in HAN_RUN.findall(text):
            out.extend(ch for ch in run if ch not in ZH_STOP)
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
        if self.han_terms:
            for term, canon in self.han_terms.items():
                if term in text:
                    if len(term) > 2:
                        out.append(term)
                    if canon:
                        out.append(canon)
        words = [stem(w) for w in WORD.findall(text)]
        for n in range(2, self.max_phrase + 1):
            for i in range(len(words) - n + 1):
                canon = self.phrases.get(tuple(words[i:i + n]))
                if canon:
                    out.append(canon)
        for w in words:
            canon = self.phrases.get((w,))
            if canon:
                out.append(canon)
            if w not in EN_STOP:
                out.append(w)
        return out

    def strip_cities(self, text: str) -> str:
        """Normalised text without city names (the city is a prior, not evidence of the topic)."""
        for term in sorted(self.city_terms, key=len, reverse=True):
            if HAN.search(term):
                text = text.replace(term, " ")
            else:
                text = re.sub(rf"(?<![a-z]){re.escape(term)}(?![a-z])", " ", text)
        return " ".join(text.split())
