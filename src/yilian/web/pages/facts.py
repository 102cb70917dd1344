"""`/facts` and `/timeline`: the tables of `yilian facts` and `yilian timeline`, their
filters as form fields, and the same rows as CSV or JSON (`/facts.csv`, `/timeline.json`)."""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox

from ...prefixes import PREFIXES
from ..http import Response
from .common import Site, choose_page, page_count, page_path, render

#: the form fields, in the order shown; each is an option of `yilian facts`
FILTERS = ("about", "indicator", "kind", "source", "since", "until", "year")


def row_view(site: Site, r) -> dict:
    """A FactRow for a template: its text fields and the fact's IRI for the link."""
    pfx, _, local = r.fact.partition(":")
    iri = PREFIXES[pfx] + local if pfx in PREFIXES and local else r.fact.strip("<>")
    return {"fact_iri": ox.NamedNode(iri), "what": r.what, "kind": r.kind, "about": r.about,
            "date_text": r.date_text, "value_text": r.value_text or r.trend, "change_text": r.change_text,
            "source": r.source, "quote": r.quote}


#: rows of the facts, timeline and indicator tables on one page (page N ≥ 2 is at
#: /facts/page/N/, on the server and in the static site; CSV and JSON hold every row)
ROWS_PER_PAGE = 200


def rows_for(site: Site, req, kind: str) -> list:
    """The rows the request's filters select (what explore.facts.fact_rows gives, read from
    the Site's fact table), cached per Site."""
    key = ("rows", kind) + tuple(req.get(f) for f in FILTERS + ("no_rollup",))
    return site.cached(key, lambda: _rows(site, req, kind))


def _rows(site: Site, req, kind: str) -> list:
    about = req.get("about")
    node = site.resolve(about) if about else None
    return site.facts().rows(about=node, rollup_about=not req.get("no_rollup"),
                             indicator=req.get("indicator") or None, kind=req.get("kind") or None,
                             source=req.get("source") or None, since=req.get("since") or None,
                             until=req.get("until") or None, year=req.get("year") or None,
                             dated_only=(kind == "timeline"))


def pages(site: Site, kind: str) -> list[str]:
    """The paths of the unfiltered table of `kind` (facts or timeline), page 1 first: what
    the static site writes."""
    from ..http import Request

    rows = rows_for(site, Request(f"/{kind}"), kind)
    return [page_path(f"/{kind}", n) for n in range(1, page_count(len(rows), ROWS_PER_PAGE) + 1)]


def page(site: Site, req, kind: str, fmt: str, page_no: int | None = None) -> Response:
    """The table of `kind` (facts or timeline) as HTML, CSV or JSON. page_no: the N of a
    /facts/page/N/ address (NotFound when there is no such page); None: ?page=N."""
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
    page_no, pages = choose_page(req, len(rows), ROWS_PER_PAGE, page_no, f"/{kind}")
    first = (page_no - 1) * ROWS_PER_PAGE
    shown = rows[first:first + ROWS_PER_PAGE]

    def page_link(n: int) -> str:  # the filters ride along as the query string (the server's only)
        return page_path(f"/{kind}", n) + (f"?{query}" if query and not site.static else "")

    return render(site, "facts.html", page_path(f"/{kind}", page_no), title=title, kind=kind, values=values, filters=FILTERS,
                  rows=[row_view(site, r) for r in shown], total=len(rows), first=first, page_no=page_no,
                  pages=pages, page_link=page_link, query=query)
