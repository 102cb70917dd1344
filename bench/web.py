#!/usr/bin/env python3
"""How long the pages of the web interface take to render, on the bundled graph and on
a synthetic graph of about a million triples, against the targets of issue 15 (100 ms on
the bundled graph, 500 ms at a million triples). A script, not a test: it prints medians
and ratios.

    python3 bench/web.py                 # bundled graph only
    python3 bench/web.py --million       # also about 1M triples (builds one with yilian synth)

"first" is a page rendered for the first time by a server whose shared data (the search
index, the network of ties, the home page's counts) is already built, as it is after the
server's first requests; "again" is the same page asked for again (pages are kept).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from yilian.dataset.sources import Sources  # noqa: E402
from yilian.dataset.store import memory_store  # noqa: E402
from yilian.web.app import handle  # noqa: E402
from yilian.web.pages.common import Site  # noqa: E402

PAGES = ["/", "/search?q={word}", "/entity/{entity}/", "/entity/{place}/", "/facts?about={place_name}",
         "/facts?year=2023", "/timeline?year=2023", "/indicator/{indicator}/", "/sparql?name=alliance-lead", "/network"]


def measure(site: Site, params: dict, repeats: int) -> list[tuple[str, float, float, int]]:
    site.index()
    site.network()
    handle(site, "GET", "/")  # the home page's counts
    rows = []
    for pattern in PAGES:
        path = pattern.format(**params)
        firsts, agains = [], []
        for _ in range(repeats):
            site._cache.clear()
            t = time.perf_counter()
            resp = handle(site, "GET", path)
            firsts.append(time.perf_counter() - t)
            t = time.perf_counter()
            handle(site, "GET", path)
            agains.append(time.perf_counter() - t)
            assert resp.status == 200, (path, resp.status, resp.body[:300])
        rows.append((path, statistics.median(firsts) * 1000, statistics.median(agains) * 1000, len(resp.body)))
    return rows


def report(title: str, rows, target_ms: float) -> None:
    print(f"\n{title} (target: every page under {target_ms:g} ms)\n")
    print("| page | first render, ms (median) | ratio to target | again, ms | size |")
    print("|---|---:|---:|---:|---:|")
    for path, first, again, size in rows:
        print(f"| `{path}` | {first:.1f} | {first / target_ms:.2f} | {again:.2f} | {size // 1024} KiB |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--million", action="store_true", help="also measure a graph of about a million triples")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bundled = Site(memory_store(Sources(), progress=False))
    report("Bundled graph", measure(bundled, {"word": "第一书记", "entity": "xiangtan-central-hospital",
                                               "place": "xiangtan", "place_name": "湘潭县",
                                               "indicator": "ind-primary-care-visit-share"}, args.repeats), 100)
    if args.million:
        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / "big.nt"
            subprocess.run([sys.executable, "-m", "yilian", "synth", "--institutions", "85000", "--seed", "1",
                            "-o", str(nt), "--quiet"], check=True, cwd=ROOT)
            store = memory_store(Sources((str(nt),)), progress=False)
            site = Site(store, files=[nt])
            hospital = next(q.subject.value for q in store.quads_for_pattern(
                None, None, None) if "hospital" in q.subject.value and q.subject.value.startswith("https://w3id.org/yilian/id/"))
            report("About a million triples", measure(site, {
                "word": "人民医院", "entity": hospital.rsplit("/", 1)[1], "place": "xiangtan",
                "place_name": "湘潭县", "indicator": "ind-primary-care-visit-share"}, max(1, args.repeats // 2)), 500)


if __name__ == "__main__":
    main()
