"""The `talentbot` command (interfaces section 2): ask, assess, chat, run, kb check, complaints.

Parsers are declared here; each command's work lives in bot/commands/<name>.py and is imported
only when that command runs, so `talentbot ask` does not pay for Telegram or SQLAlchemy.
Library code raises; this module alone turns errors into messages and exit codes.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bot.cities import CITIES


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own usage errors: exit 2 with a one-line message
        self.print_usage(sys.stderr)
        print(f"talentbot: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="talentbot", description="Cited answers, eligibility checks and a complaint hotline for foreign talent.")
    p.add_argument("--env-file", help=".env-style settings file")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question from the knowledge base, with citations")
    ask.add_argument("question", nargs="*", help="the question (omit with --batch)")
    ask.add_argument("--city", help="hangzhou, zhoushan or urumqi")
    ask.add_argument("--lang", help="answer language (zh, en, ru); detected from the question when omitted")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("--batch", metavar="FILE.jsonl", help='one {"q", "city", "lang"} object a line ("-" for stdin)')

    assess = sub.add_parser("assess", help="assess an applicant profile against a city's rules")
    assess.add_argument("--city", help="hangzhou, zhoushan or urumqi")
    assess.add_argument("--profile", metavar="FILE.json", help='profile JSON file ("-" for stdin)')
    assess.add_argument("--lang", default=None, help="summary language (zh, en, ru)")
    assess.add_argument("--json", action="store_true", help="print JSON")
    assess.add_argument("--batch", metavar="FILE.jsonl", help='one {"city", "profile", "lang"} object a line')

    chat = sub.add_parser("chat", help="the whole conversation in the terminal")
    chat.add_argument("--city", help="hangzhou, zhoushan or urumqi")
    chat.add_argument("--lang", help="zh, en or ru (default: the terminal's locale, LC_ALL / LANG, until you choose)")
    chat.add_argument("--user", type=int, default=1, help="user id to chat as (default 1)")

    sub.add_parser("run", help="run the Telegram bot (settings from the environment)")

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", parser_class=_Parser, metavar="SUBCOMMAND")
    kb_sub.add_parser("check", help="validate knowledge/ and rules/")

    comp = sub.add_parser("complaints", help="the hotline queue from the shell")
    comp_sub = comp.add_subparsers(dest="complaints_command", parser_class=_Parser, metavar="SUBCOMMAND")
    for name in ("list", "show", "export"):
        c = comp_sub.add_parser(name)
        if name == "show":
            c.add_argument("ticket")
        c.add_argument("--json", action="store_true")
        c.add_argument("--status", choices=["new", "claimed", "answered", "resolved", "withdrawn"])
        c.add_argument("--city", choices=CITIES)
        c.add_argument("--category")
        c.add_argument("--since", help="YYYY-MM-DD")
        c.add_argument("--until", help="YYYY-MM-DD")
        if name == "export":
            c.add_argument("--output", "-o", help="CSV file (default stdout)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    if args.command == "kb" and not args.kb_command:
        parser.parse_args(["kb", "--help"])
    if args.command == "complaints" and not args.complaints_command:
        parser.parse_args(["complaints", "--help"])
    module = importlib.import_module(f"bot.commands.{args.command}")
    from bot.errors import DataError, UserError

    try:
        return int(module.run(args) or 0)
    except UserError as exc:
        lang = getattr(args, "lang", None) or "en"
        print(f"talentbot: {exc.text(lang)}", file=sys.stderr)
        return 2
    except DataError as exc:
        print("talentbot: the knowledge base or rules are broken:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
