"""`/indicator/<id>`: one indicator (yl:Indicator) across subjects and periods — every
observation as a row with its source and quote, and a chart of each subject's values
over the periods."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ...prefixes import PREFIXES
from .. import chart
from .common import Site, render
from .entity import NotFound
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


def page(site: Site, req, entity_id: str):
    iri = site.iri_of(entity_id)
    node = ox.NamedNode(iri) if iri else None
    rows = observations(site, node) if node is not None else []
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
    return render(site, "indicator.html", f"/indicator/{entity_id}/", title=zh, zh=zh, en=en, node=node,
                  rows=[row_view(site, r) for r in rows],
                  chart=chart.line_chart(series, unit=units[0] if len(units) == 1 else ""),
                  subjects=len(series))
