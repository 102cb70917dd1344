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

Processes: the parent loads the graph, then forks `workers` processes that share the
loaded store (copy-on-write) and each answer one query at a time. The parent itself is
the HTTP front: an asyncio server (aiohttp) that reads and checks every request, with a
deadline for its headers and one for its body, and sends each complete query to an idle
worker over a socket pair, awaiting the answer without blocking. Idle or slow
connections therefore cost the front a socket each, never a worker. A query that runs
past the time limit, or a worker whose resident memory grows past the cap, gets a 503
answer; the worker is killed (a running pyoxigraph query cannot be stopped otherwise)
and the parent forks a fresh one. Workers end with the parent.
"""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import os
import pickle
import signal
import socket
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus

import pyoxigraph as ox

from .. import __version__
from ..errors import InputError, LimitError, PolicyError, YilianError
from ..limits import rss_bytes
from ..prefixes import PREFIXES
from ..sparql import policy, run as querying

try:  # a deadline for a block of awaits without a task per await (asyncio.wait_for makes one)
    from asyncio import timeout as _deadline
except ImportError:  # pragma: no cover - Python 3.10: aiohttp installs async-timeout there
    from async_timeout import timeout as _deadline

QUERY_PATHS = ("/query", "/sparql")
#: the largest request body accepted (a query, not data)
MAX_BODY = 1 << 20
#: seconds a client may take to send a request's headers, and then its body; an idle
#: kept-alive connection is closed after as long
READ_TIMEOUT = 10.0
#: the longest request line or header line, in bytes
MAX_LINE = 8190
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
    local_only: bool = False  # listening on loopback: refuse requests that name another Host
    max_memory: int = 0  # bytes a worker process may use (resident), 0: no cap (only enforced in workers)

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


# ---------------------------------------------------------------- the HTTP front (aiohttp)

def _problem_reply(p: HTTPProblem) -> tuple[int, str, bytes, dict[str, str]]:
    return p.status, "text/plain; charset=utf-8", (p.message + "\n").encode("utf-8"), p.headers


def _run_job(endpoint: Endpoint, job: tuple) -> tuple[int, str, bytes, dict[str, str]]:
    """One query (text, Accept, default graphs, named graphs) as (status, type, body, headers)."""
    try:
        ctype, body = endpoint.answer(*job)
        return 200, ctype, body, {}
    except HTTPProblem as p:
        return _problem_reply(p)
    except MemoryError:
        return _problem_reply(_too_much_memory(endpoint))
    except Exception as e:  # noqa: BLE001 - a bug: one line, the worker goes on
        return _problem_reply(HTTPProblem(500, f"internal error: {type(e).__name__}: {_one_line(e)}"))


def size_text(n: int) -> str:
    """Bytes as a short binary size: "300 MiB", "1.5 GiB", "512 KiB"."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.3g} {unit}" if n < 100 << shift else f"{n >> shift:,} {unit}"
    return f"{n} bytes"


def _too_much_memory(ep: Endpoint) -> HTTPProblem:
    cap = f" ({size_text(ep.max_memory)})" if ep.max_memory else ""
    return HTTPProblem(503, f"the query needed more memory than a worker may use{cap} and was stopped (narrow the "
                            "query, add LIMIT, or restart the server with a larger --max-memory)")


def _too_slow(ep: Endpoint) -> HTTPProblem:
    return HTTPProblem(503, f"the query did not finish within {ep.timeout:g} seconds and was stopped (narrow the "
                            "query, or restart the server with a larger --timeout)")


class _Front:
    """The aiohttp request handler: reads and checks each request in the event loop and
    hands complete queries to `pool` (an object with `async run(job) -> reply`)."""

    def __init__(self, endpoint: Endpoint, pool):
        self.endpoint = endpoint
        self.pool = pool

    async def __call__(self, request):
        started = time.perf_counter()
        url = urllib.parse.urlsplit(request.raw_path)
        try:
            self._check_host(request)
            if request.method not in ("GET", "POST"):
                raise HTTPProblem(405, f"{request.method} is not supported: this endpoint answers queries "
                                       "(GET or POST) and is read-only", {"Allow": "GET, POST"})
            if request.method == "GET" and url.path == "/":
                reply = 200, "text/plain; charset=utf-8", _about(self.endpoint).encode("utf-8"), {}
            else:
                reply = await self.pool.run(await self._job(request, url))
        except HTTPProblem as p:
            reply = _problem_reply(p)
        except (asyncio.TimeoutError, TimeoutError):
            reply = _problem_reply(HTTPProblem(408, f"the request did not arrive within {READ_TIMEOUT:g} seconds"))
        return await self._send(request, url, started, *reply)

    async def _job(self, request, url) -> tuple:
        """The query job of a request: (text, Accept, default graphs, named graphs)."""
        params = _params(url.query)
        if request.method == "POST":
            if url.path not in QUERY_PATHS:
                raise HTTPProblem(404, f"no SPARQL endpoint at {url.path}; use {QUERY_PATHS[0]}")
            ctype = request.content_type
            body = await self._body(request)
            if ctype == "application/sparql-query":
                params["query"] = [_text(body)]
            elif ctype == "application/x-www-form-urlencoded":
                for k, v in _params(_text(body)).items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-update":
                raise _read_only()
            else:
                raise HTTPProblem(415, f"a query is sent as application/sparql-query or a form, not {ctype}")
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
        return (text, request.headers.get("Accept"), params.get("default-graph-uri", []),
                params.get("named-graph-uri", []))

    def _check_host(self, request) -> None:
        """A server on 127.0.0.1 answers only requests addressed to this machine: a web page
        whose name is made to resolve to 127.0.0.1 (DNS rebinding) sends its own Host."""
        if not self.endpoint.local_only:
            return
        host = (request.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if host and name not in ("127.0.0.1", "localhost", "[::1]", "::1"):
            raise HTTPProblem(403, f"this server answers only requests to 127.0.0.1 or localhost, not to {host} "
                                   "(start it with --host to serve other names)")

    @staticmethod
    async def _body(request) -> bytes:
        """The body of a POST, read within READ_TIMEOUT; at most MAX_BODY bytes."""
        length = request.headers.get("Content-Length")
        if length is None:
            raise HTTPProblem(411, "a POST needs a Content-Length")
        n = request.content_length or 0  # aiohttp's parser has refused lengths that are not numbers
        if n > MAX_BODY:
            raise HTTPProblem(413, f"the request body is larger than {MAX_BODY >> 20} MiB; a query is never that big")
        request.protocol.body_started(request.content)
        try:
            async with _deadline(READ_TIMEOUT):
                return await request.content.readexactly(n)
        except asyncio.IncompleteReadError:
            raise HTTPProblem(400, "the request body is shorter than its Content-Length") from None

    async def _send(self, request, url, started: float, status: int, ctype: str, body: bytes,
                    headers: dict[str, str]):
        from aiohttp import web

        # a Response sends its headers and body in one write
        resp = web.Response(status=status, body=body, headers={"Content-Type": ctype, "Vary": "Accept",
                                                               "Server": f"yilian/{__version__}", **headers})
        if status >= 400:
            resp.force_close()
        try:
            # a client that reads the answer slowly gets a deadline too (1 MiB/s at least)
            async with _deadline(READ_TIMEOUT + len(body) / (1 << 20)):
                await resp.prepare(request)
                await resp.write_eof()
        except (asyncio.TimeoutError, TimeoutError, OSError):
            if request.transport is not None:
                request.transport.abort()
        except Exception:  # noqa: BLE001 - the connection went away (aiohttp's own errors)
            pass
        if self.endpoint.log:
            ms = (time.perf_counter() - started) * 1000
            print(f"yilian serve: {request.method} {url.path} {status} {len(body)} bytes {ms:.1f} ms",
                  file=sys.stderr, flush=True)
        return resp


def _protocol_class():
    """aiohttp's connection handler with two changes: a client that half-closes after its
    request (as `nc -N` does) still gets the answer, and a request aiohttp's parser refuses
    gets one line of text like every other error."""
    from aiohttp import web
    from aiohttp.web_protocol import RequestHandler

    class Protocol(RequestHandler):
        _peer_eof = False
        _body_reader = None
        endpoint: Endpoint

        def eof_received(self):
            self._peer_eof = True
            if self._body_reader is not None:
                self._body_reader.feed_eof()  # a body still missing will not come
            return True  # keep the connection open to send the answer

        def body_started(self, reader) -> None:
            self._body_reader = reader
            if self._peer_eof:
                reader.feed_eof()

        def handle_error(self, request, status=500, exc=None, message=None):
            text = " ".join(str(message or "").split()) or HTTPStatus(status).phrase
            text = f"{text} (send a SPARQL query with GET or POST to {QUERY_PATHS[0]})"
            if self.endpoint.log:
                print(f"yilian serve: - - {status} malformed request: {_one_line(Exception(text))}",
                      file=sys.stderr, flush=True)
            resp = web.Response(status=status, text=text + "\n", content_type="text/plain", charset="utf-8",
                                headers={"Server": f"yilian/{__version__}"})
            resp.force_close()
            return resp

    return Protocol


def _web_server(endpoint: Endpoint, pool):
    """An aiohttp low-level server (a protocol factory for loop.create_server)."""
    from aiohttp import web

    protocol = type("BoundProtocol", (_protocol_class(),), {"endpoint": endpoint})

    class Server(web.Server):
        def __call__(self):
            return protocol(self, loop=self._loop, **self._kwargs)

    # keepalive_timeout runs from the moment a connection opens until its request's headers
    # are in (and between requests on a kept-alive connection): a client that sends half a
    # request, or nothing, is closed after READ_TIMEOUT without costing a worker anything
    return Server(_Front(endpoint, pool), keepalive_timeout=READ_TIMEOUT, access_log=None,
                  max_line_size=MAX_LINE, max_field_size=MAX_LINE, lingering_time=2.0,
                  logger=logging.getLogger("yilian.serve.http"))

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


# ---------------------------------------------------------------- where queries run

class _InlinePool:
    """Queries answered one at a time in a thread of this process (no time or memory
    limit: a thread cannot stop a query). For tests and for platforms without fork."""

    def __init__(self, endpoint: Endpoint):
        from concurrent.futures import ThreadPoolExecutor

        self.endpoint = endpoint
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="yilian-query")

    async def run(self, job: tuple) -> tuple:
        return await asyncio.get_running_loop().run_in_executor(self._executor, _run_job, self.endpoint, job)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _frame(obj) -> bytes:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "big") + data


def _recv_exactly(chan: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = chan.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _worker_main(chan: socket.socket, endpoint: Endpoint) -> None:
    """A worker's life: read a job from the parent, answer it, until the parent is gone
    (the channel reaches its end)."""
    while True:
        head = _recv_exactly(chan, 8)
        if head is None:
            return
        data = _recv_exactly(chan, int.from_bytes(head, "big"))
        if data is None:
            return
        chan.sendall(_frame(_run_job(endpoint, pickle.loads(data))))


def _die_with_parent() -> None:
    """Linux: this process gets SIGKILL when the parent ends, even in the middle of a query
    (an idle worker also ends when its channel closes)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


class _Worker:
    def __init__(self, pid: int, reader, writer):
        self.pid, self.reader, self.writer = pid, reader, writer
        self.busy = False
        self.gone = False  # retired: killed by us or ended
        self.killed_for: str | None = None  # "memory" when the memory watch killed it

    async def ask(self, job: tuple) -> tuple:
        self.writer.write(_frame(job))
        head = await self.reader.readexactly(8)
        return pickle.loads(await self.reader.readexactly(int.from_bytes(head, "big")))


class _ForkedPool:
    """`workers` processes forked from this one after the graph is loaded (they share it
    copy-on-write), each answering one query at a time, sent over a socket pair. A query
    past the time limit, or a worker past the memory cap, gets a 503 answer; its worker is
    killed and replaced. Ten unexpected worker exits in ten seconds stop the server."""

    TICK = 0.05  # seconds between memory checks of busy workers (and reaping ended ones)

    def __init__(self, endpoint: Endpoint, workers: int, keep_fds: tuple[int, ...] = ()):
        self.endpoint = endpoint
        self.size = workers
        self.workers: dict[int, _Worker] = {}
        self.idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self.failures: list[float] = []
        self.failed: LimitError | None = None
        self.stopped = asyncio.Event()
        self._parent = os.getpid()
        self._tick: asyncio.Task | None = None

    async def start(self) -> None:
        for _ in range(self.size):
            await self._spawn()
        self._tick = asyncio.get_running_loop().create_task(self._watch())

    async def _spawn(self) -> None:
        parent_end, child_end = socket.socketpair()
        signals = {signal.SIGINT, signal.SIGTERM}
        # signals wait until the child has set itself up: a signal in between would run
        # the parent's handler in the child
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            pid = os.fork()
            if pid == 0:  # the worker: never returns into the parent's code
                code = 0
                try:
                    gc.freeze()  # the parent's objects (sockets among them) are never collected here
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group; the parent stops us
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    _die_with_parent()
                    # the listening socket, the clients' connections, the other workers'
                    # channels: a worker holds none of them open
                    keep = child_end.fileno()
                    os.closerange(3, keep)
                    os.closerange(keep + 1, _max_fd())
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
                    if os.getppid() == self._parent:
                        _worker_main(child_end, self.endpoint)
                except BaseException:  # noqa: BLE001
                    code = 1
                finally:
                    os._exit(code)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        child_end.close()
        reader, writer = await asyncio.open_connection(sock=parent_end, limit=1 << 16)
        worker = _Worker(pid, reader, writer)
        self.workers[pid] = worker
        self.idle.put_nowait(worker)

    async def run(self, job: tuple) -> tuple:
        ep = self.endpoint
        limit = ep.timeout if ep.timeout and ep.timeout > 0 else None
        try:
            async with _deadline(limit):
                worker = await self._take()
        except (asyncio.TimeoutError, TimeoutError):
            return _problem_reply(HTTPProblem(503, f"all {self.size} workers were busy for {limit:g} seconds; "
                                                   "try again later"))
        worker.busy = True
        try:
            async with _deadline(limit):
                reply = await worker.ask(job)
        except (asyncio.TimeoutError, TimeoutError):
            await self._retire(worker, kill=True)
            return _problem_reply(_too_slow(ep))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            memory = worker.killed_for == "memory"
            await self._retire(worker, kill=True)
            if memory:
                return _problem_reply(_too_much_memory(ep))
            return _problem_reply(HTTPProblem(500, "the worker answering this query ended unexpectedly (see the "
                                                   "server's log); try again"))
        except asyncio.CancelledError:  # the server is stopping
            await self._retire(worker, kill=True, replace=False)
            raise
        worker.busy = False
        self.idle.put_nowait(worker)
        return reply

    async def _take(self) -> _Worker:
        while True:
            worker = self.idle.get_nowait() if not self.idle.empty() else await self.idle.get()
            if not worker.gone:
                return worker

    async def _retire(self, worker: _Worker, *, kill: bool, replace: bool = True) -> None:
        if worker.gone:
            return
        worker.gone = True
        self.workers.pop(worker.pid, None)
        if kill:
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.writer.close()
        if replace and not self.stopped.is_set():
            await self._spawn()

    async def _watch(self) -> None:
        """Every TICK: kill a busy worker past the memory cap (its query then answers 503),
        and reap ended workers, replacing those that ended by themselves."""
        while not self.stopped.is_set():
            await asyncio.sleep(self.TICK)
            cap = self.endpoint.max_memory
            if cap:
                for worker in list(self.workers.values()):
                    if worker.busy and not worker.killed_for and rss_bytes(worker.pid) > cap:
                        worker.killed_for = "memory"
                        try:
                            os.kill(worker.pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                worker = self.workers.get(pid)
                if worker is None or worker.killed_for or worker.busy:
                    continue  # killed by us, or its query's answer handles it
                code = os.waitstatus_to_exitcode(status)
                self._failed_once(code)
                await self._retire(worker, kill=False)

    def _failed_once(self, code: int) -> None:
        now = time.monotonic()
        self.failures[:] = [t for t in self.failures if now - t < 10] + [now]
        if self.endpoint.log:
            how = f"signal {-code}" if code < 0 else f"status {code}"
            print(f"yilian serve: a worker ended with {how}; starting another", file=sys.stderr, flush=True)
        if len(self.failures) >= 10:
            self.failed = LimitError("the server's workers keep failing (10 in 10 seconds); stopped",
                                     hint="see the messages above; the machine may be out of memory")
            self.stopped.set()

    async def close(self) -> None:
        self.stopped.set()
        if self._tick is not None:
            self._tick.cancel()
        for worker in list(self.workers.values()):
            worker.gone = True
            try:
                os.kill(worker.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            worker.writer.close()
        deadline = time.monotonic() + 5
        for pid in list(self.workers):
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break
                await asyncio.sleep(0.02)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
        self.workers.clear()
        # reap what was killed before (timeouts, memory)
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break


def _max_fd() -> int:
    try:
        return min(os.sysconf("SC_OPEN_MAX"), 1 << 20)
    except (ValueError, OSError):  # pragma: no cover
        return 1 << 16


async def _serve(sock: socket.socket, endpoint: Endpoint, pool, stop: asyncio.Event) -> None:
    """Answer HTTP on `sock` until `stop` is set (or the pool fails)."""
    loop = asyncio.get_running_loop()
    if isinstance(pool, _ForkedPool):
        await pool.start()
    web_server = _web_server(endpoint, pool)
    sock.setblocking(False)
    server = await loop.create_server(web_server, sock=sock, backlog=1024)
    failed = getattr(pool, "stopped", None)
    waits = [loop.create_task(stop.wait())] + ([loop.create_task(failed.wait())] if failed else [])
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
        server.close()
        await web_server.shutdown(1.0)
        await pool.close()
    if getattr(pool, "failed", None) is not None:
        raise pool.failed


def serve_in_process(sock: socket.socket, endpoint: Endpoint, stop: threading.Event | None = None) -> None:
    """Answer HTTP on `sock` in this process (any thread), each query in a thread, until
    `stop` is set (no time or memory limit: a thread cannot stop a query). For tests and
    for platforms without fork."""

    async def main():
        done = asyncio.Event()

        async def poll():
            while stop is None or not stop.is_set():
                await asyncio.sleep(0.1)
            done.set()

        poller = asyncio.get_running_loop().create_task(poll())
        try:
            await _serve(sock, endpoint, _InlinePool(endpoint), done)
        finally:
            poller.cancel()

    _quiet_aiohttp()
    asyncio.run(main())


def serve_forever(sock: socket.socket, endpoint: Endpoint, workers: int) -> None:
    """Answer HTTP on `sock` with `workers` forked query processes until SIGINT or
    SIGTERM; raises LimitError if the workers keep failing."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        serve_in_process(sock, endpoint)
        return
    _quiet_aiohttp()

    async def main():
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for s in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(s, stop.set)
        try:
            await _serve(sock, endpoint, _ForkedPool(endpoint, workers), stop)
        finally:
            for s in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(s)

    try:
        asyncio.run(main())
    finally:
        sock.close()


def _quiet_aiohttp() -> None:
    """aiohttp's own log lines (tracebacks of dropped connections) stay off stderr: the
    server logs one line per request itself."""
    for name in ("aiohttp", "yilian.serve.http"):
        log = logging.getLogger(name)
        log.addHandler(logging.NullHandler())
        log.propagate = False

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

