"""Inline mode: "@bot question" typed in any chat offers cited answers to post there.

A confident answer is one result titled with its citation. When the search is not confident, the
results are the candidate articles it suggests, each titled with its citation, after a result that
says no confident answer was found, so the user picks what fits rather than posting a wrong answer.
The answer is in the question's language; the city is the one the user chose in their private chat.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from telegram import (InlineQueryResultArticle, InlineQueryResultsButton, InputTextMessageContent,
                      LinkPreviewOptions, Update)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.errors import UserError
from bot.handlers.split import split_html
from bot.i18n import Translator, pick
from bot.render import to_plain

log = logging.getLogger(__name__)

MAX_RESULTS = 5
DESCRIPTION_CHARS = 120


def _result_id(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:32]  # Telegram: at most 64 bytes


def _article(result_id: str, title: str, html: str) -> InlineQueryResultArticle:
    plain = " ".join(to_plain(html).split())
    text = split_html(html)[0] if html.strip() else title  # one message: an inline result cannot be split
    return InlineQueryResultArticle(
        id=result_id,
        title=title[:256],
        description=plain[:DESCRIPTION_CHARS],
        input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML,
                                                      link_preview_options=LinkPreviewOptions(is_disabled=True)),
    )


def inline_results(question: str, city: str | None, ui_lang: str) -> list[InlineQueryResultArticle]:
    """The articles offered for one inline question (runs the search; call it off the event loop)."""
    from bot import answering
    from bot.knowledge import load_knowledge

    _ = Translator(ui_lang)
    ans = answering.answer_question(question, city=city, lang=None)
    if ans.answered:
        title = answering_title(ans)
        return [_article(_result_id("a", question, city or "", title), title, ans.html)]
    kb = load_knowledge()
    results = [_article(_result_id("n", question, city or ""), _("No confident answer: see the suggestions"), ans.html)]
    for s in ans.suggestions[:MAX_RESULTS - 1]:
        entry = kb.entry(s["doc"], s["article"])
        if entry is None:
            continue
        html = answering.render_entry(entry, ans.lang, kb=kb)
        results.append(_article(_result_id("s", s["doc"], s["article"], ans.lang), s.get("title") or s["doc"], html))
    return results


def answering_title(ans) -> str:
    """The citation of a confident answer, e.g. "Zhoushan recognition rules, Article 9"."""
    from bot import answering
    from bot.knowledge import load_knowledge

    if ans.sources:
        kb = load_knowledge()
        entry = kb.entry(ans.sources[0]["doc"], ans.sources[0]["article"])
        if entry is not None:
            return answering.citation(entry, ans.lang, kb)
    return ans.q


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    store = context.bot_data["store"]
    user = query.from_user
    state, _version = await asyncio.to_thread(store.chats.load, user.id, user.id)
    ui_lang = pick(state.lang, user.language_code)
    _ = Translator(ui_lang)
    text = (query.query or "").strip()
    open_bot = InlineQueryResultsButton(text=_("Open the assistant"), start_parameter="inline")
    if not text:
        await query.answer([], cache_time=5, is_personal=True, button=open_bot)
        return
    try:
        results = await asyncio.to_thread(inline_results, text, state.city, ui_lang)
    except UserError as exc:
        await query.answer([], cache_time=5, is_personal=True,
                           button=InlineQueryResultsButton(text=exc.text(ui_lang)[:64], start_parameter="inline"))
        return
    await query.answer(results, cache_time=30, is_personal=True, button=open_bot)
