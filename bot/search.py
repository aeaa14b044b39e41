"""Question → ranked knowledge entries, with a calibrated confidence and an abstention decision.

Signals per entry: BM25F-style term weights over weighted fields (phrasings, keywords, heading, answer,
article text), the share of the question's informative weight the entry covers, and rapidfuzz
similarity to the entry's phrasings (city names removed: the city is a prior, not topic evidence).
The city restricts the answer to that city's document; a better match in another city's document
makes the question unanswered with a note naming it. National background entries never answer a
city-scoped question. The confidence combines the top score with its margin over the runner-up and
with coverage, because a raw fuzzy score says little about short Chinese questions.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from bot.knowledge import CITIES, Entry, KnowledgeBase
from bot.textnorm import EN_STOP, WORD, Tokenizer, detect_lang, normalize, stem

# Field weights: phrasings are many, so each counts less than the distinctive keywords and heading.
FIELDS = {"questions": 1.0, "keywords": 2.5, "heading": 2.5, "answer": 0.8, "text": 0.8, "label": 0.0}
K1, B = 1.4, 0.6
UNIGRAM_WEIGHT = 0.4  # a single Chinese character says little on its own
UNKNOWN_BIGRAM_WEIGHT = 0.35  # a character pair found nowhere is mostly a pair across two words
NUMBER_WEIGHT = 0.3  # ages and amounts in a question are facts about the asker, rarely the topic
TYPO_CUTOFF = 88  # an unknown English word this close to a known one is taken as a misspelling of it

W_BM25, W_COVER, W_FUZZ = 1.0, 1.0, 0.8
# The confidence is a logistic model over FEATURES of the best match. Its weights and the abstention
# threshold are data (knowledge/confidence.yaml), fitted by bench/fit_confidence.py on the knowledge
# base's own phrasings (each left out of the index it is asked against) and on out-of-scope questions
# written for training (bench/data/oos_train.jsonl) -- never on an evaluation set. These constants are
# only the fallback when that file is absent (a copy of the fit when they were last written).
FEATURES = ("score", "margin", "cover", "fuzzy", "bm25")
CONF_BIAS = -4.4370
CONF_WEIGHTS = (0.0, 0.0, 6.1234, 1.8486, 4.5630)
THRESHOLD = 0.5
ITEM_PREFERENCE = 0.85  # an item within this share of its parent's score is the more precise citation
SUGGEST_FLOOR = 0.35  # from the matches shown for the out-of-scope questions of bench/data/oos_train.jsonl
BACKGROUND_FLOOR = 0.9  # the national background is mentioned only when it clearly matches
OTHER_CITY_RATIO = 1.35  # another city's entry this many times better means that document covers it


@dataclass
class Hit:
    entry: Entry
    score: float
    bm25: float
    cover: float
    fuzzy: float


@dataclass
class Result:
    lang: str
    city: str | None
    hits: list[Hit]  # in scope (the city's document, or everything without a city), best first
    primary: Hit | None
    confidence: float
    answered: bool
    elsewhere: Hit | None = None  # another city's entry that covers the question better
    background: Hit | None = None  # a national background entry worth mentioning
    suggestions: list[Hit] = field(default_factory=list)
    other_place: str | None = None  # the question is about this place, which no document covers
    gap: object = None  # knowledge.NotCovered: the city's document says it does not cover this
    features: tuple = ()  # FEATURES of the best match, what the confidence is computed from


def _field_texts(e: Entry) -> dict[str, list[str]]:
    return {
        "questions": [q for qs in e.questions.values() for q in qs],
        "keywords": [k for ks in e.keywords.values() for k in ks],
        "heading": list(e.heading.values()),
        "answer": list(e.answer.values()),
        "text": list(e.text.values()),
        "label": list(e.label.values()),
    }


class Index:
    """Built once from the knowledge base; `search` scores every entry for one question."""

    def __init__(self, kb: KnowledgeBase):
        words = [k for e in kb.entries for ks in e.keywords.values() for k in ks]
        self.tokenizer = Tokenizer.build(kb.synonyms, words=words, cities=CITIES)
        self.keys = [e.key for e in kb.entries]
        self.city = [kb.documents[e.doc_id].city for e in kb.entries]
        self.national = [kb.documents[e.doc_id].kind == "national" for e in kb.entries]
        tfs, lengths = [], []
        for e in kb.entries:
            tf: Counter = Counter()
            for name, texts in _field_texts(e).items():
                w = FIELDS[name]
                if not w:
                    continue
                for text in texts:
                    for tok in self.tokenizer.tokens(text):
                        tf[tok] += w
            tfs.append(tf)
            lengths.append(sum(tf.values()))
        n = len(tfs)
        self.avg_len = sum(lengths) / max(n, 1)
        df: Counter = Counter(t for tf in tfs for t in tf)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        self._vocab: list[str] | None = None
        from bot.intent import Intents
        from bot.knowledge import read_yaml

        self.intents = Intents.build(read_yaml("intents.yaml"), kb.entries)
        self.confidence = Confidence.from_data(read_yaml("confidence.yaml"))
        from bot.russian import RussianTerms

        self.russian = RussianTerms.build(read_yaml("terms_ru.yaml"), read_yaml("places.yaml"))
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, tf in enumerate(tfs):
            norm = K1 * (1 - B + B * lengths[i] / self.avg_len)
            for t, f in tf.items():
                postings.setdefault(t, []).append((i, f * (K1 + 1) / (f + norm)))
        # token -> (entry positions, BM25 parts) as arrays: a question adds them up without a Python loop
        import numpy as np

        self.postings = {t: (np.fromiter((i for i, _ in ps), np.intp, len(ps)), np.fromiter((x for _, x in ps), float, len(ps)))
                         for t, ps in postings.items()}
        # phrasings for fuzzy matching: normalised, city names removed
        self.phrasings: list[str] = []
        self.owner: list[int] = []
        for i, e in enumerate(kb.entries):
            for text in [q for qs in e.questions.values() for q in qs] + list(e.heading.values()):
                self.phrasings.append(self.tokenizer.strip_cities(normalize(text)))
                self.owner.append(i)
        self._prepare_fuzzy()

    def _prepare_fuzzy(self) -> None:
        """What `_fuzzy` needs of the phrasings, worked out once instead of for every question.

        token_set_ratio splits both texts into words, sorts and dedupes them; when the two share no word its
        score is exactly fuzz.ratio of the sorted, deduplicated words. So each phrasing's sorted word set is kept
        here (scored with the cheap ratio), and only the phrasings sharing a word with the question (found
        through `phrasing_words`) go through token_set_ratio itself -- about a tenth of them, at a tenth of the CPU.
        """
        import numpy as np

        self.phrasing_sets = [" ".join(sorted(set(p.split()))) for p in self.phrasings]
        words: dict[str, list[int]] = {}
        for j, p in enumerate(self.phrasings):
            for w in set(p.split()):
                words.setdefault(w, []).append(j)
        self.phrasing_words = {w: np.asarray(js, dtype=np.intp) for w, js in words.items()}
        self.phrasing_array = np.asarray(self.phrasings, dtype=object)
        # phrasings are in entry order: one max per run of an owner (entries without phrasings keep 0)
        owner = np.asarray(self.owner, dtype=np.intp)
        assert (np.diff(owner) >= 0).all(), "phrasings must be grouped by entry"
        self.fuzzy_entries, self.fuzzy_starts = np.unique(owner, return_index=True)

    def _fuzzy(self, stripped: str):
        """Per entry (a float64 array), the best fuzz.token_set_ratio (0-100) of the question against its phrasings."""
        import numpy as np
        from rapidfuzz import fuzz, process

        n = len(self.keys)
        if not stripped or not self.phrasings:
            return np.zeros(n)
        words = set(stripped.split())
        scores = process.cdist([" ".join(sorted(words))], self.phrasing_sets, scorer=fuzz.ratio, workers=1)[0]
        shared = np.zeros(len(self.phrasings), dtype=bool)
        for w in words:
            js = self.phrasing_words.get(w)
            if js is not None:
                shared[js] = True
        shared_at = np.flatnonzero(shared)
        if len(shared_at):
            scores[shared_at] = process.cdist([stripped], self.phrasing_array[shared_at].tolist(),
                                              scorer=fuzz.token_set_ratio, workers=1)[0]
        fuzzy = np.zeros(n)
        fuzzy[self.fuzzy_entries] = np.maximum.reduceat(scores, self.fuzzy_starts)
        return fuzzy

    def _query_weights(self, tokens: list[str]) -> dict[str, float]:
        weights: dict[str, float] = {}
        for t in tokens:
            if len(t) == 1 and not t.isascii():
                w = UNIGRAM_WEIGHT
            elif len(t) == 2 and not t.isascii() and t not in self.idf:
                w = UNKNOWN_BIGRAM_WEIGHT
            elif any(ch.isdigit() for ch in t):
                w = NUMBER_WEIGHT
            else:
                w = 1.0
                if t not in self.idf and t.isascii() and t.isalpha() and len(t) >= 5:
                    t = self._spelling(t) or t
            weights[t] = max(weights.get(t, 0.0), w)
        return weights

    def _respell(self, text: str) -> str:
        """Misspelt English words replaced before tokenising, so synonym phrases see them ("pre-reveiw")."""

        def fix(m):
            w = m.group()
            if len(w) < 5 or not (w.isascii() and w.isalpha()) or w in EN_STOP or stem(w) in self.idf:
                return w
            return self._spelling(stem(w)) or w

        return WORD.sub(fix, text)

    def _spelling(self, word: str) -> str | None:
        # the same unknown word is looked up by _respell and again by _query_weights: remember the answer
        cache = self.__dict__.setdefault("_spelt", {})
        if word not in cache:
            if len(cache) > 4096:
                cache.clear()
            cache[word] = self._lookup_spelling(word)
        return cache[word]

    def _lookup_spelling(self, word: str) -> str | None:
        from rapidfuzz import fuzz, process

        if self._vocab is None:
            self._vocab = [t for t in self.idf if t.isascii() and t.isalpha() and len(t) >= 4]
        match = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
        if match is None and len(word) >= 6:
            # one swapped, wrong, missing or extra letter ("reveiw", "permitt"): the ratio is too strict for short words
            from rapidfuzz.distance import OSA

            match = process.extractOne(word, self._vocab, scorer=OSA.distance, score_cutoff=1)
        return match[0] if match else None

    def reading(self, text: str) -> str:
        """The text search scores: a question with Russian words read in the engine's English terms
        (bot/russian.py), any other question as it is."""
        from bot.russian import has_cyrillic

        return self.russian.translate(text) if has_cyrillic(text) else text

    def score(self, text: str, cues: str | None = None) -> list[tuple[float, float, float, float]]:
        """(score, bm25, coverage, fuzzy) for every entry, in knowledge-base order; `cues` is the text the
        intent cues are looked for in (the question itself when it is read in other terms)."""
        # city names are the prior, not topic evidence: they would favour whichever text names its city
        stripped = self.tokenizer.strip_cities(normalize(text))
        qw = self._query_weights(self.tokenizer.tokens(self._respell(stripped), normalized=True))
        import numpy as np

        n = len(self.keys)
        bm25 = np.zeros(n)
        covered = np.zeros(n)
        mass = 0.0
        for t, w in qw.items():
            idf = self.idf.get(t, self.idf_unknown)
            mass += w * idf
            posting = self.postings.get(t)
            if posting is not None:  # each entry occurs once per token: plain fancy-index adds are exact
                at, part = posting
                bm25[at] += w * idf * part
                covered[at] += w * idf
        mass = mass or 1.0
        fuzzy = self._fuzzy(stripped)
        bonus = self.intents.bonus(cues or text)
        b = bm25 / (mass * (K1 + 1))
        c = covered / mass
        f = fuzzy / 100.0
        score = W_BM25 * b + W_COVER * c + W_FUZZ * f
        if bonus is not None:
            score = score * np.asarray(bonus)
        return list(zip(score.tolist(), b.tolist(), c.tolist(), f.tolist()))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


@dataclass(frozen=True)
class Confidence:
    """sigmoid(bias + weights . features); answered when it reaches the threshold."""

    bias: float = CONF_BIAS
    weights: tuple = CONF_WEIGHTS
    threshold: float = THRESHOLD

    @classmethod
    def from_data(cls, raw) -> "Confidence":
        if not raw:
            return cls()
        w = raw["weights"]
        return cls(float(raw["bias"]), tuple(float(w.get(name, 0.0)) for name in FEATURES), float(raw["threshold"]))

    def __call__(self, features) -> float:
        return _sigmoid(self.bias + sum(w * x for w, x in zip(self.weights, features)))


def _family(e: Entry) -> str:
    return e.parent or e.article


class Searcher:
    def __init__(self, kb: KnowledgeBase, index: Index | None = None):
        self.kb = kb
        self.index = index or Index(kb)

    def _ranked(self, scored) -> list[tuple[int, Hit]]:
        """Every entry as (position, Hit), best first. The sort is stable, so filtering this list gives the
        same order as sorting the filtered entries: one sort serves the scope, other cities and background."""
        ranked = [(i, Hit(e, *s)) for i, (e, s) in enumerate(zip(self.kb.entries, scored))]
        ranked.sort(key=lambda p: p[1].score, reverse=True)
        return ranked

    def search(self, text: str, city: str | None = None, lang: str | None = None) -> Result:
        lang = lang or detect_lang(text)
        places = self.kb.places
        place = places.other_place(text, city, lang) if places is not None else None
        if place:
            return Result(lang, city, [], None, 0.0, False, other_place=place)
        if places is not None and places.small_talk(text):
            return Result(lang, city, [], None, 0.0, False)
        # a Russian question is scored in the engine's English terms; its cues are looked for in both readings
        query = self.index.reading(text)
        cues = text if query == text else f"{text} {query}"
        gap = next((g for d in self.kb.city_documents(city) if (g := d.gap(text) or (query != text and d.gap(query)))),
                   None) if city else None
        scored = self.index.score(query, cues)
        idx = self.index
        ranked = self._ranked(scored)
        named = self.kb.places.named_city(text, city) if city and self.kb.places is not None else None
        if city:
            hits = [h for i, h in ranked if idx.city[i] == city]
            others = [h for i, h in ranked if (idx.city[i] == named if named else idx.city[i] not in (city, None))]
            background = [h for i, h in ranked if idx.national[i]]
        else:
            hits, others, background = [h for _, h in ranked], [], []
        if not hits:
            return Result(lang, city, [], None, 0.0, False, others[0] if others else None,
                          background[0] if background else None)
        best = self._precise(hits)
        # the confidence is the evidence of the best match, even when the citation moves to the benefit it grants
        top = self._granted(cues, hits, best)
        runner = next((h for h in hits if _family(h.entry) != _family(best.entry) or h.entry.doc_id != best.entry.doc_id), None)
        margin = best.score - (runner.score if runner else 0.0)
        features = (best.score, margin, best.cover, best.fuzzy, best.bm25)
        conf = self.index.confidence
        confidence = conf(features)
        elsewhere = None
        # another city's document covers it: better than ours by a margin (or the question names that city),
        # and a real match on its own, or "今天天气怎么样" would be sent to Hangzhou's procedure
        if (others and (named or others[0].score > OTHER_CITY_RATIO * best.score)
                and self._hit_confidence(others[0]) >= conf.threshold):
            elsewhere = others[0]
            confidence = min(confidence, 0.3)
        bg = None
        if background and background[0].score > best.score and self._hit_confidence(background[0]) >= BACKGROUND_FLOOR:
            bg = background[0]
        if gap is not None:
            confidence = min(confidence, 0.3)
        # another city's document or a declared gap decides on its own, whatever the threshold
        answered = confidence >= conf.threshold and elsewhere is None and gap is None
        suggestions = [h for h in hits[:4] if h is not top and self._hit_confidence(h) >= SUGGEST_FLOOR][:3] if not answered else []
        return Result(lang, city, hits, top, round(confidence, 3), answered, elsewhere, bg, suggestions, gap=gap,
                      features=features)

    def _hit_confidence(self, hit: Hit) -> float:
        """How good one match is on its own (no margin): suggestions and background notes must clear a floor,
        or an unanswerable question lists unrelated articles ("how cold is urumqi" → an A-class item)."""
        return self.index.confidence((hit.score, 0.0, hit.cover, hit.fuzzy, hit.bm25))

    def _granted(self, text: str, hits: list[Hit], top: Hit) -> Hit:
        """For a question about what one gets, the benefit article granted to the best-matching criterion."""
        intents = self.index.intents
        i = self._position.get(top.entry.key)
        if i is None or i not in intents.granted_by or intents.of(text) != "benefit":
            return top
        targets = {self.kb.entries[j].key for j in intents.granted_by[i]}
        return next((h for h in hits if h.entry.key in targets), top)

    @property
    def _position(self) -> dict:
        pos = self.__dict__.get("_pos")
        if pos is None:
            pos = self.__dict__["_pos"] = {e.key: i for i, e in enumerate(self.kb.entries)}
        return pos

    @staticmethod
    def _precise(hits: list[Hit]) -> Hit:
        """The best hit, or one of its items when that item scores close to it (the more precise citation)."""
        top = hits[0]
        if top.entry.parent is None:
            items = [h for h in hits[:12] if h.entry.parent == top.entry.article and h.entry.doc_id == top.entry.doc_id]
            if items and items[0].score >= ITEM_PREFERENCE * top.score:
                return items[0]
        return top


# ---------------------------------------------------------------- cache: load and index once per change


def _cache_key(root) -> str:
    """Changes whenever a knowledge file or the code that builds the index changes."""
    import hashlib
    from pathlib import Path

    from bot import PACKAGE_DIR

    h = hashlib.sha256()
    files = sorted(Path(root).rglob("*.yaml")) + [PACKAGE_DIR / n for n in ("search.py", "textnorm.py", "knowledge.py", "kb_check.py", "intent.py", "places.py", "russian.py")]
    for p in files:
        st = p.stat()
        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def _cache_dir():
    import os
    from pathlib import Path

    base = os.environ.get("TALENTBOT_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "talentbot")
    return Path(base)


def cached_searcher() -> Searcher:
    """The searcher for paths.knowledge_dir(), from a pickle keyed on the files when one is fresh."""
    import pickle

    from bot import paths
    from bot.knowledge import load_knowledge

    root = paths.knowledge_dir()
    path = _cache_dir() / f"index-{_cache_key(root)}.pickle"
    try:
        with path.open("rb") as f:
            kb, index = pickle.load(f)
        return Searcher(kb, index)
    except Exception:  # no cache, or an unreadable one: build it (the cache is only an optimisation)
        pass
    kb = load_knowledge()
    searcher = Searcher(kb)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{__import__('os').getpid()}.tmp")  # atomic replace: concurrent runs never read half a file
        with tmp.open("wb") as f:
            pickle.dump((kb, searcher.index), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass
    return searcher
