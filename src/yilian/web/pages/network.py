"""`/network`: the interactive network view (network.view: vis-network read from the
installed pyvis, inlined, so the page makes no request to another host).

A network of more organizations than one view draws well (DRAWN_AT_MOST) is opened one
place at a time: `/network` then lists the places with how many organizations each holds,
and `/network/place/<id>/` draws the organizations located in that place or in the places
inside it, with the ties between them (what `yilian network --place` keeps);
`/network/unplaced/` draws those with no place. Every organization is in one of them."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ...prefixes import PREFIXES, short
from ..http import CSP_INLINE, Response
from .common import Links, Site, render
from .entity import NotFound

#: organizations (and alliances) one interactive view draws at most; a bigger network is
#: listed by place (a browser lays out a few thousand nodes in seconds; 85,000 make a
#: page of about 80 MB that no browser draws)
DRAWN_AT_MOST = 3000

CONTAINED_IN = ox.NamedNode(PREFIXES["schema"] + "containedInPlace")


def _everyone(site: Site) -> dict[str, dict]:
    """Every node the view draws (those with ties and the isolated ones): {IRI: attributes},
    read once per Site."""
    out = getattr(site, "_network_nodes", None)
    if out is None:
        net = site.network()
        out = dict(net.isolated)
        out.update({n: d for n, d in net.graph.nodes(data=True)})
        site._network_nodes = out
    return out


def _tree(site: Site) -> tuple[dict, dict]:
    """The places: ({place: [places directly inside]}, {place: its parent places}), as IRIs."""
    def build():
        children, parents = defaultdict(list), defaultdict(list)
        for q in site.store.quads_for_pattern(None, CONTAINED_IN, None):
            if isinstance(q.object, ox.NamedNode) and q.subject.value not in children[q.object.value]:
                children[q.object.value].append(q.subject.value)
                parents[q.subject.value].append(q.object.value)
        return dict(children), dict(parents)

    return site.cached(("place tree",), build)


def _inside(children: dict, place: str) -> set[str]:
    out, todo = {place}, [place]
    while todo:
        for c in children.get(todo.pop(), ()):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def page(site: Site, req, part: str = "") -> Response:
    """/network (part ""), /network/place/<id>/ (part "place/<id>"), /network/unplaced/."""
    net = site.network()
    everyone = _everyone(site)
    path = "/network" + (f"/{part}/" if part else "")
    if not part:
        if len(everyone) <= DRAWN_AT_MOST:
            return _view(site, net, path)
        return _index(site, everyone, path)
    if part == "unplaced":
        keep = {n for n, d in everyone.items() if not d.get("place_iri")}
        where = "unplaced"
    elif part.startswith("place/"):
        iri = site.iri_of(part[len("place/"):])
        if iri is None:
            raise NotFound(f"no place '{part[len('place/'):]}' in the network", hint="open /network for the list")
        inside = _inside(_tree(site)[0], iri)
        keep = {n for n, d in everyone.items() if d.get("place_iri") in inside}
        where = short(ox.NamedNode(iri))
    else:
        raise NotFound(f"no page at {path}", hint="open /network")
    if not keep:
        raise NotFound(f"no organization of the network is in {where}", hint="open /network for the list")
    return _view(site, _part(net, keep, where), path)


def _part(net, keep: set[str], where: str):
    """The network restricted to the `keep` nodes (the ties between them), as a Network."""
    from ...network.build import Network

    import networkx as nx

    G = net.graph
    sub = nx.MultiDiGraph()  # built directly: a subgraph view of 45,000 nodes filters every lookup
    sub.graph.update(G.graph)
    sub.add_nodes_from((n, G.nodes[n]) for n in G if n in keep)
    for u in sub:
        for v, by_key in G.adj[u].items():
            if v in keep:
                for k, d in by_key.items():
                    sub.add_edge(u, v, key=k, **d)
    return Network(sub, net.kinds, [a for a in net.alliances if a["alliance"] in keep], net.mode,
                   {**net.filters, "places": [where]},
                   {n: d for n, d in net.isolated.items() if n in keep}, net.include_isolated,
                   {a: leads for a, leads in net.drawn_as.items() if a in keep})


def _view(site: Site, net, path: str) -> Response:
    from ...network.view import to_html

    def html():
        return to_html(net, home=Links(site, path)("/") if site.static else "/")

    body = site.cached(("network view", path), html) if path != "/network" else _whole(site, html)
    return Response(200, "text/html; charset=utf-8", body,
                    {"Content-Security-Policy": CSP_INLINE, "X-Content-Type-Options": "nosniff",
                     "Referrer-Policy": "no-referrer"})


def _whole(site: Site, html) -> bytes:
    body = getattr(site, "_network_html", None)
    if body is None:
        body = site._network_html = html()
    return body


def places(site: Site) -> list[dict]:
    """The places of the index, as a tree: [{iri, id, label, en, direct, total, inside: [...]}];
    a place holding at most DRAWN_AT_MOST organizations is a link, a bigger one is opened
    into the places inside it (its link draws all of it nonetheless). Made once per Site."""
    key = ("network places", DRAWN_AT_MOST)
    cached = getattr(site, "_network_places", None)
    if cached is None or cached[0] != key:
        site._network_places = cached = (key, _places(site))
    return cached[1]


def _places(site: Site) -> list[dict]:
    everyone = _everyone(site)
    children, parents = _tree(site)
    direct: dict[str, int] = defaultdict(int)
    for d in everyone.values():
        if d.get("place_iri"):
            direct[d["place_iri"]] += 1
    totals: dict[str, int] = {}

    def total(p: str, seen=()) -> int:
        if p not in totals:
            totals[p] = direct.get(p, 0) + sum(total(c, seen + (p,)) for c in children.get(p, ()) if c not in seen)
        return totals[p]

    def node(p: str, seen=()) -> dict:
        zh, en = site.labels(ox.NamedNode(p))
        big = total(p) > DRAWN_AT_MOST
        inside = [node(c, seen + (p,)) for c in children.get(p, ()) if c not in seen and total(c)] if big else []
        inside.sort(key=lambda x: (-x["total"], x["label"], x["iri"]))
        return {"iri": p, "id": site.entity_id(p), "label": zh, "en": en, "direct": direct.get(p, 0),
                "total": total(p), "inside": inside}

    places_with = set(direct)
    roots = set()
    for p in places_with:  # the topmost places above every place that holds organizations
        stack, seen = [p], {p}
        while stack:
            x = stack.pop()
            ups = [u for u in parents.get(x, ()) if u not in seen]
            if not ups:
                roots.add(x)
            for u in ups:
                seen.add(u)
                stack.append(u)
    out = [node(r) for r in roots if total(r)]
    out.sort(key=lambda x: (-x["total"], x["label"], x["iri"]))
    return out


def _index(site: Site, everyone: dict, path: str) -> Response:
    unplaced = sum(1 for d in everyone.values() if not d.get("place_iri"))
    net = site.network()
    return render(site, "network_index.html", path, title="网络 Network", places=places(site),
                  unplaced=unplaced, organizations=len(everyone), ties=net.graph.number_of_edges(),
                  drawn_at_most=DRAWN_AT_MOST)


def paths(site: Site) -> list[str]:
    """The pages of a network listed by place (for the static site): every place of the index and /network/unplaced/."""
    everyone = _everyone(site)
    if len(everyone) <= DRAWN_AT_MOST:
        return []
    out = []

    def walk(ps):
        for p in ps:
            out.append(f"/network/place/{p['id']}/")
            walk(p["inside"])

    walk(places(site))
    if any(not d.get("place_iri") for d in everyone.values()):
        out.append("/network/unplaced/")
    return sorted(set(out))
