#!/usr/bin/env python3
"""What the memory cap costs a normal query: the named queries on the bundled graph, each
run bounded as `yilian query` runs it (a forked child that opens the on-disk store and
renders the answer), with the cap (the parent polls the child's memory every 50 ms) and
without it (--max-memory 0), alternately, in the same process. Prints the median time
of each query both ways and the ratio of the medians.

    python3 bench/memory_cap.py              # 15 rounds
    python3 bench/memory_cap.py --rounds 40 --cli    # also whole `yilian query` processes

This is a script, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from yilian.dataset.sources import Sources  # noqa: E402
from yilian.limits import default_max_memory, format_size, run_bounded  # noqa: E402
from yilian.sparql import run as querying  # noqa: E402
from yilian.sparql.named import all_queries  # noqa: E402


def _work(text: str):
    def work():
        from yilian.dataset.store import open_store

        store = open_store(Sources(), progress=False)
        return querying.run(store, text, fmt="table", rdf_format="turtle", allow_service=(),
                            rdf_requested=False, max_rows=10000).output

    return work


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--cli", action="store_true", help="also time whole `yilian query` processes")
    args = ap.parse_args()
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="yilian-bench-"))
    cap = default_max_memory()
    queries = all_queries()
    run_bounded(_work(queries[0].text), 600, max_memory=0)  # build the store once
    print(f"memory cap {format_size(cap)}; {len(queries)} named queries, {args.rounds} rounds, medians\n")
    print(f"| {'query':<28} | without cap (ms) | with cap (ms) | ratio |")
    print(f"|{'-' * 30}|------------------|---------------|-------|")
    ratios, total_off, total_on = [], [], []
    for q in queries:
        off, on = [], []
        for i in range(args.rounds):
            pair = [("off", 0), ("on", cap)] if i % 2 == 0 else [("on", cap), ("off", 0)]
            for name, limit in pair:
                t = _timed(lambda: run_bounded(_work(q.text), 600, max_memory=limit))
                (off if name == "off" else on).append(t)
        m_off, m_on = statistics.median(off), statistics.median(on)
        ratios.append(m_on / m_off)
        total_off.append(m_off)
        total_on.append(m_on)
        print(f"| {q.id:<28} | {m_off * 1000:16.1f} | {m_on * 1000:13.1f} | {m_on / m_off:5.3f} |")
    print(f"\nmedian ratio (with cap / without): {statistics.median(ratios):.3f}; "
          f"sum of medians {sum(total_on) * 1000:.0f} ms with, {sum(total_off) * 1000:.0f} ms without")
    if args.cli:
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
        cmd = [sys.executable, "-m", "yilian", "query", "--name", "alliance-lead", "--format", "csv"]
        off, on = [], []
        for i in range(args.rounds):
            for limit in (["--max-memory", "0"], []) if i % 2 == 0 else ([], ["--max-memory", "0"]):
                t = _timed(lambda: subprocess.run(cmd + limit, env=env, check=True, capture_output=True))
                (off if limit else on).append(t)
        print(f"whole process (yilian query --name alliance-lead): without cap {statistics.median(off) * 1000:.0f} ms, "
              f"with cap {statistics.median(on) * 1000:.0f} ms, ratio {statistics.median(on) / statistics.median(off):.3f}")


if __name__ == "__main__":
    main()
