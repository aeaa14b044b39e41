"""`talentbot chat`: the conversation in the terminal, on the embedded database, with no token."""

from __future__ import annotations

import sys



def run(args) -> int:
    from bot import console
    from bot.answering import check_city, check_language  # the same checks and messages as `talentbot ask`
    from bot.settings import Settings

    city = check_city(args.city)
    lang = check_language(args.lang or None)
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
