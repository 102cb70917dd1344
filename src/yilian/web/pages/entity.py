"""`/entity/<id>`: everything about one entity — kind, names, place, its facts each with
source and verbatim quote, outgoing and incoming links as links, its numbers as a table
(a chart where an indicator has several periods) and its ties as a small network picture."""

from __future__ import annotations

import urllib.parse
from collections import defaultdict

import pyoxigraph as ox

from ...errors import UsageError
from ...prefixes import short
from .. import chart
from ..http import Response
from .common import Links, NotFound, Site, choose_page, page_count, page_path, render, term_view
from .facts import row_view

#: facts listed on one entity page (a city is named by hundreds; page N ≥ 2 is at
#: /entity/<id>/page/N/, on the server and in the static site)
FACTS_PER_PAGE = 40

_HIDDEN = {"rdf:type", "rdfs:label", "skos:prefLabel", "skos:altLabel", "yl:quote", "yl:source"}


def pages(site: Site, iri: str) -> list[str]:
    """The paths of the entity page of `iri`, page 1 first (FACTS_PER_PAGE facts a page):
    what the static site writes. The facts counted are those the page lists (describe's,
    read the same way)."""
    from ...explore.describe import _facts_naming

    total = len(_facts_naming(site.store, ox.NamedNode(iri), site.facts().sourced))
    base = f"/entity/{site.entity_id(iri)}/"
    return [page_path(base, n) for n in range(1, page_count(total, FACTS_PER_PAGE) + 1)]


def _props(site: Site, props, links: Links) -> list[dict]:
    """Properties grouped: [{property label, values: [term views]}], sorted by label."""
    grouped: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    for p, o in props:
        key = short(p)
        if key in _HIDDEN:
            continue
        names[key] = site.label(p, "zh")
        grouped[key].append(term_view(site, o, links))
    return [{"key": k, "label": names[k], "values": sorted(v, key=lambda t: t["text"])}
            for k, v in sorted(grouped.items(), key=lambda kv: (names[kv[0]], kv[0]))]


def _evidence(site: Site, props, links: Links) -> dict:
    sources = sorted((o for p, o in props if short(p) == "yl:source"), key=lambda n: n.value)
    quotes = sorted((o.value for p, o in props if short(p) == "yl:quote"))
    return {"sources": [{"term": term_view(site, s, links), "line": _source_line(site, s)} for s in sources],
            "quotes": quotes}


def _source_line(site: Site, doc) -> str:
    from ...explore.describe import _source_line as line

    return site.cached(("source", doc.value), lambda: line(site.store, doc))


def numbers(site: Site, node) -> list[dict]:
    """The observations about the node, by indicator: rows and, for an indicator with
    several periods, a chart."""
    rows = site.facts().rows(about=node, rollup_about=False, kind="Observation")
    by_indicator: dict[str, list] = defaultdict(list)
    for r in rows:
        by_indicator[r.what].append(r)
    out = []
    for what, rs in sorted(by_indicator.items()):
        series: dict[str, list] = defaultdict(list)
        for r in rs:
            v = chart.number(r.value)
            if v is not None and r.date:
                series[r.about].append((r.date, v))
        out.append({"what": what, "rows": [row_view(site, r) for r in rs],
                    "chart": chart.line_chart(series, unit=rs[0].unit)})
    return out


def ties(site: Site, node, links: Links) -> dict | None:
    """The node's neighbourhood in the network of ties (alliances as nodes), or None."""
    from ...network.view import GROUP_COLOURS

    net = site.network()
    G = net.graph
    if node.value not in G:
        return None
    kinds: dict[str, set] = defaultdict(set)
    for u, v, k in G.edges(node.value, keys=True):
        kinds[v].add(k)
    for u, v, k in G.in_edges(node.value, keys=True):
        kinds[u].add(k)
    if not kinds:
        return None
    neighbours = []
    for n, ks in kinds.items():
        d = G.nodes[n]
        neighbours.append({"label": d["label"], "href": links.entity(ox.NamedNode(n)), "kinds": ", ".join(sorted(ks)),
                           "colour": GROUP_COLOURS.get(d["group"], "#999999"), "degree": G.degree(n)})
    neighbours.sort(key=lambda n: (-n["degree"], n["label"]))
    d = G.nodes[node.value]
    centre = {"label": d["label"], "colour": GROUP_COLOURS.get(d["group"], "#999999")}
    return chart.neighbourhood(centre, neighbours)


def _by_name(site: Site, text: str, page_no: int | None = None) -> Response:
    """/entity/湘潭县/ or /entity/xiangtan-county/ typed by hand: a name that stands for one
    entity redirects (302) to its page (its page N for /entity/湘潭县/page/N/), one that
    fits several to the search for it; a name that fits nothing is 404, with the close
    names describe would suggest."""
    from ...explore.describe import Ambiguous

    if page_no == 0:  # /entity/<name>/page/x/: no such page, whatever the name
        raise NotFound(f"no page /entity/{text}/page/…/", hint="a page number is 2 or more, e.g. page/2/")
    try:
        found = site.resolve(text)
    except Ambiguous:
        return Response(302, "text/plain; charset=utf-8", b"",
                        {"Location": "/search?" + urllib.parse.urlencode({"q": text})})
    except UsageError as e:
        raise NotFound(f"no entity '{text}' in the graph", hint=e.hint or "search for it by name") from None
    if not site.has_page(found):
        raise NotFound(f"no entity '{text}' in the graph", hint="search for it by name")
    target = page_path("/entity/" + urllib.parse.quote(site.entity_id(found.value)) + "/", page_no or 1)
    return Response(302, "text/plain; charset=utf-8", b"", {"Location": target})


def page(site: Site, req, entity_id: str, page_no: int | None = None):
    """One entity's page. page_no: the N of /entity/<id>/page/N/ (NotFound when there is
    no such page); None: ?page=N."""
    from ...explore.describe import describe, fact_properties

    iri = site.iri_of(entity_id)
    node = ox.NamedNode(iri) if iri else None
    if node is None or not site.has_page(node):
        return _by_name(site, entity_id, page_no)
    base = f"/entity/{entity_id}/"
    d = site.cached(("describe", node.value), lambda: describe(site.store, node, table=site.facts(), fact_props=False))
    page_no, pages = choose_page(req, len(d.facts), FACTS_PER_PAGE, page_no, base)
    path = page_path(base, page_no)
    links = Links(site, path)
    zh, en = site.labels(node)
    types = [term_view(site, o, links) for p, o in d.properties if short(p) == "rdf:type"]
    alt = sorted({o.value for p, o in d.properties if short(p) == "skos:altLabel"})
    shown = d.facts[(page_no - 1) * FACTS_PER_PAGE: page_no * FACTS_PER_PAGE]
    facts = []
    for f, _ in shown:
        props = fact_properties(site.store, f)
        facts.append({"node": f, "label": site.label(f), "en": site.labels(f)[1],
                      "kinds": [term_view(site, o, links) for p, o in props if short(p) == "rdf:type"],
                      "props": _props(site, props, links), "evidence": _evidence(site, props, links)})
    incoming: dict[str, list] = defaultdict(list)
    for s, p in d.incoming:
        incoming[site.label(p, "zh")].append(term_view(site, s, links))
    rollup = [row_view(site, r) for r in d.rollup[:20]]
    return render(site, "entity.html", path, title=zh, node=node, zh=zh, en=en, types=types, alt=alt,
                  props=_props(site, d.properties, links), evidence=_evidence(site, d.properties, links),
                  facts=facts, incoming=sorted(incoming.items()), numbers=site.cached(("numbers", node.value), lambda: numbers(site, node)),
                  ties=ties(site, node, links), rollup=rollup, rollup_total=len(d.rollup), entity_id=entity_id,
                  facts_total=len(d.facts), page_no=page_no, pages=pages, first_fact=(page_no - 1) * FACTS_PER_PAGE,
                  page_link=lambda n: page_path(base, n))
