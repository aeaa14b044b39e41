"""The eligibility check in chat, on the channel-free wizard core (bot/wizard.py).

The wizard's own state dict lives in ChatState.data["wiz"]["s"], so a restart of the bot resumes it.
Button data: `wiz:a:<fact>:<n>` the n-th choice (by position), `wiz:dk:<fact>` don't know, `wiz:back`, `wiz:x` cancel,
`wiz:restart`, `wiz:chg[:<page>]` (list the answers given), `wiz:c:<fact>` change one, `wiz:go` continue.
A button naming a fact that is not the current question is stale: the current question is shown again.
"""

from __future__ import annotations

import logging

from bot.core.context import Context
from bot.core.flows import settings
from bot.core.messages import Button
from markupsafe import Markup

from bot.errors import UserError
from bot.i18n import N_

log = logging.getLogger(__name__)
NAME = "wiz"
YES_NO = (("yes", N_("Yes")), ("no", N_("No")))


def _w(ctx: Context):
    return ctx.services.wizard


def _attr(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _is_question(step) -> bool:
    return _attr(step, "fact") is not None


def _store(ctx: Context, state: dict) -> None:
    ctx.flow_data(NAME)["s"] = state


def _state(ctx: Context) -> dict | None:
    """The stored wizard state in the chat's current language, or None when there is none (or it is stale)."""
    s = (ctx.state.data.get(NAME) or {}).get("s")
    if not isinstance(s, dict) or "city" not in s:
        return None
    version = getattr(ctx.services.wizard, "VERSION", None)
    if version is not None and s.get("v") != version:  # saved by an older wizard: start again
        return None
    if s.get("lang") != ctx.lang:  # the user changed language mid-check
        s["lang"] = ctx.lang
    return s


def _fact_ref(fact: str) -> str:
    """The fact as named in button data; empty (no stale check) for a name too long for 64 bytes."""
    return fact if len(fact.encode()) <= 40 else ""


def _question_buttons(ctx: Context, q) -> list[list[Button]]:
    _ = ctx._
    fact = _fact_ref(str(_attr(q, "fact")))
    rows: list[list[Button]] = []
    qtype = _attr(q, "type")
    choices = list(_attr(q, "choices") or ())
    if qtype == "bool" and not choices:
        choices = [(v, _(label)) for v, label in YES_NO]
    # choices by position: values can be long, and the position is fixed by the stored state
    per_row = 3 if qtype == "bool" else 2
    answer_row: list[Button] = []
    for i, (_value, label) in enumerate(choices):
        answer_row.append(Button(str(label), f"wiz:a:{fact}:{i}"))
        if len(answer_row) == per_row or len(str(label)) > 20:
            rows.append(answer_row)
            answer_row = []
    if _attr(q, "allow_dont_know", True):
        answer_row.append(Button(_("I don't know"), f"wiz:dk:{fact}"))
    if answer_row:
        rows.append(answer_row)
    nav = []
    if _attr(q, "can_go_back", False):
        nav.append(Button(_("« Back"), "wiz:back"))
    nav.append(Button(_("Cancel"), "wiz:x"))
    rows.append(nav)
    return rows


def show_step(ctx: Context, note: str | None = None, edit: bool = False) -> None:
    state = _state(ctx)
    if state is None:
        ctx.expired()
        return
    step = _w(ctx).wizard_step(state)
    notes = [n for n in (note, _attr(step, "note")) if n]
    _ = ctx._
    if _is_question(step):
        ctx.enter(NAME, step=str(_attr(step, "fact")))
        ctx.say(ctx.render("wizard_question.html", q=_question_view(step), notes=notes),
                _question_buttons(ctx, step), edit=edit)
        return
    ctx.enter(NAME, step="result")
    assessment = _attr(step, "assessment")
    html = getattr(assessment, "summary_html", None)
    summary = Markup(html) if html else str(_attr(step, "summary") or "")  # summary_html is rendered with autoescape
    nav = [Button(_("Change an answer"), "wiz:chg"), Button(_("Start again"), "wiz:restart")]
    last = ([Button(_("« Back"), "wiz:back")] if _attr(step, "can_go_back", False) else []) + [ctx.menu_button()]
    ctx.say(ctx.render("wizard_result.html", summary=summary, notes=notes), [nav, last], edit=edit)


def _question_view(q) -> dict:
    progress = _attr(q, "progress")
    if isinstance(progress, (tuple, list)) and progress:
        progress = {"n": progress[0]}
    elif not isinstance(progress, dict):
        progress = None
    return {
        "text": str(_attr(q, "text") or ""),
        "help": _attr(q, "help"),
        "type": _attr(q, "type"),
        "unit": _attr(q, "unit"),
        "min": _attr(q, "min"),
        "max": _attr(q, "max"),
        "typed": _attr(q, "type") in ("int", "number", "float"),
        "progress": progress,
    }


def _apply(ctx: Context, fn, *args) -> None:
    """Run one wizard operation; bad input keeps the state and repeats the question with the reason."""
    state = _state(ctx)
    if state is None:
        ctx.expired()
        return
    try:
        new = fn(state, *args)
    except UserError as exc:
        show_step(ctx, note=exc.text(ctx.lang))
        return
    _store(ctx, new if isinstance(new, dict) else state)
    show_step(ctx, edit=ctx.incoming.kind == "button")


CHANGE_PAGE = 8  # answers per page of the "change an answer" list


def _change_menu(ctx: Context, page: int = 0, edit: bool = False) -> None:
    state = _state(ctx)
    answered = [(f, label) for f, label in (_answered(ctx, state) if state else [])
                if len(f"wiz:c:{f}".encode()) <= 64]
    if not answered:
        show_step(ctx)
        return
    pages = -(-len(answered) // CHANGE_PAGE)
    page = min(max(page, 0), pages - 1)
    shown = answered[page * CHANGE_PAGE:(page + 1) * CHANGE_PAGE]
    rows = [[Button(label, f"wiz:c:{fact}")] for fact, label in shown]
    pager = ([Button(ctx._("« Prev"), f"wiz:chg:{page - 1}")] if page > 0 else []) + (
        [Button(ctx._("Next »"), f"wiz:chg:{page + 1}")] if page + 1 < pages else [])
    if pager:
        rows.append(pager)
    rows.append([Button(ctx._("« Back"), "wiz:go"), ctx.menu_button()])
    ctx.say(ctx._("Which answer would you like to change?"), rows, edit=edit)


def _answered(ctx: Context, state: dict) -> list[tuple[str, str]]:
    """(question id, label) of the answers given so far, as the wizard core describes them."""
    return [(str(f), str(label)) for f, label in _w(ctx).wizard_answers(state)]


class WizardFlow:
    name = NAME
    commands = ("eligibility",)

    def start(self, ctx: Context) -> None:
        ctx.state.flow = None
        if settings.need_city(ctx, "wiz"):
            return
        state = _state(ctx)
        if state is not None and state.get("city") == ctx.state.city and state.get("history"):
            if _is_question(_w(ctx).wizard_step(state)):  # an unfinished check: go on with it
                show_step(ctx, note=ctx._("Continuing where you left off."))
                return
        try:
            _store(ctx, _w(ctx).wizard_start(ctx.state.city, ctx.lang))
        except UserError as exc:
            ctx.user_error(exc, [ctx.menu_button()])
            return
        show_step(ctx, note=ctx._("I will ask a few questions. Answer with the buttons, or type the answer."))

    def resume(self, ctx: Context) -> None:
        """The chat was reopened: the current question (or the result) again, answers kept."""
        state = _state(ctx)
        if state is None or not ctx.state.city or state.get("city") != ctx.state.city:  # the city changed meanwhile
            self.start(ctx)
            return
        show_step(ctx, note=ctx._("Continuing where you left off."))

    def handle(self, ctx: Context) -> None:
        if ctx.incoming.kind == "button" and _state(ctx) is None and ctx.parts[1:2] != ["restart"]:
            ctx.expired()  # a wizard button from before the wizard state was cleared
            return
        w = _w(ctx)
        if ctx.incoming.kind != "button":
            if ctx.state.step == "result" or _state(ctx) is None:
                ctx.state.flow = None
                from bot.core.flows import FLOWS

                FLOWS["ask"].handle(ctx)  # after the result, text is a question again
                return
            _apply(ctx, w.wizard_answer, ctx.text)
            return
        parts = ctx.parts
        op = parts[1] if len(parts) > 1 else ""
        state = _state(ctx)
        if state is None and op != "restart":
            ctx.expired()
        elif op in ("a", "dk") and len(parts) >= 3:
            if (parts[2] and parts[2] != ctx.state.step) or ctx.state.flow != NAME or ctx.state.step == "result":
                show_step(ctx, note=ctx._("That question was already answered. Here is the current one."))
            elif op == "a" and len(parts) == 4:
                self._choice(ctx, parts[3])
            else:
                _apply(ctx, w.wizard_dont_know)
        elif op == "back":
            _apply(ctx, w.wizard_back)
        elif op == "x":
            ctx.clear_flow_data(NAME)
            ctx.main_menu(note=ctx._("Eligibility check stopped."))
        elif op == "restart":
            if not ctx.state.city:
                ctx.expired()
                return
            _store(ctx, w.wizard_start(ctx.state.city, ctx.lang))
            show_step(ctx, edit=True)
        elif op == "chg":
            paged = len(parts) > 2 and parts[2].isdigit()  # Next / Prev: the list replaces itself
            _change_menu(ctx, int(parts[2]) if paged else 0, edit=paged)
        elif op == "c" and len(parts) >= 3:
            _apply(ctx, w.wizard_change, parts[2])
        elif op == "go":
            show_step(ctx)
        else:
            ctx.expired()

    def _choice(self, ctx: Context, index: str) -> None:
        step = _w(ctx).wizard_step(_state(ctx))
        choices = list(_attr(step, "choices") or ())
        if _attr(step, "type") == "bool" and not choices:
            choices = list(YES_NO)
        if not index.isdigit() or int(index) >= len(choices):
            show_step(ctx, note=ctx._("That question was already answered. Here is the current one."))
            return
        _apply(ctx, _w(ctx).wizard_answer, str(choices[int(index)][0]))

    def cancel(self, ctx: Context) -> None:
        ctx.clear_flow_data(NAME)


FLOW = WizardFlow()
