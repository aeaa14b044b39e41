"""Russian questions read in the engine's English terms (knowledge/terms_ru.yaml), compared by Snowball stem.

The knowledge base is written in Chinese and English. A Russian question is read by replacing its words
and phrases with the English terms the index knows ("скидка на аренду" → "discount rent"), longest phrase
first; words are compared by their Snowball stem, so аренды / аренду / арендой all meet the table's аренда.
Names of other places come from knowledge/places.yaml (a group's Russian name reads as its English one).
Function words (`stop`) are dropped; any other Russian word is kept as its stem, so a question about
something the table does not know keeps words nothing covers (as an English one would) and is not
answered from one shared word. Latin words, numbers and Chinese characters pass through unchanged.

`term_regex` gives places, intents and gaps the same morphology: a Russian term matches by word stem.
The stemmer is imported only when a Russian word is met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.textnorm import normalize

CYR = re.compile(r"[а-яё]")
TOKEN = re.compile(r"[а-яё]+|[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_NAME = re.compile(r"[a-z][a-z' -]*")
SHORT = 4  # a Russian word this short (or with a stem this short) is matched as itself, not by stem + ending
MAX_ENDING = 4  # the longest case / verb ending a stem may be followed by ("признан" + "ие", "ами")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer  # lazily: only Russian text pays for it

    return snowballstemmer.stemmer("russian")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The Snowball stem of a Russian word (ё read as е), or the word itself when it or its stem is short
    (и and иу, лет and летом are different words); any other word unchanged."""
    word = word.lower().replace("ё", "е")
    if not CYR.search(word) or len(word) <= SHORT:
        return word
    s = _stemmer().stemWord(word)
    return word if len(s) < SHORT else s


def words(text: str) -> list[str]:
    """The words of a text after normalisation (Russian, Latin and number words, runs of Chinese characters)."""
    return TOKEN.findall(normalize(text))


def key(phrase: str) -> tuple[str, ...]:
    """A phrase as the tuple of its word stems: how the term table is looked up."""
    return tuple(stem(w) for w in words(phrase))


def has_cyrillic(text: str) -> bool:
    return bool(CYR.search(normalize(text)))


def term_regex(term: str) -> str:
    """Regex source for a normalised term with Russian words: each word by its stem and a short ending
    (Пекин also finds Пекине, признан finds признают), a short word as itself; Latin words whole."""
    parts = []
    for w in TOKEN.findall(term):
        if CYR.search(w):
            s, w = stem(w), w.replace("ё", "е")
            core = re.escape(w) if len(w) <= SHORT else re.escape(s) + f"[а-яё]{{0,{MAX_ENDING}}}"
            parts.append(rf"(?<![а-яё]){core.replace('е', '[её]')}(?![а-яё])")  # ё is often typed as е
        else:
            parts.append(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])")
    return r"\W+".join(parts)


@dataclass
class RussianTerms:
    """The term table: stems of a Russian phrase -> the English term it reads as."""

    table: dict = field(default_factory=dict)
    stop: frozenset = frozenset()
    longest: int = 1

    @classmethod
    def build(cls, raw, places_raw=None) -> "RussianTerms":
        raw = raw if isinstance(raw, dict) else {}
        table: dict = {}
        for english, phrases in (raw.get("terms") or {}).items():
            for phrase in phrases or ():
                k = key(str(phrase))
                if k:
                    table[k] = normalize(str(english))
        # other places: a group's Russian names read as its English name (the scope check finds them by name)
        for group in (places_raw or {}).get("places") or ():
            names = [normalize(str(g)) for g in group]
            latin = next((n for n in names if LATIN_NAME.fullmatch(n)), None)
            for n in names:
                if latin and CYR.search(n):
                    table.setdefault(key(n), latin)
        stop = frozenset(stem(str(w)) for w in raw.get("stop") or ())
        return cls(table, stop, max((len(k) for k in table), default=1))

    def translate(self, text: str) -> str:
        """The question in the engine's terms: table phrases as English, stop words out, other words as stems."""
        ws = words(text)
        stems = [stem(w) for w in ws]
        out: list[str] = []
        i = 0
        while i < len(ws):
            for n in range(min(self.longest, len(ws) - i), 0, -1):
                english = self.table.get(tuple(stems[i:i + n]))
                if english:
                    out.append(english)
                    i += n
                    break
            else:
                if not (CYR.search(ws[i]) and stems[i] in self.stop):
                    out.append(stems[i])
                i += 1
        return " ".join(out)
