"""Measures of the hospital-tie network (degree and betweenness centrality, components,
bridges, articulation points, organizations in several alliances) and the path between two
organizations, each rendered as a table or JSON."""

from __future__ import annotations

import heapq
import json
from collections import defaultdict

import pyoxigraph as ox

from ..prefixes import short
from .build import Network, undirected


class Compact:
    """The simple undirected graph of a network as an igraph Graph over integer ids
    (`names[i]` is vertex i's node, in networkx's node order): about 50 bytes per link
    instead of networkx's dicts, and its algorithms run in C."""

    def __init__(self, G):
        import igraph

        self.names = list(G.nodes)
        index = {x: i for i, x in enumerate(self.names)}
        pairs = set()
        for u, v in G.edges():
            a, b = index[u], index[v]
            if a != b:
                pairs.add((a, b) if a < b else (b, a))
        self.n = len(self.names)
        self.m = len(pairs)
        self.graph = igraph.Graph(n=self.n, edges=sorted(pairs), directed=False)

    def degrees(self) -> list[int]:
        """The number of distinct neighbours of each vertex."""
        return self.graph.degree()

    def betweenness(self, k: int | None, seed: int) -> list[float]:
        """Normalised betweenness of each vertex as networkx computes it (endpoints
        excluded): exact when k is None, else from k sources drawn as networkx draws them
        (`random.Random(seed).sample` of the vertices in order) and rescaled as networkx
        rescales a sample (sources by 1/((k-1)(N-1)), the others by 1/(k(N-1)), N = n - 1)."""
        import random

        n = self.n
        if n <= 2:
            return [0.0] * n
        N = n - 1
        if k is None or k >= n:
            raw = self.graph.betweenness(directed=False)
            # igraph counts each unordered pair once; networkx's normalisation is 2 / ((n-1)(n-2))
            return [b * 2 / (N * (N - 1)) for b in raw]
        sources = random.Random(seed).sample(range(n), k)
        # igraph's subset betweenness is half of networkx's sum over the sources' shortest paths
        raw = self.graph.betweenness(directed=False, sources=sources)
        src = set(sources)
        s_src = 1 / ((k - 1) * (N - 1)) if k > 1 else float("nan")
        s_other = 1 / (k * (N - 1))
        return [2 * b * (s_src if i in src else s_other) for i, b in enumerate(raw)]


def compact(G) -> Compact:
    """`Compact` of a networkx graph (any kind; directions and parallel ties merged)."""
    return Compact(G)

#: betweenness is sampled (k pivots, seeded) above this many nodes; k is chosen so that
#: k * (nodes + links) stays near the budget (between 32 and 500 pivots)
APPROX_BETWEENNESS_ABOVE = 2000
BETWEENNESS_BUDGET = 5_000_000
BETWEENNESS_SEED = 0


def betweenness_samples(nodes: int, links: int) -> int:
    return max(32, min(500, BETWEENNESS_BUDGET // max(1, nodes + links)))


def analyse(net: Network, top: int = 10) -> dict:
    """Centralities, components, bridges, articulation points, overlaps, alliance counts.

    The measures are computed on the simple undirected graph of `net.graph` (parallel ties
    merged) by igraph (C), converted once to integer vertex ids: networkx's pure-Python
    algorithms need minutes and gigabytes at national scale (a million institutions). The
    figures are networkx's: degree centrality is degree / (n - 1); betweenness is Brandes'
    normalised betweenness (networkx's `betweenness_centrality`), exact up to
    APPROX_BETWEENNESS_ABOVE nodes, above that estimated from `betweenness_samples` source
    nodes drawn as networkx draws them (`random.Random(BETWEENNESS_SEED).sample` of the
    nodes in graph order) and rescaled as networkx rescales a sample, so the numbers are
    those of `nx.betweenness_centrality(U, k, seed=BETWEENNESS_SEED)`."""
    G = net.graph
    C = compact(G)
    n = C.n
    labels = {x: d["label"] for x, d in G.nodes(data=True)}
    lab = labels.__getitem__
    degree = C.degrees()
    deg = [d / (n - 1) for d in degree] if n > 1 else [0.0] * n
    approx = n > APPROX_BETWEENNESS_ABOVE
    samples = min(n, betweenness_samples(n, C.m))
    btw = C.betweenness(samples if approx else None, BETWEENNESS_SEED)

    def ranked(scores):
        names = C.names
        order = heapq.nsmallest(top, range(n), key=lambda i: (-scores[i], lab(names[i]), names[i]))
        return [{"node": G.nodes[C.names[i]]["name"], "label": lab(C.names[i]), "degree": degree[i],
                 "score": round(scores[i], 6)} for i in order]

    comps = sorted((sorted(C.names[i] for i in c) for c in C.graph.connected_components()),
                   key=lambda c: (-len(c), c))
    bridges = sorted(tuple(sorted((C.names[a], C.names[b]))) for a, b in
                     (C.graph.es[e].tuple for e in C.graph.bridges()))
    arts = sorted((C.names[i] for i in C.graph.articulation_points()), key=lambda x: (lab(x), x))
    several = []
    member_of: dict[str, set[str]] = defaultdict(set)
    for row in net.alliances:
        for xs in row["named"].values():
            for x in xs:
                member_of[x].add(row["label"])
    for x, als in sorted(member_of.items()):
        if len(als) > 1:
            several.append({"organization": x, "alliances": sorted(als)})
    return {
        "nodes": n, "edges": G.number_of_edges(), "undirected_links": C.m,
        "isolated_not_shown": len(net.isolated),
        "alliance_mode": net.mode, "filters": net.filters,
        "tie_kinds": dict(sorted(_count(k for _, _, k in G.edges(keys=True)).items())),
        "degree_centrality": ranked(deg),
        "betweenness": {"approximate": approx, "samples": samples if approx else None,
                        "seed": BETWEENNESS_SEED if approx else None, "top": ranked(btw)},
        "components": {"count": len(comps), "sizes": [len(c) for c in comps],
                       "largest": [lab(x) for x in sorted(comps[0], key=lambda x: (lab(x), x))] if comps else []},
        "bridges": [{"a": lab(a), "b": lab(b), "ties": sorted(_ties_between(G, a, b))} for a, b in bridges],
        "articulation_points": [{"node": G.nodes[x]["name"], "label": lab(x)} for x in arts],
        "in_several_alliances": several,
        "alliances": net.alliances,
    }


def _count(items) -> dict:
    out: dict = defaultdict(int)
    for i in items:
        out[i] += 1
    return out


def _ties_between(G, a, b) -> set[str]:
    out = set()
    for u, v in ((a, b), (b, a)):
        for k in (G.get_edge_data(u, v) or {}):
            out.add(k)
    return out


def render_stats(s: dict, fmt: str, top: int) -> bytes:
    from .. import tables

    if fmt == "json":
        return (json.dumps(s, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out = [f"Network: {tables.counted(s['nodes'], 'node')}, {tables.counted(s['edges'], 'tie')} "
           f"({tables.counted(s['undirected_links'], 'linked pair')}); "
           f"alliances as {'their leads' if s['alliance_mode'] == 'lead' else 'nodes'}"]
    if s["filters"]:
        out.append("Filters: " + "; ".join(f"{k}={','.join(v) if isinstance(v, (list, tuple)) else v}"
                                           for k, v in s["filters"].items()))
    out.append("Ties by kind: " + ", ".join(f"{k} {n}" for k, n in s["tie_kinds"].items()))
    out += ["", f"Degree centrality (top {top}):"]
    out.append(tables.render(["label", "node", "degree", "centrality"],
                             [[r["label"], r["node"], str(r["degree"]), f"{r['score']:.3f}"]
                              for r in s["degree_centrality"]]).rstrip("\n"))
    b = s["betweenness"]
    how = (f"approximate: {b['samples']} sampled sources, seed {b['seed']}" if b["approximate"] else "exact")
    out += ["", f"Betweenness centrality (top {top}, {how}):"]
    out.append(tables.render(["label", "node", "betweenness"],
                             [[r["label"], r["node"], f"{r['score']:.3f}"] for r in b["top"]]).rstrip("\n"))
    c = s["components"]
    sizes = ", ".join(str(x) for x in c["sizes"][:20]) + (" …" if len(c["sizes"]) > 20 else "")
    out += ["", f"Connected components: {c['count']} (sizes {sizes})"]
    if c["largest"]:
        shown = c["largest"][:30]
        out.append("Largest: " + "、".join(shown) + (f" … ({len(c['largest'])})" if len(c["largest"]) > 30 else ""))
    out += ["", f"Bridges ({len(s['bridges'])}):"]
    out += [f"  {r['a']} — {r['b']}  [{', '.join(r['ties'])}]" for r in s["bridges"][:50]]
    if len(s["bridges"]) > 50:
        out.append(f"  … {len(s['bridges']) - 50} more (use --format json)")
    out += ["", f"Articulation points ({len(s['articulation_points'])}): "
            + ("、".join(r["label"] for r in s["articulation_points"][:50]) or "none")]
    out += ["", "Organizations in several alliances:"]
    out += [f"  {r['organization']}: {'、'.join(r['alliances'])}" for r in s["in_several_alliances"]] or ["  none"]
    out += ["", "Alliances: named members against declared counts:"]
    rows = []
    for a in s["alliances"]:
        named = "; ".join(f"{k} {len(v)}" for k, v in a["named"].items()) or "none"
        decl = "; ".join(f"{d['role'] or 'total'} {d['named']}/{d['count']} ({', '.join(d['sources'])})"
                         for d in a["declared"]) or "none declared"
        rows.append([a["label"], str(a["named_total"]), named, decl])
    out.append(tables.render(["alliance", "named", "named by role", "named/declared (source)"], rows).rstrip("\n"))
    return ("\n".join(out) + "\n").encode("utf-8")


# ---------------------------------------------------------------- paths

def path(net: Network, a: str, b: str) -> list[dict] | None:
    """The shortest chain of ties between two nodes, each step with its ties and facts."""
    import networkx as nx

    G = net.graph
    U = undirected(G)
    try:
        nodes = nx.shortest_path(U, a, b)
    except nx.NetworkXNoPath:
        return None
    steps = []
    for x, y in zip(nodes, nodes[1:]):
        ties = []
        for u, v in ((x, y), (y, x)):
            for k, d in sorted((G.get_edge_data(u, v) or {}).items()):
                ties.append({"from": G.nodes[u]["label"], "to": G.nodes[v]["label"], "kind": k,
                             "kind_label": d["kind_label"], "directed": d["directed"],
                             "forward": u == x, "via": d["via"], "facts": d["facts"]})
        steps.append({"from": _node_ref(G, x), "to": _node_ref(G, y), "ties": ties})
    return steps


def _node_ref(G, n) -> dict:
    return {"iri": n, "name": G.nodes[n]["name"], "label": G.nodes[n]["label"]}


def render_path(steps: list[dict] | None, a: dict, b: dict, fmt: str) -> bytes:
    if fmt == "json":
        doc = {"from": a, "to": b, "connected": steps is not None, "length": len(steps or []), "steps": steps or []}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if steps is None:
        return f"{a['label']} and {b['label']} are not connected in this network.\n".encode("utf-8")
    lines = [f"{a['label']} → {b['label']}: {len(steps)} step{'s' if len(steps) != 1 else ''}", ""]
    lines.append(f"{steps[0]['from']['label']}  ({steps[0]['from']['name']})" if steps else f"{a['label']}")
    for st in steps:
        for t in st["ties"]:
            arrow = "—" if not t["directed"] else ("→" if t["forward"] else "←")
            via = f" via {', '.join(short(ox.NamedNode(v)) for v in t['via'])}" if t["via"] else ""
            lines.append(f"  {arrow} {t['kind_label']} [{t['kind']}]{via}")
            for f in t["facts"]:
                if f["iri"]:
                    lines.append(f"      fact: {f['label']} ({short(ox.NamedNode(f['iri']))})")
                else:
                    lines.append("      stated in the entity's description")
                if f["sources"]:
                    files = f" [{', '.join(f['files'])}]" if f.get("files") else ""
                    lines.append(f"      source: {', '.join(f['sources'])}{files}")
                for q in f["quotes"]:
                    lines.append(f"      quote: “{q}”")
        lines.append(f"{st['to']['label']}  ({st['to']['name']})")
    return ("\n".join(lines) + "\n").encode("utf-8")
