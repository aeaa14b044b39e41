"""The national work-permit points calculator (积分要素计分赋值表, 2017), table in rules/points.yaml.

`calculate(facts)` scores the factors it can: each factor's points, its maximum, and whether the
reference marks it uncertain. A factor whose fact is unknown scores 0 and is listed in `unknown`, so
the total is then a lower bound. The category the total gives: A at 85 or more, B at 60 or more;
below 60 is no category at all (C has its own criteria, it is not "under 60 points").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.rules import RuleSet, load_rules


@dataclass
class Factor:
    id: str
    fact: str
    value: object
    points: int
    max: int
    cite: dict
    uncertain: dict | None = None


@dataclass
class PointsResult:
    total: int
    factors: list = field(default_factory=list)
    unknown: list = field(default_factory=list)  # facts not answered: the total is a lower bound
    category: str | None = None  # "A", "B" or None (no category from points alone)
    maximum: int = 0

    @property
    def complete(self) -> bool:
        return not self.unknown

    def to_json(self) -> dict:
        return asdict(self) | {"complete": self.complete}


def factor_points(spec: dict, value) -> int:
    if value is None:
        return 0
    if "values" in spec:
        table = {str(k).lower(): v for k, v in spec["values"].items()}
        return int(table.get(str(value).lower(), 0))
    formula = spec.get("formula")
    if formula == "experience":
        years = int(value)  # whole years only: partial years are not defined by the table
        return 0 if years < 2 else min(spec["max"], 5 + (years - 2))
    if formula == "value":
        return max(0, min(spec["max"], int(value)))
    for tier in spec["tiers"]:
        if value >= tier["min"]:
            return int(tier["points"])
    return 0


def calculate(facts: dict, rs: RuleSet | None = None) -> PointsResult:
    rs = rs or load_rules()
    table = rs.points
    doc = table.get("doc")
    result = PointsResult(total=0)
    for spec in table.get("factors") or []:
        value = facts.get(spec["fact"])
        pts = factor_points(spec, value)
        if value is None:
            result.unknown.append(spec["fact"])
        result.factors.append(Factor(spec["id"], spec["fact"], value, pts, spec["max"],
                                     {"doc": doc, "article": spec["cite"]}, spec.get("uncertain")))
        result.total += pts
        result.maximum += spec["max"]
    th = table.get("thresholds") or {"A": 85, "B": 60}
    result.category = "A" if result.total >= th["A"] else "B" if result.total >= th["B"] else None
    return result


def calculator_facts(rs: RuleSet | None = None) -> list[str]:
    """The facts the calculator asks, in table order (age is shared with the eligibility rules)."""
    rs = rs or load_rules()
    return [spec["fact"] for spec in rs.points.get("factors") or []]


def breakdown_text(result: PointsResult, lang: str, rs: RuleSet | None = None) -> str:
    """Plain text, one factor a line, for the wizard and the terminal."""
    from bot.render import render, to_plain

    rs = rs or load_rules()
    rows = []
    for f in result.factors:
        fact = rs.facts[f.fact]
        shown = "—" if f.value is None else (fact.choice_label(f.value, lang) if fact.type == "choice" else f.value)
        if fact.type == "bool" and f.value is not None:
            shown = "✓" if f.value else "✗"
        rows.append({"label": fact.label.get(lang) or fact.label["en"], "value": shown, "points": f.points,
                     "max": f.max, "uncertain": (f.uncertain or {}).get(lang) or (f.uncertain or {}).get("en")})
    return to_plain(render("points_breakdown.html", lang, rows=rows, total=result.total, maximum=result.maximum,
                           category=result.category, unknown=len(result.unknown)))
