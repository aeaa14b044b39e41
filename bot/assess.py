"""Assess an applicant profile against one city's rules (interfaces section 2, `talentbot assess`).

`assess(city, profile)` validates the profile against rules/facts.yaml, evaluates every rule with
three-valued logic (an absent fact is unknown, never false), and returns an Assessment whose
`to_json()` is exactly the contract's JSON plus extra fields. `open_facts` ranks the facts still
worth asking — the assessment's `missing_facts` and the wizard's next question.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field

from bot.errors import UserError
from bot.i18n import N_
from bot.logic import Evaluator
from bot.rules import City, Rule, RuleSet, load_rules

KIND_WEIGHT = {"criterion": 3.0, "blocker": 2.0, "benefit": 1.0}


@dataclass
class Assessment:
    city: str
    recognized: bool
    criteria: list
    benefits: list
    blocked_by: list
    max_permit_years: int | None
    missing_facts: list
    summary: str = ""
    category: str | None = None
    next_steps: list = field(default_factory=list)
    nearest_miss: dict | None = None
    statuses: dict = field(default_factory=dict)
    document_status: dict = field(default_factory=dict)
    lang: str = "en"

    def to_json(self) -> dict:
        return asdict(self)

    def result_key(self) -> tuple:
        """What a user is told: compared by the wizard simulation against assessing at once."""
        ids = lambda items: tuple(sorted(c["article"] for c in items))  # noqa: E731
        return (self.recognized, ids(self.criteria), ids(self.benefits), self.max_permit_years)


def city_rules(city: str, rs: RuleSet | None = None) -> City:
    rs = rs or load_rules()
    if city not in rs.cities:
        raise UserError(N_("Unknown city %(city)s: choose one of %(cities)s."), city=city, cities=", ".join(rs.cities))
    return rs.cities[city]


def validate_profile(profile, rs: RuleSet | None = None) -> dict:
    """A clean copy of `profile`; UserError naming the fact on an unknown name or a wrong type.

    Types are strict JSON: true/false for yes/no facts, whole numbers for int facts, numbers for
    number facts, one of the listed values for choices. null means unknown (the same as absent).
    """
    rs = rs or load_rules()
    if not isinstance(profile, dict):
        raise UserError(N_("The profile must be a JSON object of applicant facts."))
    clean = {}
    for name, value in profile.items():
        fact = rs.facts.get(name)
        if fact is None:
            raise UserError(N_("Unknown fact %(fact)s."), fact=name)
        if value is None:
            continue
        if fact.type == "bool":
            if not isinstance(value, bool):
                raise UserError(N_("The fact %(fact)s needs true or false, not %(value)s."), fact=name, value=repr(value))
        elif fact.type in ("int", "number"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UserError(N_("The fact %(fact)s needs a number, not %(value)s."), fact=name, value=repr(value))
            if fact.type == "int":
                if isinstance(value, float) and not value.is_integer():
                    raise UserError(N_("The fact %(fact)s needs a whole number, not %(value)s."), fact=name, value=repr(value))
                value = int(value)
            if not fact.min <= value <= fact.max:
                raise UserError(N_("The fact %(fact)s must be between %(min)s and %(max)s."), fact=name,
                                min=fact.min, max=fact.max)
        elif value not in [v for v, _ in fact.choices]:
            raise UserError(N_("The fact %(fact)s must be one of %(choices)s."), fact=name,
                            choices=", ".join(str(v) for v, _ in fact.choices))
        clean[name] = value
    return clean


def _cites(rules) -> list:
    out, seen = [], set()
    for r in rules:
        if (r.doc, r.article) not in seen:
            seen.add((r.doc, r.article))
            out.append(r.cite)
    return out


def evaluate(city: City, facts: dict, rs: RuleSet, fixed=frozenset()) -> dict:
    """Every rule's status and the outcome; shared by assess() and the wizard."""
    ev = Evaluator(rs, city, facts, fixed)
    status = {r.id: ev.rule(r.key) for r in city.rules}
    met = lambda kind: [r for r in city.of_kind(kind) if status[r.id] is True]  # noqa: E731
    criteria, blockers = met("criterion"), met("blocker")
    blocked = bool(blockers)
    benefits = [] if blocked else met("benefit")
    granted = [] if blocked else criteria + benefits
    years = [r.grants["max_permit_years"] for r in granted if "max_permit_years" in r.grants]
    cats = {r.grants.get("category") for r in granted}
    return {"ev": ev, "status": status, "criteria": criteria, "blockers": blockers, "benefits": benefits,
            "recognized": bool(criteria) and not blocked, "max_permit_years": max(years) if years else None,
            "category": "A" if "A" in cats else "B" if "B" in cats else None}


def open_facts(city: City, out: dict, rs: RuleSet) -> list[str]:
    """Facts whose answer could still change recognized, criteria or benefits, best question first."""
    score = fact_scores(city, out)
    order = {name: i for i, name in enumerate(rs.facts)}
    return sorted(score, key=lambda f: (-score[f], order[f]))


def fact_scores(city: City, out: dict) -> dict[str, float]:
    """How much each open fact can still change the result.

    A rule matters while it is not yet met and can still become met; its open facts share its weight,
    so a fact that alone settles a criterion outranks one of four conditions of another.
    """
    ev: Evaluator = out["ev"]
    status = out["status"]
    if out["blockers"]:
        targets = [r for r in city.of_kind("criterion") if status[r.id] is not True]
    else:
        targets = [r for r in city.rules if r.kind in ("criterion", "benefit") and status[r.id] is not True]
        possible = lambda r: status[r.id] is True or ev.reach(r.when)[0]  # noqa: E731
        if any(possible(r) for r in city.rules if r.kind in ("criterion", "benefit")):
            targets += [r for r in city.of_kind("blocker")]
    score: dict[str, float] = {}
    for r in targets:
        if not ev.reach(r.when)[0]:
            continue
        facts = ev.push(r.when, True)
        for f in facts:
            score[f] = score.get(f, 0.0) + KIND_WEIGHT[r.kind] / len(facts)
    return score


def document_status(city: City, today: _dt.date) -> dict:
    st = city.status
    valid_until = st.get("valid_until")
    if isinstance(valid_until, str):
        valid_until = _dt.date.fromisoformat(valid_until)
    expired = bool(valid_until and today > valid_until)
    return {"kind": st.get("kind"), "effective": str(st["effective"]) if st.get("effective") else None,
            "valid_until": str(valid_until) if valid_until else None, "expired": expired,
            "draft": st.get("kind") == "draft", "as_of": str(today)}


def assess(city: str, profile: dict, lang: str = "en", today: _dt.date | None = None, *,
           with_summary: bool = True, fixed=frozenset()) -> Assessment:
    """The assessment of `profile` against `city`'s rules; raises UserError on a bad profile or city."""
    from bot import i18n

    rs = load_rules()
    c = city_rules(city, rs)
    facts = validate_profile(profile, rs)
    lang = i18n.normalize(lang) or i18n.DEFAULT
    today = today or _dt.date.today()
    out = evaluate(c, facts, rs, fixed)
    a = Assessment(
        city=city, recognized=out["recognized"], criteria=_cites(out["criteria"]), benefits=_cites(out["benefits"]),
        blocked_by=_cites(out["blockers"]), max_permit_years=out["max_permit_years"],
        missing_facts=open_facts(c, out, rs), category=out["category"],
        statuses={k: v for k, v in out["status"].items()}, document_status=document_status(c, today), lang=lang)
    if with_summary:
        from bot.explain import explain

        explain(a, c, facts, out, rs)
    return a


def assess_rules(city: str) -> list[Rule]:
    return list(city_rules(city).rules)
