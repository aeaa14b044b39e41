"""Showing knowledge entries: an entry as an answer card with its citation, and its original Chinese text.

Shared by the ask and topics flows. Data texts are in zh and en (ru where the data has it): a Russian
reader gets ru, else en, else zh.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.messages import Button

FALLBACK = {"zh": ("zh", "en"), "en": ("en", "zh"), "ru": ("ru", "en", "zh")}


def pick_lang(texts: dict, lang: str) -> str:
    for code in FALLBACK.get(lang, (lang, "en", "zh")):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), "") if texts else ""


def short(label: str, limit: int = 48) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def entry_title(ctx: Context, entry) -> str:
    return f"{pick_lang(entry.label, ctx.lang)} · {pick_lang(entry.heading, ctx.lang)}".strip(" ·")


def show_entry(ctx: Context, entry, back: Button | None = None) -> None:
    """The entry as an answer card (the same template answering uses), with the usual buttons."""
    from bot.answering import render_entry

    text = render_entry(entry, ctx.lang, kb=ctx.services.knowledge)
    _ = ctx._
    rows = [[Button(_("Original Chinese text"), f"ask:zh:{entry.doc_id}:{entry.article}")],
            [Button(_("Not helpful"), f"ask:no:{entry.doc_id}:{entry.article}"), Button(_("File a complaint"), "menu:cmp")]]
    rows.append([back, ctx.menu_button()] if back else [ctx.menu_button()])
    ctx.say(text, rows)


def show_original(ctx: Context, entry) -> None:
    from bot.answering import citation

    kb = ctx.services.knowledge
    text = ctx.render("original_text.html", original=entry.text.get("zh") or pick_lang(entry.text, "zh"),
                      cite_zh=citation(entry, "zh", kb), cite=citation(entry, ctx.lang, kb))
    ctx.say(text, [[Button(ctx._("Show the answer"), f"ask:e:{entry.doc_id}:{entry.article}"), ctx.menu_button()]])
