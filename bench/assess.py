"""Benchmark of the eligibility check: agreement on assess_dev.jsonl (the shared scorer), the wizard
simulation (questions needed, same result as assessing at once) and in-process assessment latency.

    .venv/bin/python bench/assess.py [../shared/eval/assess_dev.jsonl]
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assess import assess  # noqa: E402
from bot.rules import load_rules  # noqa: E402
from bot.wizard_sim import simulate  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "eval" / "assess_dev.jsonl"


def _scorer():
    spec = importlib.util.spec_from_file_location("score", ROOT.parent / "shared" / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(path: Path) -> None:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    load_rules()
    outputs = [assess(c["city"], c["profile"], c.get("lang", "en")).to_json() for c in cases]
    score = _scorer()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        score.score_assess(cases, outputs)
    print(buf.getvalue().rstrip())

    counts, same = [], 0
    for c in cases:
        n, result = simulate(c["city"], c["profile"])
        counts.append(n)
        once = assess(c["city"], c["profile"], with_summary=False)
        if result.assessment.result_key() == once.result_key():
            same += 1
        else:
            print("wizard differs", c["id"], result.assessment.result_key(), once.result_key())
    print(f"wizard: mean {statistics.mean(counts):.2f} questions, max {max(counts)}; "
          f"same result as assessing at once {same}/{len(cases)}")

    for c in cases:  # warm up: first renders compile the templates
        assess(c["city"], c["profile"], c.get("lang", "en"))
    times = []
    for _ in range(50):
        for c in cases:
            t = time.perf_counter()
            assess(c["city"], c["profile"], c.get("lang", "en"))
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
    print(f"assess latency (with summary): p50 {p(0.50):.2f} ms, p99 {p(0.99):.2f} ms over {len(times)} runs")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
