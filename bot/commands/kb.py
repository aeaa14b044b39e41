"""`talentbot kb check`: validate knowledge/ and rules/ and say exactly what is wrong where."""

from __future__ import annotations

import sys


def run(args) -> int:
    from bot.knowledge import check as check_knowledge
    from bot.rules import check as check_rules

    problems = check_knowledge() + check_rules()
    if problems:
        print(f"kb check: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    from bot.knowledge import load_knowledge
    from bot.rules import load_rules

    kb = load_knowledge()
    rules = load_rules()
    print(f"kb check: ok ({kb.summary()}; {rules.summary()})")
    return 0
