"""Words for an assessment: citations as people write them, rule explanations, next steps, nearest miss.

Rule texts come from rules/*.yaml (rendered as Jinja with the applicant's facts); the surrounding UI
sentences are gettext msgids in bot/templates/assessment.html and here.
"""

from __future__ import annotations

import html
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
    sep = "" if lang == "zh" else " "  # 舟山第九条, Zhoushan art. 9
    return f"{i18n.localized(city.name, lang)}{sep}{article_label(rs, doc, article, lang)}"


def join_list(items, lang: str) -> str:
    """Items of a running list: 、 in Chinese, commas elsewhere."""
    return ("、" if lang == "zh" else ", ").join(items)


@lru_cache(maxsize=2048)
def _template(lang: str, source: str):
    return environment(lang).from_string(source)


def rule_text(texts: dict | None, lang: str, facts: dict, rs: RuleSet, **extra) -> str:
    if not texts:
        return ""
    source = texts.get(lang) or texts.get("en") or ""
    ctx = {name: facts.get(name) for name in rs.facts}
    # plain text: the template that shows it escapes it (rendering here escapes too, which doubled &#39;)
    return html.unescape(_template(lang, source).render(**ctx, **extra)).strip()


def requirement(rs: RuleSet, leaf, lang: str) -> str:
    """One condition a rule still needs, in words: 'highest degree: PhD / doctorate'."""
    _ = i18n.Translator(lang)
    _tag, name, op, value = leaf
    fact = rs.facts[name]
    label = i18n.localized(fact.label, lang)
    if fact.type == "bool":
        return label if (op == "==") == bool(value) else _("not: %(label)s", label=label)
    if fact.type == "choice":
        vals = value if op == "in" else (value,)
        shown = " / ".join(fact.choice_label(v, lang) for v in vals)
        return (_("%(label)s: not %(value)s", label=label, value=shown) if op == "!="
                else _("%(label)s: %(value)s", label=label, value=shown))
    value = i18n.format_number(value, lang)
    phrases = {">=": _("%(label)s at least %(value)s", label=label, value=value),
               "<=": _("%(label)s at most %(value)s", label=label, value=value),
               ">": _("%(label)s above %(value)s", label=label, value=value),
               "<": _("%(label)s below %(value)s", label=label, value=value),
               "==": _("%(label)s: %(value)s", label=label, value=value),
               "!=": _("%(label)s: not %(value)s", label=label, value=value)}
    return phrases[op]


def _expand(rs: RuleSet, cond):
    """`cond` with rule references replaced by their conditions (for counting facts)."""
    if cond[0] == "met":
        return _expand(rs, rs.rules[cond[1]].when)
    if cond[0] in ("all", "any"):
        return (cond[0], tuple(_expand(rs, c) for c in cond[1]))
    if cond[0] == "not":
        return ("not", _expand(rs, cond[1]))
    return cond


def _path(rs: RuleSet, ev, cond):
    """(conditions still to meet, conditions already met) on the cheapest way to `cond`; None if out of reach."""
    tag = cond[0]
    if tag == "cmp":
        v = ev.value(cond)
        if v is True:
            return [], 1
        if v is False and not rs.facts[cond[1]].changeable:
            return None
        return [cond], 0
    if tag == "all":
        parts = [_path(rs, ev, c) for c in cond[1]]
        if any(p is None for p in parts):
            return None
        return [x for p, _m in parts for x in p], sum(m for _p, m in parts)
    if tag == "any":
        parts = [p for p in (_path(rs, ev, c) for c in cond[1]) if p is not None]
        # a known number close to its line (84 points) is the likelier way than a fact never asked
        return min(parts, key=lambda p: (len(p[0]), -p[1], _answered_against(ev, p[0]),
                                         min((_closeness(ev, n) for n in p[0]), default=0))) if parts else None
    if tag == "not" and cond[1][0] == "cmp":
        _t, name, op, value = cond[1]
        neg = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}.get(op)
        return _path(rs, ev, ("cmp", name, neg, value)) if neg else None
    if tag == "met":
        return _path(rs, ev, rs.rules[cond[1]].when)
    return ([], 0) if tag == "const" and cond[1] else None


def _answered_against(ev, needs) -> int:
    """Needs the applicant has already answered otherwise (not just a number short of its line): the
    wizard's "no" to "selected into a national talent programme?" makes that the least likely way in."""
    return sum(ev.facts.get(lf[1]) is not None and _closeness(ev, lf) > 0.1 for lf in needs)


def _closeness(ev, leaf) -> float:
    """How far a known number is from the value a comparison needs, as a share of it (0 = on the line)."""
    value = ev.facts.get(leaf[1])
    if value is None or leaf[2] not in ("<", "<=", ">", ">="):
        return 1.0
    return abs(value - leaf[3]) / max(abs(leaf[3]), 1e-9)


def _out_of_reach(rs: RuleSet, city: City, ev) -> tuple | None:
    """The criterion the applicant meets most of but can never meet, because a fact that cannot change fails."""
    best = None
    for r in city.of_kind("criterion"):
        leaves = list(_leaves(_expand(rs, r.when)))
        stuck = [lf for lf in leaves if not rs.facts[lf[1]].changeable and ev.value(lf) is False]
        met = sum(ev.value(lf) is True for lf in leaves)
        if stuck and met and _path(rs, ev, r.when) is None and (best is None or met > best[0]):
            best = (met, r, stuck[0])
    return best


def _leaves(cond):
    if cond[0] == "cmp":
        yield cond
    elif cond[0] in ("all", "any", "not"):
        for c in (cond[1] if cond[0] != "not" else (cond[1],)):
            yield from _leaves(c)


def nearest_miss(rs: RuleSet, city: City, out: dict, lang: str, missing: list) -> dict | None:
    """The criterion this applicant is closest to: most conditions already met, one or two to go.

    Ties go to the facts the wizard would ask first; a known number just short of its line (84 points)
    beats a fact nobody has asked about yet. A criterion whose unchangeable fact fails (age) is out of
    reach and is named as such instead.
    """
    if out["recognized"] or out["blockers"]:
        return None
    ev = out["ev"]
    rank = {f: i for i, f in enumerate(missing)}
    best = None
    for r in city.of_kind("criterion"):
        path = _path(rs, ev, r.when)
        if not path or not path[0]:
            continue
        needs, met = path
        order = min((-1 if _closeness(ev, lf) <= 0.1 else rank.get(lf[1], len(rank))) for lf in needs)
        key = (len(needs) > 2, -met, _answered_against(ev, needs), len(needs), order)
        if best is None or key < best[0]:
            best = (key, r, needs)
    stuck = _out_of_reach(rs, city, ev)
    if best is None and stuck is None:
        return None
    _ = i18n.Translator(lang)
    miss: dict = {"needs": [], "out_of_reach": None}
    if best is not None:
        _key, r, needs = best
        shown = []
        for leaf in needs:  # not `n`: the extractor reads n(...) as the plural keyword
            text = requirement(rs, leaf, lang)
            if ev.facts.get(leaf[1]) is not None and rs.facts[leaf[1]].type in ("int", "number"):
                text = _("%(need)s (now %(value)s)", need=text, value=i18n.format_number(ev.facts[leaf[1]], lang))
            shown.append(text)
        miss.update({"doc": r.doc, "article": r.article, "rule": r.id, "facts": sorted({lf[1] for lf in needs}),
                     "title": i18n.localized(r.title, lang), "cite": cite_label(rs, city, r.doc, r.article, lang),
                     "needs": shown})
    if stuck is not None:
        _met, r, leaf = stuck
        fact = rs.facts[leaf[1]]
        miss["out_of_reach"] = {"doc": r.doc, "article": r.article, "rule": r.id,
                                "cite": cite_label(rs, city, r.doc, r.article, lang),
                                "fact": i18n.localized(fact.label, lang)}
    return miss


MISSING_SHOWN = 5  # the rest is the wizard's job: it asks only what still matters


def _sentences(parts: list | None, lang: str) -> str:
    """Boundary clauses as one sentence: '…; …' with the language's own punctuation."""
    if not parts:
        return ""
    return "；".join(parts) + "。" if lang == "zh" else "; ".join(parts) + "."


def _missing_text(labels: list, lang: str) -> str:
    """The facts that matter most (the wizard's question order), then how many more there are."""
    if not labels:
        return ""
    _ = i18n.Translator(lang)
    shown, more = join_list(labels[:MISSING_SHOWN], lang), len(labels) - MISSING_SHOWN
    if more <= 0:
        return _("Still unknown, and could change the result: %(facts)s.", facts=shown)
    return _.n("Still unknown and mattering most: %(facts)s, and %(n)s more — the eligibility check (/eligibility) "
               "asks only what matters.",
               "Still unknown and mattering most: %(facts)s, and %(n)s more — the eligibility check (/eligibility) "
               "asks only what matters.", more, facts=shown)


def _title_shown(rs: RuleSet, city: City, miss: dict) -> str | None:
    """The rule's title when it says more than what is missing; None when it only repeats it ("selected into
    a national talent programme (A-class)" for the need "selected into a national talent programme").
    Decided on the English texts, so every language says the same thing (translations reword the title)."""
    rule = next((r for r in city.rules if r.id == miss.get("rule")), None)
    if rule is None:
        return miss["title"]
    title = i18n.localized(rule.title, "en").strip().lower()
    core = title.rsplit("(", 1)[0].strip() if title.endswith(")") else title  # "… (A-class)"
    needs = ", ".join(i18n.localized(rs.facts[f].label, "en").lower() for f in miss.get("facts", ()))
    return None if core and core in needs else miss["title"]


def explain(a, city: City, facts: dict, out: dict, rs: RuleSet) -> None:
    """Fill the assessment's summary, next steps and nearest miss in its language."""
    from bot.boundaries import against_items

    lang = a.lang
    _ = i18n.Translator(lang)
    against = against_items(rs, city, out, lang)

    def item(r) -> dict:
        why = rule_text(r.explain, lang, facts, rs) or _sentences(against.get(r.id), lang)
        title = i18n.localized(r.title, lang)
        cite = cite_label(rs, city, r.doc, r.article, lang)
        line = _("%(cite)s: %(title)s", cite=cite, title=title)
        return {"cite": cite, "title": title, "doc": r.doc, "article": r.article, "why": why,
                "line": _("%(item)s — %(why)s", item=line, why=why) if why else line}

    ev = out["ev"]
    steps = []
    if out["recognized"] or (out["benefits"] and not out["blockers"]):
        steps = [{"doc": s.doc, "article": s.article, "cite": cite_label(rs, city, s.doc, s.article, lang),
                  "text": i18n.localized(s.text, lang)} for s in city.steps if ev.value(s.when) is True]
    a.next_steps = steps
    a.nearest_miss = nearest_miss(rs, city, out, lang, a.missing_facts)
    outside = [] if out["blockers"] else [
        dict(doc=r.doc, article=r.article, why=_sentences(against[r.id], lang), line=_("%(cite)s (%(title)s): %(why)s", cite=cite_label(rs, city, r.doc, r.article, lang),
                             title=i18n.localized(r.title, lang), why=_sentences(against[r.id], lang)))
        for r in city.rules if r.kind != "blocker" and r.id in against]
    labels = [i18n.localized(rs.facts[f].label, lang) for f in a.missing_facts]
    miss = a.nearest_miss
    if miss and miss.get("needs"):
        miss = dict(miss, needs_text=join_list(miss["needs"], lang), title_shown=_title_shown(rs, city, miss))
    html = render("assessment.html", lang, city_name=i18n.localized(city.name, lang),
                  status=a.document_status, status_note=city.status.get("note", {}).get(lang, ""),
                  recognized=a.recognized, category=a.category, criteria=[item(r) for r in out["criteria"]],
                  blockers=[item(r) for r in out["blockers"]], benefits=[item(r) for r in out["benefits"]],
                  outside=outside, max_years=a.max_permit_years, steps=steps, miss=miss,
                  missing=_missing_text(labels, lang))
    a.summary = to_plain(html)
    a.summary_html = html
