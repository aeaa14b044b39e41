"""Benefits by topic and How to apply: browse the chosen city's entries by topic, a page at a time.

Button data: `top:l:<page>` topic list, `top:t:<topic>:<page>` a topic's entries, `top:a:<page>` the
procedure entries, `top:e:<doc>:<article>:<back>` one entry (<back> is a topic id or "a").
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.flows import entries
from bot.core.messages import Button

PAGE = 6
APPLY_TOPICS = ("procedure", "materials", "processing_time")


def _city_entries(ctx: Context) -> list:
    return ctx.services.knowledge.for_city(ctx.state.city)


def _topic_label(ctx: Context, topic_id: str) -> str:
    topic = ctx.services.knowledge.topics.get(topic_id)
    return entries.pick_lang(topic.labels, ctx.lang) if topic else topic_id


def city_topics(ctx: Context) -> list[str]:
    """Topic ids, in topics.yaml order, that have at least one entry in the chosen city's documents."""
    present = {t for e in _city_entries(ctx) for t in e.topics}
    return [t for t in ctx.services.knowledge.topics if t in present]


def _pager(ctx: Context, page: int, pages: int, prefix: str) -> list[Button]:
    row = []
    if page > 0:
        row.append(Button(ctx._("« Prev"), f"{prefix}:{page - 1}"))
    if page + 1 < pages:
        row.append(Button(ctx._("Next »"), f"{prefix}:{page + 1}"))
    return row


def _page(items: list, page: int) -> tuple[list, int, int]:
    pages = max(1, -(-len(items) // PAGE))
    page = min(max(page, 0), pages - 1)
    return items[page * PAGE : (page + 1) * PAGE], page, pages


def show_topics(ctx: Context, page: int = 0, edit: bool = False) -> None:
    ctx.state.flow = None
    topics = city_topics(ctx)
    if not topics:
        ctx.main_menu(note=ctx._("I have no entries for this city yet."))
        return
    shown, page, pages = _page(topics, page)
    rows = [[Button(_topic_label(ctx, t), f"top:t:{t}:0")] for t in shown]
    rows += [_pager(ctx, page, pages, "top:l"), [ctx.menu_button()]]
    ctx.say(ctx.render("topics.html", page=page + 1, pages=pages), rows, edit=edit)


def _entry_list(ctx: Context, items: list, page: int, prefix: str, back: str, title: str, edit: bool) -> None:
    shown, page, pages = _page(items, page)
    rows = [[Button(entries.short(entries.entry_title(ctx, e)), _entry_data(e, back))] for e in shown]
    rows.append(_pager(ctx, page, pages, prefix))
    nav = [Button(ctx._("All topics"), "top:l:0")] if back != "a" else []
    rows.append(nav + [ctx.menu_button()])
    ctx.say(ctx.render("topic_entries.html", title=title, page=page + 1, pages=pages, count=len(items)), rows, edit=edit)


def _entry_data(entry, back: str) -> str:
    """Button data for an entry; the way back is dropped (to the topic list) if it would pass 64 bytes."""
    data = f"top:e:{entry.doc_id}:{entry.article}:{back}"
    return data if len(data.encode()) <= 64 else f"top:e:{entry.doc_id}:{entry.article}:"


def show_topic(ctx: Context, topic: str, page: int = 0, edit: bool = False) -> None:
    items = [e for e in _city_entries(ctx) if topic in e.topics]
    if not items:
        ctx.expired()
        return
    _entry_list(ctx, items, page, f"top:t:{topic}", topic, _topic_label(ctx, topic), edit)


def show_apply(ctx: Context, page: int = 0, edit: bool = False) -> None:
    ctx.state.flow = None
    items = [e for e in _city_entries(ctx) if any(t in APPLY_TOPICS for t in e.topics)]
    if not items:
        ctx.main_menu(note=ctx._("I have no application steps for this city yet. Try asking a question."))
        return
    _entry_list(ctx, items, page, "top:a", "a", ctx._("How to apply"), edit)


def _int(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 4 else 0


class TopicsFlow:
    name = "top"

    def start(self, ctx: Context) -> None:
        show_topics(ctx)

    def handle(self, ctx: Context) -> None:
        parts = ctx.parts
        if not ctx.state.city:  # an old button after the city was reset
            ctx.expired()
            return
        op = parts[1] if len(parts) > 1 else ""
        if op == "l" and len(parts) == 3:
            show_topics(ctx, _int(parts[2]), edit=True)
        elif op == "t" and len(parts) == 4:
            show_topic(ctx, parts[2], _int(parts[3]), edit=True)
        elif op == "a" and len(parts) == 3:
            show_apply(ctx, _int(parts[2]), edit=True)
        elif op == "e" and len(parts) == 5:
            entry = ctx.services.knowledge.entry(parts[2], parts[3])
            if entry is None:
                ctx.expired()
                return
            back_to = "top:a:0" if parts[4] == "a" else f"top:t:{parts[4]}:0" if parts[4] else "top:l:0"
            back = Button(ctx._("Back"), back_to)
            entries.show_entry(ctx, entry, back=back)
        else:
            ctx.expired()


FLOW = TopicsFlow()
