"""The main menu and /help: every thing the assistant does, as buttons that do the same as the commands."""

from __future__ import annotations

from bot.cities import CITY_NAMES as CITY_LABELS
from bot.core.context import Context
from bot.core.messages import Button


def city_label(ctx: Context, city: str | None) -> str:
    if not city:
        return ctx._("no city chosen")
    return ctx._(CITY_LABELS.get(city, city))



def menu_buttons(ctx: Context) -> list[list[Button]]:
    _ = ctx._
    return [
        [Button(_("Ask a question"), "menu:ask"), Button(_("Check my eligibility"), "menu:wiz")],
        [Button(_("Benefits by topic"), "menu:topics"), Button(_("How to apply"), "menu:apply")],
        [Button(_("File a complaint"), "menu:cmp"), Button(_("My complaints"), "menu:tk")],
        [Button(_("Language"), "menu:lang"), Button(_("City"), "menu:city"), Button(_("Help"), "menu:help")],
    ]


def show_menu(ctx: Context, note: str | None = None, edit: bool = False) -> None:
    text = ctx.render("menu.html", note=note, city_name=city_label(ctx, ctx.state.city))
    ctx.say(text, menu_buttons(ctx), edit=edit)


def show_help(ctx: Context) -> None:
    ctx.say(ctx.render("help.html", city_name=city_label(ctx, ctx.state.city)), [ctx.menu_button()])


class MenuFlow:
    """`menu:<action>` buttons and the /help and /menu commands."""

    name = "menu"
    commands = ("help", "menu")

    def start(self, ctx: Context) -> None:
        if ctx.incoming.command == "help":
            ctx.state.flow = None
            show_help(ctx)
        else:
            ctx.main_menu()

    def handle(self, ctx: Context) -> None:
        parts = ctx.parts
        action = parts[1] if len(parts) > 1 else "home"
        run_action(ctx, action)


def run_action(ctx: Context, action: str) -> None:
    """Do what a main-menu button says (also used after a city is picked on the way to a flow)."""
    from bot.core.flows import settings, topics

    if action == "home":
        ctx.main_menu()
    elif action == "help":
        ctx.state.flow = None
        show_help(ctx)
    elif action == "lang":
        settings.ask_language(ctx)
    elif action == "city":
        settings.ask_city(ctx)
    elif action == "ask":
        ctx.goto("ask")
    elif action == "wiz":
        if settings.need_city(ctx, "wiz"):
            return
        ctx.goto("wiz")
    elif action == "topics":
        if settings.need_city(ctx, "topics"):
            return
        topics.show_topics(ctx, page=0)
    elif action == "apply":
        if settings.need_city(ctx, "apply"):
            return
        topics.show_apply(ctx, page=0)
    elif action in ("cmp", "tk"):
        ctx.goto(action)
    else:
        ctx.expired()


FLOW = MenuFlow()
