"""`/sparql`: a read-only SPARQL query page on the server — a text area with the
predeclared prefixes and the named queries as examples; results as a table with CSV and
JSON downloads. The same policy as `yilian query` (updates and unallowed SERVICE are
refused before anything runs); `yilian serve` runs it under the same per-query timeout
and memory cap as /query."""

from __future__ import annotations

import json
import urllib.parse

import pyoxigraph as ox

from ...prefixes import PREFIXES
from ..http import Response
from .common import Links, Site, render, term_view

DOWNLOADS = {"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
             "json": "application/sparql-results+json", "xml": "application/sparql-results+xml"}
EXAMPLE = "SELECT ?h ?name WHERE {\n  ?h a/rdfs:subClassOf* yl:Hospital ; rdfs:label ?name\n  FILTER(lang(?name) = \"zh\")\n} ORDER BY ?name LIMIT 20"


def _term(value: dict):
    """A term of SPARQL JSON results as a pyoxigraph term."""
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


def page(site: Site, req) -> Response:
    from ...sparql.named import all_queries
    from ...sparql.run import run

    if site.static:
        from .common import error_page

        return error_page(site, 404, "the SPARQL page needs a server: run `yilian serve`")
    text = req.get("query")
    fmt = req.get("format")
    named = [{"id": q.id, "question": q.question, "text": q.text} for q in all_queries()]
    if req.get("name"):
        text = next((q["text"] for q in named if q["id"] == req.get("name")), text)
    result = None
    if text:
        if fmt in DOWNLOADS:
            out = run(site.store, text, fmt=fmt, allow_service=site.allow_service)
            return Response(200, DOWNLOADS[fmt], out.output,
                            {"Content-Disposition": f'attachment; filename="results.{fmt}"'})
        out = run(site.store, text, fmt="json", allow_service=site.allow_service)
        links = Links(site, "/sparql")
        if out.kind == "graph":
            result = {"kind": "graph", "text": out.output.decode("utf-8")}
        else:
            doc = json.loads(out.output)
            if "boolean" in doc:
                result = {"kind": "ask", "boolean": doc["boolean"]}
            else:
                variables = doc["head"]["vars"]
                rows = [[term_view(site, _term(b[v]), links) if v in b else None for v in variables]
                        for b in doc["results"]["bindings"]]
                result = {"kind": "select", "variables": variables, "rows": rows}
    query = urllib.parse.urlencode({"query": text}) if text else ""
    return render(site, "sparql.html", "/sparql", title="SPARQL", text=text or EXAMPLE, result=result,
                  named=named, prefixes=sorted(PREFIXES.items()), query=query)
