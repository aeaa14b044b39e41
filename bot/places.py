"""Which place a question is about, from knowledge/places.yaml (Chinese cities, provinces and regions).

A question is about another place when it names one of `places` together with a policy word, and names
none of the chosen city's `home` names and no origin cue. "上海的外籍人才认定标准是什么" (city Zhoushan) is
about Shanghai; "already have an A permit from shanghai, moving to zhoushan" names Zhoushan and an origin
cue, so Shanghai is only where the permit came from, and the question stays with Zhoushan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.textnorm import CYRILLIC, HAN, normalize


def _pattern(terms) -> re.Pattern | None:
    """One regex for a list of terms: Chinese as substrings, Latin words as whole words, Russian words by stem."""
    parts = []
    for t in sorted({normalize(str(t)) for t in terms if str(t).strip()}, key=len, reverse=True):
        if HAN.search(t):
            parts.append(re.escape(t))
        elif CYRILLIC.search(t):  # Russian names by stem: Пекин also finds "в Пекине"
            from bot.russian import term_regex

            parts.append(term_regex(t))
        else:
            parts.append(rf"(?<![a-z]){re.escape(t)}(?![a-z])")
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True, eq=False)
class Places:
    home: dict = field(default_factory=dict)  # city -> compiled pattern of its home names
    own: dict = field(default_factory=dict)  # city -> pattern of the home names no other city shares
    names: dict = field(default_factory=dict)  # normalised name -> (zh, en) display names
    place: re.Pattern | None = None
    origin: re.Pattern | None = None
    policy: re.Pattern | None = None
    everyday: re.Pattern | None = None  # everyday topics no document addresses (weather, restaurants, …)

    @classmethod
    def from_raw(cls, raw) -> "Places":
        raw = raw or {}
        names = {}
        for group in raw.get("places") or ():
            group = [str(x) for x in group]
            zh = next((g for g in group if HAN.search(g)), group[0])
            en = next((g for g in group if not HAN.search(g)), group[0])
            for g in group:
                names[normalize(g)] = (zh, en.title())
        homes = {str(c): [str(t) for t in ts] for c, ts in (raw.get("home") or {}).items()}
        home = {c: _pattern(ts) for c, ts in homes.items()}
        shared = {normalize(t) for c, ts in homes.items() for t in ts
                  if any(normalize(t) in {normalize(x) for x in other} for o, other in homes.items() if o != c)}
        own = {c: _pattern([t for t in ts if normalize(t) not in shared]) for c, ts in homes.items()}
        return cls(home=home, own=own, names=names, place=_pattern(names), origin=_pattern(raw.get("origin_cues") or ()),
                   policy=_pattern(raw.get("policy_words") or ()), everyday=_pattern(raw.get("everyday_topics") or ()))

    def small_talk(self, text: str) -> bool:
        """The question is about an everyday topic (weather, food, sightseeing …) and uses no policy word:
        no article answers it, however well its other words happen to match ("天气怎么样" → a procedure item)."""
        if self.everyday is None:
            return False
        norm = normalize(text)
        return bool(self.everyday.search(norm)) and not (self.policy is not None and self.policy.search(norm))

    def named_city(self, text: str, city: str | None) -> str | None:
        """The one other city of ours the question is about ("乌鲁木齐的租房优惠" asked with Zhoushan chosen), or None:
        named by a name only that city has (not 浙江, shared by two), the chosen city not named, no origin cue."""
        if not city:
            return None
        norm = normalize(text)
        if self.home.get(city) is not None and self.home[city].search(norm):
            return None
        if self.origin is not None and self.origin.search(norm):
            return None
        named = [c for c, p in self.own.items() if c != city and p is not None and p.search(norm)]
        return named[0] if len(named) == 1 else None

    def other_place(self, text: str, city: str | None, lang: str = "en") -> str | None:
        """The display name of the other place the question is about, or None."""
        if self.place is None:
            return None
        norm = normalize(text)
        m = self.place.search(norm)
        if not m:
            return None
        homes = [self.home.get(city)] if city else list(self.home.values())
        if any(p is not None and p.search(norm) for p in homes):
            return None
        if self.origin is not None and self.origin.search(norm):
            return None
        if self.policy is not None and not self.policy.search(norm):
            return None
        zh, en = self.names.get(m.group(), (m.group(), m.group()))
        return zh if lang == "zh" else en
