"""One Jinja environment per language; templates in bot/templates/ render replies.

Templates write Telegram's HTML subset (<b>, <i>, <a>, <code>, <blockquote>) with autoescape on, so
user text passed in as context is always escaped. `to_plain` turns the same output into terminal or
JSON text, so every channel shows the same words.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot import PACKAGE_DIR
from bot import i18n


@lru_cache(maxsize=None)
def environment(lang: str) -> Environment:
    lang = i18n.normalize(lang) or i18n.DEFAULT
    env = Environment(
        loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.globals["lang"] = lang
    env.filters["date"] = lambda d, fmt="long": i18n.format_date(d, lang, fmt)
    env.filters["number"] = lambda n: i18n.format_number(n, lang)
    return env


def render(template: str, lang: str, **context) -> str:
    """Render a template file (e.g. "answer.html") in `lang`; returns Telegram-HTML text."""
    return environment(lang).get_template(template).render(**context).strip()


def render_string(source: str, lang: str, **context) -> str:
    return environment(lang).from_string(source).render(**context).strip()


_TAG = re.compile(r"</?(b|i|u|s|a|code|pre|blockquote|tg-spoiler)(\s[^>]*)?>")
_BLANKS = re.compile(r"\n{3,}")


def to_plain(text: str) -> str:
    """Telegram HTML → plain text for the terminal and JSON (tags dropped, entities decoded)."""
    return _BLANKS.sub("\n\n", html.unescape(_TAG.sub("", text))).strip()


def escape(text: str) -> str:
    return html.escape(str(text), quote=False)
