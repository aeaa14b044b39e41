"""Question → Answer: search, then render the reply (answer, citation, status note) through templates.

`answer_question` is what `talentbot ask` and the chat flows call; `Answer.to_json()` is exactly the
JSON object of interfaces section 2, and `Answer.html` is the Telegram-HTML reply for chat channels.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from bot import i18n
from bot.cities import CITY_NAMES
from bot.errors import UserError
from bot.i18n import N_

MAX_QUESTION_CHARS = 2000  # longer input is refused with a message (not silently cut): it is not a question
LANGS = ("zh", "en", "ru")


@dataclass
class Answer:
    q: str
    city: str | None
    lang: str
    answered: bool
    answer: str  # plain text (render.to_plain of html)
    sources: list[dict]
    confidence: float
    suggestions: list[dict]
    html: str = ""
    entry_ids: list[str] = field(default_factory=list)  # for buttons: primary first, then suggestions
    elsewhere: dict | None = None  # not answered: another city's article that covers it ({"doc", "article", "title"})

    def to_json(self) -> dict:
        return {"q": self.q, "city": self.city, "lang": self.lang, "answered": self.answered,
                "answer": self.answer, "sources": self.sources, "confidence": self.confidence,
                "suggestions": self.suggestions}


_text = i18n.localized  # knowledge texts are zh and en: Russian falls back to English


def citation(entry, lang: str, kb=None) -> str:
    """'Zhoushan recognition rules, Article 9' / '舟山外籍人才认定办法 第九条'."""
    from bot.knowledge import load_knowledge

    doc = (kb or load_knowledge()).documents[entry.doc_id]
    return i18n.gettext(lang, "%(doc)s, %(article)s", doc=_text(doc.short_title, lang), article=_text(entry.label, lang))


def button_label(entry, lang: str, kb=None) -> str:
    """A short form for buttons: the article label and its heading, cut to fit a button."""
    text = f"{_text(entry.label, lang)} · {_text(entry.heading, lang)}"
    return text if len(text) <= 40 else text[:39] + "…"


def render_entry(entry, lang: str, today: _dt.date | None = None, kb=None, background=None) -> str:
    from bot.knowledge import load_knowledge
    from bot.render import render

    kb = kb or load_knowledge()
    doc = kb.documents[entry.doc_id]
    return render(
        "answer.html", lang,
        answer_text=_text(entry.answer, lang),
        russian_note=lang == "ru" and "ru" not in entry.answer,
        citation=citation(entry, lang, kb),
        status=doc.status(today or _dt.date.today()),
        trial=doc.trial,
        valid_until=doc.valid_until,
        effective=doc.effective,
        background=citation(background, lang, kb) if background is not None else None,
    )


def check_language(lang: str | None) -> str | None:
    if lang is None:
        return None
    code = i18n.normalize(lang)
    if code is None:
        raise UserError(N_("Unknown language %(code)s: use zh, en or ru."), code=str(lang)[:20])
    return code


def check_city(city: str | None) -> str | None:
    if city is None or city == "":
        return None
    key = str(city).strip().lower()
    if key not in CITY_NAMES:
        raise UserError(N_("Unknown city %(city)s: use hangzhou, zhoushan or urumqi."), city=str(city)[:40])
    return key


def clean_question(q) -> str:
    """The question without control characters; UserError when there is nothing to answer."""
    if not isinstance(q, str):
        raise UserError(N_("The question must be text."))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") else ch for ch in q)
    text = " ".join(text.split())
    if not text:
        raise UserError(N_("Please type a question."))
    if len(text) > MAX_QUESTION_CHARS:
        raise UserError(N_("The question is too long (%(n)s characters); please keep it under %(max)s characters."),
                        n=len(text), max=MAX_QUESTION_CHARS)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise UserError(N_("Please ask your question in words (Chinese, English or Russian)."))
    return text


# Per language, a question that is answered and one that is not: together they load everything a first
# question would otherwise load while its chat waits (the index, each language's catalog, both reply templates,
# and zhconv's dictionary, which only a text with Han characters pulls in: ~60 ms).
WARM_UP = {"en": ("talent card", "what is the weather like on the moon"),
           "zh": ("人才卡", "月球上的天气怎么样"),
           "ru": ("talent card", "какая погода на луне")}


def warm_up() -> None:
    """Build now what the first questions would otherwise build (for long-running adapters, at start)."""
    for lang, questions in WARM_UP.items():
        for q in questions:
            answer_question(q, city="hangzhou", lang=lang)


@lru_cache(maxsize=1)
def searcher():
    from bot.search import cached_searcher

    return cached_searcher()


def answer_question(q: str, city: str | None = None, lang: str | None = None,
                    today: _dt.date | None = None) -> Answer:
    """Answer one question for one city (or none) in one language; UserError on bad input."""
    from bot.render import render, to_plain
    from bot.textnorm import detect_lang

    city = check_city(city)
    lang = check_language(lang)
    text = clean_question(q)
    lang = lang or detect_lang(text)
    s = searcher()
    kb = s.kb
    result = s.search(text, city=city, lang=lang)
    city_name = i18n.gettext(lang, CITY_NAMES[city]) if city else ""
    background = result.background.entry if result.background else None
    elsewhere = None
    if result.answered and result.primary:
        entry = result.primary.entry
        html = render_entry(entry, lang, today, kb, background=background)
        sources = [entry.citation()]
        suggestions = []
        ids = [entry.id]
    else:
        sugg = [h.entry for h in result.suggestions]
        html = render(
            "not_answered.html", lang, city_name=city_name,
            other_place=result.other_place,
            gap=_text(result.gap.text, lang) if result.gap is not None else None,
            elsewhere=citation(result.elsewhere.entry, lang, kb) if result.elsewhere else None,
            background=citation(background, lang, kb) if background is not None else None,
            suggestions=[i18n.gettext(lang, "%(citation)s: %(heading)s", citation=citation(e, lang, kb), heading=_text(e.heading, lang)) for e in sugg],
        )
        sources = []
        suggestions = [{**e.citation(), "title": i18n.gettext(lang, "%(citation)s: %(heading)s", citation=citation(e, lang, kb), heading=_text(e.heading, lang))} for e in sugg]
        ids = [e.id for e in sugg]
        if result.elsewhere is not None:
            other = result.elsewhere.entry
            elsewhere = {**other.citation(), "title": i18n.gettext(lang, "%(citation)s: %(heading)s", citation=citation(other, lang, kb), heading=_text(other.heading, lang))}
    return Answer(q=q, city=city, lang=lang, answered=bool(result.answered and result.primary),
                  answer=to_plain(html), sources=sources, confidence=float(result.confidence),
                  suggestions=suggestions, html=html, entry_ids=ids, elsewhere=elsewhere)
