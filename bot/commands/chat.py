"""`talentbot chat`: the conversation in the terminal, on the embedded database, with no token."""

from __future__ import annotations

import sys

from bot.cities import CITIES
from bot.errors import UserError
from bot.i18n import N_, normalize


def run(args) -> int:
    from bot import console
    from bot.settings import Settings

    city = (args.city or "").strip().lower() or None
    if city and city not in CITIES:
        raise UserError(N_("Unknown city %(city)s: use hangzhou, zhoushan or urumqi."), city=args.city)
    lang = normalize(args.lang) if args.lang else None
    if args.lang and not lang:
        raise UserError(N_("Unknown language %(lang)s: use zh, en or ru."), lang=args.lang)
    settings = Settings.load(getattr(args, "env_file", None))
    console.quiet_logging()
    try:
        from bot.store import Store

        store = Store(settings.database_url)
        store.migrate()
    except Exception as exc:  # a bad DATABASE_URL or an unwritable folder: say so, no traceback
        print(f"talentbot: cannot open the database {settings.database_url}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    return console.run(store, settings, user_id=args.user, city=city, lang=lang)
