"""`/facts` and `/timeline`: the tables of `yilian facts` and `yilian timeline`, their
filters as form fields, and the same rows as CSV or JSON (`/facts.csv`, `/timeline.json`)."""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox

from ...prefixes import PREFIXES
from ..http import Response
from .common import Site, render

#: the form fields, in the order shown; each is an option of `yilian facts`
FILTERS = ("about", "indicator", "kind", "source", "since", "until", "year")


def row_view(site: Site, r) -> dict:
    """A FactRow for a template: its text fields and the fact's IRI for the link."""
    pfx, _, local = r.fact.partition(":")
    iri = PREFIXES[pfx] + local if pfx in PREFIXES and local else r.fact.strip("<>")
    return {"fact_iri": ox.NamedNode(iri), "what": r.what, "kind": r.kind, "about": r.about,
            "date_text": r.date_text, "value_text": r.value_text or r.trend, "change_text": r.change_text,
            "source": r.source, "quote": r.quote}


def rows_for(site: Site, req, kind: str) -> list:
    """The rows the request's filters select (explore.facts.fact_rows), cached per Site."""
    about = req.get("about")
    key = ("rows", kind) + tuple(req.get(f) for f in FILTERS + ("no_rollup",))
    return site.cached(key, lambda: _rows(site, req, kind, about))


def _rows(site: Site, req, kind: str, about: str) -> list:
    from ...explore import describe as explore_describe
    from ...explore.facts import fact_rows

    node = explore_describe.resolve(site.store, about) if about else None
    return fact_rows(site.store, about=node, rollup_about=not req.get("no_rollup"),
                     indicator=req.get("indicator") or None, kind=req.get("kind") or None,
                     source=req.get("source") or None, since=req.get("since") or None,
                     until=req.get("until") or None, year=req.get("year") or None,
                     dated_only=(kind == "timeline"))


def page(site: Site, req, kind: str, fmt: str) -> Response:
    from ...explore.facts import render_rows

    rows = rows_for(site, req, kind)
    if fmt in ("csv", "json"):
        body = render_rows(rows, fmt)
        ctype = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
        return Response(200, ctype, body, {"Content-Disposition": f'attachment; filename="{kind}.{fmt}"'})
    values = {f: req.get(f) for f in FILTERS}
    values["no_rollup"] = req.get("no_rollup")
    query = urllib.parse.urlencode({k: v for k, v in values.items() if v})
    title = "事实 Facts" if kind == "facts" else "时间线 Timeline"
    return render(site, "facts.html", f"/{kind}", title=title, kind=kind, values=values, filters=FILTERS,
                  rows=[row_view(site, r) for r in rows], query=query)
