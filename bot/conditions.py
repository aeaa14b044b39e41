"""The condition language of rules/*.yaml: compiling YAML conditions into nested tuples, with checks.

Compiled forms: ("cmp", fact, op, value), ("all", (...)), ("any", (...)), ("not", c), ("met", "file.rule"),
("anycrit",) for "any criterion of this city", ("const", bool). See bot/rules.py for the YAML syntax.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

OPS = ("==", "!=", "<=", ">=", "<", ">", "in")
LIBRARY = "national"
ANY_CRITERION = "any_criterion"
_CMP = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(==|!=|<=|>=|<|>|\bin\b)\s*(.+?)\s*$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _value_ok(fact, value) -> bool:
    if fact.type == "bool":
        return isinstance(value, bool)
    if fact.type in ("int", "number"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return value in [v for v, _ in fact.choices]


def compile_condition(raw, facts: dict, where: str, problems: list[str], scope: str, local_ids: set) -> Any:
    """YAML condition -> nested tuples; every defect is appended to `problems` naming `where`."""
    if raw is True or raw is False:
        return ("const", raw)
    if isinstance(raw, str):
        if _NAME.match(raw.strip()):
            raw = f"{raw.strip()} == true"
        m = _CMP.match(raw)
        if not m:
            problems.append(f"{where}: cannot read condition {raw!r} (bad operator? use {' '.join(OPS)})")
            return ("const", False)
        name, op, text = m.group(1), m.group(2), m.group(3)
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            problems.append(f"{where}: bad value {text!r} in {raw!r}")
            return ("const", False)
        fact = facts.get(name)
        if fact is None:
            problems.append(f"{where}: unknown fact {name!r}")
            return ("const", False)
        values = value if op == "in" else [value]
        if op == "in" and not isinstance(value, list):
            problems.append(f"{where}: `in` needs a list in {raw!r}")
            return ("const", False)
        if op in ("<", "<=", ">", ">=") and fact.type not in ("int", "number"):
            problems.append(f"{where}: operator {op} on {fact.type} fact {name!r}")
        for v in values:
            if not _value_ok(fact, v):
                problems.append(f"{where}: value {v!r} has the wrong type for {fact.type} fact {name!r}")
        return ("cmp", name, op, tuple(value) if op == "in" else value)
    if isinstance(raw, dict) and len(raw) == 1:
        (key, arg), = raw.items()
        if key in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                problems.append(f"{where}: `{key}` needs a non-empty list")
                return ("const", False)
            return (key, tuple(compile_condition(c, facts, where, problems, scope, local_ids) for c in arg))
        if key == "not":
            return ("not", compile_condition(arg, facts, where, problems, scope, local_ids))
        if key == "met":
            ref = str(arg)
            if ref == ANY_CRITERION:
                return ("anycrit",)
            target = ref if "." in ref else f"{scope}.{ref}"
            if target.split(".")[0] not in (scope, LIBRARY) or (target.split(".")[0] == scope and ref not in local_ids):
                problems.append(f"{where}: reference to unknown rule {ref!r}")
                return ("const", False)
            return ("met", target)
        problems.append(f"{where}: unknown condition key {key!r} (use all, any, not, met)")
        return ("const", False)
    problems.append(f"{where}: cannot read condition {raw!r}")
    return ("const", False)


def _refs(cond):
    if cond[0] == "met":
        yield cond[1]
    elif cond[0] in ("all", "any"):
        for c in cond[1]:
            yield from _refs(c)
    elif cond[0] == "not":
        yield from _refs(cond[1])


def facts_of(cond) -> set:
    if cond[0] == "cmp":
        return {cond[1]}
    if cond[0] in ("all", "any"):
        return set().union(*(facts_of(c) for c in cond[1]))
    if cond[0] == "not":
        return facts_of(cond[1])
    return set()
