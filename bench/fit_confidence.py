"""Fit the answer confidence (logistic weights and abstention threshold) without any evaluation set.

    .venv/bin/python bench/fit_confidence.py [--write] [--check FILE.jsonl ...]

Training data:
- in scope: the knowledge base's own phrasings. Fold j leaves phrasing j (zh and en) of every entry out of
  the index, and asks each left-out phrasing, for its document's city, against that index: every phrasing
  is a query against an index built without it (leave-one-out in spirit, 1/100th of the index builds).
  Its entry is the target; a citation of the target or of one of its items counts as right.
- out of scope: bench/data/oos_train.jsonl, questions written for training (other topics, other cities,
  taxes, weather, daily life, topics only another city's document covers).
Questions whose answer is decided before the confidence (another place, a declared gap, a better match in
another city's document) are not fitted on: the model never decides them.

Label 1 = in scope, 0 = out of scope; the two classes weigh the same. Only FIT_FEATURES are used
(coverage, fuzzy similarity, BM25: each is evidence FOR the match, and all get positive weights). The
score is left out because it is a sum of those three (collinear weights flip sign), and the margin because
a left-out phrasing's runner-up is usually its own sibling item, which says little about scope. A model
labelled "answered right" instead was tried: it abstained on about 30% of in-scope phrasings at the same
out-of-scope rate (a sibling cited instead of its item looks exactly like an in-scope question, and IS one).
The threshold is the lowest one that abstains on at least OOS_TARGET of the out-of-scope training
questions (those decided before the confidence count as abstained), placed half-way to the next one:
the requirement is stated that way (out of scope >= 90% abstained), and any higher threshold only costs
in-scope answers.
`--write` stores the result in knowledge/confidence.yaml; `--check` prints what it gives on other sets
(for reporting only: nothing is fitted on them).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OOS = ROOT / "bench" / "data" / "oos_train.jsonl"
OUT = ROOT / "knowledge" / "confidence.yaml"
L2 = 0.01  # a little shrinkage
FIT_FEATURES = ("cover", "fuzzy", "bm25")
OOS_TARGET = 0.90


def _right(result, target) -> bool:
    if result.primary is None:
        return False
    e = result.primary.entry
    return e.doc_id == target[0] and (e.article == target[1] or e.parent == target[1])


def _decided(result) -> bool:
    """Abstained before the confidence counts: another place, a declared gap, another city's document."""
    return bool(result.other_place or result.gap is not None or result.elsewhere is not None or not result.features)


def in_scope_rows(kb):
    from bot.search import Searcher

    rows = []  # (features, label, decided)
    folds = max(len(qs) for e in kb.entries for qs in e.questions.values())
    for j in range(folds):
        entries = tuple(dataclasses.replace(e, questions={lang: tuple(q for k, q in enumerate(qs) if k != j)
                                                          for lang, qs in e.questions.items()}) for e in kb.entries)
        kb_j = dataclasses.replace(kb, entries=entries)
        kb_j.__dict__.pop("_by_key", None)
        s = Searcher(kb_j)
        for e in kb.entries:
            city = kb.documents[e.doc_id].city
            if city is None:  # national background entries never answer a city's question
                continue
            for lang, qs in e.questions.items():
                if j < len(qs):
                    r = s.search(qs[j], city=city, lang=lang)
                    rows.append((r.features, int(_right(r, e.key)), _decided(r)))
    return rows


def oos_rows(kb, path=OOS):
    from bot.search import Searcher

    s = Searcher(kb)
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            r = s.search(q["q"], city=q.get("city"), lang=q.get("lang"))
            rows.append((r.features, 0, _decided(r)))
    return rows


def _solve(a, b):
    """Gaussian elimination for the small Newton system."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[c][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(xs, ys, ws, iters=50):
    """Weighted L2 logistic regression by Newton's method; returns (bias, weights)."""
    d = len(xs[0]) + 1
    beta = [0.0] * d
    for _ in range(iters):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for x, y, w in zip(xs, ys, ws):
            v = [1.0, *x]
            z = max(-60.0, min(60.0, sum(b * xi for b, xi in zip(beta, v))))
            p = 1 / (1 + math.exp(-z))
            for i in range(d):
                grad[i] += w * (y - p) * v[i]
                for k in range(d):
                    hess[i][k] += w * p * (1 - p) * v[i] * v[k]
        for i in range(1, d):
            grad[i] -= L2 * beta[i]
            hess[i][i] += L2
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return beta[0], beta[1:]


def choose_threshold(p_out_fitted, n_decided, n_out, target=OOS_TARGET):
    """The lowest threshold that abstains on `target` of all out-of-scope questions, half-way to the next."""
    ps = sorted(p_out_fitted)
    need = math.ceil(target * n_out) - n_decided  # fitted out-of-scope questions that must fall below it
    if need <= 0:
        return round(ps[0] / 2, 3) if ps else 0.5
    lo = ps[need - 1]
    hi = ps[need] if need < len(ps) else 1.0
    return round((lo + hi) / 2, 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="store the fit in knowledge/confidence.yaml")
    ap.add_argument("--check", nargs="*", default=[], help="evaluation files to report on (not fitted on)")
    args = ap.parse_args()
    from bot.knowledge import load_knowledge
    from bot.search import FEATURES

    kb = load_knowledge()
    ins, outs = in_scope_rows(kb), oos_rows(kb)
    cols = [FEATURES.index(n) for n in FIT_FEATURES]
    fit_rows = [([x[c] for c in cols], y) for x, y, decided in [(x, 1, d) for x, _, d in ins] + outs if not decided]
    n_pos = sum(y for _, y in fit_rows)
    n_neg = len(fit_rows) - n_pos
    ys = [y for _, y in fit_rows]
    ws = [(0.5 / n_pos if y else 0.5 / n_neg) * len(ys) for y in ys]
    bias, w = fit([x for x, _ in fit_rows], ys, ws)
    weights = [w[FIT_FEATURES.index(n)] if n in FIT_FEATURES else 0.0 for n in FEATURES]

    def prob(x):
        z = bias + sum(a * v for a, v in zip(weights, x))
        return 1 / (1 + math.exp(-max(-60, min(60, z))))

    n_decided = sum(1 for *_, d in outs if d)
    threshold = choose_threshold([prob(x) for x, _, d in outs if not d], n_decided, len(outs))
    right = sum(1 for x, y, d in ins if y and not d and prob(x) >= threshold)
    wrong_answered = sum(1 for x, y, d in ins if not y and not d and prob(x) >= threshold)
    abst_in = sum(1 for x, y, d in ins if d or prob(x) < threshold)
    abst_out = sum(1 for x, y, d in outs if d or prob(x) < threshold)
    print(f"in scope: {len(ins)} left-out phrasings, {sum(y for _, y, _ in ins)} ranked right; "
          f"out of scope: {len(outs)} ({n_decided} decided before the confidence)")
    print(f"fit: bias {bias:.3f}, " + ", ".join(f"{n} {a:.3f}" for n, a in zip(FEATURES, weights))
          + f"; threshold {threshold}")
    print(f"training: in scope answered {len(ins) - abst_in} ({right} right, {wrong_answered} a neighbour), "
          f"abstained {abst_in}/{len(ins)} ({abst_in / len(ins):.1%}); out of scope abstained {abst_out}/{len(outs)} "
          f"({abst_out / len(outs):.1%})")
    # stored with the bias moved so that the threshold reads 0.5 (the class weights are balanced, so the
    # value is a score, not a probability of being right; 0.5 as the line makes the JSON `confidence` readable)
    stored_bias = bias - math.log(threshold / (1 - threshold))
    if args.write:
        lines = [
            "# Answer confidence: sigmoid(bias + sum(weights[f] * f)) over the best match's features (bot/search.py);",
            f"# a question is answered when it reaches the threshold (fitted threshold {threshold}, bias moved to put it at 0.5). GENERATED by bench/fit_confidence.py --write from",
            "# the knowledge base's own phrasings (each left out of the index it is asked against) and",
            "# bench/data/oos_train.jsonl; no evaluation set is used. Re-run it after changing the knowledge or search.",
            f"# training: {len(ins)} in-scope phrasings, {len(outs)} out-of-scope questions; answered right "
            f"{right / len(ins):.1%}, abstained {abst_in / len(ins):.1%}; out of scope abstained {abst_out / len(outs):.1%}",
            f"bias: {stored_bias:.4f}",
            "weights:",
            *[f"  {n}: {w:.4f}" for n, w in zip(FEATURES, weights)],
            "threshold: 0.5",
        ]
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {OUT.relative_to(ROOT)}")
    for path in args.check:
        check(kb, Path(path), prob, threshold)


def check(kb, path, prob, threshold) -> None:
    from bot.search import Searcher

    s = Searcher(kb)
    n_in = n_out = abst_in = abst_out = ok = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        r = s.search(q["q"], city=q.get("city"), lang=q.get("lang"))
        answered = not _decided(r) and prob(r.features) >= threshold
        if q["expect"]:
            n_in += 1
            abst_in += not answered
            ok += answered and any(_right(r, (x["doc"], x["article"])) for x in q["expect"])
        else:
            n_out += 1
            abst_out += not answered
            ok += not answered
    print(f"{path.name}: accuracy {ok}/{n_in + n_out} ({ok / (n_in + n_out):.1%}); in scope wrongly abstained "
          f"{abst_in}/{n_in} ({abst_in / max(n_in, 1):.1%}); out of scope abstained {abst_out}/{n_out} "
          f"({abst_out / max(n_out, 1):.1%})")


if __name__ == "__main__":
    main()
