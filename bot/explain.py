"""Words for an assessment: citations as people write them, rule explanations, next steps, nearest miss.

Rule texts come from rules/*.yaml (rendered as Jinja with the applicant's facts); the surrounding UI
sentences are gettext msgids in bot/templates/assessment.html and here.
"""

from __future__ import annotations

from functools import lru_cache

from bot import i18n
from bot.render import environment, render, to_plain
from bot.rules import City, RuleSet

_ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """1..99 in Chinese numerals, as article numbers are written (第二十三条)."""
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def article_label(rs: RuleSet, doc: str, article: str, lang: str) -> str:
    """'第五条（二）' / 'art. 5(2)' / 'measure 7': the cited article as the document's readers name it."""
    _ = i18n.Translator(lang)
    style = next((c.status.get("cite_style", "article") for c in rs.cities.values() if c.doc == doc), "national")
    head, _sep, item = article.partition(".")
    if not head.isdigit():
        names = {"notice": _("issuing notice"), "preamble": _("preamble"), "final": _("closing provision")}
        return names.get(article, article)
    n = int(head)
    if style == "measure":
        return f"第{n}条" if lang == "zh" else _("measure %(n)s", n=article)
    if lang == "zh":
        return f"第{zh_number(n)}条" + (f"（{zh_number(int(item))}）" if item.isdigit() else "")
    return _("art. %(n)s", n=f"{n}({item})" if item else str(n))


def cite_label(rs: RuleSet, city: City, doc: str, article: str, lang: str) -> str:
    return f"{city.name.get(lang) or city.name['en']} {article_label(rs, doc, article, lang)}"


@lru_cache(maxsize=2048)
def _template(lang: str, source: str):
    return environment(lang).from_string(source)


def rule_text(texts: dict | None, lang: str, facts: dict, rs: RuleSet) -> str:
    if not texts:
        return ""
    source = texts.get(lang) or texts.get("en") or ""
    ctx = {name: facts.get(name) for name in rs.facts}
    return _template(lang, source).render(**ctx).strip()


def requirement(rs: RuleSet, leaf, lang: str) -> str:
    """One condition a rule still needs, in words: 'highest degree: PhD / doctorate'."""
    _ = i18n.Translator(lang)
    _tag, name, op, value = leaf
    fact = rs.facts[name]
    label = fact.label.get(lang) or fact.label["en"]
    if fact.type == "bool":
        return label if (op == "==") == bool(value) else _("not: %(label)s", label=label)
    if fact.type == "choice":
        vals = value if op == "in" else (value,)
        shown = " / ".join(fact.choice_label(v, lang) for v in vals)
        return (_("%(label)s: not %(value)s", label=label, value=shown) if op == "!="
                else _("%(label)s: %(value)s", label=label, value=shown))
    phrases = {">=": _("%(label)s at least %(value)s", label=label, value=value),
               "<=": _("%(label)s at most %(value)s", label=label, value=value),
               ">": _("%(label)s above %(value)s", label=label, value=value),
               "<": _("%(label)s below %(value)s", label=label, value=value),
               "==": _("%(label)s: %(value)s", label=label, value=value),
               "!=": _("%(label)s: not %(value)s", label=label, value=value)}
    return phrases[op]


def _needs(rs: RuleSet, ev, cond):
    """The cheapest list of conditions still to meet for `cond`, or None when it cannot be met."""
    tag = cond[0]
    if tag == "cmp":
        v = ev.value(cond)
        if v is True:
            return []
        if v is False and not rs.facts[cond[1]].changeable:
            return None
        return [cond]
    if tag == "all":
        parts = [_needs(rs, ev, c) for c in cond[1]]
        return None if any(p is None for p in parts) else [x for p in parts for x in p]
    if tag == "any":
        parts = [p for p in (_needs(rs, ev, c) for c in cond[1]) if p is not None]
        return min(parts, key=len) if parts else None
    if tag == "not" and cond[1][0] == "cmp":
        _t, name, op, value = cond[1]
        neg = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}.get(op)
        return _needs(rs, ev, ("cmp", name, neg, value)) if neg else None
    if tag == "met":
        return _needs(rs, ev, rs.rules[cond[1]].when)
    return [] if tag == "const" and cond[1] else None


def _expand(rs: RuleSet, cond):
    """`cond` with rule references replaced by their conditions (for counting facts)."""
    if cond[0] == "met":
        return _expand(rs, rs.rules[cond[1]].when)
    if cond[0] in ("all", "any"):
        return (cond[0], tuple(_expand(rs, c) for c in cond[1]))
    if cond[0] == "not":
        return ("not", _expand(rs, cond[1]))
    return cond


def nearest_miss(rs: RuleSet, city: City, out: dict, lang: str) -> dict | None:
    if out["recognized"] or out["blockers"]:
        return None
    from bot.rules import facts_of

    best = None
    for r in city.of_kind("criterion"):
        needs = _needs(rs, out["ev"], r.when)
        if not needs:
            continue
        known = sum(out["ev"].facts.get(f) is not None for f in facts_of(_expand(rs, r.when)))
        key = (len(needs), -known)  # fewest conditions to go, then the one the applicant is closest to
        if best is None or key < best[0]:
            best = (key, r, needs)
    if best is None:
        return None
    _key, r, needs = best
    return {"doc": r.doc, "article": r.article, "rule": r.id, "facts": sorted({n[1] for n in needs}),
            "title": r.title.get(lang) or r.title["en"], "cite": cite_label(rs, city, r.doc, r.article, lang),
            "needs": [requirement(rs, n, lang) for n in needs]}


def explain(a, city: City, facts: dict, out: dict, rs: RuleSet) -> None:
    """Fill the assessment's summary, next steps and nearest miss in its language."""
    lang = a.lang
    item = lambda r: {"cite": cite_label(rs, city, r.doc, r.article, lang),  # noqa: E731
                      "title": r.title.get(lang) or r.title["en"], "doc": r.doc, "article": r.article,
                      "why": rule_text(r.explain, lang, facts, rs)}
    ev = out["ev"]
    steps = []
    if out["recognized"] or (out["benefits"] and not out["blockers"]):
        steps = [{"doc": s.doc, "article": s.article, "cite": cite_label(rs, city, s.doc, s.article, lang),
                  "text": s.text.get(lang) or s.text["en"]} for s in city.steps if ev.value(s.when) is True]
    a.next_steps = steps
    a.nearest_miss = nearest_miss(rs, city, out, lang)
    missing = [rs.facts[f].label.get(lang) or rs.facts[f].label["en"] for f in a.missing_facts]
    html = render("assessment.html", lang, city_name=city.name.get(lang) or city.name["en"],
                  status=a.document_status, status_note=city.status.get("note", {}).get(lang, ""),
                  recognized=a.recognized, category=a.category, criteria=[item(r) for r in out["criteria"]],
                  blockers=[item(r) for r in out["blockers"]], benefits=[item(r) for r in out["benefits"]],
                  max_years=a.max_permit_years, missing=missing, steps=steps, miss=a.nearest_miss)
    a.summary = to_plain(html)
    a.summary_html = html
