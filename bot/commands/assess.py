"""`talentbot assess`: one profile (--city --profile FILE|-) or a JSONL batch, as JSON or a summary.

In a batch every line is independent: a bad line prints {"error": ...} on its own output line and
the rest go on. Other keys on a line (id, expect, …) are ignored.
"""

from __future__ import annotations

import json
import sys

from bot.errors import UserError
from bot.i18n import N_


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as exc:
        raise UserError(N_("Cannot read %(path)s: %(reason)s"), path=path, reason=exc.strerror or str(exc))


def _parse(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(N_("%(where)s is not valid JSON: %(reason)s"), where=where, reason=exc.msg)


def _one(city, profile, lang, as_json: bool) -> str:
    from bot.assess import assess

    if not isinstance(city, str) or not city:
        raise UserError(N_("Give the city (hangzhou, zhoushan or urumqi)."))
    a = assess(city, profile, lang=lang or "en")
    if as_json:
        return json.dumps(a.to_json(), ensure_ascii=False)
    return a.summary


def run(args) -> int:
    if args.batch:
        return _batch(args)
    if not args.profile:
        raise UserError(N_("Give --profile FILE.json (or - for stdin), or --batch FILE.jsonl."))
    profile = _parse(_read(args.profile), args.profile if args.profile != "-" else "stdin")
    print(_one(args.city, profile, args.lang, args.json))
    return 0


def _batch(args) -> int:
    from bot.i18n import gettext

    failed = 0
    for n, line in enumerate(_read(args.batch).splitlines(), 1):
        if not line.strip():
            continue
        lang = args.lang or "en"
        try:
            row = _parse(line, f"line {n}")
            if not isinstance(row, dict):
                raise UserError(N_("Line %(n)s must be a JSON object with city and profile."), n=n)
            lang = row.get("lang") or lang
            out = _one(row.get("city") or args.city, row.get("profile", {}), lang, args.json)
        except UserError as exc:
            failed += 1
            out = json.dumps({"error": exc.text(lang if isinstance(lang, str) else "en")}, ensure_ascii=False)
            if not args.json:
                out = gettext("en", "line %(n)s: %(error)s", n=n, error=exc.text("en"))
        print(out if args.json else out + "\n", flush=False)
    return 0  # per-line errors are in the output; the batch itself succeeded
