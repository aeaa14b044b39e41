"""Manage the gettext catalogs in locales/ with Babel: extract, update, compile, check.

    python tools/catalogs.py extract   # bot/**.py and bot/templates/** → locales/messages.pot
    python tools/catalogs.py update    # merge the .pot into locales/{zh,en,ru}/LC_MESSAGES/messages.po
    python tools/catalogs.py compile   # .po → .mo (bot.i18n also recompiles a stale .mo on first use)
    python tools/catalogs.py check     # untranslated or fuzzy messages, placeholder mismatches; exit 1 if any
    python tools/catalogs.py all       # extract, update, compile, check

English is the source language: its catalog gets msgstr = msgid, so "complete" means the same for every
shipped locale. The same steps with the pybabel command:
    pybabel extract -F babel.cfg -k N_ -k gettext:2 -k ngettext:2,3 -k n:1,2 --sort-output -o locales/messages.pot .
    pybabel update -i locales/messages.pot -d locales -D messages
    pybabel compile -d locales -D messages
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
SHIPPED = ("zh", "en", "ru")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]")


def _babel(*argv: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *argv])


def extract() -> None:
    import os

    os.chdir(ROOT)  # relative source locations in the .pot
    _babel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "N_", "-k", "gettext:2", "-k", "ngettext:2,3", "-k", "n:1,2",
           "--sort-output", "--no-wrap", "--project", "talentbot", "-o", str(POT), ".")


def update() -> None:
    for lang in SHIPPED:
        po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _babel("update", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "-l", lang, "--no-wrap", "--ignore-obsolete")
        else:
            _babel("init", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "-l", lang, "--no-wrap")
    _fill_english()


def _fill_english() -> None:
    from babel.messages.pofile import read_po, write_po

    po = LOCALES / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            message.string = tuple(message.id[:2])
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False)


def compile_() -> None:
    _babel("compile", "-d", str(LOCALES), "-D", "messages")


def problems() -> list[str]:
    """Every message of the .pot must be translated, not fuzzy, with the same placeholders, in every shipped locale."""
    from babel.messages.pofile import read_po

    with POT.open("rb") as f:
        template = read_po(f)
    wanted = {m.id for m in template if m.id}
    out: list[str] = []
    for lang in SHIPPED:
        po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            out.append(f"{lang}: catalog missing ({po})")
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=lang)
        for mid in wanted:
            m = catalog.get(mid)
            label = mid if isinstance(mid, str) else mid[0]
            if m is None:
                out.append(f"{lang}: not in catalog (run update): {label!r}")
                continue
            strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
            ids = mid if isinstance(mid, (tuple, list)) else (mid,)
            if "fuzzy" in m.flags or not all(strings):
                out.append(f"{lang}: untranslated{' (fuzzy)' if 'fuzzy' in m.flags else ''}: {label!r}")
                continue
            want = sorted(set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0])))
            for s in strings:
                got = sorted(set(PLACEHOLDER.findall(s)))
                if got != want and not (len(ids) > 1 and set(got) <= set(want)):
                    out.append(f"{lang}: placeholders differ in {label!r}: {got} != {want}")
    return out


def main(argv: list[str]) -> int:
    cmd = argv[1] if len(argv) > 1 else "all"
    if cmd in ("extract", "all"):
        extract()
    if cmd in ("update", "all"):
        update()
    if cmd in ("compile", "all"):
        compile_()
    if cmd in ("check", "all"):
        found = problems()
        for p in found:
            print(p)
        print(f"catalogs: {len(found)} problem(s)")
        return 1 if found else 0
    if cmd not in ("extract", "update", "compile", "check", "all"):
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
