"""`/indicator/<id>`: one indicator (yl:Indicator) across subjects and periods — every
observation as a row with its source and quote, and a chart of each subject's values
over the periods."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ...prefixes import PREFIXES
from .. import chart
from .common import NotFound, Site, choose_page, page_count, page_path, render
from .facts import row_view

INDICATOR = ox.NamedNode(PREFIXES["yl"] + "indicator")


def observations(site: Site, node) -> list:
    """The FactRows of the observations whose yl:indicator is `node`, in date order."""
    from ...explore.facts import Reader, props, row_of, sort_key

    table = site.facts()
    reader = None
    seen, rows = set(), []
    for q in site.store.quads_for_pattern(None, INDICATOR, node):
        if q.subject.value in seen:
            continue
        seen.add(q.subject.value)
        row = table.row(q.subject)
        if row is None:  # not typed as a kind of fact: read it here
            reader = reader or Reader(site.store)
            row = row_of(reader, q.subject, props(site.store, q.subject), table.classes)
        rows.append(row)
    rows.sort(key=sort_key)
    return rows


#: subjects one chart draws at most (a line each, in a colour of its own: chart.SERIES_COLOURS has 8)
CHART_AT_MOST = 8


def _rows(site: Site, entity_id: str) -> tuple:
    """(node, its observations) of an indicator page's id; (None, []) for no such IRI."""
    iri = site.iri_of(entity_id)
    node = ox.NamedNode(iri) if iri else None
    return node, (site.cached(("observations", iri), lambda: observations(site, node)) if node is not None else [])


def pages(site: Site, entity_id: str) -> list[str]:
    """The paths of an indicator's pages, page 1 first: what the static site writes."""
    from .facts import ROWS_PER_PAGE

    base = f"/indicator/{entity_id}/"
    return [page_path(base, n) for n in range(1, page_count(len(_rows(site, entity_id)[1]), ROWS_PER_PAGE) + 1)]


def page(site: Site, req, entity_id: str, page_no: int | None = None):
    """One indicator's page. page_no: the N of /indicator/<id>/page/N/ (NotFound when there
    is no such page); None: ?page=N."""
    from .facts import ROWS_PER_PAGE

    node, rows = _rows(site, entity_id)
    if not rows:
        raise NotFound(f"no indicator '{entity_id}' with observations in the graph",
                       hint="open an observation's indicator from its entity page")
    series: dict[str, list] = defaultdict(list)
    for r in rows:
        v = chart.number(r.value)
        if v is not None and r.date:
            series[r.about].append((r.date, v))
    units = sorted({r.unit for r in rows if r.unit})
    zh, en = site.labels(node)
    base = f"/indicator/{entity_id}/"
    page_no, pages = choose_page(req, len(rows), ROWS_PER_PAGE, page_no, base)
    first = (page_no - 1) * ROWS_PER_PAGE
    drawn = chart.line_chart(series, unit=units[0] if len(units) == 1 else "") if len(series) <= CHART_AT_MOST else None
    return render(site, "indicator.html", page_path(base, page_no), title=zh, zh=zh, en=en, node=node,
                  rows=[row_view(site, r) for r in rows[first:first + ROWS_PER_PAGE]], total=len(rows), first=first,
                  page_no=page_no, pages=pages, page_link=lambda n: page_path(base, n),
                  chart=drawn, subjects=len(series), chart_at_most=CHART_AT_MOST)
