"""The national size of the benchmark (issue 17): `yilian synth --institutions 1000000`
(about 12 million triples) plus the bundled graph, every step a fresh `yilian` process
measured end to end with its peak memory.

    python3 bench/run.py --sizes national --out bench/NATIONAL.md --json bench/national.json

Run on demand, not in CI: it takes the better part of an hour on a 2-core machine and up to
about 8 GiB at a time. The steps run one after another, never side by side; before each one
the script waits until `--free-gib` GiB of memory are available (the machine may be shared),
and a watchdog polls the step's resident memory (the process and its children) and kills it
above `--kill-gib`, so a runaway step cannot take the machine down.

Peak memory is the largest sum of the resident sizes (VmRSS) of the step's processes seen
by the watchdog, polled every 0.2 s: forked children that share pages copy-on-write with
their parent (validate's and network's `--timeout` child, serve's worker) are counted in
full, so the figure is an upper bound. For `yilian serve` the proportional set size (PSS,
shared pages divided among the processes) is given too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

INSTITUTIONS = 1_000_000

#: the issue's targets: (seconds, GiB) or a ratio
TARGETS = {"validate": (180, 6), "network": (180, 6), "serve": (120, 8), "serve_query": 2.0, "search": 0.5,
           "store_vs_bulk": 1.2}


def _tree(pid: int) -> list[int]:
    out = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = f.read().split()
    except OSError:
        return out
    for c in kids:
        out += _tree(int(c))
    return out


def _field(pid: int, path: str, name: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(name):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> int:
    """Bytes: the resident size of a process and all its descendants."""
    return sum(_field(p, "status", "VmRSS:") for p in _tree(pid))


def tree_pss(pid: int) -> int:
    """Bytes: the proportional set size of a process and its descendants."""
    return sum(_field(p, "smaps_rollup", "Pss:") for p in _tree(pid))


def tree_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) used so far by a process and its descendants."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14, 15)
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def available_gib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) / 2**20
    return 0.0


def wait_for_memory(gib: float, what: str) -> None:
    """Sleep until at least `gib` GiB are available (other work on the machine)."""
    shown = False
    while available_gib() < gib:
        if not shown:
            print(f"[national] {what}: waiting for {gib:g} GiB of free memory "
                  f"({available_gib():.1f} GiB available)", flush=True)
            shown = True
        time.sleep(10)


def watched(cmd: list[str], env: dict, kill_gib: float, timeout: float, stdout=subprocess.DEVNULL) -> dict:
    """Run cmd; {"seconds", "gib" (peak tree RSS), "exit", "killed"}."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True, start_new_session=True)
    err: list[str] = []
    threading.Thread(target=lambda: err.extend(p.stderr), daemon=True).start()
    peak, killed, cpu = 0, None, None
    while True:
        done, status, usage = os.wait4(p.pid, os.WNOHANG)
        if done:
            # CPU seconds of the process and the children it waited for: a figure that
            # depends less than wall time on what else the machine is doing
            p.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            break
        r = tree_rss(p.pid)
        peak = max(peak, r)
        if r > kill_gib * 2**30:
            killed = f"killed above {kill_gib:g} GiB"
        elif time.perf_counter() - t > timeout:
            killed = f"killed after {timeout:g} s"
        if killed:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            break
        time.sleep(0.2)
    secs = time.perf_counter() - t
    return {"seconds": secs, "cpu": cpu, "gib": peak / 2**30, "exit": p.returncode, "killed": killed,
            "stderr": "".join(err)[-2000:]}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "yilian", *args]


def bench_national(work: Path, args, env: dict) -> dict:
    """Every national-scale target's figures (see TARGETS). With `args.resume` (the JSON an
    interrupted run saved), the steps it measured are kept and only the others run."""
    kill, free, cap = args.kill_gib, args.free_gib, args.validate_cap
    n = getattr(args, "institutions", None) or INSTITUTIONS
    res: dict = {"label": "national", "institutions": n, "load": os.getloadavg()}
    if getattr(args, "resume", None):
        doc = json.loads(Path(args.resume).read_text(encoding="utf-8"))
        res = {**doc.get("partial", doc.get("national", {})), "resumed": True}
    save = getattr(args, "save", None) or (lambda _res: None)
    data = Path(args.data_file) if getattr(args, "data_file", None) else work / "national.nt"
    # --cache: the cache folder of an earlier run (its store and search index), for a resumed
    # run whose store step is kept; the store step itself is only measured on a cold cache
    cache = getattr(args, "cache", None)
    if cache and "store" not in res:
        raise SystemExit("--cache needs --resume with the store step measured (the store build is timed cold)")
    cold_env = {**env, "XDG_CACHE_HOME": str(Path(cache) if cache else work / "cache-national")}

    def synth():
        if getattr(args, "data_file", None):  # an earlier run's synth output, reused
            s = {"seconds": None, "cpu": None, "gib": 0.0, "exit": 0, "killed": None, "reused": str(data)}
            res["triples"] = sum(1 for _ in open(data, "rb"))
        else:
            s = watched(_cli("synth", "--institutions", str(n), "--seed", "1", "-o", str(data)), env, kill, 900)
            res["triples"] = int(s["stderr"].split("wrote ")[1].split()[0])
        res["file_gib"] = data.stat().st_size / 2**30
        return s

    def validate():
        return watched(_cli("validate", "--timeout", str(cap), "--data", str(data)), env, kill, cap + 60)

    def store():
        # built by a first query on a cold cache
        return watched(_cli("query", "--data", str(data), "--format", "csv", "ASK {}"), cold_env, kill, 3600)

    def network():
        # on the store built by the step before (or, when that was not run, building it:
        # the store's own time is then read from yilian's "query store built in" line)
        out = watched(_cli("network", "stats", "--format", "json", "--data", str(data)), cold_env, kill, cap + 60)
        m = re.search(r"query store built in ([0-9.]+)s", out["stderr"])
        if m:
            out["store_build"] = float(m.group(1))
        return out

    def bulk_load():
        from yilian.dataset.sources import ONTOLOGY_GRAPH, Sources, ontology_files

        files = [str(f) for f in Sources().files()] + [str(data)]
        raw = ("import sys, pyoxigraph as ox\n"
               "s = ox.Store(sys.argv[1])\n"
               "for f in sys.argv[3:]: s.bulk_load(path=f, format=ox.RdfFormat.from_extension(f.rsplit('.', 1)[1]))\n"
               "for f in sys.argv[2].split('|'): s.bulk_load(path=f, format=ox.RdfFormat.TURTLE, "
               f"to_graph=ox.NamedNode({ONTOLOGY_GRAPH.value!r}))\n"
               "s.flush()\n")
        try:
            return watched([sys.executable, "-c", raw, str(work / "raw-disk"),
                            "|".join(str(f) for f in ontology_files()), *files], env, kill, 3600)
        finally:
            shutil.rmtree(work / "raw-disk", ignore_errors=True)

    def search():
        from yilian.cli import main as cli_main

        if "search" not in cli_main.list_commands(None):
            return None
        watched(_cli("search", "--data", str(data), "县人民医院"), cold_env, kill, 3600)  # warms up
        return watched(_cli("search", "--data", str(data), "县人民医院"), cold_env, kill, 600)

    steps = {"synth": synth, "validate": validate, "store": store, "network": network,
             "serve": lambda: serve(data, env, kill), "bulk_load": bulk_load, "search": search}
    for name, fn in steps.items():
        if name in res and name != "synth":
            continue
        save(res)  # what is measured so far survives an interrupted run
        wait_for_memory(free, name)
        print(f"[national] {name}…", flush=True)
        res[name] = fn()
        x = res[name]
        if isinstance(x, dict) and "seconds" in x:
            if x.get("exit") == 0:
                x.pop("stderr", None)
            print(f"[national] {name}: {_s(x['seconds'])}, CPU {_s(x.get('cpu'))}, {x['gib']:.2f} GiB, "
                  f"exit {x.get('exit')} {x.get('killed') or ''}", flush=True)
    res["load_after"] = os.getloadavg()
    save(res)
    return res


def serve(data: Path, env: dict, kill: float) -> dict:
    """`yilian serve --no-web` on the data (one worker): seconds (and CPU seconds) to ready,
    memory, each named query. The issue's target is the SPARQL endpoint's; the web pages'
    indexes, which serve builds before it is ready unless --no-web, are measured by
    bench/web.py (bench/WEB.md)."""
    from yilian.sparql import run as querying
    from yilian.sparql.endpoint import RemoteStore
    from yilian.sparql.named import all_queries

    t = time.perf_counter()
    proc = subprocess.Popen(_cli("serve", "--data", str(data), "--port", "0", "--quiet", "--workers", "1",
                                 "--timeout", "0", "--no-web"), stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    peak, url = 0, None
    lines: list[str] = []

    def read():
        for line in proc.stderr:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    out: dict = {}
    try:
        while url is None:
            if proc.poll() is not None:
                raise RuntimeError(f"yilian serve ended (exit {proc.returncode}): {''.join(lines)[-500:]}")
            peak = max(peak, tree_rss(proc.pid))
            if peak > kill * 2**30 or time.perf_counter() - t > 3600:
                raise RuntimeError(f"yilian serve killed ({peak / 2**30:.1f} GiB)")
            for line in lines:
                if "serving" in line:
                    url = line.split(" at ")[1].split()[0]
            time.sleep(0.2)
        out["ready"] = time.perf_counter() - t
        out["ready_cpu"] = tree_cpu(proc.pid)
        out["rss_gib"] = peak / 2**30
        out["pss_gib"] = tree_pss(proc.pid) / 2**30
        print(f"[national] serve ready {out['ready']:.0f}s {out['rss_gib']:.1f} GiB", flush=True)
        remote = RemoteStore(url)
        qs = []
        for q in all_queries():
            tq = time.perf_counter()
            querying.run(remote, q.text + "\n# national", fmt="table", max_rows=0)
            qs.append({"query": q.id, "seconds": time.perf_counter() - tq})
            out["rss_gib"] = max(out["rss_gib"], tree_rss(proc.pid) / 2**30)
            print(f"[national] serve {q.id}: {qs[-1]['seconds']:.2f}s", flush=True)
        # each query again (the server does not cache answers; the comment makes the text
        # differ anyway): the first run of a query in a fresh server also pays for the
        # worker's first touches of the store
        for q in qs:
            text = next(x.text for x in all_queries() if x.id == q["query"])
            tq = time.perf_counter()
            querying.run(remote, text + "\n# national, again", fmt="table", max_rows=0)
            q["again"] = time.perf_counter() - tq
            print(f"[national] serve {q['query']} again: {q['again']:.2f}s", flush=True)
        out["queries"] = qs
        out["pss_after_gib"] = tree_pss(proc.pid) / 2**30
    except Exception as e:  # noqa: BLE001 - a figure to report, not a test
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return out


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f} s"


def report(r: dict, m: dict, command: str) -> str:
    """bench/NATIONAL.md."""
    out = ["# yilian at national scale: benchmark results", "",
           f"Produced by `{command}` on {m['date']}: `yilian synth --institutions {r['institutions']:,} --seed 1` "
           f"({r['triples']:,} lines/triples, {r['file_gib']:.2f} GiB of N-Triples) plus the bundled graph; every step "
           "is a fresh `yilian` process, run one after another, timed end to end (process start to exit). "
           "Peak memory: the largest sum of the resident sizes of the step's processes (its `--timeout` child "
           "included), polled every 0.2 s — an upper bound, since forked children share pages.", "",
           "## Machine", "",
           f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram']}; {m['os']}",
           f"- Python {m['python']}; yilian {m['yilian']}; pyoxigraph {m['pyoxigraph']}; networkx {m['networkx']}",
           f"- load average (1, 5, 15 min) at the start {', '.join(f'{x:.1f}' for x in r['load'])}, at the end "
           f"{', '.join(f'{x:.1f}' for x in r.get('load_after', r['load']))}: the machine was shared with other work, so the "
           "times are those of a loaded machine", "",
           "## Targets", "", "| target | measured | met? |", "|---|---|---|"]

    def row(target, measured, ok):
        out.append(f"| {target} | {measured} | {'—' if ok is None else 'yes' if ok else '**no**'} |")

    def step(x):
        if not x:
            return NOT_RUN, None
        tail = f", {x['killed']}" if x.get("killed") else (f", exit {x['exit']}" if x["exit"] not in (0, 1) else "")
        return f"{_s(x['seconds'])}, {x['gib']:.1f} GiB peak{tail}", x["exit"] in (0, 1) and not x.get("killed")

    v, vt = r.get("validate"), TARGETS["validate"]
    text, ok = step(v)
    row(f"`yilian validate` ≤ {vt[0]} s and ≤ {vt[1]} GiB", text,
        ok and v["seconds"] <= vt[0] and v["gib"] <= vt[1] if v else None)
    if v and v.get("cpu"):
        out[-1] = out[-1].replace(" GiB peak", f" GiB peak (CPU {_s(v['cpu'])})", 1)
    n, nt = r.get("network"), TARGETS["network"]
    text, ok = step(n)
    row(f"`yilian network stats` ≤ {nt[0]} s and ≤ {nt[1]} GiB (betweenness approximate: sampled sources)",
        text, ok and n["seconds"] <= nt[0] and n["gib"] <= nt[1] if n else None)
    if n and n.get("note"):
        out[-1] = out[-1].replace(" GiB peak", f" GiB peak ({n['note']})", 1)
    if n and n.get("cpu"):
        out[-1] = out[-1].replace(" GiB peak", f" GiB peak (CPU {_s(n['cpu'])}"
                                  + (f", including the store build {_s(n['store_build'])}" if n.get("store_build") else "")
                                  + ")", 1)
    sv, st = r.get("serve") or {}, TARGETS["serve"]
    if "ready" in sv:
        row(f"`yilian serve` ready ≤ {st[0]} s and ≤ {st[1]} GiB",
            f"{_s(sv['ready'])}" + (f" (CPU {_s(sv['ready_cpu'])})" if sv.get("ready_cpu") else "")
            + f", {sv['rss_gib']:.1f} GiB resident (parent and worker; "
            f"{sv['pss_gib']:.1f} GiB proportional)", sv["ready"] <= st[0] and sv["pss_gib"] <= st[1])
    else:
        row(f"`yilian serve` ready ≤ {st[0]} s and ≤ {st[1]} GiB", sv.get("error", NOT_RUN),
            False if sv.get("error") else None)
    if sv.get("queries"):
        worst = max(sv["queries"], key=lambda q: q["seconds"])
        row(f"every named query through `yilian serve` ≤ {TARGETS['serve_query']:g} s",
            f"worst {worst['query']} {_s(worst['seconds'])}"
            + (f" ({_s(worst['again'])} run again)" if "again" in worst else "")
            + f"; all {len(sv['queries'])}: {_s(sum(q['seconds'] for q in sv['queries']))}",
            worst["seconds"] <= TARGETS["serve_query"])
    if r.get("search"):
        text, ok = step(r["search"])
        row(f"`yilian search` warm ≤ {TARGETS['search']:g} s", text, ok and r["search"]["seconds"] <= TARGETS["search"])
    else:
        why = r.get("search_note", "not measured: search not yet on main")
        out.append(f"| `yilian search` warm ≤ {TARGETS['search']:g} s | {why} | — |")
    s, b = r.get("store"), r.get("bulk_load")
    store_s = s["seconds"] if s else (r.get("network") or {}).get("store_build")
    how = (f"{_s(s['seconds'])} ({s['gib']:.1f} GiB)" if s else
           f"{_s(store_s)} (yilian's own figure, printed while `network stats` built it)" if store_s else NOT_RUN)
    if store_s and b:
        row(f"store build within {TARGETS['store_vs_bulk']:g}× of pyoxigraph's bulk load",
            f"{how} against bulk_load {_s(b['seconds'])} ({b['gib']:.1f} GiB): {store_s / b['seconds']:.2f}×",
            store_s <= TARGETS["store_vs_bulk"] * b["seconds"])
    else:
        row(f"store build within {TARGETS['store_vs_bulk']:g}× of pyoxigraph's bulk load",
            f"{how}; bulk_load {'not run' if not b else _s(b['seconds'])}", None)
    out += ["", "## Steps", "", "Wall time, and the CPU time of the step's processes (user + system): on a loaded "
            "machine the wall time grows, the CPU time much less.", "",
            "| step | wall time | CPU time | peak memory | exit |", "|---|---:|---:|---:|---:|"]
    for k, what in (("synth", "`yilian synth`"), ("store", "store build (`yilian query` on a cold cache)"),
                    ("bulk_load", "pyoxigraph `bulk_load` to disk, same files"), ("validate", "`yilian validate`"),
                    ("network", "`yilian network stats`"), ("search", "`yilian search` (warm)")):
        x = r.get(k)
        if x:
            out.append(f"| {what} | {_s(x['seconds'])} | {_s(x.get('cpu'))} | {x['gib']:.2f} GiB | {x['exit']}"
                       f"{' (' + x['killed'] + ')' if x.get('killed') else ''} |")
    if sv.get("queries"):
        out += ["", "## Named queries through `yilian serve`", "",
                "Each query as `yilian query --endpoint … --name …` renders it (a table), timed in the client: "
                "first in a fresh server, then again.", "",
                "| query | first | again |", "|---|---:|---:|"]
        out += [f"| {q['query']} | {_s(q['seconds'])} | {_s(q.get('again'))} |" for q in sv["queries"]]
    out += ["", "## Notes", "", *NOTES, ""]
    return "\n".join(out)


NOT_RUN = "not measured in this run (stopped before this step)"

NOTES = [
    "- **Before** (the issue's run, same machine, quieter): store build 96 s / 1.7 GB; named queries on the store "
    "warm 1.1–28 s; `validate` 363 s / 11.3 GB; `network stats` 305 s / 13.1 GB. The first run of this script "
    "(main at 7975d39, load average 6–7): `validate` 1279 s wall, 584 s CPU, 5.85 GiB; `network stats` 385 s, "
    "9.64 GiB.",
    "- **Resumed runs on a shared machine.** The steps were measured in resumed runs (`--resume`) at different "
    "loads: the store build and pyoxigraph's bulk load while other work kept the load average near 10 (a step got "
    "about half a core: their wall times are about twice their CPU times); network stats at a load average of "
    "1.5–5; validate, search and serve last, on a quiet machine (load average about 1), search and serve with the "
    "store and search index an earlier run had built (`--cache`). Each step's CPU time is its own; the load "
    "average above is the first run's start and the last run's end.",
    "- **`validate`.** What changed last: the scratch store keeps the triples without an XSD-typed literal in "
    "Oxigraph's default graph (three indexes instead of a named graph's six: filling it at 1M took 12.4 → 8.6 s "
    "CPU), and the focus nodes of class targets are written by one update on that graph; a count of at most one "
    "(sh:maxCount 1, sh:qualifiedMaxCount 1) is checked as two distinct values and sh:qualifiedMinCount 1 as no "
    "conforming value, instead of grouping every focus node (35–50 % less time for each such query at 1M); the "
    "store is filled a million quads at a time (pyoxigraph's bulk_extend holds all it is given until it returns: "
    "gigabytes at 12M); the yl: terms the ontology does not define are collected on the one read that fills the "
    "store (no second parse). Measured before this run: at 1M, 46.5 → 37.6 s CPU and 663 → 651 MiB (medians of 2, "
    "load average 3.4–4.4); at 12M, 527 → 469 s CPU and 6.24 → 5.85 GiB (the validating process alone; two runs, the "
    "same CPU time: 347 s of wall time at a load average of 1.4–1.9, 708 s at one near 4). Where the "
    "time goes now (in-process profile at 1M, one thread: 42.7 → 33.4 s CPU): reading the file and filling the "
    "store about a third (Oxigraph's insertion about 5 µs a triple, Python's work per quad as much again: parsing, "
    "the literal check, splitting the typed literals, the defined-terms check); writing the focus nodes about an "
    "eighth; about 100 constraint queries, each a pass over its focus nodes and their values, about half. Oxigraph groups slowly: one grouped query per property "
    "shape for its counts and value checks was slower than the queries it would replace, and EXISTS inside an "
    "aggregate about 50× slower, so merging the passes needs queries that do not group. What would meet 180 s: "
    "fewer passes (the property shapes of one class that share a path checked in one query without grouping); "
    "filling the store from pyoxigraph's own parser (Store.load releases Python's lock, so the Python work on the "
    "typed literals could run beside it; it renames blank nodes, so only for files without them); a quiet "
    "machine, where the two validation threads each get a core. Memory is the in-memory scratch store (about "
    "450 MB per million triples); an on-disk one (RocksDB) would be smaller at 3–25× slower queries.",
    "- **`network stats`** reads the files once into plain tables by predicate (`network/triples.py`) instead of "
    "an in-memory Oxigraph store and bulk SPARQL, and builds the network without the per-tie evidence (sources, "
    "quotes, dates) that `stats` does not show; igraph (C) computes the measures on a compact copy with "
    "networkx's definitions; betweenness is approximate (32 sampled sources, the same for the same files). "
    "At 1M: 34 → 15 s CPU, 965 → 404 MiB. `export`, `view`, `path` and the `--place`/`--alliance`/`--source` "
    "filters still read an in-memory store (their evidence and name look-ups).",
    "- **`yilian serve`** is measured with `--no-web`: the target is the SPARQL endpoint's. The web pages' shared "
    "indexes (search, network, every fact read once), built before the workers fork unless `--no-web`, take "
    "minutes per million triples (bench/WEB.md: 2–3 minutes and 660 MiB at 1M on a loaded machine): at this size "
    "serve the endpoint with `--no-web`. Resident memory counts the pages the worker shares with the parent twice; "
    "the proportional figure is the fair one. Oxigraph's planner starts from the smallest pattern (a VALUES, else "
    "the first of equally selective ones) and evaluates an OPTIONAL of several patterns (a path of two steps counts "
    "as two) on its own, over the whole graph, before joining it; the named queries start from their most "
    "selective pattern and keep such OPTIONALs small (by hand through serve at 12M, load 3, the first of three "
    "runs, before → after: county-coverage 1.1 → 0.01 s, primary-care-share 2.7 → 0.01 s, first-secretary-results "
    "2.1 → 0.04 s, zhuzhou-alliances 1.5 → 0.03 s). first-secretaries answers 12,200 rows here (the synthetic "
    "health system's first secretaries) and misses: 2.9 s in a fresh server, 2.2 s run again (quiet machine). "
    "Measured apart at 12M (quiet machine, best of 2): the server's answer takes 1.3 s as TSV (2.8 MB) and 2.0 s as "
    "the client's JSON (6.4 MB); without its outer ORDER BY 1.0 s, without the other posts' sub-select 0.66 s; "
    "the client's fetch and parse 1.3 s, its table 0.2–0.5 s. What would bring it under 2 s: a smaller answer "
    "(LIMIT, or the question narrowed to a place), or a cheaper result format between yilian's client and server "
    "(TSV) where the server offers it. The first run of a query in a fresh server is slower than later ones "
    "(alliance-lead 0.9 → 0.05 s, health-officials 1.2 → 0.2 s): the cause was not established. fact-source "
    "read every observation's value (FILTER(?value = 453) compares values, so no index finds it: 3.5 s); it now "
    "starts from the indicators whose label names 家庭医生 (0.05 s).",
    "- **`yilian search`** is timed as the whole process (Python's start, imports, the answer), warm (the index "
    "built by the run before). A warm search opens only the index (the texts and the arrays saying which node each "
    "is are memory-mapped files, search-v3/; the database is not opened) and imports only its own command's module. "
    "By hand at 12M (load 2.8, 11 runs): 县人民医院, which 59,879 of the index's 4.0M texts contain, 0.46 s CPU "
    "at best, 0.63 s median (before: 0.84–0.98 s CPU, 2.6–3.2 s wall at load 3.4); a word found nowhere 0.30 s "
    "best. What remains: Python's start (0.07 s CPU at best here), yilian's imports (`yilian --version` 0.12 s at "
    "best; search imports a few more modules; this machine sets PYTHONDONTWRITEBYTECODE=1, so every run compiles "
    "yilian's modules from source: with compiled bytecode, as an installed package has, 县人民医院 takes 0.41 s at "
    "best), one pass of bytes.find over the 207 MB of texts (0.06 s) and about 4 µs "
    "of Python per matching text (finding its record, ranking its node): a common word is in proportion to its "
    "matches (人民医院: 126,813 texts, 0.6 s of search). What would meet it for common words: an index of "
    "character pairs, so that a search reads the texts that hold the words instead of all of them.",
    "- **The store build against pyoxigraph's bulk load** was measured at a load average near 10, one after the "
    "other on the same files: wall 487.9 s against 492.6 s, CPU 212.6 s against 192.9 s (1.10×).",
]
