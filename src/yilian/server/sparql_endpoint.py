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

Processes: the parent loads the graph, then forks one front process per CPU (sharing the
listening socket), and each front forks its share of the `workers` processes, which share
the loaded store (copy-on-write) and each answer one query at a time. A front is an
asyncio server (aiohttp) that reads and checks every request, with a deadline for its
headers and one for its body, and sends each complete query to an idle worker over a
socket pair, awaiting the answer without blocking. Idle or slow connections therefore
cost a front a socket each, never a worker. A front whose workers are all held by
queries running longer than a tenth of a second stops taking connections, so that they
go to a front with a worker free. A query that runs past the time limit, or a worker
whose resident memory grows past the cap, gets a 503 answer; the worker is killed (a
running pyoxigraph query cannot be stopped otherwise) and its front forks a fresh one.
Workers end with their front, fronts with the parent.
"""

from __future__ import annotations

import asyncio
import gc
import io
import itertools
import logging
import mmap
import os
import pickle
import re
import signal
import socket
import struct
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
    site: object = None  # the browser interface's yilian.web Site (made on the first page if None)
    web: bool = True  # False (serve --no-web): the SPARQL endpoint only, no pages

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


#: the first item of a job that asks for a page of the browser interface
WEB_JOB = "yilian-web-page"


def wants_page(url, accept: str | None) -> bool:
    """Whether a GET is for the browser interface rather than the SPARQL endpoint: any
    path but the endpoint's, and /sparql itself when it carries no query or the client
    asks for HTML (a browser), as Fuseki's and Virtuoso's /sparql pages do."""
    if url.path not in QUERY_PATHS:
        return True
    if url.path != "/sparql":
        return False
    return "query" not in _params(url.query) or "text/html" in (accept or "")


def web_reply(endpoint: Endpoint, path: str) -> tuple[int, str, bytes, dict[str, str]]:
    """A page of the browser interface (yilian.web.app.handle) as (status, type, body, headers)."""
    from ..web.app import handle

    if not endpoint.web:
        return (404, "text/plain; charset=utf-8",
                f"{path} is not here: this server answers SPARQL queries only (it was started with --no-web); "
                f"send them to {QUERY_PATHS[0]}?query=…\n".encode("utf-8"), {})
    if endpoint.site is None:
        from ..web.pages.common import Site

        endpoint.site = Site(endpoint.store, sparql_timeout=endpoint.timeout, allow_service=endpoint.allow_service)
    resp = handle(endpoint.site, "GET", path)
    return resp.status, resp.content_type, resp.body, resp.headers


def _run_job(endpoint: Endpoint, job: tuple) -> tuple[int, str, bytes, dict[str, str]]:
    """One query (text, Accept, default graphs, named graphs), or a page (WEB_JOB, path),
    as (status, type, body, headers)."""
    try:
        if job and job[0] == WEB_JOB:
            return web_reply(endpoint, job[1])
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
            if request.method == "GET" and wants_page(url, request.headers.get("Accept")):
                # the browser interface (yilian.web), rendered in a worker like a query
                reply = await self.pool.run((WEB_JOB, request.raw_path))
            else:
                reply = await self.pool.run(await self._job(request, url))
        except HTTPProblem as p:
            reply = _problem_reply(p)
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
        except (asyncio.TimeoutError, TimeoutError):
            raise HTTPProblem(408, f"the request body did not arrive within {READ_TIMEOUT:g} seconds") from None

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


def _raw_url(message: str) -> bool:
    """Whether aiohttp's parser refused a request line for a URL with raw non-ASCII bytes
    or spaces (its message quotes the line as Python bytes)."""
    if "Invalid char in url" in message or re.search(r"\\x[89a-f][0-9a-f]", message):
        return True
    line = re.search(r"b'[A-Z]+ (.*) HTTP/1\.[01]'", message)
    return bool(line and " " in line.group(1))




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
            if status == 400 and _raw_url(text):
                # a URL with raw spaces or non-ASCII characters (湘潭 typed into a tool that
                # does not percent-encode): not HTTP (RFC 9112, 3.2), and aiohttp's message
                # shows bytes; say what to do instead
                text = ("the request's URL has spaces or non-ASCII characters that are not percent-encoded "
                        "(write 湘潭 as %E6%B9%98%E6%BD%AD and a space as %20; a browser does this, and "
                        "curl -G --data-urlencode 'q=湘潭' URL does it for a parameter)")
            else:
                text = f"{text} (send a SPARQL query with GET or POST to {QUERY_PATHS[0]})"
            if self.endpoint.log:
                print(f"yilian serve: - - {status} {_one_line(Exception(text))}",
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


#: the largest job sent inside a message of the job queue; a larger one (a long query)
#: travels in a memory file whose descriptor the message carries
_INLINE_JOB = 1 << 16


#: a worker's slot on its pool's board (a shared memory page): the id of the job it runs
#: (positive), or of the job it last answered (negative; 0 before the first), and the
#: time.monotonic() at which that job began (the clock is the same in every process)
_SLOT = struct.Struct("=qd")


def _worker_main(chan: socket.socket, queue: socket.socket, endpoint: Endpoint, board: mmap.mmap,
                 slot: int) -> None:
    """A worker's life: take the next job from the queue shared by all workers, post it on
    its slot of the board, answer it on its own channel, until the front is gone (the
    queue reaches its end). Posting on the board instead of sending a message spares the
    front a read for every job; the front looks at the board when it checks time and
    memory limits and whether to take more connections."""
    at = slot * _SLOT.size
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(queue, _INLINE_JOB + 16, 1)
        except InterruptedError:  # pragma: no cover
            continue
        if not data:
            return
        job_id = int.from_bytes(data[:8], "big")
        if fds:
            with open(fds[0], "rb") as f:
                payload = f.read()
        else:
            payload = data[8:]
        # the id is cleared before the time is written and set after it, so a reader that
        # sees the same id before and after reading the time has a time of that job
        struct.pack_into("=q", board, at, 0)
        struct.pack_into("=d", board, at + 8, time.monotonic())
        struct.pack_into("=q", board, at, job_id)
        reply = _run_job(endpoint, pickle.loads(payload))
        struct.pack_into("=q", board, at, -job_id)
        chan.sendall(_frame((job_id, reply)))


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Linux: this process gets `sig` when the parent ends, even in the middle of a query
    (an idle worker also ends when the job queue closes)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


class _Job:
    __slots__ = ("id", "payload", "future", "queued_at")

    def __init__(self, job_id: int, payload: bytes, future: asyncio.Future):
        self.id, self.payload, self.future = job_id, payload, future
        self.queued_at = time.monotonic()


class _Worker:
    def __init__(self, pid: int, slot: int, board: mmap.mmap, reader, writer):
        self.pid, self.slot, self.board, self.reader, self.writer = pid, slot, board, reader, writer
        self.killed_for: str | None = None  # "timeout" or "memory" when we killed it

    def posted(self) -> tuple[int, float]:
        """What the worker posted on its slot: (job id, monotonic seconds at its start);
        the id is positive while the job runs, negative once it is answered, 0 before the
        first job."""
        at = self.slot * _SLOT.size
        for _ in range(100):
            job_id, started = _SLOT.unpack_from(self.board, at)
            if job_id and struct.unpack_from("=q", self.board, at)[0] == job_id:
                return job_id, started
            if not job_id:
                return 0, 0.0
        return 0, 0.0  # pragma: no cover - rewritten 100 times while we looked


class _ForkedPool:
    """`workers` processes forked from this one after the graph is loaded (they share it
    copy-on-write), each answering one query at a time.

    Jobs go into one queue that all workers read (a SEQPACKET socket pair: each message
    reaches one worker), so a worker that finishes takes the next job at once, without
    waiting for the front; each worker posts the job it runs, and when it began, on its
    slot of a shared memory board (read by the watchdog and the _Acceptor) and sends the
    answer on its own channel. A query past the time limit, or a worker past the memory cap, gets a 503
    answer; the worker is killed and replaced. Ten unexpected worker exits in ten seconds
    stop the server."""

    TICK = 0.05  # seconds between checks of running queries (time, memory) and reaping
    SLOW = 0.1  # seconds after which a running query no longer counts as about to end

    def can_take_more(self) -> bool:
        """Whether a worker is idle, or busy with a query younger than SLOW seconds (the
        front's _Acceptor stops listening otherwise)."""
        now = time.monotonic()
        for w in self.workers.values():
            if not w.killed_for:
                job_id, started = w.posted()
                if job_id <= 0 or now - started < self.SLOW:
                    return True
        return not self.workers

    def __init__(self, endpoint: Endpoint, workers: int):
        self.endpoint = endpoint
        self.size = workers
        self.workers: dict[int, _Worker] = {}
        self.jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._killed: set[int] = set()
        self.failures: list[float] = []
        self.failed: LimitError | None = None
        self.stopped = asyncio.Event()
        self._parent = os.getpid()
        self._tick: asyncio.Task | None = None
        self._readers: set[asyncio.Task] = set()
        self._queue_in, self._queue_out = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._queue_in.setblocking(False)
        self.board = mmap.mmap(-1, max(workers, 1) * _SLOT.size)  # shared with the workers forked later
        self._free_slots = list(range(max(workers, 1)))
        self.on_change = lambda: None  # called when a job ends and on every tick (the front's _Acceptor)

    @property
    def _limit(self) -> float | None:
        t = self.endpoint.timeout
        return t if t and t > 0 else None

    async def start(self) -> None:
        for _ in range(self.size):
            await self._spawn()
        self._tick = asyncio.get_running_loop().create_task(self._watch())

    async def _spawn(self) -> None:
        parent_end, child_end = socket.socketpair()
        slot = self._free_slots.pop(0)
        _SLOT.pack_into(self.board, slot * _SLOT.size, 0, 0.0)
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
                    # channels, the queue's writing end: a worker holds none of them open
                    low, high = sorted((child_end.fileno(), self._queue_out.fileno()))
                    os.closerange(3, low)
                    os.closerange(low + 1, high)
                    os.closerange(high + 1, _max_fd())
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
                    if os.getppid() == self._parent:
                        _worker_main(child_end, self._queue_out, self.endpoint, self.board, slot)
                except BaseException:  # noqa: BLE001
                    code = 1
                finally:
                    os._exit(code)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        child_end.close()
        reader, writer = await asyncio.open_connection(sock=parent_end, limit=1 << 16)
        worker = _Worker(pid, slot, self.board, reader, writer)
        self.workers[pid] = worker
        task = asyncio.get_running_loop().create_task(self._read(worker))
        self._readers.add(task)
        task.add_done_callback(self._readers.discard)

    async def run(self, job: tuple) -> tuple:
        """The reply (status, type, body, headers) to one job."""
        item = _Job(next(self._ids), pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL),
                    asyncio.get_running_loop().create_future())
        self.jobs[item.id] = item
        try:
            await self._submit(item)
            return await item.future
        finally:
            self.jobs.pop(item.id, None)
            self.on_change()

    async def _submit(self, job: _Job) -> None:
        head = job.id.to_bytes(8, "big")
        if len(job.payload) <= _INLINE_JOB:
            await asyncio.get_running_loop().sock_sendall(self._queue_in, head + job.payload)
            return
        fd = os.memfd_create("yilian-query")
        try:
            view = memoryview(job.payload)
            while view:
                view = view[os.write(fd, view):]
            os.lseek(fd, 0, os.SEEK_SET)
            while True:
                try:
                    socket.send_fds(self._queue_in, [head], [fd])
                    return
                except BlockingIOError:
                    await asyncio.sleep(0.005)
        finally:
            os.close(fd)

    @staticmethod
    def _resolve(job: _Job | None, reply: tuple) -> None:
        if job is not None and not job.future.done():
            job.future.set_result(reply)

    async def _read(self, worker: _Worker) -> None:
        """A worker's answers, until its channel ends (it was killed, or it ended)."""
        try:
            while True:
                head = await worker.reader.readexactly(8)
                job_id, reply = pickle.loads(await worker.reader.readexactly(int.from_bytes(head, "big")))
                self._resolve(self.jobs.get(job_id), reply)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            return
        job_id, started_at = worker.posted()
        job, ep = self.jobs.get(abs(job_id)), self.endpoint
        if job is not None and not job.future.done() and job_id < 0:
            # answered, and the worker ended before the answer was sent
            self._resolve(job, _problem_reply(HTTPProblem(
                500, "the worker answering this query ended unexpectedly (see the server's log); try again")))
        elif job is not None and not job.future.done():
            limit = self._limit
            if worker.killed_for == "memory":
                self._resolve(job, _problem_reply(_too_much_memory(ep)))
            elif worker.killed_for == "timeout" and limit and time.monotonic() - started_at >= limit / 2:
                self._resolve(job, _problem_reply(_too_slow(ep)))
            elif worker.killed_for == "timeout":
                # the query that ran too long had just finished, and this one had only begun
                job.queued_at = time.monotonic()
                await self._submit(job)
            else:
                self._resolve(job, _problem_reply(HTTPProblem(
                    500, "the worker answering this query ended unexpectedly (see the server's log); try again")))
        self.workers.pop(worker.pid, None)
        self._free_slots.append(worker.slot)
        worker.writer.close()
        if not self.stopped.is_set():
            await self._spawn()

    def _kill(self, worker: _Worker, reason: str) -> None:
        if worker.killed_for is None:
            worker.killed_for = reason
            self._killed.add(worker.pid)
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def _watch(self) -> None:
        """Every TICK: kill a worker whose query is past the time limit or whose memory is
        past the cap (its query then answers 503); answer 503 to jobs that waited for a
        worker longer than the time limit; reap ended workers."""
        ep = self.endpoint
        while not self.stopped.is_set():
            await asyncio.sleep(self.TICK)
            self.on_change()
            now, limit, cap = time.monotonic(), self._limit, ep.max_memory
            posted = {}
            for worker in list(self.workers.values()):
                job_id, started_at = posted[worker.pid] = worker.posted()
                if job_id <= 0 or worker.killed_for:
                    continue
                if limit and now - started_at > limit:
                    self._kill(worker, "timeout")
                elif cap and rss_bytes(worker.pid) > cap:
                    self._kill(worker, "memory")
            if limit:
                taken = {abs(job_id) for job_id, _ in posted.values()}  # running, or answered
                for job in list(self.jobs.values()):
                    if now - job.queued_at > limit and job.id not in taken:
                        self._resolve(job, _problem_reply(HTTPProblem(
                            503, (f"all {self.size} workers were" if self.size > 1 else "the worker was") + f" busy for {limit:g} seconds; try again later")))
            while True:
                try:
                    pid, status = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    break
                if pid in self._killed:
                    self._killed.discard(pid)
                else:
                    self._failed_once(os.waitstatus_to_exitcode(status))

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
        for task in list(self._readers):
            task.cancel()
        self._queue_in.close()  # idle workers see the queue end
        for worker in list(self.workers.values()):
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
        self._queue_out.close()
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


class _Acceptor:
    """This front's listening server, stopped while all its workers are held by queries
    running longer than _ForkedPool.SLOW seconds and started again when one is free.

    Each front has its own workers. A front that accepted whatever came while its workers
    were held by slow queries made those connections' queries wait for them (and answer
    503 after --timeout) although another front's worker was idle. Stopping leaves new
    connections in the kernel's queue for a front that can answer them. The check runs
    when a job ends and on the pool's watchdog tick, so a front stops only while a query
    runs long, never for each request: connections are otherwise accepted by the event
    loop's own server."""

    def __init__(self, sock: socket.socket, factory, pool: "_ForkedPool"):
        self.loop = asyncio.get_running_loop()
        self.sock, self.factory, self.pool = sock, factory, pool
        self.server = None  # the loop's server on a duplicate of `sock` (closing a server closes its socket)
        self.closed = False
        self._turning: asyncio.Task | None = None
        pool.on_change = self.update

    async def start(self) -> None:
        """Listen (an error here ends the front, which the supervisor replaces)."""
        await self._turn(first=True)

    def update(self) -> None:
        """Listen if a worker can take a query soon, else stop listening."""
        if self._turning is None and self._wanted() != (self.server is not None):
            self._turning = self.loop.create_task(self._turn())

    def _wanted(self) -> bool:
        return not self.closed and self.pool.can_take_more()

    async def _turn(self, first: bool = False) -> None:
        try:
            while self._wanted() != (self.server is not None):
                if self.server is None:
                    dup = None
                    try:
                        dup = socket.socket(fileno=os.dup(self.sock.fileno()))
                        dup.setblocking(False)
                        self.server = await self.loop.create_server(self.factory, sock=dup, backlog=1024)
                    except OSError:  # out of file descriptors, …: the next tick's update tries again
                        if dup is not None:
                            dup.close()
                        if first:
                            raise
                        return
                else:
                    server, self.server = self.server, None
                    server.close()
        finally:
            self._turning = None

    def close(self) -> None:
        self.closed = True
        if self.server is not None:
            self.server.close()
            self.server = None


async def _serve(sock: socket.socket, endpoint: Endpoint, pool, stop: asyncio.Event) -> None:
    """Answer HTTP on `sock` until `stop` is set (or the pool fails)."""
    loop = asyncio.get_running_loop()
    web_server = _web_server(endpoint, pool)
    sock.setblocking(False)
    if isinstance(pool, _ForkedPool):
        server = _Acceptor(sock, web_server, pool)
        await server.start()  # at once: queries wait in the job queue while the workers start
        await pool.start()
    else:
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


def _run_front(sock: socket.socket, endpoint: Endpoint, workers: int) -> None:
    """One front process: the HTTP server and its `workers` query processes, until
    SIGTERM (from the supervisor) or until its workers keep failing (LimitError)."""
    _quiet_aiohttp()

    async def main():
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        try:
            await _serve(sock, endpoint, _ForkedPool(endpoint, workers), stop)
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    _run_loop(main())


def _run_loop(coro) -> None:
    """asyncio.run, on uvloop's event loop where it is installed (a third of the CPU a
    connection costs with the standard loop)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the standard loop
        asyncio.run(coro)
        return
    uvloop.run(coro)


#: exit status of a front whose workers keep failing (the supervisor then stops)
_WORKERS_FAILING = 3


def front_count(workers: int) -> int:
    """How many front processes share `workers`: one per CPU, at most one per worker.
    One asyncio process parses HTTP on one CPU; more let the fronts use every CPU."""
    return max(1, min(workers, os.cpu_count() or 1))


def serve_forever(sock: socket.socket, endpoint: Endpoint, workers: int) -> None:
    """Answer HTTP on `sock` until SIGINT or SIGTERM: this process supervises
    front_count(workers) front processes (forked, sharing the listening socket and the
    loaded store), each an asyncio HTTP server with its share of the `workers` query
    processes. A front that ends is replaced; raises LimitError when fronts or workers
    keep failing (10 in 10 seconds)."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        serve_in_process(sock, endpoint)
        return
    sock.setblocking(False)  # shared: a front woken for a connection another took goes back to waiting
    from aiohttp import web  # noqa: F401 - imported once, before the fronts are forked: they listen at once
    policy.prepare_syntax_errors()
    try:
        import uvloop  # noqa: F401 - likewise
    except ImportError:  # pragma: no cover
        pass
    fronts = front_count(workers)
    shares = [workers // fronts + (1 if i < workers % fronts else 0) for i in range(fronts)]
    children: dict[int, int] = {}  # pid -> its number of workers
    stopping = False
    failing: LimitError | None = None

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signals = {signal.SIGINT, signal.SIGTERM}
    supervisor = os.getpid()

    def spawn(share: int) -> None:
        # signals wait until the child is set up and known: a signal in between would run
        # the parent's handler in the child, or miss the new child
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; we stop us
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    _die_with_parent(signal.SIGTERM)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
                    if os.getppid() == supervisor:
                        _run_front(sock, endpoint, share)
                except LimitError:
                    code = _WORKERS_FAILING
                except BaseException:  # noqa: BLE001 - a front never unwinds into the supervisor's code
                    code = 1
                finally:
                    os._exit(code)
            children[pid] = share
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)

    old = {s: signal.signal(s, stop) for s in signals}
    failures: list[float] = []  # when fronts ended abnormally, to stop a crash loop
    try:
        for share in shares:
            spawn(share)
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            share = children.pop(pid, None)
            if stopping or share is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            if code == _WORKERS_FAILING:
                failing = LimitError("the server's workers keep failing (10 in 10 seconds); stopped",
                                     hint="see the messages above; the machine may be out of memory")
                stop(None, None)
                continue
            now = time.monotonic()
            failures[:] = [t for t in failures if now - t < 10] + [now]
            if endpoint.log:
                how = f"signal {-code}" if code < 0 else f"status {code}"
                print(f"yilian serve: a front process ended with {how}; starting another", file=sys.stderr,
                      flush=True)
            if len(failures) >= 10:
                failing = LimitError("the server's processes keep failing (10 in 10 seconds); stopped",
                                     hint="see the messages above; the machine may be out of memory")
                stop(None, None)
                continue
            spawn(share)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        for pid in list(children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        sock.close()
    if failing is not None:
        raise failing


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

