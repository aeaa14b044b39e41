"""Split Telegram-HTML text into messages under Telegram's 4,096-character limit.

Cuts fall at the best boundary in reach — a blank line, then a line end, then a sentence end
(。！？ or . ! ? before a space), then a space — and never inside a tag or an entity such as `&amp;`.
Tags open at a cut are closed at the end of one part and opened again at the start of the next, so
every part is valid HTML on its own. Lengths count the raw HTML, which is never less than what
Telegram counts after parsing, so a part that fits here fits there.
"""

from __future__ import annotations

import re

LIMIT = 4096

_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|[^<&]|[<&]")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")
_SENTENCE_END_CJK = "。！？；"
_SENTENCE_END = ".!?;:"

# quality of a cut after a given atom: higher is better
_PARAGRAPH, _LINE, _SENTENCE, _SPACE, _ANYWHERE = 4, 3, 2, 1, 0


def _atoms(text: str) -> list[str]:
    return _ATOM.findall(text)


def _tag(atom: str) -> tuple[str, bool] | None:
    """(name, is_closing) for a tag atom, None for text and entities."""
    if len(atom) < 3 or atom[0] != "<" or atom[-1] != ">":
        return None
    m = _TAG_NAME.match(atom)
    if not m:
        return None
    return m.group(1).lower(), atom.startswith("</")


def _apply(stack: list[tuple[str, str]], atom: str) -> list[tuple[str, str]]:
    tag = _tag(atom)
    if tag is None:
        return stack
    name, closing = tag
    if not closing:
        return stack + [(name, atom)]
    for k in range(len(stack) - 1, -1, -1):  # close the innermost tag of that name
        if stack[k][0] == name:
            return stack[:k] + stack[k + 1:]
    return stack


def _closing(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _quality(atoms: list[str], j: int) -> int:
    """How good a cut is between atoms[j-1] and atoms[j]."""
    prev = atoms[j - 1]
    nxt = atoms[j] if j < len(atoms) else "\n"
    if prev == "\n":
        return _PARAGRAPH if j >= 2 and atoms[j - 2] == "\n" else _LINE
    if prev in _SENTENCE_END_CJK:
        return _SENTENCE
    if prev in _SENTENCE_END and nxt.isspace():
        return _SENTENCE
    if prev.isspace() or nxt.isspace():
        return _SPACE
    return _ANYWHERE


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Parts of `text`, each at most `limit` characters and valid HTML; [] for blank text."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    atoms = _atoms(text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    i = 0
    while i < len(atoms):
        while i < len(atoms) and atoms[i].isspace():  # a part never starts with blank space
            i += 1
        if i >= len(atoms):
            break
        prefix = "".join(tag for _, tag in stack)
        cut, cut_stack = _find_cut(atoms, i, stack, limit - len(prefix))
        body = prefix + "".join(atoms[i:cut])
        part = (body.rstrip() + _closing(cut_stack)).strip()
        if _visible(part):
            parts.append(part)
        stack, i = cut_stack, cut
    return parts


def _find_cut(atoms: list[str], start: int, stack: list[tuple[str, str]], budget: int):
    """The end index of the part beginning at `start` and the tags open there."""
    length, j, st = 0, start, stack
    best: dict[int, tuple[int, list]] = {}
    while j < len(atoms):
        atom = atoms[j]
        new_st = _apply(st, atom)
        if length + len(atom) + len(_closing(new_st)) > budget:
            break
        length += len(atom)
        st = new_st
        j += 1
        if _tag(atom) is None or j == len(atoms):
            best[_quality(atoms, j)] = (j, st)
    if j >= len(atoms):
        return j, st
    if j == start:  # one atom longer than the budget (a giant tag): cut it off rather than loop
        return start + 1, _apply(stack, atoms[start])
    # take the best kind of boundary unless it would leave a part under a third of the limit
    floor = start + (j - start) // 3
    for quality in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE):
        if quality in best and best[quality][0] > floor:
            return best[quality]
    return best.get(_ANYWHERE, (j, st)) if _ANYWHERE in best else (j, st)


_TAGS = re.compile(r"<[^<>]*>")


def _visible(part: str) -> bool:
    return bool(_TAGS.sub("", part).strip())
