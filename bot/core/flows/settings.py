"""/start, /language and /city: the greeting, the language choice and the city choice.

Button data: `set:lang:<code>[:s]` (":s" while onboarding after /start: the city question follows),
`set:city:<city>[:<next>]` where <next> is a main-menu action to continue with (wiz, topics, apply, s).
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.flows.menu import CITY_LABELS, city_label
from bot.core.messages import Button
from bot.i18n import SUPPORTED, gettext, normalize

LANG_LABELS = {"zh": "中文", "en": "English", "ru": "Русский"}  # each in its own language, never translated
NEXT_ACTIONS = ("s", "wiz", "topics", "apply")


def _language_named(arg: str) -> str | None:
    """The language code `/language ARG` names ("ru", "zh-CN", "English", "中文"), or None."""
    if not arg:
        return None
    code = normalize(arg) if len(arg) <= 8 else None
    return code or next((c for c, label in LANG_LABELS.items() if label.lower() == arg.strip().lower()), None)


def _city_named(arg: str) -> str | None:
    """The city `/city ARG` names: its id or its name in any language ("zhoushan", "舟山", "Чжоушань"), or None."""
    key = arg.strip().lower()
    for city, msgid in CITY_LABELS.items():
        if key == city or key in {gettext(lang, msgid).lower() for lang in SUPPORTED}:
            return city
    return None


def language_buttons(suffix: str = "") -> list[Button]:
    return [Button(label, f"set:lang:{code}{suffix}") for code, label in LANG_LABELS.items()]


def city_buttons(ctx: Context, next_action: str | None = None) -> list[Button]:
    suffix = f":{next_action}" if next_action else ""
    return [Button(ctx._(CITY_LABELS[c]), f"set:city:{c}{suffix}") for c in CITY_LABELS]


def ask_language(ctx: Context, greeting: bool = False, note: str | None = None) -> None:
    text = ctx.render("start.html" if greeting else "choose_language.html", note=note)
    ctx.say(text, [language_buttons(":s" if greeting else "")])


def ask_city(ctx: Context, next_action: str | None = None, note: str | None = None) -> None:
    text = ctx.render("choose_city.html", note=note, city_name=city_label(ctx, ctx.state.city))
    ctx.say(text, [city_buttons(ctx, next_action), [ctx.menu_button()]])


def need_city(ctx: Context, next_action: str) -> bool:
    """Ask for the city first when the chat has none; True when it asked (the action resumes after)."""
    if ctx.state.city in CITY_LABELS:
        return False
    ask_city(ctx, next_action, note=ctx._("First, which city is this about?"))
    return True


class SettingsFlow:
    name = "set"
    commands = ("start", "language", "city")

    def start(self, ctx: Context) -> None:
        ctx.state.flow = None  # the choices are buttons; free text stays a question
        cmd, arg = ctx.incoming.command, ctx.text
        if cmd == "language":
            code = _language_named(arg)
            if code:
                self._set_lang(ctx, code, None)
            else:
                ask_language(ctx, note=ctx._("I don't know the language '%(code)s'; I speak Chinese, English and "
                                             "Russian.", code=arg[:40]) if arg else None)
        elif cmd == "city":
            city = _city_named(arg)
            if city:
                self._set_city(ctx, city, None)
            else:
                ask_city(ctx, note=ctx._("I don't know the city '%(city)s'; I cover Hangzhou, Zhoushan and Urumqi.",
                                         city=arg[:40]) if arg else None)
        else:  # /start, or the flow entered by name
            ask_language(ctx, greeting=True)

    def handle(self, ctx: Context) -> None:
        parts = ctx.parts
        if len(parts) < 3:
            ctx.expired()
            return
        what, value, rest = parts[1], parts[2], parts[3] if len(parts) > 3 else None
        if what == "lang" and value in LANG_LABELS:
            self._set_lang(ctx, value, rest)
        elif what == "city" and value in CITY_LABELS:
            self._set_city(ctx, value, rest if rest in NEXT_ACTIONS else None)
        else:
            ctx.expired()

    def _set_lang(self, ctx: Context, code: str, rest: str | None) -> None:
        ctx.set_lang(code)
        if rest == "s":
            ask_city(ctx, "s", note=ctx._("Thank you. Which city are you interested in?"))
        else:
            ctx.main_menu(note=ctx._("I will speak English with you from now on."))

    def _set_city(self, ctx: Context, city: str, next_action: str | None) -> None:
        from bot.core.flows.menu import run_action

        ctx.state.city = city
        note = ctx._("City set to %(city)s.", city=city_label(ctx, city))
        if next_action and next_action != "s":
            ctx.say(note)
            run_action(ctx, next_action)
        else:
            ctx.main_menu(note=note)


FLOW = SettingsFlow()
