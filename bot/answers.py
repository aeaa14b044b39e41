"""Reading a typed answer: yes / no / don't know in zh, en and ru, numbers with units, Chinese numerals.

`parse(fact, raw)` returns the fact's value or DONT_KNOW, and raises UserError (a catalog message)
when the text cannot be an answer to that fact.
"""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.i18n import N_
from bot.rules import Fact

DONT_KNOW = object()
# the question and its buttons are shown again right after this: no need to list the choices in it
CHOOSE = N_("Please press one of the buttons, or type its number or name.")

_DK = {"dk", "?", "don't know", "dont know", "do not know", "not sure", "unknown", "idk", "no idea", "skip",
       "不知道", "不清楚", "不确定", "不晓得", "跳过", "не знаю", "незнаю", "не уверен", "не уверена", "пропустить"}
_YES = {"yes", "y", "yeah", "yep", "true", "sure", "of course", "是", "是的", "对", "对的", "有", "符合", "嗯", "好",
        "да", "д", "ага", "конечно", "есть"}
_NO = {"no", "n", "nope", "false", "not", "否", "不是", "不", "没有", "无", "不符合", "没", "нет", "н", "не"}
_ZH_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000}
_MULT = [("亿", 1e8), ("万", 1e4), ("million", 1e6), ("mln", 1e6), ("млн", 1e6), ("thousand", 1e3), ("тыс", 1e3),
         ("千", 1e3), ("k", 1e3), ("m", 1e6)]
_NUM = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _norm(raw: str) -> str:
    text = str(raw).strip().lower().replace("’", "'").replace("ё", "е")
    return re.sub(r"[\s.!。！,，]+$", "", text).strip()


def is_dont_know(raw: str) -> bool:
    return _norm(raw) in _DK


def zh_to_number(text: str) -> float | None:
    """'三十五' -> 35, '五十万' -> 500000, '六点五' -> 6.5; None when `text` is not a Chinese numeral."""
    if not text or any(ch not in _ZH_DIGIT and ch not in _ZH_UNIT and ch not in "万亿点" for ch in text):
        return None
    whole, _, frac = text.partition("点")
    total, section, digit = 0, 0, None
    for ch in whole:
        if ch in _ZH_DIGIT:
            digit = _ZH_DIGIT[ch]
        elif ch in _ZH_UNIT:
            section += (1 if digit is None else digit) * _ZH_UNIT[ch]
            digit = None
        else:  # 万 / 亿 close a section
            section += digit or 0
            total += section * (10_000 if ch == "万" else 100_000_000)
            section, digit = 0, None
    value = float(total + section + (digit or 0))
    if frac:
        if any(ch not in _ZH_DIGIT for ch in frac):
            return None
        value += float("0." + "".join(str(_ZH_DIGIT[ch]) for ch in frac))
    return value


def parse_number(raw: str) -> float | None:
    text = _norm(raw).replace(",", "").replace("，", "").replace(" ", "").replace("\u00a0", "")
    m = _NUM.search(text)
    if m:
        value = float(m.group())
        rest = text[m.end():]
    else:
        m = re.search(r"[零〇一二两三四五六七八九十百千万亿点]+", text)
        if not m:
            return None
        value = zh_to_number(m.group())
        if value is None:
            return None
        rest = text[m.end():]
    for word, factor in _MULT:
        if rest.startswith(word) and not (word == "m" and rest.startswith(("month", "mon"))):
            value *= factor
            break
    return value


def parse(fact: Fact, raw: str, lang: str = "en"):
    """The value `raw` gives for `fact`, DONT_KNOW, or UserError."""
    text = _norm(raw)
    if text in _DK:
        return DONT_KNOW
    if fact.type == "bool":
        if text in _YES or text == "1":
            return True
        if text in _NO or text == "2":
            return False
        raise UserError(N_("Please answer yes or no (or \"don't know\")."))
    if fact.type == "choice":
        for i, (value, labels) in enumerate(fact.choices, 1):
            names = {str(value).lower(), str(i)} | {str(v).strip().lower() for v in labels.values()}
            if text in names:
                return value
        # a unique beginning of a label: "博士" for "博士，或…", "master" for "master's, or technician"
        starts = {value for value, labels in fact.choices for v in labels.values()
                  if text and str(v).strip().lower().startswith(text)}
        if len(starts) == 1:
            return starts.pop()
        raise UserError(CHOOSE)
    value = parse_number(text)
    if value is None:
        raise UserError(N_("Please enter a number."))
    if ("%" in text or "％" in text) and fact.max is not None and fact.max <= 1:
        value /= 100  # "20%" for a share such as the tax ratio
    if fact.type == "int":
        if not float(value).is_integer():
            raise UserError(N_("Please enter a whole number."))
        value = int(value)
    elif float(value).is_integer():
        value = int(value)
    if not fact.min <= value <= fact.max:
        raise UserError(N_("Please enter a number from %(min)s to %(max)s."), min=_fmt(fact.min), max=_fmt(fact.max))
    return value


def _fmt(n) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)
