"""Running yilian's queries against any SPARQL 1.1 endpoint (Oxigraph server, Fuseki,
QLever, Virtuoso) instead of local files.

`RemoteStore` has the one method of a pyoxigraph Store that sparql.run.run uses, `query`,
and returns real pyoxigraph result objects: SELECT and ASK results are parsed from SPARQL
JSON, CONSTRUCT and DESCRIBE triples from N-Triples. So every output format is rendered
by the same code as for local queries and the same query gives the same bytes locally and
remotely. The read-only and SERVICE checks run before anything is sent.
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from .. import __version__
from ..errors import InputError, LimitError, QueryError, UsageError
from ..prefixes import PREFIXES
from . import lexer as sparql_lexer

#: seconds to wait for the endpoint's answer
TIMEOUT = 300.0
_RESULTS_JSON = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RDF_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"'{url}' is not an http(s) URL of a SPARQL endpoint",
                         hint="give the query URL, such as http://127.0.0.1:7878/query")
    return url


def with_prefixes(text: str, prefixes: dict[str, str] | None = None) -> str:
    """The query with yilian's predeclared prefixes declared, as a server needs them.
    Prefixes the query declares itself are left alone."""
    prefixes = PREFIXES if prefixes is None else prefixes
    tokens = sparql_lexer.tokenize(text)
    declared = {tokens[i + 1].text.split(":", 1)[0] for i, t in enumerate(tokens[:-1])
                if t.kind == "word" and t.text.upper() == "PREFIX" and tokens[i + 1].kind == "pname"}
    # every predeclared prefix, not only those the tokenizer sees used: it can misread
    # what is not its business (`?a<xsd:x(5)&&?b>` looks like an IRI to it)
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared)
    return head + text


def _kind(text: str) -> str:
    op = sparql_lexer.first_operation(sparql_lexer.tokenize(text))
    return op.text.upper() if op is not None and op.kind == "word" else ""


class RemoteStore:
    """Queries a SPARQL endpoint; `query` answers like pyoxigraph's Store.query."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT):
        self.url = check_url(url)
        self.timeout = timeout

    def query(self, text: str, *, prefixes: dict[str, str] | None = None, **_dataset):
        # the dataset options of a local store (use_default_graph_as_union …) are the
        # server's business: it answers over its own default graph
        kind = _kind(text)
        accept = _RDF_ACCEPT if kind in ("CONSTRUCT", "DESCRIBE") else _RESULTS_JSON
        full = with_prefixes(text, prefixes)
        body, ctype = self._post(full, accept, added_lines=full.count("\n") - text.count("\n"))
        if ctype in _RESULT_TYPES:
            try:
                return ox.parse_query_results(body, format=_RESULT_TYPES[ctype])
            except (SyntaxError, ValueError) as e:
                raise QueryError(f"the endpoint's results cannot be read: {e}", where=self.url) from None
        if ctype in _RDF_TYPES:
            try:
                triples = ox.Store()
                triples.load(body, format=_RDF_TYPES[ctype])
            except (SyntaxError, ValueError) as e:
                raise QueryError(f"the endpoint's RDF cannot be read: {e}", where=self.url) from None
            # a real QueryTriples, so sparql.run renders it as it renders local ones
            return triples.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        raise QueryError(f"the endpoint answered with an unexpected content type '{ctype or 'none'}'",
                         where=self.url, hint="is this the URL of a SPARQL query endpoint?")

    def _post(self, text: str, accept: str, added_lines: int = 0) -> tuple[bytes, str]:
        req = urllib.request.Request(self.url, data=text.encode("utf-8"), method="POST", headers={
            "Content-Type": "application/sparql-query; charset=utf-8",
            "Accept": accept,
            "User-Agent": f"yilian/{__version__}",
        })
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
                ctype = resp.headers.get_content_type()
        except urllib.error.HTTPError as e:
            message = _server_message(e, added_lines)
            if e.code in (503, 504):  # the server gave up: its time limit, or it is overloaded
                raise LimitError(f"the endpoint answered HTTP {e.code} {e.reason}" + (f": {message}" if message else ""),
                                 where=self.url, hint="simplify the query, or ask the server for more time") from None
            hint = ("the server refused the query" if 400 <= e.code < 500 else "the server failed; see its log")
            raise QueryError(f"the endpoint answered HTTP {e.code} {e.reason}" + (f": {message}" if message else ""),
                             where=self.url, hint=hint) from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise LimitError(f"the endpoint did not answer within {self.timeout:g} s", where=self.url,
                                 hint="simplify the query or check the server") from None
            if isinstance(reason, ConnectionRefusedError):
                raise InputError("connection refused: no SPARQL server is listening there", where=self.url,
                                 hint="start the server or check the host and port") from None
            if isinstance(reason, socket.gaierror):
                raise InputError("unknown host", where=self.url, hint="check the host name") from None
            raise InputError(f"cannot reach the endpoint: {reason}", where=self.url, hint="check the URL") from None
        except (socket.timeout, TimeoutError):
            raise LimitError(f"the endpoint did not answer within {self.timeout:g} s", where=self.url,
                             hint="simplify the query or check the server") from None
        except OSError as e:
            raise InputError(f"cannot reach the endpoint: {e}", where=self.url, hint="check the URL") from None
        return body, ctype


def _server_message(e: urllib.error.HTTPError, added_lines: int = 0) -> str:
    """The server's error text, on one line and not too long; a "line:column" in it is
    made to count from the user's query, not from the PREFIX lines yilian added."""
    try:
        text = e.read(4000).decode("utf-8", "replace")
    except OSError:
        return ""
    text = " ".join(text.split())
    if added_lines:
        text = re.sub(r"\b(at|line) (\d+):(\d+)",
                      lambda m: f"{m.group(1)} {max(int(m.group(2)) - added_lines, 1)}:{m.group(3)}", text, count=1)
    return text[:300] + ("…" if len(text) > 300 else "")

