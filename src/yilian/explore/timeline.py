"""`yilian timeline`: the dated facts — events (schema:startDate), designations (yl:date),
postings and programs (yl:since), posts (yl:asOf) and dated observations (yl:period,
yl:periodStart/yl:periodEnd, yl:asOf) — in date order.

Order of partial dates (xsd:gYear, xsd:gYearMonth, xsd:date, as precise as the source):
by the date as written, so a year comes before the months inside it and a month before
its days — 2023, 2023-04, 2023-04-17, 2023-05 — and a period sorts by its start. Dates
print as written; a date the graph inferred (yl:dateInferred true, yl:dateInferredFrom
the document or fact it was resolved from) is marked "(inferred)".

Shapes: `timeline_rows(store, **filters) -> list[facts.FactRow]` (the filters of
facts.fact_rows); `render(rows, fmt) -> bytes`.
"""

from __future__ import annotations

import pyoxigraph as ox

from .facts import FactRow, fact_rows, render_rows


def timeline_rows(store: ox.Store, **filters) -> list[FactRow]:
    """The facts that have a date and pass the filters, in date order (facts.sort_key)."""
    return fact_rows(store, dated_only=True, **filters)


def render(rows: list[FactRow], fmt: str) -> bytes:
    """table: date (marked when inferred), kind, what, about, value, source; csv/json:
    every column of facts (date_inferred and date_inferred_from included)."""
    return render_rows(rows, fmt, columns="timeline")


def on_day(store: ox.Store, day: str) -> tuple[list[FactRow], list[FactRow]]:
    """The facts dated exactly `day` (or a period starting on it), and those whose less
    precise date or closed period includes it (open-ended periods, 2023/.., aside)."""
    rows = timeline_rows(store, since=day, until=day)
    exact = [r for r in rows if r.date == day or r.date.split("/")[0] == day]
    wider = [r for r in rows if r not in exact and not r.date.endswith("/..")]
    return exact, wider
