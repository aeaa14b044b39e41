"""Three-valued (True / False / None = unknown) evaluation of compiled rule conditions.

Besides the value of a condition, `Evaluator` answers what an unknown fact can still do: `reach`
says whether a condition can still become true (or false) once the open facts are answered, and
`push` names the open facts that could move it there. Facts the applicant answered "don't know"
are `fixed`: they stay unknown, so they can no longer decide anything. The assessment's
`missing_facts` and the wizard's next question both come from here.
"""

from __future__ import annotations

import operator

from bot.rules import City, RuleSet

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "in": lambda a, b: a in b}


class Evaluator:
    def __init__(self, rs: RuleSet, city: City, facts: dict, fixed=frozenset()):
        self.rs, self.city, self.facts, self.fixed = rs, city, facts, fixed
        self._val: dict = {}
        self._reach: dict = {}
        self._criteria = city.of_kind("criterion")

    # ---- values
    def value(self, cond):
        tag = cond[0]
        if tag == "cmp":
            v = self.facts.get(cond[1])
            return None if v is None else _OPS[cond[2]](v, cond[3])
        if tag == "all":
            seen_none = False
            for c in cond[1]:
                v = self.value(c)
                if v is False:
                    return False
                seen_none |= v is None
            return None if seen_none else True
        if tag == "any":
            seen_none = False
            for c in cond[1]:
                v = self.value(c)
                if v is True:
                    return True
                seen_none |= v is None
            return None if seen_none else False
        if tag == "not":
            v = self.value(cond[1])
            return None if v is None else not v
        if tag == "met":
            return self.rule(cond[1])
        if tag == "anycrit":
            return self.value(("any", tuple(("met", r.key) for r in self._criteria)))
        return cond[1]  # const

    def rule(self, key: str):
        if key not in self._val:
            self._val[key] = self.value(self.rs.rules[key].when)
        return self._val[key]

    # ---- what the open facts can still do
    def reach(self, cond) -> tuple[bool, bool]:
        """(can be or become true, can be or become false) over every answer to the open facts."""
        tag = cond[0]
        if tag == "cmp":
            v = self.facts.get(cond[1])
            if v is not None:
                r = _OPS[cond[2]](v, cond[3])
                return r, not r
            return (False, False) if cond[1] in self.fixed else (True, True)
        if tag in ("all", "any"):
            parts = [self.reach(c) for c in cond[1]]
            if tag == "all":
                return all(t for t, _ in parts), any(f for _, f in parts)
            return any(t for t, _ in parts), all(f for _, f in parts)
        if tag == "not":
            t, f = self.reach(cond[1])
            return f, t
        if tag == "met":
            key = cond[1]
            if key not in self._reach:
                self._reach[key] = self.reach(self.rs.rules[key].when)
            return self._reach[key]
        if tag == "anycrit":
            return self.reach(("any", tuple(("met", r.key) for r in self._criteria)))
        return cond[1], not cond[1]

    def push(self, cond, want: bool) -> set:
        """Open facts whose answers could move `cond` to `want` (empty when it cannot get there)."""
        tag = cond[0]
        if tag == "cmp":
            return {cond[1]} if self.facts.get(cond[1]) is None and cond[1] not in self.fixed else set()
        if tag == "not":
            return self.push(cond[1], not want)
        if tag == "met":
            return self.push(self.rs.rules[cond[1]].when, want)
        if tag == "anycrit":
            return self.push(("any", tuple(("met", r.key) for r in self._criteria)), want)
        if tag not in ("all", "any"):
            return set()
        ct, cf = self.reach(cond)
        if self.value(cond) is want or not (ct if want else cf):
            return set()
        out: set = set()
        for c in cond[1]:
            v = self.value(c)
            if v is want:
                continue
            t, f = self.reach(c)
            if (want and t) or (not want and f):
                out |= self.push(c, want)
        return out
