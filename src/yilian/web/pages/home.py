"""`/`: a search box and what the graph holds — its source documents, counts by kind,
and the latest dated facts."""

from __future__ import annotations

from ..http import Response
from .common import Site, render
from .facts import row_view


def summary(site: Site) -> dict:
    """Documents, counts by class and the ten latest dated facts; computed once per Site."""
    cached = getattr(site, "_summary", None)
    if cached is None:
        from ...explore.stats import stats

        s = stats(site.store)
        dated = site.facts().rows(dated_only=True)
        cached = {"triples": s.triples, "classes": s.classes[:24], "more_classes": max(0, len(s.classes) - 24),
                  "documents": s.documents, "latest": list(reversed(dated[-10:]))}
        site._summary = cached
    return cached


def page(site: Site, req) -> Response:
    s = summary(site)
    return render(site, "home.html", "/", title="", summary=s,
                  latest=[row_view(site, r) for r in s["latest"]])
