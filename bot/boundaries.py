"""Boundaries that go against the applicant: "Zhoushan 第九条 needs 40 or under; at 41 you are over it."

Generic over rules/*.yaml: a criterion or benefit that is not met, where the known numeric comparisons
that fail are what keeps it from applying (with them met, the rule would apply, or would still be open
on facts not yet given), and a blocker that applies because of a numeric comparison. The wording of each
boundary is data (`bounds` on the rule that holds the comparison); the sentence around it is the fact's
`against` text in rules/facts.yaml, else a catalog message. Nothing here knows a city or an article.
"""

from __future__ import annotations

import operator

from bot import i18n
from bot.rules import NUMERIC_OPS, City, RuleSet

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge, "in": lambda a, b: a in b}


def _value(rs: RuleSet, ev, cond, forced: dict):
    """Three-valued value of `cond` with some numeric comparisons forced to a value ("what if").

    References to other city rules keep their real value: a criterion's own boundary is told with that
    criterion, not again with every benefit that builds on it. National tests are looked into, since
    they are only ever reported through the city article that adopts them.
    """
    tag = cond[0]
    if tag == "cmp":
        if cond in forced:
            return forced[cond]
        v = ev.facts.get(cond[1])
        return None if v is None else _OPS[cond[2]](v, cond[3])
    if tag in ("all", "any"):
        vals = [_value(rs, ev, c, forced) for c in cond[1]]
        stop = tag == "any"  # any: True decides; all: False decides
        if stop in vals:
            return stop
        return None if None in vals else not stop
    if tag == "not":
        v = _value(rs, ev, cond[1], forced)
        return None if v is None else not v
    if tag == "met" and rs.rules[cond[1]].kind == "test":
        return _value(rs, ev, rs.rules[cond[1]].when, forced)
    return ev.value(cond)


def _numeric(rs: RuleSet, ev, cond, owner, want: bool, out: list) -> None:
    """Known numeric comparisons in `cond` whose value is `want`, each with the rule that words it."""
    tag = cond[0]
    if tag == "cmp":
        if cond[2] in NUMERIC_OPS and ev.facts.get(cond[1]) is not None and _OPS[cond[2]](ev.facts[cond[1]], cond[3]) is want:
            out.append((cond, owner))
    elif tag in ("all", "any"):
        for c in cond[1]:
            _numeric(rs, ev, c, owner, want, out)
    elif tag == "met" and rs.rules[cond[1]].kind == "test":
        target = rs.rules[cond[1]]
        _numeric(rs, ev, target.when, target, want, out)


def _deciding(rs: RuleSet, ev, rule, status) -> list:
    """The comparisons that decide `rule` against the applicant, fewest first; [] when none do."""
    blocker = rule.kind == "blocker"
    if blocker != (status is True):
        return []
    found: list = []
    _numeric(rs, ev, rule.when, rule, blocker, found)
    if not found:
        return []

    def turned(items) -> bool:
        v = _value(rs, ev, rule.when, {leaf: not blocker for leaf, _o in items})
        if blocker:
            return v is not True
        return v is True if status is None else v is not False

    if not turned(found):
        return []
    if status is False and all(not rs.facts[leaf[1]].changeable for leaf, _o in found) and not _any_met(rs, ev, rule.when):
        return []  # "at 71 you are over 40" says nothing to someone who meets no other part of that rule
    for item in list(found):  # keep only the comparisons needed to turn it
        rest = [x for x in found if x is not item]
        if rest and turned(rest):
            found = rest
    if any(owner.bounds.get(leaf) is None for leaf, owner in found):
        return []  # a comparison the data says is never against anyone (e.g. the top of the B band)
    return found


def _any_met(rs: RuleSet, ev, cond) -> bool:
    """Some other condition of `cond` (not a numeric comparison) is known to be met."""
    tag = cond[0]
    if tag == "cmp":
        return cond[2] not in NUMERIC_OPS and ev.value(cond) is True
    if tag in ("all", "any"):
        return any(_any_met(rs, ev, c) for c in cond[1])
    if tag == "met" and rs.rules[cond[1]].kind == "test":
        return _any_met(rs, ev, rs.rules[cond[1]].when)
    return tag == "met" and ev.value(cond) is True


def shown_value(rs: RuleSet, name: str, value, lang: str) -> str:
    fact = rs.facts[name]
    if fact.max is not None and fact.max <= 1:  # a share: 0.19 -> 19%
        return f"{i18n.format_number(round(value * 100, 1), lang)}%"
    number = i18n.format_number(value, lang)
    unit = (fact.unit or {}).get(lang) or (fact.unit or {}).get("en") or ""
    if not unit or unit.startswith(("(", "（")):
        return number
    return f"{number}{unit}" if lang == "zh" or unit == "%" else f"{number} {unit}"


def against_items(rs: RuleSet, city: City, out: dict, lang: str) -> dict:
    """rule id -> the sentences of the boundaries that decide it against the applicant."""
    ev = out["ev"]
    items = {}
    for rule in city.rules:
        if rule.kind not in ("criterion", "benefit", "blocker"):
            continue
        found = _deciding(rs, ev, rule, out["status"][rule.id])
        if found:
            items[rule.id] = [_sentence(rs, leaf, owner, lang, rule.kind == "blocker", ev.facts[leaf[1]])
                              for leaf, owner in found]
    return items


def _sentence(rs: RuleSet, leaf, owner, lang: str, blocker: bool, value) -> str:
    from bot.explain import rule_text

    _tag, name, op, _limit = leaf
    fact = rs.facts[name]
    need = i18n.localized(owner.bounds[leaf], lang)
    side = "below" if (op in (">", ">=")) != blocker else "above"  # a blocker's comparison is the reverse of its need
    if side in fact.against:
        return rule_text(fact.against[side], lang, {}, rs, need=need, value=i18n.format_number(value, lang))
    _ = i18n.Translator(lang)
    label = i18n.localized(fact.label, lang)
    shown = shown_value(rs, name, value, lang)
    if side == "below":
        return _("needs %(need)s; your %(label)s is %(value)s, below it", need=need, label=label, value=shown)
    return _("needs %(need)s; your %(label)s is %(value)s, above it", need=need, label=label, value=shown)
