"""The eligibility wizard, channel-free: which question next, reading answers, back / change / restart.

The Telegram flow and the terminal chat call these functions; the state is a plain JSON dict (kept in
the chat state in the database), and every function returns a new state, leaving the old one as it was
(so an invalid answer, which raises UserError, changes nothing).

    state = wizard_start("zhoushan", "en")
    step = wizard_step(state)            # Question (step.fact is set) or Result (step.fact is None)
    state = wizard_answer(state, "35")   # or wizard_dont_know / wizard_back / wizard_change / wizard_restart

The next question is the open fact (or screening group of yes/no facts, rules/facts.yaml `groups`) that
can change the result most; a question that can no longer matter is never asked. When the next question
is `points`, the choice "calc" runs the points calculator's own questions, shows its breakdown, sets
`points` and goes on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from bot import i18n
from bot.answers import CHOOSE, DONT_KNOW, parse
from bot.assess import Assessment, assess, city_rules, evaluate, fact_scores
from bot.errors import UserError
from bot.i18n import N_
from bot.points import breakdown_text, calculate, calculator_facts
from bot.rules import Fact, Group, load_rules

CALC = "calc"
SEVERAL, NONE = "several", "none"
VERSION = 1


@dataclass
class Question:
    fact: str  # the fact (or screening group) this question sets
    text: str
    help: str
    type: str  # bool / int / number / choice
    choices: list = field(default_factory=list)  # [(value, label)]
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    allow_dont_know: bool = True
    can_go_back: bool = False
    progress: dict = field(default_factory=dict)  # {"n": this question's number}; no total: it cannot be known honestly
    asked: int = 0  # questions answered so far
    note: str | None = None  # e.g. the points breakdown just computed
    kind: str = "fact"  # fact / group / calculator
    members: list = field(default_factory=list)  # for a group: the facts it covers


@dataclass
class Result:
    assessment: Assessment
    summary: str
    asked: int = 0
    note: str | None = None
    can_go_back: bool = True
    fact: None = None  # adapters tell a Result from a Question by fact being None


# ---------------------------------------------------------------- state

def wizard_start(city: str, lang: str) -> dict:
    city_rules(city)  # UserError on an unknown city
    return {"v": VERSION, "city": city, "lang": i18n.normalize(lang) or i18n.DEFAULT, "facts": {}, "dk": [],
            "groups": {}, "history": [], "mode": "main", "ask": None, "note": None}


def _copy(state: dict) -> dict:
    if not isinstance(state, dict) or state.get("v") != VERSION or "city" not in state:
        raise UserError(N_("This eligibility check has expired. Please start again."))
    new = copy.deepcopy(state)
    new["note"] = None
    return new


def _fixed(state: dict) -> frozenset:
    return frozenset(state["dk"])


def _record(state: dict, qid: str, facts: dict | None = None, dk=(), group: str | None = None) -> None:
    facts = facts or {}
    state["facts"].update(facts)
    state["dk"] += [f for f in dk if f not in state["dk"]]
    state["history"].append({"q": qid, "facts": list(facts), "dk": list(dk), "group": group})
    if state.get("ask") in (qid, *facts, *dk):
        state["ask"] = None


# ---------------------------------------------------------------- choosing the next question

def _next(state: dict):
    """("fact", name) / ("group", id) / ("calc", name) for the next question, or None when done."""
    rs = load_rules()
    if state["mode"] == "points":
        for name in calculator_facts(rs):
            if name not in state["facts"] and name not in state["dk"]:
                return ("calc", name)
        return None
    if state.get("ask"):
        ask = state["ask"]
        return ("group", ask, list(rs.groups[ask].members)) if ask in rs.groups else ("fact", ask)
    city = city_rules(state["city"], rs)
    out = evaluate(city, state["facts"], rs, _fixed(state))
    score = fact_scores(city, out)
    if not score:
        return None
    order = {name: i for i, name in enumerate(rs.facts)}
    best = max(score, key=lambda f: (score[f], -order[f]))
    best_score = score[best]
    for g in rs.groups.values():
        open_members = [m for m in g.members if m in score]
        if state["groups"].get(g.id) == SEVERAL and open_members:
            return ("group", g.id, open_members)  # "which other one?" until none is left
        if g.id in state["groups"] or any(m in state["facts"] or m in state["dk"] for m in g.members):
            continue
        if len(open_members) >= 2 and sum(score[m] for m in open_members) >= best_score:
            return ("group", g.id, open_members)
    return ("fact", best)


def _fact_question(fact: Fact, lang: str, kind: str) -> Question:
    _ = i18n.Translator(lang)
    choices = [(v, i18n.localized(labels, lang)) for v, labels in fact.choices]
    if fact.type == "bool":
        choices = [("yes", _("Yes")), ("no", _("No"))]
    if fact.name == "points" and kind == "fact":
        choices = [(CALC, _("I don't know — calculate it"))]
    return Question(fact=fact.name, text=i18n.localized(fact.question, lang),
                    help=i18n.localized(fact.help, lang), type=fact.type, choices=choices,
                    unit=(fact.unit or {}).get(lang), min=fact.min, max=fact.max,
                    kind="calculator" if kind == "calc" else kind)


def _group_question(g: Group, lang: str, members: list[str], more: bool = False) -> Question:
    """mode all: yes / no. mode any: which one applies (one member, several, or none); after "several",
    `more` asks "which other one?" until the applicant says none."""
    _ = i18n.Translator(lang)
    rs = load_rules()
    text = i18n.localized(g.question, lang)
    if g.mode == "all":
        choices = [("yes", _("Yes")), ("no", _("No"))]
    else:
        choices = [(m, i18n.localized(rs.facts[m].label, lang)) for m in members]
        choices += [(NONE, _("None of the others"))] if more else [(SEVERAL, _("Several of these")),
                                                                     (NONE, _("None of these"))]
        if more:
            text = _("Which other one of these applies to you?")
        elif set(members) != set(g.members):
            # the group's own wording lists every member, including other cities' ones not offered here
            text = _("Which of these applies to you?")
    return Question(fact=g.id, text=text, help=i18n.localized(g.help, lang),
                    type="bool" if g.mode == "all" else "choice", choices=choices, kind="group", members=members)


def wizard_step(state: dict) -> Question | Result:
    """The next question, or the result when no answer could change it any more."""
    rs = load_rules()
    lang = state["lang"]
    nxt = _next(state)
    asked = len(state["history"])
    if nxt is None:
        a = assess(state["city"], state["facts"], lang, fixed=_fixed(state))
        return Result(assessment=a, summary=a.summary, asked=asked, note=state.get("note"))
    kind, name = nxt[0], nxt[1]
    if kind == "group":
        q = _group_question(rs.groups[name], lang, nxt[2], more=state["groups"].get(name) == SEVERAL)
    else:
        q = _fact_question(rs.facts[name], lang, kind)
    q.asked, q.can_go_back, q.note = asked, asked > 0, state.get("note")
    # questions the user answered (the calculator's closing entry sets `points` but asked nothing); no
    # "of about N": the open facts are far more than the questions asked (grouped, or no longer mattering)
    q.progress = {"n": sum(e.get("calc") != "end" for e in state["history"]) + 1}
    return q


# ---------------------------------------------------------------- answering

def wizard_answer(state: dict, raw: str) -> dict:
    """Apply a typed answer or a button value to the current question; UserError leaves `state` as it was."""
    new = _copy(state)
    nxt = _next(new)
    if nxt is None:
        raise UserError(N_("The check is complete. Change an answer or start again."))
    kind, name = nxt[0], nxt[1]
    rs = load_rules()
    if kind == "group":
        return _answer_group(new, rs.groups[name], nxt[2], raw)
    fact = rs.facts[name]
    if kind == "fact" and name == "points" and str(raw).strip().lower() == CALC:
        return _start_calculator(new)
    value = parse(fact, raw, new["lang"])
    if value is DONT_KNOW:
        _record(new, name, dk=[name])
    else:
        _record(new, name, {name: value})
    return _finish_calculator(new) if kind == "calc" else new


def _answer_group(state: dict, g: Group, members: list[str], raw: str) -> dict:
    from bot.answers import is_dont_know

    lang = state["lang"]
    if is_dont_know(raw):
        more = state["groups"].get(g.id) == SEVERAL
        state["groups"][g.id] = "dk"
        _record(state, g.id, dk=members, group=None if more else g.id)
        return state
    if g.mode == "all":
        value = parse(Fact(name=g.id, type="bool", label={}, question={}, help={}), raw, lang)
        state["groups"][g.id] = "yes" if value else "no"
        _record(state, g.id, {m: True for m in members} if value else {}, group=g.id)  # no: ask each
        return state
    more = state["groups"].get(g.id) == SEVERAL
    choice = _group_choice(g, members, raw, lang, more)
    if more:  # one more member, or none of the remaining ones
        _record(state, g.id, {choice: True} if choice != NONE else {m: False for m in members})
    elif choice == SEVERAL:
        state["groups"][g.id] = SEVERAL
        _record(state, g.id, group=g.id)  # then "which other one?" in turn
    else:
        state["groups"][g.id] = choice
        _record(state, g.id, {m: m == choice for m in members}, group=g.id)
    return state


def _group_choice(g: Group, members: list[str], raw: str, lang: str, more: bool = False) -> str:
    """A member name, SEVERAL or NONE from a button value, a number, a label, or yes / no."""
    q = _group_question(g, lang, members, more)
    text = str(raw).strip().lower()
    for i, (value, label) in enumerate(q.choices, 1):
        if text in (str(value).lower(), str(i), label.strip().lower()):
            return value
    yes_no = Fact(name=g.id, type="bool", label={}, question={}, help={})
    try:
        value = parse(yes_no, raw, lang)
        if value is True and more:
            raise UserError(CHOOSE)
        return SEVERAL if value else NONE
    except UserError:
        raise UserError(CHOOSE) from None


def wizard_dont_know(state: dict) -> dict:
    return wizard_answer(state, "don't know")


def _start_calculator(state: dict) -> dict:
    state["mode"] = "points"
    state["history"].append({"q": "points", "facts": [], "dk": [], "group": None, "calc": "start"})
    if "education_level" not in state["facts"] and state["facts"].get("highest_degree"):
        state["facts"]["education_level"] = state["facts"]["highest_degree"]  # same tiers; asked once only
        state["history"][-1]["facts"].append("education_level")
    return _finish_calculator(state)


def _finish_calculator(state: dict) -> dict:
    if state["mode"] != "points" or _next(state) is not None:
        return state
    rs = load_rules()
    result = calculate(state["facts"], rs)
    state["mode"] = "main"
    state["note"] = breakdown_text(result, state["lang"], rs)
    # an incomplete score is only a lower bound: it settles `points` only when it already reaches A
    if result.complete or result.category == "A":
        _record(state, "points", {"points": result.total})
    else:
        _record(state, "points", dk=["points"])
    state["history"][-1]["calc"] = "end"
    return state


# ---------------------------------------------------------------- navigation

def wizard_back(state: dict) -> dict:
    """Undo the last answer (the whole calculator when its result was the last thing set)."""
    new = _copy(state)
    if not new["history"]:
        raise UserError(N_("There is no earlier question."))
    while new["history"]:
        entry = new["history"].pop()
        _undo(new, entry)
        if entry.get("calc") != "end" or not new["history"]:
            break
        # undo the calculator's own answers back to where it started
        while new["history"] and new["history"][-1].get("calc") != "start":
            _undo(new, new["history"].pop())
        if new["history"]:
            _undo(new, new["history"].pop())
        break
    new["mode"] = "points" if any(e.get("calc") == "start" for e in new["history"]) and not any(
        e.get("calc") == "end" for e in new["history"]) else "main"
    return new


def _undo(state: dict, entry: dict) -> None:
    for f in entry.get("facts", []):
        state["facts"].pop(f, None)
    state["dk"] = [f for f in state["dk"] if f not in entry.get("dk", [])]
    if entry.get("group"):
        state["groups"].pop(entry["group"], None)


def wizard_change(state: dict, fact: str) -> dict:
    """Forget one answer (a fact or a screening group) and ask it next."""
    new = _copy(state)
    rs = load_rules()
    if fact not in rs.facts and fact not in rs.groups:
        raise UserError(N_("Unknown fact %(fact)s."), fact=fact)
    names = rs.groups[fact].members if fact in rs.groups else (fact,)
    for f in names:
        new["facts"].pop(f, None)
    new["dk"] = [f for f in new["dk"] if f not in names]
    new["groups"].pop(fact, None)
    new["history"] = [e for e in new["history"] if e["q"] != fact]
    new["mode"] = "main"
    new["ask"] = fact
    return new


def wizard_restart(state: dict) -> dict:
    return wizard_start(state.get("city"), state.get("lang") or i18n.DEFAULT)


def wizard_answers(state: dict) -> list[tuple[str, str]]:
    """(question id, "label: answer") of each question the user answered, in the order asked, for a
    "change an answer" menu: one item per question (a screening group is one, not each fact its answer
    settled; the points calculator's questions are one, points), never the facts nobody asked about."""
    rs = load_rules()
    lang = state["lang"]
    _ = i18n.Translator(lang)
    out: dict[str, str] = {}
    in_calc = False
    for entry in state["history"]:
        qid, calc = entry["q"], entry.get("calc")
        in_calc = calc == "start" or (in_calc and calc != "end")
        if in_calc:
            continue
        if qid in rs.groups:
            g = rs.groups[qid]
            label, answer = _group_answer(state, g, _)
        elif qid in rs.facts:
            label, answer = i18n.localized(rs.facts[qid].label, lang), _fact_answer(state, rs.facts[qid], _)
        else:
            continue
        out.pop(qid, None)  # answered again ("which other one?"): listed once, where last answered
        answer = _clip(answer, 26)  # a button: the answer kept readable, the label cut to fit beside it
        out[qid] = _("%(question)s: %(answer)s", question=_clip(_cap(label), max(44 - len(answer), 14)), answer=answer)
    return list(out.items())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fact_answer(state: dict, fact: Fact, _) -> str:
    if fact.name not in state["facts"]:
        return _("I don't know")
    value = state["facts"][fact.name]
    if fact.type == "choice":
        return fact.choice_label(value, state["lang"])
    if fact.type == "bool":
        return _("Yes") if value else _("No")
    return i18n.format_number(value, state["lang"])


def _group_answer(state: dict, g: Group, _) -> tuple[str, str]:
    """(label, answer): the one member chosen reads as that fact's "Yes", anything else as the group's answer."""
    lang = state["lang"]
    choice, name = state["groups"].get(g.id), i18n.localized(g.label, lang)
    if choice in ("yes", "no"):
        return name, _("Yes") if choice == "yes" else _("No")
    if choice in (None, "dk"):
        return name, _("I don't know")
    chosen = [m for m in g.members if state["facts"].get(m) is True]
    if len(chosen) == 1:
        return i18n.localized(load_rules().facts[chosen[0]].label, lang), _("Yes")
    return name, _("Several of these") if chosen else _("None of these")


class Wizard:
    """The same API holding its own state: Wizard("urumqi", "zh").step() / .answer("35") / .back() …"""

    def __init__(self, city: str, lang: str = "en", state: dict | None = None):
        self.state = state or wizard_start(city, lang)

    def step(self):
        return wizard_step(self.state)

    def answer(self, raw: str):
        self.state = wizard_answer(self.state, raw)
        return self.step()

    def dont_know(self):
        self.state = wizard_dont_know(self.state)
        return self.step()

    def back(self):
        self.state = wizard_back(self.state)
        return self.step()

    def change(self, fact: str):
        self.state = wizard_change(self.state, fact)
        return self.step()

    def restart(self):
        self.state = wizard_restart(self.state)
        return self.step()
