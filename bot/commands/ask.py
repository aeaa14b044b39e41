"""`talentbot ask` (interfaces section 2): one question, or a JSONL batch answered line by line in order.

Bad input is reported in the asker's language (--lang, else the language of the question) with exit
status 2; in a batch a bad line becomes {"error": "..."} in its place and the rest continues.
"""

from __future__ import annotations

import json
import sys

from bot.errors import UserError
from bot.i18n import N_


def _lang_for_errors(lang, text) -> str:
    from bot import i18n

    code = i18n.normalize(lang) if isinstance(lang, str) else None
    if code:
        return code
    if isinstance(text, str) and text.strip():
        from bot.textnorm import detect_lang

        return detect_lang(text)
    return "en"


def _print(answer, as_json: bool) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=False)
    else:
        print(answer.answer)


def _single(args) -> int:
    from bot.answering import answer_question

    question = " ".join(args.question)
    try:
        answer = answer_question(question, city=args.city, lang=args.lang)
    except UserError as exc:
        print(f"talentbot: {exc.text(_lang_for_errors(args.lang, question))}", file=sys.stderr)
        return 2
    _print(answer, args.json)
    return 0


def _batch_line(line: str, lineno: int):
    from bot.answering import answer_question

    try:
        item = json.loads(line)
    except ValueError as exc:
        return {"error": f"line {lineno}: not valid JSON ({exc.msg})"}
    if not isinstance(item, dict):
        return {"error": f'line {lineno}: expected a JSON object like {{"q": "...", "city": "..."}}'}
    q, lang = item.get("q"), item.get("lang")
    try:
        return answer_question(q, city=item.get("city"), lang=lang)
    except UserError as exc:
        return {"error": f"line {lineno}: {exc.text(_lang_for_errors(lang, q))}"}


def _batch(args) -> int:
    if args.batch == "-":
        stream = sys.stdin
    else:
        try:
            stream = open(args.batch, encoding="utf-8")
        except OSError as exc:
            raise UserError(N_("Cannot read %(file)s: %(reason)s"), file=args.batch, reason=exc.strerror or str(exc))
    failed = 0
    with stream:
        for lineno, line in enumerate(stream, 1):
            if not line.strip():
                continue
            result = _batch_line(line, lineno)
            if isinstance(result, dict):
                failed += 1
                if args.json:
                    print(json.dumps(result, ensure_ascii=False))
                else:
                    print(f"talentbot: {result['error']}", file=sys.stderr)
            else:
                _print(result, args.json)
                if not args.json:
                    print()
    sys.stdout.flush()
    return 0  # per-line errors are reported in place; the batch itself ran


def run(args) -> int:
    if args.batch:
        if args.question:
            raise UserError(N_("Give either a question or --batch FILE, not both."))
        return _batch(args)
    if not args.question:
        print(f"talentbot: {UserError(N_('Please type a question.')).text(_lang_for_errors(args.lang, None))}", file=sys.stderr)
        return 2
    return _single(args)
