"""`yilian serve`: the graph in memory behind a read-only SPARQL 1.1 endpoint.

The on-disk store opens in milliseconds but answers queries that touch many triples
several times slower than Oxigraph's in-memory storage. A server loads the graph into
memory once and answers every later query at in-memory speed; `yilian query --endpoint`
(or any SPARQL client) talks to it.

It speaks the query operation of the SPARQL 1.1 Protocol: GET with ``query=``, POST of
``application/sparql-query`` or of a form with ``query=``, optional ``default-graph-uri``
and ``named-graph-uri``, and the result formats chosen by the Accept header. Updates
are refused (403), and so are SERVICE calls unless allowed by name, as in `yilian query`.
yilian's common prefixes are predeclared; without a dataset in the request or a FROM in
the query, the default graph is the union of all graphs (as for local queries).

Processes: the parent loads the graph and listens; it forks `workers` processes that
share the loaded store (copy-on-write) and each answer one query at a time. A query that
runs past the time limit gets a 503 answer and its worker exits (a running pyoxigraph
query cannot be stopped otherwise); the parent forks a fresh one.
"""

from __future__ import annotations

import http.server
import io
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import __version__
from ..errors import InputError, LimitError, PolicyError, YilianError
from ..prefixes import PREFIXES
from ..sparql import policy, run as querying

QUERY_PATHS = ("/query", "/sparql")
#: the largest request body accepted (a query, not data)
MAX_BODY = 1 << 20
#: seconds a client may take to send its whole request
READ_TIMEOUT = 10.0
#: the largest answer, in bytes (results are built in memory before they are sent)
MAX_RESULT = 512 << 20

RESULT_TYPES = [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/xml", ox.QueryResultsFormat.XML),
]
GRAPH_TYPES = [
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/n-quads", ox.RdfFormat.N_QUADS),
    ("application/trig", ox.RdfFormat.TRIG),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("text/plain", ox.RdfFormat.N_TRIPLES),
]


def negotiate(accept: str | None, offers: list[tuple[str, object]]) -> tuple[str, object] | None:
    """The offer the Accept header prefers (the first offer when there is no header);
    None when it accepts none of them. Specific media ranges beat wildcards; among equal
    quality values the offers' order decides."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        mtype = fields[0].lower()
        if not mtype:
            continue
        q = 1.0
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((mtype, q))
    best, best_q = None, 0.0
    for mtype, fmt in offers:
        major = mtype.split("/")[0]
        q, specificity = None, -1
        for rng, rq in ranges:
            level = 2 if rng == mtype else 1 if rng == f"{major}/*" else 0 if rng == "*/*" else -1
            if level > specificity:
                q, specificity = rq, level
        if q is not None and q > best_q:
            best, best_q = (mtype, fmt), q
    return best


class HTTPProblem(Exception):
    """An error answer: status code and one line of text."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Endpoint:
    """What the request handler needs: the store and the policies."""

    store: ox.Store
    timeout: float = 0.0  # seconds per query, 0: none (only enforced in worker processes)
    allow_service: tuple[str, ...] = ()
    log: bool = True
    triples: int = 0
    in_worker: bool = False  # may the handler end the process when a query runs too long?
    local_only: bool = False  # listening on loopback: refuse requests that name another Host
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, text: str, accept: str | None, default_graphs: list[str],
               named_graphs: list[str]) -> tuple[str, bytes]:
        """Run one query: (content type, body), or raise HTTPProblem."""
        try:
            tokens = policy.check_query(text, allow_service=self.allow_service)
            policy.check_prefixes(text, tokens)
        except PolicyError as e:
            raise HTTPProblem(403, e.render()) from None
        except YilianError as e:
            raise HTTPProblem(400, e.render().replace("\n", " ")) from None
        try:
            dataset = _dataset(default_graphs, named_graphs)
        except ValueError as e:
            raise HTTPProblem(400, f"a graph IRI in the request is not valid: {e}") from None
        if dataset is None:
            dataset = {"use_default_graph_as_union": querying.union_default_graph(tokens)}
        try:
            result = self.store.query(text, prefixes=PREFIXES, **dataset)
        except SyntaxError as e:
            err = policy.syntax_error(text, e)
            where = err.where.replace("query:", "at line ", 1) if err.where and err.where != "query" else ""
            raise HTTPProblem(400, f"{err.message} {where}".strip()) from None
        except Exception as e:  # noqa: BLE001 - an evaluation error (a failed SERVICE call …): one line
            raise HTTPProblem(500, f"query failed: {_one_line(e)}") from None
        offers = GRAPH_TYPES if isinstance(result, ox.QueryTriples) else RESULT_TYPES
        chosen = negotiate(accept, offers)
        if chosen is None:
            raise HTTPProblem(406, "none of the accepted media types can carry this result; accepted here: "
                              + ", ".join(t for t, _ in offers))
        ctype, fmt = chosen
        out = _Bounded(MAX_RESULT)
        try:
            result.serialize(out, format=fmt)
        except _TooLarge:
            raise HTTPProblem(507, f"the answer is larger than {MAX_RESULT >> 20} MiB; add LIMIT or narrow the "
                                   "query") from None
        except Exception as e:  # noqa: BLE001 - evaluation errors surface while the results are written
            raise HTTPProblem(500, f"query failed: {_one_line(e)}") from None
        body = out.getvalue()
        if ctype.startswith("text/") or ctype.endswith(("json", "xml")) or ctype in ("application/n-triples",
                                                                                     "application/n-quads",
                                                                                     "application/trig"):
            ctype += "; charset=utf-8"
        return ctype, body


def _dataset(default_graphs: list[str], named_graphs: list[str]) -> dict | None:
    """The dataset a request names with default-graph-uri / named-graph-uri, if any."""
    if not default_graphs and not named_graphs:
        return None
    # the request's graphs are the whole dataset (SPARQL 1.1 Protocol §2.1.4): graphs it
    # does not name are not visible, and FROM / FROM NAMED in the query are overridden
    return {"default_graph": [ox.NamedNode(g) for g in default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in named_graphs]}


class _TooLarge(Exception):
    pass


class _Bounded(io.BytesIO):
    """A buffer that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def write(self, data) -> int:
        if self.tell() + len(data) > self.limit:
            raise _TooLarge()
        return super().write(data)


def _one_line(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:300] + ("…" if len(text) > 300 else "")


class _Watchdog:
    """One thread per worker that calls a function when the current query's deadline
    passes (cheaper than a timer thread per query)."""

    def __init__(self):
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._action = None
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, action) -> None:
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()
            self._deadline, self._action = time.monotonic() + seconds, action
            self._cond.notify()

    def cancel(self) -> None:
        with self._cond:
            self._deadline = self._action = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._deadline is None or time.monotonic() < self._deadline:
                    self._cond.wait(None if self._deadline is None else self._deadline - time.monotonic())
                action, self._deadline, self._action = self._action, None, None
            if action is not None:
                action()


_WATCHDOG = _Watchdog()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = f"yilian/{__version__}"
    protocol_version = "HTTP/1.0"  # one request per connection: a worker never waits on an idle client
    default_request_version = "HTTP/1.0"  # answers to malformed requests get a status line too
    endpoint: Endpoint  # set on the subclass made for each server

    # ------------------------------------------------------------ methods

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/":
            self._send(200, "text/plain; charset=utf-8", _about(self.endpoint).encode("utf-8"))
            return
        try:
            params = _params(url.query)
        except HTTPProblem as p:
            self._problem(p)
            return
        self._query(url, params)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path not in QUERY_PATHS:
                raise HTTPProblem(404, f"no SPARQL endpoint at {url.path}; use {QUERY_PATHS[0]}")
            ctype = self.headers.get_content_type()
            body = self._body()
            params = _params(url.query)
            if ctype == "application/sparql-query":
                params["query"] = [_text(body)]
            elif ctype == "application/x-www-form-urlencoded":
                for k, v in _params(_text(body)).items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-update":
                raise _read_only()
            else:
                raise HTTPProblem(415, f"a query is sent as application/sparql-query or a form, not {ctype}")
        except HTTPProblem as p:
            self._problem(p)
            return
        self._query(url, params)

    def _not_allowed(self):
        self._problem(HTTPProblem(405, f"{self.command} is not supported: this endpoint answers queries "
                                       "(GET or POST) and is read-only", {"Allow": "GET, POST"}))

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _not_allowed

    def send_error(self, code, message=None, explain=None):
        """http.server's own errors (a malformed request line, headers too long …) as one
        line of text, like every other answer."""
        text = message or self.responses.get(code, ("error",))[0]
        if not hasattr(self, "command") or self.command is None:
            self.command = "-"
        self.close_connection = True
        self._problem(HTTPProblem(code, f"{text} (send a SPARQL query with GET or POST to {QUERY_PATHS[0]})"))

    # ------------------------------------------------------------ queries

    def _query(self, url, params: dict[str, list[str]]) -> None:
        started = time.perf_counter()
        try:
            self._check_host()
            if url.path not in QUERY_PATHS:
                raise HTTPProblem(404, f"no SPARQL endpoint at {url.path}; use {QUERY_PATHS[0]}")
            if "update" in params:
                raise _read_only()
            queries = params.get("query", [])
            if len(queries) != 1:
                raise HTTPProblem(400, "give exactly one query (the query parameter, or the body of a POST "
                                       "of application/sparql-query)")
            text = queries[0]
            if not text.strip():
                raise HTTPProblem(400, "the query is empty")
            watchdog = self._watch(started)
            try:
                ctype, body = self.endpoint.answer(text, self.headers.get("Accept"),
                                                   params.get("default-graph-uri", []),
                                                   params.get("named-graph-uri", []))
            finally:
                if watchdog is not None:
                    watchdog.cancel()
            self._send(200, ctype, body, started=started)
        except HTTPProblem as p:
            self._problem(p, started)

    def _watch(self, started: float) -> _Watchdog | None:
        """In a worker process: answer 503 and end the worker when the query runs past the
        limit (the parent starts a new one)."""
        ep = self.endpoint
        if not (ep.in_worker and ep.timeout and ep.timeout > 0):
            _WATCHDOG.cancel()  # the request has been read: its deadline is over
            return None

        def expire():
            message = (f"the query did not finish within {ep.timeout:g} seconds and was stopped (narrow the "
                       "query, or restart the server with a larger --timeout)\n").encode("utf-8")
            ep._lock.acquire()  # held until the process ends: nothing else is written or accepted
            if self._responded:
                ep._lock.release()
                return  # the answer was already on its way
            self._responded = True
            self._write(503, "text/plain; charset=utf-8", message, None, started)
            try:
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            os._exit(0)

        _WATCHDOG.arm(ep.timeout, expire)
        return _WATCHDOG

    def _check_host(self) -> None:
        """A server on 127.0.0.1 answers only requests addressed to this machine: a web page
        whose name is made to resolve to 127.0.0.1 (DNS rebinding) sends its own Host."""
        if not self.endpoint.local_only:
            return
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if host and name not in ("127.0.0.1", "localhost", "[::1]", "::1"):
            raise HTTPProblem(403, f"this server answers only requests to 127.0.0.1 or localhost, not to {host} "
                                   "(start it with --host to serve other names)")

    # ------------------------------------------------------------ plumbing

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise HTTPProblem(411, "a POST needs a Content-Length")
        try:
            n = int(length)
        except ValueError:
            raise HTTPProblem(400, "the Content-Length is not a number") from None
        if n < 0:
            raise HTTPProblem(400, "the Content-Length is negative")
        if n > MAX_BODY:
            raise HTTPProblem(413, f"the request body is larger than {MAX_BODY >> 20} MiB; a query is never that big")
        data = self.rfile.read(n)
        if len(data) < n:
            raise HTTPProblem(400, "the request body is shorter than its Content-Length")
        return data

    _responded = False

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None,
              started: float | None = None) -> bool:
        """Answer, unless an answer was sent already; True when this call sent it."""
        with self.endpoint._lock:  # the watchdog thread and the handler never both answer
            if self._responded:
                return False
            self._responded = True
            # a client that reads the answer slowly gets a deadline too (1 MiB/s at least)
            _WATCHDOG.arm(READ_TIMEOUT + len(body) / (1 << 20), self._hang_up)
            self._write(status, ctype, body, headers, started)
        return True

    def _hang_up(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _write(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None,
               started: float | None) -> None:
        """Write one answer (the caller holds the endpoint's lock)."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client went away
        if started is not None and self.endpoint.log:
            ms = (time.perf_counter() - started) * 1000
            path = urllib.parse.urlsplit(getattr(self, "path", "") or "-").path
            print(f"yilian serve: {self.command or '-'} {path} {status} {len(body)} bytes {ms:.1f} ms",
                  file=sys.stderr, flush=True)

    def _problem(self, p: HTTPProblem, started: float | None = None) -> bool:
        return self._send(p.status, "text/plain; charset=utf-8", (p.message + "\n").encode("utf-8"), p.headers,
                          started=started if started is not None else time.perf_counter())

    def log_request(self, code="-", size="-"):  # _send logs queries itself
        pass

    def log_error(self, format, *args):  # malformed requests: one line, when logging
        if self.endpoint.log:
            print(f"yilian serve: {format % args}", file=sys.stderr, flush=True)


def _read_only() -> HTTPProblem:
    return HTTPProblem(403, "SPARQL Update is refused: this endpoint is read-only (edit the RDF files and "
                            "restart the server to change the graph)")


def _params(query: str) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise HTTPProblem(400, "a percent-encoded parameter is not UTF-8") from None


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPProblem(400, "the request body is not UTF-8 text") from None


def _about(ep: Endpoint) -> str:
    return (f"yilian {__version__}: a read-only SPARQL 1.1 endpoint over {ep.triples:,} triples.\n"
            f"Send queries to {QUERY_PATHS[0]} (GET ?query=… or POST application/sparql-query), for example\n"
            f"  yilian query --endpoint http://HOST:PORT{QUERY_PATHS[0]} --name alliance-lead\n")


def handler_for(endpoint: Endpoint) -> type[Handler]:
    return type("BoundHandler", (Handler,), {"endpoint": endpoint})


# ---------------------------------------------------------------- processes

def listen(host: str, port: int) -> socket.socket:
    """A listening socket, or InputError saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise InputError(f"cannot listen on host '{host}': {e.strerror}", where="--host",
                         hint="give an address of this machine, such as 127.0.0.1") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(128)
    except OSError as e:
        sock.close()
        hint = ("another program uses this port: choose another with --port (0 picks a free one)"
                if e.errno in (98, 48) else "choose another --host or --port")
        raise InputError(f"cannot listen on {host}:{port}: {e.strerror}", where="--port", hint=hint) from None
    return sock


def handle(sock: socket.socket, endpoint: Endpoint, handler: type[Handler]) -> None:
    """Answer one connection from the listening socket."""
    try:
        conn, addr = sock.accept()
    except (BlockingIOError, InterruptedError):
        return
    def hang_up():
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # the whole request must arrive within READ_TIMEOUT (not each read: a client sending a
    # byte at a time must not hold a worker); the query then gets its own deadline
    _WATCHDOG.arm(READ_TIMEOUT, hang_up)
    try:
        conn.settimeout(READ_TIMEOUT)
        handler(conn, addr, None)
    except OSError:
        pass
    except Exception as e:  # noqa: BLE001 - a bug: log it, keep the worker
        if endpoint.log:
            print(f"yilian serve: internal error: {type(e).__name__}: {_one_line(e)}", file=sys.stderr, flush=True)
    finally:
        _WATCHDOG.cancel()
        try:
            conn.close()
        except OSError:
            pass


def _answer_until(sock: socket.socket, endpoint: Endpoint, done) -> None:
    """Answer connections one at a time; every `poll` seconds without one, stop if done().
    The listening socket is non-blocking (set once, shared by all workers): when several
    wake for one connection, the others go back to waiting instead of blocking in accept."""
    import selectors

    sock.setblocking(False)
    handler = handler_for(endpoint)
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_READ)
        while not done():
            if sel.select(timeout=0.2 if not endpoint.in_worker else 1.0):
                handle(sock, endpoint, handler)


def serve_in_process(sock: socket.socket, endpoint: Endpoint, stop: threading.Event | None = None) -> None:
    """Answer connections in this process, one at a time, until `stop` is set (no time
    limit: a thread cannot stop a query). For tests and for platforms without fork."""
    _answer_until(sock, endpoint, (lambda: False) if stop is None else stop.is_set)


def serve_forever(sock: socket.socket, endpoint: Endpoint, workers: int) -> None:
    """Fork `workers` processes that answer connections; replace any that ends; stop on
    SIGINT or SIGTERM."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        serve_in_process(sock, endpoint)
        return
    children: set[int] = set()
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    parent = os.getpid()
    signals = {signal.SIGINT, signal.SIGTERM}

    def spawn() -> None:
        # signals wait until the child is set up and known: a signal in between would run
        # the parent's handler in the child, or miss the new child
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent stops us
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
                    endpoint.in_worker = True
                    # end with the parent, even if it was killed without a chance to stop us
                    _answer_until(sock, endpoint, lambda: os.getppid() != parent)
                except BaseException:  # noqa: BLE001 - a worker never unwinds into the parent's code
                    code = 1
                finally:
                    os._exit(code)
            children.add(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)

    old = {s: signal.signal(s, stop) for s in signals}
    failures: list[float] = []  # when workers ended abnormally, to stop a crash loop
    try:
        for _ in range(workers):
            spawn()
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            children.discard(pid)
            if stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            if code != 0 and code != -signal.SIGTERM:  # exit 0: a worker that stopped a query past its time
                now = time.monotonic()
                failures[:] = [t for t in failures if now - t < 10] + [now]
                if endpoint.log:
                    how = f"signal {-code}" if code < 0 else f"status {code}"
                    print(f"yilian serve: a worker ended with {how}; starting another", file=sys.stderr, flush=True)
                if len(failures) >= 10:
                    stop(None, None)
                    raise LimitError("the server's workers keep failing (10 in 10 seconds); stopped",
                                     hint="see the messages above; the machine may be out of memory")
            spawn()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        for pid in list(children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        sock.close()


def is_loopback(sock: socket.socket) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(sock.getsockname()[0]).is_loopback
    except ValueError:
        return False


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def describe(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{QUERY_PATHS[0]}"

