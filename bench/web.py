#!/usr/bin/env python3
"""How long the pages of the web interface take to render, on the bundled graph and on
a synthetic graph of about a million triples, against the targets of issue 15 (100 ms on
the bundled graph, 500 ms at a million triples). A script, not a test: it prints medians
and ratios.

    python3 bench/web.py                 # bundled graph only
    python3 bench/web.py --million       # also about 1M triples (builds one with yilian synth)
    python3 bench/web.py --million --out bench/WEB.md   # and write the report

"warm-up" is what `yilian serve` builds once before it forks its workers (yilian.web.app.warm: the
search index, the network of ties, the fact table, the names, the home page's summary).
"first" is a page rendered for the first time by such a server (the pages it keeps and
the labels it has looked up are forgotten before each repeat), timed by the wall clock
and by the CPU time of the process (on a machine shared with other work the wall clock
also counts the time the process waited for a core: with a load average of 9 on 2 cores
it is about 4 times the CPU time); "again" is the same page asked for again (pages are kept).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from yilian.dataset.sources import Sources  # noqa: E402
from yilian.dataset.store import memory_store  # noqa: E402
from yilian.web.app import handle  # noqa: E402
from yilian.web.pages.common import Site  # noqa: E402
from yilian.web.pages.home import summary  # noqa: E402
from yilian.web.pages.network import places  # noqa: E402

PAGES = ["/", "/search?q={word}", "/entity/{entity}/", "/entity/{place}/", "/facts?about={place_name}",
         "/facts?year=2023", "/facts?year=2023&page=2", "/timeline?year=2023", "/facts", "/timeline",
         "/indicator/{indicator}/", "/sparql?name=alliance-lead", "/network"]
#: pages measured only on the synthetic graph: a city's and a county's network, a city, a
#: county and a province, a unit, an alliance, an indicator with 5,942 observations, the
#: class yl:Observation (named by 14,000 observations)
MILLION_PAGES = ["/network/place/{city}/", "/network/place/{county}/", "/entity/{city}/", "/entity/{county}/", "/entity/{province}/", "/facts?about={city_name}",
                 "/entity/unit-percent/", "/entity/{alliance}/", "/indicator/ind-synth-primary-visits/",
                 "/indicator/ind-synth-primary-visits/?page=10", "/entity/ind-synth-primary-visits/",
                 "/entity/{observation_class}/"]


def _rss() -> int:
    """The resident size of this process, bytes (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def warm(site: Site) -> list[tuple[str, float]]:
    """Build what yilian.web.app.warm builds, part by part: [(part, seconds)]; the growth of the
    resident size is printed."""
    out = []
    before = _rss()
    for name, build in (("search index", site.index), ("network", site.network),
                        ("network places", lambda: places(site)), ("page ids", lambda: site.iri_of("x-")),
                        ("fact table", site.facts),
                        ("names", site.names), ("home summary", lambda: summary(site))):
        t = time.perf_counter()
        build()
        out.append((name, time.perf_counter() - t))
    print(f"(the warm-up grew the process by {(_rss() - before) / 2**20:,.0f} MiB)", flush=True)
    return out


def measure(site: Site, pages: list[str], params: dict, repeats: int) -> list[tuple[str, float, float, int]]:
    handle(site, "GET", "/entity/{entity}/".format(**params))  # Jinja2 compiles the templates once per process
    rows = []
    for pattern in pages:
        path = pattern.format(**params)
        firsts, cpus, agains = [], [], []
        for _ in range(repeats):
            site._cache.clear()
            site._labels.clear()
            site.__dict__.pop("_network_html", None)
            t, c = time.perf_counter(), time.process_time()
            resp = handle(site, "GET", path)
            firsts.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            t = time.perf_counter()
            handle(site, "GET", path)
            agains.append(time.perf_counter() - t)
            assert resp.status == 200, (path, resp.status, resp.body[:300])
        rows.append((path, statistics.median(firsts) * 1000, statistics.median(cpus) * 1000,
                     statistics.median(agains) * 1000, len(resp.body)))
    return rows


def report(out: list[str], title: str, parts, rows, target_ms: float) -> None:
    """Append one graph's tables (markdown) to out, and print them."""
    lines = [f"\n## {title}\n",
             f"Target: every page under {target_ms:g} ms. Load average when measured: {os.getloadavg()[0]:.2f}.\n",
             "Warm-up (once per server, before its workers fork): "
             + ", ".join(f"{name} {sec:.2f} s" for name, sec in parts) + f"; total {sum(s for _, s in parts):.1f} s.\n",
             "| page | first render, ms (median, wall clock) | its CPU time, ms (median) | CPU time / target | again, ms | size |",
             "|---|---:|---:|---:|---:|---:|"]
    for path, first, cpu, again, size in rows:
        lines.append(f"| `{path}` | {first:.1f} | {cpu:.1f} | {cpu / target_ms:.2f} | {again:.2f} | {size // 1024} KiB |")
    for col, what in ((1, "wall clock"), (2, "CPU time")):
        worst = max(rows, key=lambda r: r[col])
        lines.append(f"\nSlowest by {what}: `{worst[0]}` {worst[col]:.1f} ms ({worst[col] / target_ms:.2f} of the "
                     "target): " + ("every page meets the target." if worst[col] < target_ms
                                    else "**the target is missed**."))
    print("\n".join(lines), flush=True)
    out.extend(lines)


def _label(store, iri: str) -> str:
    import pyoxigraph as ox

    for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None):
        if q.object.language == "zh":
            return q.object.value
    raise SystemExit(f"no Chinese label for {iri}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--million", action="store_true", help="also measure a graph of about a million triples")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", help="also write the report (markdown) to this file, e.g. bench/WEB.md")
    args = ap.parse_args()
    import platform

    import pyoxigraph

    load = os.getloadavg()
    out = ["# yilian's web pages: how long they take to render", "",
           f"Produced by `python3 bench/web.py{' --million' if args.million else ''} --repeats {args.repeats}` on "
           f"{time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, Python {platform.python_version()}, pyoxigraph "
           f"{pyoxigraph.__version__}; load average (1, 5, 15 min) at the start {load[0]:.1f}, {load[1]:.1f}, "
           f"{load[2]:.1f} (the machine is shared: times are those of a loaded machine). Medians of "
           f"{args.repeats} repeats on the bundled graph, {max(1, args.repeats // 2)} at a million triples.",
           "", __doc__.split("\n\n", 2)[2].strip()]
    bundled = Site(memory_store(Sources(), progress=False))
    parts = warm(bundled)
    report(out, "Bundled graph", parts, measure(bundled, PAGES, {
        "word": "第一书记", "entity": "xiangtan-central-hospital", "place": "xiangtan", "place_name": "湘潭县",
        "indicator": "ind-primary-care-visit-share"}, args.repeats), 100)
    if args.million:
        with tempfile.TemporaryDirectory() as tmp:
            nt = Path(tmp) / "big.nt"
            subprocess.run([sys.executable, "-m", "yilian", "synth", "--institutions", "85000", "--seed", "1",
                            "-o", str(nt), "--quiet"], check=True, cwd=ROOT)
            store = memory_store(Sources((str(nt),)), progress=False)
            site = Site(store, files=Sources((str(nt),)).files())
            parts = warm(site)
            yid = "https://w3id.org/yilian/id/"
            hospital = next(q.subject.value for q in store.quads_for_pattern(
                None, None, None) if "hospital" in q.subject.value and q.subject.value.startswith(yid))
            city = yid + "synth-p03-c10"
            county, alliance = city + "-k00", city + "-specialty-alliance-1"
            params = {"word": "人民医院", "entity": hospital.rsplit("/", 1)[1], "place": "xiangtan",
                      "place_name": "湘潭县", "indicator": "ind-primary-care-visit-share",
                      "city": city.rsplit("/", 1)[1], "county": county.rsplit("/", 1)[1], "province": "synth-p03",
                      "city_name": _label(store, city), "alliance": alliance.rsplit("/", 1)[1],
                      "observation_class": site.entity_id("https://w3id.org/yilian/ontology#Observation")}
            report(out, f"About a million triples ({len(store):,}: `yilian synth --institutions 85000 --seed 1` "
                        "and the bundled graph)", parts,
                   measure(site, PAGES + MILLION_PAGES, params, max(1, args.repeats // 2)), 500)
    load = os.getloadavg()
    out.append(f"\nLoad average at the end: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}.")
    if args.out:
        Path(args.out).write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
