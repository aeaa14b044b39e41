"""Answering the wizard from a known profile: the benchmark's simulation and the tests' property checks.

An absent fact is answered "don't know". A screening group of mode any is answered with its one true
member, "several" when more are true, "none" when all are false; of mode all "yes" when all are true,
"no" when one is false; otherwise "don't know".
"""

from __future__ import annotations

from bot.rules import load_rules
from bot.wizard import Result, wizard_answer, wizard_start, wizard_step


def simulated_answer(question, profile: dict) -> str:
    """What an applicant with `profile` answers to `question`."""
    if question.kind == "group":
        group = load_rules().groups[question.fact]
        if group.mode == "all":
            vals = [profile.get(m) for m in question.members]
            return "yes" if all(v is True for v in vals) else "no" if False in vals else "don't know"
        offered = [v for v, _label in question.choices if v in question.members]
        more = "several" not in [v for v, _label in question.choices]  # "which other one?" round
        trues = [m for m in offered if profile.get(m) is True]
        if len(trues) == 1 or (trues and more):
            return trues[0]
        if trues:
            return "several"
        return "none" if all(profile.get(m) is False for m in offered) else "don't know"
    value = profile.get(question.fact)
    if value is None:
        return "don't know"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def simulate(city: str, profile: dict, lang: str = "en", limit: int = 80):
    """Run the wizard answering from `profile`; (questions asked, Result)."""
    state = wizard_start(city, lang)
    for n in range(limit):
        step = wizard_step(state)
        if isinstance(step, Result):
            return n, step
        state = wizard_answer(state, simulated_answer(step, profile))
    raise RuntimeError(f"wizard did not finish in {limit} questions for {profile}")
