"""The knowledge base: knowledge/documents/*.yaml, topics.yaml, synonyms.yaml and places.yaml as typed, frozen objects.

`load_knowledge()` reads and validates the files once per process (cached) and raises DataError on a
broken knowledge base; `check()` runs the full validation of kb_check.py (schema, languages, article ids
of interfaces section 1, source text, spam, template rendering) and returns every problem found.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot import paths
from bot.cities import CITIES
from bot.errors import DataError

LANGS = ("zh", "en")


def _yaml_load(path: Path):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


@dataclass(frozen=True, eq=False)
class Entry:
    """One article or item of a document, with the phrasings and keywords search matches against."""

    doc_id: str
    article: str
    parent: str | None
    label: dict
    heading: dict
    text: dict
    answer: dict
    topics: tuple[str, ...]
    questions: dict  # lang -> tuple of phrasings
    keywords: dict  # lang -> tuple of terms

    @property
    def key(self) -> tuple[str, str]:
        return (self.doc_id, self.article)

    @property
    def id(self) -> str:
        return f"{self.doc_id}:{self.article}"

    def citation(self) -> dict:
        return {"doc": self.doc_id, "article": self.article}


@dataclass(frozen=True, eq=False)
class Document:
    id: str
    city: str | None
    kind: str
    source_file: str | None
    title: dict
    short_title: dict
    issuer: dict
    number: str | None
    issued: _dt.date | None
    effective: _dt.date | None
    valid_until: _dt.date | None
    draft: bool
    trial: bool
    status_note: dict
    entries: tuple[Entry, ...]
    path: Path
    not_covered: tuple["NotCovered", ...] = ()

    def gap(self, text: str) -> "NotCovered | None":
        """The declared gap of this document that the question asks about, if any."""
        return next((g for g in self.not_covered if g.matches(text)), None)

    def status(self, today: _dt.date | None = None) -> str:
        """draft / not_yet_in_force / lapsed / in_force, computed against `today`."""
        today = today or _dt.date.today()
        if self.draft:
            return "draft"
        if self.effective and today < self.effective:
            return "not_yet_in_force"
        if self.valid_until and today > self.valid_until:
            return "lapsed"
        return "in_force"


@dataclass(frozen=True, eq=False)
class NotCovered:
    """Something a document does not say (no interpreting authority, no hotline number): kept out of
    the searchable fields, so it never makes an entry look like an answer, and shown when a question asks it."""

    topics: tuple[str, ...]  # terms that name the topic: Chinese as substrings, English as word starts
    text: dict  # lang -> the sentence to show

    def matches(self, text: str) -> bool:
        import re

        from bot.textnorm import HAN, normalize

        pattern = self.__dict__.get("_pattern")
        if pattern is None:
            parts = [re.escape(t) if HAN.search(t) else rf"(?<![a-z]){re.escape(t)}"
                     for t in sorted({normalize(x) for x in self.topics}, key=len, reverse=True) if t]
            pattern = re.compile("|".join(parts)) if parts else re.compile(r"(?!)")
            object.__setattr__(self, "_pattern", pattern)
        return bool(pattern.search(normalize(text)))


@dataclass(frozen=True, eq=False)
class Topic:
    id: str
    labels: dict  # lang -> label


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    documents: dict  # doc id -> Document
    topics: dict  # topic id -> Topic
    synonyms: tuple[tuple[str, ...], ...]
    entries: tuple[Entry, ...] = field(default=())
    places: object = None  # bot.places.Places, from places.yaml

    def entry(self, doc_id: str, article: str) -> Entry | None:
        return self._by_key.get((doc_id, str(article)))

    def document(self, doc_id: str) -> Document | None:
        return self.documents.get(doc_id)

    def for_city(self, city: str | None) -> list[Entry]:
        return [e for e in self.entries if self.documents[e.doc_id].city == city]

    def for_topic(self, topic: str, city: str | None = None) -> list[Entry]:
        return [e for e in self.entries if topic in e.topics and (city is None or self.documents[e.doc_id].city == city)]

    def city_documents(self, city: str) -> list[Document]:
        return [d for d in self.documents.values() if d.city == city]

    @property
    def _by_key(self) -> dict:
        cache = self.__dict__.get("_key_cache")
        if cache is None:
            cache = {e.key: e for e in self.entries}
            object.__setattr__(self, "_key_cache", cache)
        return cache

    def summary(self) -> str:
        return f"{len(self.documents)} documents, {len(self.entries)} entries"


# ---------------------------------------------------------------- building from raw YAML


def _lang_map(value) -> dict:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _date(value) -> _dt.date | None:
    if value is None or isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value))


def _entry(doc_id: str, raw: dict) -> Entry:
    return Entry(
        doc_id=doc_id,
        article=str(raw["article"]),
        parent=str(raw["parent"]) if raw.get("parent") is not None else None,
        label=_lang_map(raw.get("label")),
        heading=_lang_map(raw.get("heading")),
        text=_lang_map(raw.get("text")),
        answer=_lang_map(raw.get("answer")),
        topics=tuple(str(t) for t in raw.get("topics") or ()),
        questions={k: tuple(str(x) for x in v or ()) for k, v in (raw.get("questions") or {}).items()},
        keywords={k: tuple(str(x) for x in v or ()) for k, v in (raw.get("keywords") or {}).items()},
    )


def _document(raw: dict, path: Path) -> Document:
    doc_id = str(raw["id"])
    return Document(
        id=doc_id,
        city=raw.get("city"),
        kind=str(raw.get("kind") or "local"),
        source_file=raw.get("source_file"),
        title=_lang_map(raw.get("title")),
        short_title=_lang_map(raw.get("short_title")),
        issuer=_lang_map(raw.get("issuer")),
        number=raw.get("number"),
        issued=_date(raw.get("issued")),
        effective=_date(raw.get("effective")),
        valid_until=_date(raw.get("valid_until")),
        draft=bool(raw.get("draft")),
        trial=bool(raw.get("trial")),
        status_note=_lang_map(raw.get("status_note")),
        entries=tuple(_entry(doc_id, e) for e in raw.get("entries") or ()),
        path=path,
        not_covered=tuple(NotCovered(tuple(str(t) for t in g.get("topics") or ()), _lang_map(g))
                          for g in raw.get("not_covered") or () if isinstance(g, dict)),
    )


def read_raw(root: Path | None = None) -> tuple[dict, object, object, list[str]]:
    """Parse every file: ({path: data}, topics data, synonyms data, parse problems)."""
    root = root or paths.knowledge_dir()
    problems: list[str] = []
    docs: dict[Path, object] = {}

    def parse(path: Path):
        try:
            return _yaml_load(path)
        except Exception as exc:  # yaml.YAMLError or a decoding error: name the file and where
            problems.append(f"{_rel(path)}: not valid YAML: {str(exc).splitlines()[0]}")
            return None

    for path in sorted((root / "documents").glob("*.yaml")):
        docs[path] = parse(path)
    topics = parse(root / "topics.yaml") if (root / "topics.yaml").exists() else None
    if topics is None and not (root / "topics.yaml").exists():
        problems.append(f"{_rel(root / 'topics.yaml')}: missing")
    synonyms = parse(root / "synonyms.yaml") if (root / "synonyms.yaml").exists() else {"groups": []}
    return docs, topics, synonyms, problems


_rel = paths.shown


def read_yaml(name: str, root: Path | None = None):
    """A small data file under the knowledge folder (None when absent)."""
    path = (root or paths.knowledge_dir()) / name
    return _yaml_load(path) if path.exists() else None


def read_places(root: Path | None = None):
    """places.yaml as bot.places.Places (empty when the file is absent)."""
    from bot.places import Places

    path = (root or paths.knowledge_dir()) / "places.yaml"
    return Places.from_raw(_yaml_load(path) if path.exists() else None)


def build(docs_raw: dict, topics_raw, synonyms_raw, places=None) -> KnowledgeBase:
    topics = {}
    for t in (topics_raw or {}).get("topics") or ():
        topics[str(t["id"])] = Topic(str(t["id"]), {k: str(v) for k, v in t.items() if k != "id"})
    documents = {}
    for path, raw in docs_raw.items():
        doc = _document(raw, path)
        documents[doc.id] = doc
    groups = tuple(tuple(str(x) for x in g) for g in (synonyms_raw or {}).get("groups") or ())
    entries = tuple(e for d in documents.values() for e in d.entries)
    return KnowledgeBase(documents=documents, topics=topics, synonyms=groups, entries=entries, places=places)


@lru_cache(maxsize=4)
def _load(root: str) -> KnowledgeBase:
    from bot.kb_check import blocking, structural_problems

    docs, topics, synonyms, problems = read_raw(Path(root))
    problems += blocking(structural_problems(docs, topics, synonyms))
    if problems:
        raise DataError(problems)
    try:
        places = read_places(Path(root))
    except Exception as exc:  # a broken places file must name itself, like the other knowledge files
        raise DataError([f"knowledge/places.yaml: {str(exc).splitlines()[0]}"]) from exc
    return build(docs, topics, synonyms, places)


def load_knowledge() -> KnowledgeBase:
    """The knowledge base under paths.knowledge_dir(), loaded once per process; DataError when broken."""
    return _load(str(paths.knowledge_dir()))


def check() -> list[str]:
    """Every problem of the knowledge base, each naming file, entry and field (empty when all is well)."""
    from bot.kb_check import full_check

    return full_check(paths.knowledge_dir())
