"""Running yilian's queries against any SPARQL 1.1 endpoint (Oxigraph server, Fuseki,
QLever, Virtuoso, `yilian serve`) instead of local files.

`RemoteStore` has the one method of a pyoxigraph Store that sparql.run.run uses, `query`,
and returns real pyoxigraph result objects: SELECT and ASK results are parsed from SPARQL
JSON, CONSTRUCT and DESCRIBE triples from N-Triples. So every output format is rendered
by the same code as for local queries and the same query gives the same bytes locally and
remotely. The read-only and SERVICE checks run before anything is sent.

The request follows the SPARQL 1.1 Protocol as mature clients send it: a short query as
GET with the query in the URL, a long one as a POST of a UTF-8 form
(application/x-www-form-urlencoded), which every endpoint answers; a POST of the bare
query (application/sparql-query) only when an endpoint refuses both (Virtuoso 7 never
answers that one). What an endpoint refused is remembered for the rest of the process.
Connecting, and the whole answer, are bounded in time; the answer also in size.
"""

from __future__ import annotations

import functools
import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from .. import __version__
from ..errors import InputError, LimitError, QueryError, UsageError
from ..prefixes import PREFIXES
from . import lexer as sparql_lexer

#: seconds to wait for the endpoint's whole answer
TIMEOUT = 300.0
#: seconds to wait for a connection to the endpoint
CONNECT_TIMEOUT = 10.0
#: longest GET request line, in bytes of the URL; a longer query is POSTed as a form.
#: 2 KiB is what Apache Jena's client sends as GET and well under every server's limit.
GET_LIMIT = 2048
#: the largest answer read, in bytes (as `yilian serve` caps its own answers)
MAX_ANSWER = 512 * 2**20
#: HTTP statuses that mean "not this way of sending the query": try the next one
_REFUSED_FORM = {405, 411, 414, 415, 431, 501}
#: the ways of sending a query, in the order they are tried
_FORMS = ("get", "form", "direct")
#: per endpoint URL, the forms it refused (for the life of the process)
_refused: dict[str, set[str]] = {}
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
    """Queries a SPARQL endpoint; `query` answers like pyoxigraph's Store.query.

    `timeout` bounds the whole exchange in seconds (connecting: at most
    CONNECT_TIMEOUT of it); LimitError when it runs out or the answer passes MAX_ANSWER
    bytes, InputError when the endpoint cannot be reached, QueryError when it refuses
    the query or answers something that is not SPARQL results or RDF.
    """

    def __init__(self, url: str, *, timeout: float = TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT):
        self.url = check_url(url)
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)

    def query(self, text: str, *, prefixes: dict[str, str] | None = None, **_dataset):
        # the dataset options of a local store (use_default_graph_as_union …) are the
        # server's business: it answers over its own default graph
        kind = _kind(text)
        accept = _RDF_ACCEPT if kind in ("CONSTRUCT", "DESCRIBE") else _RESULTS_JSON
        full = with_prefixes(text, prefixes)
        body, ctype, max_rows = self._send(full, accept, added_lines=full.count("\n") - text.count("\n"))
        if ctype in _RESULT_TYPES:
            try:
                results = ox.parse_query_results(body, format=_RESULT_TYPES[ctype])
                if max_rows is not None and isinstance(results, ox.QuerySolutions) \
                        and sum(1 for _ in results) >= max_rows:
                    raise LimitError(f"the endpoint cut the answer at its limit of {max_rows} rows",
                                     where=self.url, hint="add LIMIT to the query, or raise the server's "
                                     "limit: Virtuoso's ResultSetMaxRows in virtuoso.ini")
                if max_rows is not None:  # counted: read again
                    results = ox.parse_query_results(body, format=_RESULT_TYPES[ctype])
                return results
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

    def _send(self, text: str, accept: str, added_lines: int = 0) -> tuple[bytes, str, int | None]:
        """(body, content type, the server's row limit if it says it applied one) of the
        endpoint's answer to the query `text`."""
        deadline = time.monotonic() + self.timeout
        refused = _refused.setdefault(self.url, set())
        forms = [f for f in _FORMS if f not in refused]
        get_url = _with_query(self.url, text)
        if len(get_url) > GET_LIMIT and "get" in forms:
            forms.remove("get")
        if not forms:  # everything was refused once: try again in the usual order
            forms = ["form", "direct"]
        for i, form in enumerate(forms):
            req = _request(form, self.url, get_url, text, accept)
            try:
                return self._exchange(req, deadline)
            except urllib.error.HTTPError as e:
                if e.code in _REFUSED_FORM and i + 1 < len(forms):
                    refused.add(form)
                    continue
                raise self._http_error(e, added_lines) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, req: urllib.request.Request, deadline: float) -> tuple[bytes, str, int | None]:
        """Send one request and read the answer before `deadline` (time.monotonic())."""
        sockets = _Sockets(deadline)
        opener = urllib.request.build_opener(_HTTPHandler(sockets), _HTTPSHandler(sockets))
        try:
            with opener.open(req, timeout=min(self.connect_timeout, sockets.remaining())) as resp:
                ctype = resp.headers.get_content_type()
                chunks, size = [], 0
                while True:
                    sockets.set_timeouts()
                    chunk = resp.read1(1 << 16)  # one receive: the deadline holds between them
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > MAX_ANSWER:
                        raise LimitError(f"the endpoint's answer is larger than {MAX_ANSWER // 2**20} MiB",
                                         where=self.url, hint="add LIMIT to the query") from None
                    chunks.append(chunk)
                return b"".join(chunks), ctype, _max_rows(resp.headers)
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self._timed_out(sockets) from None
            if isinstance(reason, ConnectionRefusedError):
                raise InputError("connection refused: no SPARQL server is listening there", where=self.url,
                                 hint="start the server or check the host and port") from None
            if isinstance(reason, socket.gaierror):
                raise InputError("unknown host", where=self.url, hint="check the host name") from None
            raise InputError(f"cannot reach the endpoint: {reason}", where=self.url, hint="check the URL") from None
        except (socket.timeout, TimeoutError):
            raise self._timed_out(sockets) from None
        except (OSError, http.client.HTTPException) as e:
            raise InputError(f"cannot reach the endpoint: {e}", where=self.url, hint="check the URL") from None

    def _timed_out(self, sockets: _Sockets) -> LimitError:
        if not sockets.connected:  # no connection was made
            return LimitError(f"the endpoint did not accept a connection within {self.connect_timeout:g} s",
                              where=self.url, hint="check the host and port, or the network")
        return LimitError(f"the endpoint did not answer within {self.timeout:g} s", where=self.url,
                          hint="simplify the query or check the server")

    def _http_error(self, e: urllib.error.HTTPError, added_lines: int) -> Exception:
        message = _server_message(e, added_lines)
        text = f"the endpoint answered HTTP {e.code} {e.reason}" + (f": {message}" if message else "")
        if e.code in (503, 504):  # the server gave up: its time or memory limit, or it is overloaded
            # a server that says what to do (yilian serve: "(narrow the query, … --max-memory)")
            # is not contradicted by a guess; otherwise the likeliest cause is its time limit
            said = message.rstrip().endswith(")") if message else False
            return LimitError(text, where=self.url,
                              hint=None if said else "simplify the query, or ask the server for more time")
        hint = ("the server refused the query" if 400 <= e.code < 500 else "the server failed; see its log")
        return QueryError(text, where=self.url, hint=hint)


def _max_rows(headers) -> int | None:
    """The row limit a server says it applied to a SELECT answer: Virtuoso cuts answers at
    its ResultSetMaxRows (10,000 by default) and says so only in this header."""
    try:
        return int(headers.get("X-SPARQL-MaxRows", ""))
    except ValueError:
        return None


def _with_query(url: str, text: str) -> str:
    """The endpoint URL with `query=` (UTF-8, percent-encoded) added to its own parameters."""
    return url + ("&" if urllib.parse.urlsplit(url).query else "?") + urllib.parse.urlencode({"query": text})


def _request(form: str, url: str, get_url: str, text: str, accept: str) -> urllib.request.Request:
    headers = {"Accept": accept, "User-Agent": f"yilian/{__version__}"}
    if form == "get":
        return urllib.request.Request(get_url, method="GET", headers=headers)
    if form == "form":
        data = urllib.parse.urlencode({"query": text}).encode("ascii")
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
    else:
        data = text.encode("utf-8")
        headers["Content-Type"] = "application/sparql-query; charset=UTF-8"
    return urllib.request.Request(url, data=data, method="POST", headers=headers)


class _Sockets:
    """The sockets of one exchange (one, or more after redirects) and its deadline
    (time.monotonic()): once connected, each waits only for the time that is left."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.connected: list[socket.socket] = []

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def add(self, sock: socket.socket) -> None:
        self.connected.append(sock)
        sock.settimeout(self.remaining())

    def set_timeouts(self) -> None:
        left = self.remaining()
        for sock in self.connected:
            sock.settimeout(left)


class _ConnectionMixin:
    """Connects within the request's (connect) timeout, then waits for the answer only
    until the exchange's deadline."""

    def __init__(self, *args, sockets: _Sockets, **kwargs):
        super().__init__(*args, **kwargs)
        self._sockets = sockets

    def connect(self):
        super().connect()
        self._sockets.add(self.sock)


class _HTTPConnection(_ConnectionMixin, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_ConnectionMixin, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, sockets: _Sockets):
        super().__init__()
        self._sockets = sockets

    def http_open(self, req):
        return self.do_open(functools.partial(_HTTPConnection, sockets=self._sockets), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, sockets: _Sockets):
        super().__init__()
        self._sockets = sockets

    def https_open(self, req):
        return self.do_open(functools.partial(_HTTPSConnection, sockets=self._sockets), req,
                            context=self._context)


def _server_message(e: urllib.error.HTTPError, added_lines: int = 0) -> str:
    """The server's error text, on one line and not too long; a line number in it is made
    to count from the user's query, not from the PREFIX lines yilian added."""
    try:
        text = e.read(4000).decode("utf-8", "replace")
    except OSError:
        return ""
    text = " ".join(text.split())
    # Virtuoso repeats the whole query after its message: the user has it already
    text = text.split(" SPARQL query:", 1)[0]
    if added_lines:  # "at 3:5" (Oxigraph), "line 3:" (Virtuoso)
        text = re.sub(r"\b(at|line) (\d+)(:\d+)?",
                      lambda m: f"{m.group(1)} {max(int(m.group(2)) - added_lines, 1)}{m.group(3) or ''}", text, count=1)
    return text[:300] + ("…" if len(text) > 300 else "")

