"""Running SPARQL queries read-only and writing their results.

Queries run on pyoxigraph (a local store, or sparql.endpoint.RemoteStore). Before a query
runs, sparql.policy checks it: updates are refused and SERVICE is refused unless the
endpoint was allowed by name.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from .. import tables
from ..errors import LimitError, QueryError, UsageError
from ..prefixes import PREFIXES, short
from ..rdf.export import serialize
from . import lexer as sparql_lexer
from .policy import check_prefixes, check_query, syntax_error

RESULT_FORMATS = ["table", "csv", "tsv", "json", "xml"]
_OX_RESULTS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}


@dataclass
class Outcome:
    """What a query produced: bytes for stdout and whether an ASK was false."""

    output: bytes
    kind: str  # select, ask, graph
    boolean: bool | None = None
    rows: int | None = None


def union_default_graph(tokens: list[sparql_lexer.Token]) -> bool:
    """Whether the default graph is the union of all graphs: unless the query's own FROM /
    FROM NAMED picks its dataset (from graphs already in the store: nothing is fetched)."""
    return not any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens)


def run(store: ox.Store, text: str, *, fmt: str = "table", rdf_format: str = "turtle",
        allow_service: Iterable[str] = (), rdf_requested: bool = False,
        max_rows: int = 0) -> Outcome:
    """Run one read-only query against a store and render its results."""
    tokens = check_query(text, allow_service=allow_service)
    check_prefixes(text, tokens)
    try:
        result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=union_default_graph(tokens))
    except SyntaxError as e:
        raise syntax_error(text, e) from None
    except OSError as e:
        raise QueryError(f"query failed: {e}", where="query") from None
    if rdf_requested and not isinstance(result, ox.QueryTriples):
        raise UsageError(f"--format {rdf_format} is for CONSTRUCT and DESCRIBE queries",
                         hint="use table, csv, tsv, json or xml for SELECT and ASK")
    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if fmt == "table":
            out = ("true\n" if value else "false\n").encode()
        else:
            out = result.serialize(format=_results_format(fmt))
        return Outcome(out, "ask", boolean=value)
    if isinstance(result, ox.QueryTriples):
        if fmt != "table":
            raise UsageError(f"--format {fmt} is for SELECT and ASK results",
                             hint="use an RDF format (turtle, ntriples, jsonld …) for CONSTRUCT and DESCRIBE")
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in result]
        return Outcome(serialize(quads, rdf_format), "graph", rows=len(quads))
    # SELECT
    if fmt == "table":
        variables = [v.value for v in result.variables]
        rows = []
        for sol in result:
            if max_rows and len(rows) >= max_rows:
                raise LimitError(
                    f"the result has more than {max_rows} rows, too many for a table",
                    hint="add LIMIT to the query, use --format csv or json, or raise --max-rows; 0 means no limit",
                )
            # a solution iterates over its values in the order of the variables (None where
            # unbound): about 3x faster than looking each up by name, at 12,000 rows
            rows.append(list(map(short, sol)))
        return Outcome(tables.render(variables, rows).encode("utf-8"), "select", rows=len(rows))
    buf = io.BytesIO()
    result.serialize(buf, format=_results_format(fmt))
    return Outcome(buf.getvalue(), "select")


def _results_format(fmt: str) -> ox.QueryResultsFormat:
    try:
        return _OX_RESULTS[fmt]
    except KeyError:
        raise UsageError(f"unknown result format '{fmt}'", hint="use one of: " + ", ".join(RESULT_FORMATS)) from None


def select_rows(store: ox.Store, text: str) -> list[dict[str, object]]:
    """Run a trusted internal SELECT and return its rows as dicts of pyoxigraph terms."""
    result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: sol[n] for n in names} for sol in result]
