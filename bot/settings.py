"""The bot's settings (interfaces section 4): environment, or a .env-style file, → one frozen Settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import UserError
from bot.i18n import N_


def _read_env_file(path: str | os.PathLike) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _int_list(text: str, name: str) -> frozenset[int]:
    ids = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise UserError(N_("Setting %(name)s must list numeric Telegram ids, not %(value)r."), name=name, value=part)
    return frozenset(ids)


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_base_url: str | None = None
    database_url: str = "sqlite:///talentbot.sqlite3"
    hotline_chat_id: int | None = None
    staff_user_ids: frozenset[int] = field(default_factory=frozenset)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 8443
    overdue_minutes: int = 60
    default_lang: str = "en"

    @classmethod
    def load(cls, env_file: str | None = None, environ: dict[str, str] | None = None) -> "Settings":
        env = dict(environ if environ is not None else os.environ)
        if env_file:
            file_values = _read_env_file(env_file)
            # the real environment wins over the file, as with docker/systemd env files
            env = {**file_values, **{k: v for k, v in env.items() if v}}
        get = lambda k: (env.get(k) or "").strip() or None  # noqa: E731
        hotline = get("HOTLINE_CHAT_ID")
        try:
            hotline_id = int(hotline) if hotline else None
        except ValueError:
            raise UserError(N_("Setting %(name)s must be a numeric chat id, not %(value)r."), name="HOTLINE_CHAT_ID", value=hotline)
        try:
            port = int(get("PORT") or 8443)
            overdue = int(get("OVERDUE_MINUTES") or 60)
        except ValueError as exc:
            raise UserError(N_("Setting %(name)s must be a whole number."), name="PORT/OVERDUE_MINUTES") from exc
        return cls(
            token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=get("TELEGRAM_API_BASE_URL"),
            database_url=get("DATABASE_URL") or "sqlite:///talentbot.sqlite3",
            hotline_chat_id=hotline_id,
            staff_user_ids=_int_list(get("STAFF_USER_IDS") or "", "STAFF_USER_IDS"),
            webhook_url=get("WEBHOOK_URL"),
            webhook_secret=get("WEBHOOK_SECRET"),
            port=port,
            overdue_minutes=overdue,
        )
