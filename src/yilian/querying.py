"""Running SPARQL queries read-only and writing their results.

Queries run on pyoxigraph. Before a query runs it is tokenized: updates are refused and
SERVICE is refused unless the endpoint was allowed by name.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox

from . import sparql_lexer, tables
from .errors import LimitError, PolicyError, QueryError, UsageError
from .exporting import PREFIXES, serialize

RESULT_FORMATS = ["table", "csv", "tsv", "json", "xml"]
#: deeper bracket nesting crashes pyoxigraph's parser (a stack overflow, not an exception)
MAX_NESTING = 200
#: pyoxigraph's planning time grows faster than linearly with path length (300 steps: ~3 s)
MAX_PATH_STEPS = 100
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


def check_query(text: str, *, allow_service: Iterable[str] = ()) -> list[sparql_lexer.Token]:
    """Refuse updates and unallowed SERVICE calls; return the tokens."""
    tokens = sparql_lexer.tokenize(text)
    # fail closed: a stray quote or backslash means the query is not SPARQL, or not SPARQL
    # this tokenizer understands, and the checks below could not be trusted on it
    for t in tokens:
        if t.kind == "other" and t.text in ("'", '"', "\\"):
            raise QueryError(f"SPARQL syntax error: unexpected {t.text}",
                             where=f"query:{t.line}:{t.col}",
                             hint="close the string, or escape the character", detail=_caret(text, t.line, t.col))
    deep = sparql_lexer.too_deep(tokens, MAX_NESTING)
    if deep is not None:
        raise LimitError(
            f"the query nests brackets more than {MAX_NESTING} levels deep",
            where=f"query:{deep.line}:{deep.col}",
            hint="simplify the query",
        )
    long_path = sparql_lexer.too_long_path(tokens, MAX_PATH_STEPS)
    if long_path is not None:
        raise LimitError(
            f"the query has a property path of more than {MAX_PATH_STEPS} steps",
            where=f"query:{long_path.line}:{long_path.col}",
            hint="shorten the path, or use a repeated path such as yl:p+ instead of spelling out each step",
        )
    upd = sparql_lexer.update_keyword(tokens)
    if upd is not None:
        raise PolicyError(
            f"SPARQL Update ({upd.text.upper()}) is refused: yilian queries are read-only",
            where=f"query:{upd.line}:{upd.col}",
            hint="use SELECT, ASK, CONSTRUCT or DESCRIBE; edit the RDF files to change the graph",
        )
    allowed = set(allow_service)
    for call in sparql_lexer.service_calls(tokens, PREFIXES):
        if call.target is None:
            raise PolicyError(
                "SERVICE with a variable or unresolvable endpoint is refused",
                where=f"query:{call.token.line}:{call.token.col}",
                hint="name the endpoint IRI and allow it with --allow-service URL",
            )
        if call.target not in allowed:
            raise PolicyError(
                f"SERVICE <{call.target}> would send a request over the network and was not allowed",
                where=f"query:{call.token.line}:{call.token.col}",
                hint=f"add --allow-service {call.target} to permit this endpoint",
            )
    return tokens


def _syntax_error(text: str, exc: SyntaxError) -> QueryError:
    """A syntax error with a useful position.

    pyoxigraph's parser reports the furthest point it reached (often the end of the
    query) with a list of unrelated alternatives, so on this error path only we ask
    rdflib's parser where the query stops making sense.
    """
    msg = str(exc)
    m = re.match(r"error at (\d+):(\d+):\s*(.*)", msg, re.DOTALL)
    line = col = None
    if m:
        line, col, msg = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        parseQuery(text)
    except Exception as e:  # pyparsing's ParseException carries lineno/col
        if getattr(e, "lineno", None) and getattr(e, "col", None):
            line, col = e.lineno, e.col
            found = re.search(r"found (end of text|'[^']*')", str(e))
            msg = f"unexpected {found.group(1)}" if found else "cannot parse the query here"
    if line is None:
        return QueryError(f"SPARQL syntax error: {msg}", where="query", hint="check the query syntax")
    if len(msg) > 200:
        msg = msg[:200] + "…"
    return QueryError(f"SPARQL syntax error: {msg}", where=f"query:{line}:{col}",
                      hint="fix the query at the caret", detail=_caret(text, line, col))


def _caret(text: str, line: int, col: int) -> str:
    """The query line and a caret under the column (columns count characters)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    src = lines[line - 1]
    return f"  {src}\n  {' ' * tables.display_width(src[: max(col - 1, 0)])}^"


def check_prefixes(text: str, tokens: list[sparql_lexer.Token]) -> None:
    """Name an undeclared prefix before pyoxigraph gives a vaguer message."""
    declared = set(PREFIXES)
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1].kind == "pname":
            declared.add(tokens[i + 1].text.split(":", 1)[0])
    for i, t in enumerate(tokens):
        if t.kind != "pname":
            continue
        if i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX":
            continue
        pfx = t.text.split(":", 1)[0]
        if pfx not in declared:
            raise QueryError(
                f"undeclared prefix '{pfx}:' in '{t.text}'",
                where=f"query:{t.line}:{t.col}",
                hint=f"declare it with PREFIX {pfx}: <…> or use a full <IRI>",
                detail=_caret(text, t.line, t.col),
            )


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for p, ns in prefixes.items():
        if iri.startswith(ns):
            local = iri[len(ns):]
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                if best is None or len(ns) > len(prefixes[best[0]]):
                    best = (p, local)
    return f"{best[0]}:{best[1]}" if best else f"<{iri}>"


_compact_default = lru_cache(maxsize=65536)(lambda iri: _compact(iri, PREFIXES))


def short(term, prefixes: dict[str, str] = PREFIXES) -> str:
    """A term as a table cell: prefixed name, plain literal value, _:bnode."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if prefixes is PREFIXES:
            return _compact_default(term.value)
        return _compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


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
        raise _syntax_error(text, e) from None
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
            rows.append([short(sol[v]) for v in variables])
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
