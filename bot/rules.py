"""Eligibility rules as data: loads rules/*.yaml, compiles conditions and validates everything once.

rules/facts.yaml is the applicant-fact vocabulary (interfaces section 3) with questions and help;
rules/<city>.yaml holds one city's criteria, blockers, benefits and next steps; rules/national.yaml the
national A-class tests the cities adopt; rules/points.yaml the national points table. Adding a city
means adding a file: nothing here knows a city or an article.

Condition syntax (YAML): `{all: [...]}`, `{any: [...]}`, `{not: c}`, `{met: rule_id}` (a rule of the same
file, `national.<id>`, or `any_criterion`), `true`, a bare fact name (`healthy` = "healthy == true"),
or a comparison string `"fact OP value"` with OP one of == != < <= > >= in (value read as YAML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.conditions import ANY_CRITERION, LIBRARY, OPS, _refs, compile_condition, facts_of  # noqa: F401
from bot.errors import DataError
from bot.paths import knowledge_dir, rules_dir

LANGS = ("zh", "en", "ru")
FACT_TYPES = ("bool", "int", "number", "choice")
NUMERIC_OPS = ("<", "<=", ">", ">=")
KINDS = ("criterion", "benefit", "blocker", "test")
GRANT_KEYS = {"category", "max_permit_years", "relaxed_limits", "age_limit", "services", "processing_days",
              "residence_processing_days", "housing", "materials_waived", "residence_years", "recognition"}

# Article ids of interfaces section 1; knowledge/documents/*.yaml adds to these when present.
INTERFACE_ARTICLES = {
    "hangzhou-onecard": {str(i) for i in range(1, 9)} | {f"5.{i}" for i in range(1, 7)}
    | {f"6.{i}" for i in range(1, 5)} | {f"7.{i}" for i in range(1, 7)},
    "zhoushan-recognition": {str(i) for i in range(1, 29)} | {f"3.{i}" for i in range(1, 7)} | {"notice"},
    "urumqi-facilitation": {str(i) for i in range(1, 21)} | {"preamble", "final"},
}

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    label: dict
    question: dict
    help: dict
    unit: dict | None = None
    min: float | None = None
    max: float | None = None
    choices: tuple = ()  # ((value, {lang: label}), ...)
    calculator: bool = False
    changeable: bool = True  # false: the applicant cannot change it (age) — never suggested as a way in
    against: dict = field(default_factory=dict)  # {"below"|"above": {lang: template}}: a boundary against the applicant

    def choice_label(self, value, lang: str) -> str:
        for v, labels in self.choices:
            if v == value:
                return labels.get(lang) or labels.get("en") or str(v)
        return str(value)


@dataclass(frozen=True)
class Group:
    """A screening question over several yes/no facts (see the groups section of facts.yaml)."""

    id: str
    mode: str  # "any": no = all no; "all": yes = all yes
    members: tuple
    question: dict
    help: dict
    label: dict = field(default_factory=dict)  # a few words naming the question ("change an answer" lists)


@dataclass(frozen=True)
class Rule:
    key: str  # "zhoushan.c9", "national.a1"
    id: str
    kind: str
    doc: str
    article: str
    when: Any  # compiled condition (nested tuples)
    title: dict
    explain: dict | None = None
    grants: dict = field(default_factory=dict)
    # compiled numeric comparison of `when` -> {lang: the document's wording of that boundary}, or None
    # for a comparison that never goes against anyone (the top of the B-class band)
    bounds: dict = field(default_factory=dict)

    @property
    def cite(self) -> dict:
        return {"doc": self.doc, "article": self.article}


@dataclass(frozen=True)
class Step:
    when: Any
    doc: str
    article: str
    text: dict


@dataclass(frozen=True)
class City:
    id: str
    doc: str
    name: dict
    status: dict
    rules: tuple  # of Rule, in file order
    steps: tuple  # of Step

    def of_kind(self, kind: str) -> tuple:
        return tuple(r for r in self.rules if r.kind == kind)


@dataclass
class RuleSet:
    facts: dict  # name -> Fact, in file order
    cities: dict  # id -> City
    rules: dict  # qualified key -> Rule (cities and the national library)
    points: dict  # the raw points table
    groups: dict = field(default_factory=dict)  # id -> Group

    def summary(self) -> str:
        n = sum(len(c.rules) for c in self.cities.values())
        return f"{len(self.cities)} cities, {n} rules, {len(self.facts)} facts"


# ---------------------------------------------------------------- loading

def _read(path: Path, problems: list[str]) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}: cannot read: {exc}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name}: expected a mapping at the top")
        return {}
    return data


def _texts(value, where: str, problems: list[str], required=LANGS) -> dict:
    if not isinstance(value, dict):
        problems.append(f"{where}: expected texts in {', '.join(required)}")
        return {}
    for lang in required:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            problems.append(f"{where}: missing {lang} text")
    return {k: str(v) for k, v in value.items()}


def _load_groups(path: Path, facts: dict, problems: list[str]) -> dict:
    groups = {}
    for gid, spec in (_read(path, []).get("groups") or {}).items():
        where = f"{path.name}: group {gid}"
        if gid in facts:
            problems.append(f"{where}: the id is also a fact name")
        if spec.get("mode") not in ("any", "all"):
            problems.append(f"{where}: mode must be any or all")
        members = tuple(spec.get("members") or ())
        for m in members:
            if m not in facts or facts[m].type != "bool":
                problems.append(f"{where}: members: {m!r} is not a yes/no fact")
        groups[gid] = Group(gid, spec.get("mode"), members, _texts(spec.get("question"), f"{where}: question", problems),
                            _texts(spec.get("help"), f"{where}: help", problems),
                            _texts(spec.get("label"), f"{where}: label", problems))
    return groups


def _against(raw, where: str, problems: list[str]) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"below", "above"}:
        problems.append(f"{where}: against: expected below and/or above texts")
        return {}
    return {k: _texts(v, f"{where}: against.{k}", problems) for k, v in raw.items()}


def _bounds(raw, when, facts: dict, where: str, problems: list[str], scope: str, local_ids: set) -> dict:
    """The rule's `bounds`: one wording per numeric comparison of its own `when`, every one of them present."""
    own = {leaf for leaf in _leaves(when) if leaf[2] in NUMERIC_OPS}
    if raw is not None and not isinstance(raw, dict):
        problems.append(f"{where}: bounds: expected a mapping of comparison -> texts")
        raw = {}
    out = {}
    for key, texts in (raw or {}).items():
        leaf = compile_condition(str(key), facts, f"{where}: bounds", problems, scope, local_ids)
        if leaf not in own:
            problems.append(f"{where}: bounds: {key!r} is not a numeric comparison of this rule's when")
            continue
        out[leaf] = None if texts is None else _texts(texts, f"{where}: bounds.{key}", problems)
    for leaf in own - set(out):
        problems.append(f"{where}: bounds: no wording for \"{leaf[1]} {leaf[2]} {leaf[3]}\" "
                        "(say how the document puts that boundary, in zh, en and ru)")
    return out


def _leaves(cond):
    if cond[0] == "cmp":
        yield cond
    elif cond[0] in ("all", "any"):
        for c in cond[1]:
            yield from _leaves(c)
    elif cond[0] == "not":
        yield from _leaves(cond[1])


def _load_facts(path: Path, problems: list[str]) -> dict:
    data = _read(path, problems).get("facts")
    if not isinstance(data, dict):
        problems.append(f"{path.name}: no `facts` mapping")
        return {}
    facts = {}
    for name, spec in data.items():
        where = f"{path.name}: fact {name}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        ftype = spec.get("type")
        if ftype not in FACT_TYPES:
            problems.append(f"{where}: type: {ftype!r} is not one of {', '.join(FACT_TYPES)}")
            continue
        choices = []
        if ftype == "choice":
            for i, c in enumerate(spec.get("choices") or []):
                if not isinstance(c, dict) or "value" not in c:
                    problems.append(f"{where}: choices[{i}]: needs a value")
                    continue
                choices.append((c["value"], _texts({k: v for k, v in c.items() if k != "value"},
                                                   f"{where}: choices[{i}]", problems)))
            if not choices:
                problems.append(f"{where}: choices: a choice fact needs choices")
        lo, hi = spec.get("min"), spec.get("max")
        if ftype in ("int", "number"):
            if not isinstance(lo, (int, float)) or not isinstance(hi, (int, float)) or lo > hi:
                problems.append(f"{where}: min/max: numbers need bounds with min <= max")
            _texts(spec.get("unit"), f"{where}: unit", problems)
        facts[name] = Fact(
            name=name, type=ftype, label=_texts(spec.get("label"), f"{where}: label", problems),
            question=_texts(spec.get("question"), f"{where}: question", problems),
            help=_texts(spec.get("help"), f"{where}: help", problems),
            unit=spec.get("unit"), min=lo, max=hi, choices=tuple(choices),
            calculator=bool(spec.get("calculator")), changeable=spec.get("changeable", True) is not False,
            against=_against(spec.get("against"), where, problems))
    return facts


def _known_articles() -> dict:
    known = {doc: set(ids) for doc, ids in INTERFACE_ARTICLES.items()}
    folder = knowledge_dir() / "documents"
    for path in sorted(folder.glob("*.yaml")) if folder.exists() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue  # the knowledge checker reports its own files
        if isinstance(data, dict) and data.get("id"):
            known.setdefault(str(data["id"]), set()).update(
                str(e.get("article")) for e in data.get("entries") or [] if isinstance(e, dict))
    return known


def _load_file(path: Path, facts: dict, known: dict, problems: list[str], library: dict | None):
    data = _read(path, problems)
    scope = path.stem
    doc = data.get("doc")
    if doc not in known:
        problems.append(f"{path.name}: doc: unknown document {doc!r}")
    raw_rules = data.get("rules") or []
    local_ids = {r.get("id") for r in raw_rules if isinstance(r, dict)}
    rules = []
    for i, r in enumerate(raw_rules):
        rid = r.get("id") if isinstance(r, dict) else None
        where = f"{path.name}: rule {rid or '#' + str(i)}"
        if not rid or not _NAME.match(str(rid)):
            problems.append(f"{where}: id: missing or not a plain name")
            continue
        kind = r.get("kind")
        if kind not in KINDS or (library is None) == (kind == "test"):
            problems.append(f"{where}: kind: {kind!r} (use criterion, benefit or blocker; test in {LIBRARY}.yaml)")
        article = str(r.get("cite", ""))
        if doc in known and article not in known[doc]:
            problems.append(f"{where}: cite: unknown article {article!r} of {doc}")
        grants = r.get("grants") or {}
        for key in set(grants) - GRANT_KEYS:
            problems.append(f"{where}: grants: unknown key {key!r}")
        if "max_permit_years" in grants and not isinstance(grants["max_permit_years"], int):
            problems.append(f"{where}: grants: max_permit_years must be a whole number")
        explain = r.get("explain")
        when = compile_condition(r.get("when"), facts, f"{where}: when", problems, scope, local_ids)
        rules.append(Rule(
            key=f"{scope}.{rid}", id=rid, kind=kind, doc=doc, article=article, when=when,
            bounds=_bounds(r.get("bounds"), when, facts, where, problems, scope, local_ids),
            title=_texts(r.get("title"), f"{where}: title", problems),
            explain=_texts(explain, f"{where}: explain", problems) if explain is not None else None,
            grants=dict(grants)))
    return data, doc, scope, rules, local_ids


def _check_refs(rules: dict, problems: list[str]) -> None:
    for rule in rules.values():
        for ref in _refs(rule.when):
            if ref not in rules:
                problems.append(f"{rule.key.split('.')[0]}.yaml: rule {rule.id}: reference to unknown rule {ref!r}")


def _build(problems: list[str]) -> RuleSet:
    folder = rules_dir()
    if not (folder / "facts.yaml").exists():
        raise DataError([f"{folder}: no facts.yaml"])
    facts = _load_facts(folder / "facts.yaml", problems)
    known = _known_articles()
    all_rules: dict = {}
    if (folder / f"{LIBRARY}.yaml").exists():
        _, _, _, lib, _ = _load_file(folder / f"{LIBRARY}.yaml", facts, known, problems, library={})
        all_rules.update((r.key, r) for r in lib)
    cities = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.stem in ("facts", "points", LIBRARY):
            continue
        data, doc, scope, rules, local_ids = _load_file(path, facts, known, problems, library=None)
        if data.get("city") != scope:
            problems.append(f"{path.name}: city: must be {scope!r} (the file name)")
        steps = []
        for i, s in enumerate(data.get("steps") or []):
            where = f"{path.name}: steps[{i}]"
            article = str(s.get("cite", ""))
            if doc in known and article not in known[doc]:
                problems.append(f"{where}: cite: unknown article {article!r} of {doc}")
            steps.append(Step(compile_condition(s.get("when", True), facts, f"{where}: when", problems, scope, local_ids),
                              doc, article, _texts(s.get("text"), f"{where}: text", problems)))
        status = data.get("status") or {}
        if status.get("kind") not in ("draft", "in_force", "expires"):
            problems.append(f"{path.name}: status: kind must be draft, in_force or expires")
        cities[scope] = City(scope, doc, _texts(data.get("name"), f"{path.name}: name", problems),
                             status, tuple(rules), tuple(steps))
        all_rules.update((r.key, r) for r in rules)
    if not cities:
        problems.append(f"{folder}: no city rules files")
    _check_refs(all_rules, problems)
    points = _read(folder / "points.yaml", problems) if (folder / "points.yaml").exists() else {}
    for i, f in enumerate(points.get("factors") or []):
        if f.get("fact") not in facts:
            problems.append(f"points.yaml: factors[{i}] {f.get('id')}: unknown fact {f.get('fact')!r}")
    groups = _load_groups(folder / "facts.yaml", facts, problems)
    return RuleSet(facts, cities, all_rules, points, groups)


def _check_templates(rs: RuleSet, problems: list[str]) -> None:
    """Render every explanation with a sample profile, so a broken template fails `kb check`, not a user."""
    from bot.render import render_string

    sample = {}
    for f in rs.facts.values():
        if f.type == "bool":
            sample[f.name] = True
        elif f.type == "choice":
            sample[f.name] = f.choices[0][0] if f.choices else None
        else:
            sample[f.name] = f.min if f.min and f.min > 0 else (1 if f.type == "int" else 1.0)
    for fact in rs.facts.values():
        for side, texts in fact.against.items():
            for lang, source in texts.items():
                try:
                    render_string(source, lang, need="x", value=1)
                except Exception as exc:
                    problems.append(f"facts.yaml: fact {fact.name}: against.{side}.{lang}: template fails: {exc}")
    for rule in rs.rules.values():
        for lang, source in (rule.explain or {}).items():
            try:
                render_string(source, lang, **sample)
            except Exception as exc:  # any Jinja failure is a data defect
                problems.append(f"{rule.key.split('.')[0]}.yaml: rule {rule.id}: explain.{lang}: template fails: {exc}")


def check() -> list[str]:
    """Every defect in rules/, each naming file, rule and field; [] when all is well."""
    problems: list[str] = []
    try:
        rs = _build(problems)
    except DataError as exc:
        return list(exc.problems)
    if not problems:
        _check_templates(rs, problems)
    return problems


@lru_cache(maxsize=8)
def _load(folder: str) -> RuleSet:
    problems: list[str] = []
    rs = _build(problems)
    if not problems:
        _check_templates(rs, problems)
    if problems:
        raise DataError(problems)
    return rs


def load_rules() -> RuleSet:
    """The validated rules (cached per rules folder); raises DataError naming every defect."""
    return _load(str(rules_dir()))
