"""Questions: any free text at the menu, /ask, and the "Ask a question" button.

An answered question shows the answer with its citation and status note, and buttons for the original
Chinese text, related entries, "Not helpful" and "File a complaint". An unanswered one shows the honest
sentence from answering and offers topics, the eligibility check and a complaint instead.
Button data: `ask:zh:<doc>:<article>` original text, `ask:e:<doc>:<article>` an entry,
`ask:no:<doc>:<article>` not helpful.
"""

from __future__ import annotations

import logging

from bot.core.context import Context
from bot.core.flows import entries
from bot.core.flows.fallback import MAX_QUESTION, has_words
from bot.core.messages import Button
from bot.errors import UserError
from bot.render import escape

log = logging.getLogger(__name__)
MAX_SUGGESTIONS = 3


def _citation(src) -> tuple[str, str] | None:
    """(doc, article) from a citation dict {"doc", "article"} or an object with doc/doc_id and article."""
    if isinstance(src, dict):
        doc, art = src.get("doc"), src.get("article")
    else:
        doc = getattr(src, "doc", None) or getattr(src, "doc_id", None)
        art = getattr(src, "article", None)
    return (str(doc), str(art)) if doc and art else None


def _title(ctx: Context, sug, key: tuple[str, str]) -> str:
    entry = ctx.services.knowledge.entry(*key)
    if entry is not None:
        return entries.entry_title(ctx, entry)
    title = sug.get("title") if isinstance(sug, dict) else getattr(sug, "title", None)
    return str(title or key[1])


def answer(ctx: Context, question: str) -> None:
    """Answer `question` (already checked) in the chat's language and city."""
    # the user's language when we know it; otherwise answering detects it from the question
    lang = ctx.lang if (ctx.state.lang or ctx.incoming.client_lang) else None
    try:
        result = ctx.services.answer(question, ctx.state.city, lang)
    except UserError as exc:
        ctx.user_error(exc, [ctx.menu_button()])
        return
    ctx.flow_data("ask")["q"] = question[:500]
    html = getattr(result, "html", None) or escape(getattr(result, "answer", "") or "")
    _ = ctx._
    keys = [k for k in (_citation(s) for s in getattr(result, "sources", ()) or ()) if k]
    rows: list[list[Button]] = []
    if keys:
        doc, art = keys[0]
        rows.append([Button(_("Original Chinese text"), f"ask:zh:{doc}:{art}")])
    seen = set(keys[:1])
    for sug in getattr(result, "suggestions", ()) or ():
        key = _citation(sug)
        if key and key not in seen and len(seen) < MAX_SUGGESTIONS + 1:
            seen.add(key)
            rows.append([Button(entries.short(_title(ctx, sug, key)), f"ask:e:{key[0]}:{key[1]}")])
    other = _citation(getattr(result, "elsewhere", None) or {})
    if other:  # the other city's article, shown with its own citation and status, so the user sees whose rule it is
        rows.append([Button(entries.short(_("Read it: %(title)s", title=result.elsewhere.get("title") or other[1])),
                            f"ask:e:{other[0]}:{other[1]}")])
    if getattr(result, "answered", False) and keys:
        rows.append([Button(_("Not helpful"), f"ask:no:{keys[0][0]}:{keys[0][1]}"), Button(_("File a complaint"), "menu:cmp")])
    else:
        rows.append([Button(_("Benefits by topic"), "menu:topics"), Button(_("Check my eligibility"), "menu:wiz")])
        rows.append([Button(_("File a complaint"), "menu:cmp")])
    rows.append([ctx.menu_button()])
    ctx.say(html, rows)


def check_question(ctx: Context, text: str) -> bool:
    """Say what is wrong with a question and return False, or True when it can be answered."""
    _ = ctx._
    if not text:
        ctx.say(_("Please type your question in words."), [ctx.menu_button()])
    elif len(text) > MAX_QUESTION:
        ctx.say(_("That message is too long (%(n)s characters). Please ask in under %(max)s characters.",
                  n=len(text), max=MAX_QUESTION), [ctx.menu_button()])
    elif not has_words(text):
        ctx.say(_("I can only answer questions written in words. What would you like to know?"), [ctx.menu_button()])
    else:
        return True
    return False


class AskFlow:
    name = "ask"
    commands = ("ask",)

    def start(self, ctx: Context) -> None:
        if ctx.incoming.kind == "command" and ctx.text:
            ctx.state.flow = None
            if check_question(ctx, ctx.text):
                answer(ctx, ctx.text)
            return
        ctx.enter(self.name)
        ctx.say(ctx.render("ask_prompt.html"), [ctx.menu_button()])

    def handle(self, ctx: Context) -> None:
        if ctx.incoming.kind != "button":
            # a question ends the "type your question" prompt: the next free text is a question anyway
            ctx.state.flow = None
            if check_question(ctx, ctx.text):
                answer(ctx, ctx.text)
            return
        parts = ctx.parts
        if len(parts) != 4:
            ctx.expired()
            return
        op, doc, art = parts[1], parts[2], parts[3]
        entry = ctx.services.knowledge.entry(doc, art)
        if entry is None:
            ctx.expired()
        elif op == "zh":
            entries.show_original(ctx, entry)
        elif op == "e":
            entries.show_entry(ctx, entry)
        elif op == "no":
            self._not_helpful(ctx, doc, art)
        else:
            ctx.expired()

    def _not_helpful(self, ctx: Context, doc: str, art: str) -> None:
        question = str(ctx.flow_data("ask").get("q") or "")
        try:
            ctx.store.feedback.record(ctx.incoming.chat_id, ctx.incoming.user_id, doc, art, question)
        except Exception:  # feedback is a nicety: never fail the user over it
            log.exception("recording feedback failed")
        _ = ctx._
        ctx.say(_("Thank you. I will use this to improve my answers. You can ask again in other words, "
                  "or file a complaint if something went wrong."),
                [[Button(_("File a complaint"), "menu:cmp"), ctx.menu_button()]])


FLOW = AskFlow()
