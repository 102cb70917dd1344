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


#: rows of the facts and timeline tables on one page of the server (?page=N shows the
#: rest; CSV and JSON always hold every row, and the static site lists every row)
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


def page_of(req, total: int, per_page: int) -> tuple[int, int]:
    """(page number, pages) for ?page=N: 1 when missing or not a number, the last page when past it."""
    pages = max(1, -(-total // per_page))
    try:
        n = int(req.get("page") or 1)
    except ValueError:
        n = 1
    return min(max(1, n), pages), pages


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
    if site.static:  # no query strings on a static host: one page holds every row
        page_no, pages, first, shown = 1, 1, 0, rows
    else:
        page_no, pages = page_of(req, len(rows), ROWS_PER_PAGE)
        first = (page_no - 1) * ROWS_PER_PAGE
        shown = rows[first:first + ROWS_PER_PAGE]

    def page_link(n: int) -> str:
        return f"/{kind}?" + urllib.parse.urlencode({**{k: v for k, v in values.items() if v}, "page": n})

    return render(site, "facts.html", f"/{kind}", title=title, kind=kind, values=values, filters=FILTERS,
                  rows=[row_view(site, r) for r in shown], total=len(rows), first=first, page_no=page_no,
                  pages=pages, page_link=page_link, query=query)
