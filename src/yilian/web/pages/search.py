"""`/search?q=`: the results of `yilian search` — entities first (exact name, alternate
name, partial name), then the facts whose quote or note matches, the words marked."""

from __future__ import annotations

import pyoxigraph as ox

from ..http import Response
from .common import Site, render

HOW = {0: "名称 exact name", 1: "别名 alternate name", 2: "部分名称 partial name", 3: "原文或注释 quote or note"}


def page(site: Site, req) -> Response:
    from ...explore.facts import kind_classes, source_docs
    from ...explore.search import passage_segments, search

    q = req.get("q")
    kind, source = req.get("kind"), req.get("source")
    try:
        limit = max(1, min(500, int(req.get("limit") or 50)))
    except ValueError:
        limit = 50
    results = None
    entities, facts = [], []
    if q and not site.static:
        kinds = kind_classes(site.store, kind) if kind else None
        docs = source_docs(site.store, source) if source else None
        words = q.split()
        results = search(site.index(), words, kinds=kinds, docs=docs, limit=limit)
        low = [" ".join(w.lower().split()) for w in words]
        entities = [{"node": ox.NamedNode(h.iri), "name": h.name, "kind": h.kind, "how": HOW[h.rank],
                     "summary": h.summary, "files": h.files} for h in results.entities]
        facts = [{"node": ox.NamedNode(h.iri), "name": h.name, "kind": h.kind, "field": h.field,
                  "segments": passage_segments(h.text, low), "files": h.files} for h in results.facts]
    return render(site, "search.html", "/search", title=(f"{q} · 搜索" if q else "搜索 Search"), q=q,
                  kind=kind, source=source, results=results, entities=entities, facts=facts)
