"""Gettext catalogs (Babel) and locale-aware formatting.

Each call names its language; nothing installs a process-wide translation, so one process can
serve a Chinese user and a Russian user at the same time. Catalogs live in
locales/<lang>/LC_MESSAGES/messages.po; the compiled .mo is rebuilt on first use whenever it is
missing or older than its .po, so a stale catalog is never served.
"""

from __future__ import annotations

import datetime as _dt
import io
import threading
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from bot.paths import locales_dir

SUPPORTED = ("zh", "en", "ru")
DEFAULT = "en"
DOMAIN = "messages"
_lock = threading.Lock()


def normalize(code: str | None) -> str | None:
    """Map a client or user language code to a shipped locale, or None when we have none for it."""
    if not code:
        return None
    base = str(code).strip().lower().replace("_", "-").split("-")[0]
    return base if base in SUPPORTED else None


def pick(stored: str | None = None, client: str | None = None) -> str:
    """The language for one update: the user's stored choice, then the client's, then English."""
    return normalize(stored) or normalize(client) or DEFAULT


def _write_mo(po: Path, out) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        write_mo(out, read_po(f), use_fuzzy=False)


def _compile_if_stale(po: Path) -> Path:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return mo
    tmp = mo.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        _write_mo(po, f)
    tmp.replace(mo)  # atomic: another process never reads a half-written catalog
    return mo


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The compiled catalog for a shipped language (English falls back to the msgids)."""
    lang = normalize(lang) or DEFAULT
    po = locales_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return NullTranslations()
    with _lock:
        try:
            mo = _compile_if_stale(po)
        except OSError:  # read-only install: compile in memory instead
            buf = io.BytesIO()
            _write_mo(po, buf)
            buf.seek(0)
            return Translations(fp=buf, domain=DOMAIN)
    with mo.open("rb") as f:
        return Translations(fp=f, domain=DOMAIN)


def gettext(lang: str, message: str, **params) -> str:
    """Translate `message` into `lang` and fill its `%(name)s` placeholders."""
    text = translations(lang).gettext(message)
    return text % params if params else text


def ngettext(lang: str, singular: str, plural: str, n: int, **params) -> str:
    text = translations(lang).ngettext(singular, plural, n)
    params.setdefault("n", n)
    return text % params


def localized(texts: dict, lang: str) -> str:
    """A data text (knowledge/, rules/) in `lang`; a language the data lacks falls back to English, then Chinese."""
    return texts.get(lang) or texts.get("en") or texts.get("zh") or ""


def N_(message: str) -> str:
    """Mark a string for extraction where it is translated later (e.g. in a table)."""
    return message


class Translator:
    """A bound `_` for one language: `t = Translator('zh'); t('Hello')`."""

    def __init__(self, lang: str):
        self.lang = normalize(lang) or DEFAULT

    def __call__(self, message: str, **params) -> str:
        return gettext(self.lang, message, **params)

    def n(self, singular: str, plural: str, n: int, **params) -> str:
        return ngettext(self.lang, singular, plural, n, **params)


def babel_locale(lang: str) -> str:
    return {"zh": "zh_Hans_CN", "en": "en", "ru": "ru"}.get(normalize(lang) or DEFAULT, "en")


def format_date(value: _dt.date | str | None, lang: str, fmt: str = "long") -> str:
    """A date as people of that language write it (2026年6月17日 / June 17, 2026 / 17 июня 2026 г.)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    from babel.dates import format_date as _fd

    return _fd(value, format=fmt, locale=babel_locale(lang))


def format_number(value, lang: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(lang))


def format_datetime(value: _dt.datetime, lang: str, fmt: str = "medium") -> str:
    from babel.dates import format_datetime as _fdt

    return _fdt(value, format=fmt, locale=babel_locale(lang))
