"""`yilian serve`: the bundled graph in memory behind a read-only SPARQL endpoint.

Most tests run the server in a thread of the test process (serve_in_process) and query it
with `yilian query --endpoint` and plain HTTP: answers equal local ones, the protocol's
errors have the right status codes. One test starts the real `yilian serve` process to
check the time limit (a worker that runs too long answers 503 and is replaced) and a
clean stop on SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from yilian.server import sparql_endpoint as serve
from yilian.sparql.named import all_queries
from yilian.dataset.sources import ONTOLOGY_GRAPH

from conftest import MINI


@pytest.fixture(scope="module")
def server(yilian_serve):
    """The bundled graph (and ontology) served from a thread; the query URL."""
    return yilian_serve


def http(url, *, data=None, headers=None, method=None):
    """(status, content type, body) of one request; error statuses are returned, not raised."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get_content_type(), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read()


def get(server, query, **params):
    return http(server + "?" + urllib.parse.urlencode({"query": query, **params}, doseq=True),
                headers=params.pop("headers", None))


# ---------------------------------------------------------------- same answers as local queries

@pytest.mark.parametrize("q", all_queries(), ids=lambda q: q.id)
def test_competency_queries_equal_local(run, server, q):
    local = run("query", "--no-store", "--name", q.id, "--format", "csv")
    remote = run("query", "--endpoint", server, "--name", q.id, "--format", "csv")
    assert local.exit_code == remote.exit_code == 0, remote.stderr
    assert local.stdout.count("\n") >= 2
    assert remote.stdout_bytes == local.stdout_bytes


def test_table_ask_and_construct_equal_local(run, server):
    text = "SELECT ?h ?l WHERE { ?h a yl:Hospital ; rdfs:label ?l FILTER(lang(?l) = 'zh') } ORDER BY ?l"
    local, remote = run("query", "--no-store", text), run("query", "--endpoint", server, text)
    assert remote.exit_code == 0 and remote.stdout == local.stdout and "湘潭市中心医院" in remote.stdout
    r = run("query", "--endpoint", server, "ASK { yid:xiangtan-central-hospital a yl:Village }")
    assert (r.exit_code, r.stdout) == (1, "false\n")
    text = "CONSTRUCT { ?m org:member ?o } WHERE { ?m a yl:Membership ; org:member ?o }"
    local = run("query", "--no-store", text, "--format", "ntriples")
    remote = run("query", "--endpoint", server, text, "--format", "ntriples")
    assert remote.exit_code == 0 and remote.stdout.count("\n") > 5
    parse = lambda out: ox.Dataset(ox.parse(out.encode(), format=ox.RdfFormat.N_QUADS))  # noqa: E731
    assert parse(remote.stdout) == parse(local.stdout)


def test_ontology_is_served_and_datasets_can_be_named(server):
    # the union default graph includes the ontology, as local queries do
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?c a owl:Class }"
    status, _, body = get(server, q)
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 10
    # default-graph-uri picks the graphs: the data alone have no class declarations
    status, _, body = get(server, q, **{"default-graph-uri": ONTOLOGY_GRAPH.value})
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 10
    status, _, body = get(server, q, **{"default-graph-uri": "urn:nothing-here"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"
    status, _, body = get(server, q, **{"default-graph-uri": "not an iri"})
    assert status == 400 and b"not valid" in body
    # the request's graphs are the whole dataset: named graphs it does not name are hidden
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = get(server, named)
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
    status, _, body = get(server, named, **{"default-graph-uri": ONTOLOGY_GRAPH.value})
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"
    status, _, body = get(server, named, **{"named-graph-uri": ONTOLOGY_GRAPH.value})
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 10


# ---------------------------------------------------------------- the protocol

def test_get_post_and_form_give_the_same_answer(server):
    q = "SELECT ?h WHERE { ?h a yl:Hospital } ORDER BY ?h"
    a = get(server, q)
    b = http(server, data=q.encode(), headers={"Content-Type": "application/sparql-query"})
    c = http(server.replace("/query", "/sparql"), data=urllib.parse.urlencode({"query": q}).encode(),
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert a == b == c
    assert a[0] == 200 and a[1] == "application/sparql-results+json"
    assert len(json.loads(a[2])["results"]["bindings"]) >= 3


@pytest.mark.parametrize("accept, ctype", [
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/json", "application/json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
])
def test_select_results_follow_the_accept_header(server, accept, ctype):
    status, got, body = get(server, "SELECT ?h WHERE { ?h a yl:GeneralHospital } LIMIT 1", headers={"Accept": accept})
    assert (status, got) == (200, ctype)
    assert b"w3id.org/yilian/id/" in body


def test_graph_results_follow_the_accept_header(server):
    q = "CONSTRUCT { ?h a yl:Hospital } WHERE { ?h a yl:Hospital }"
    status, ctype, nt = get(server, q)
    assert (status, ctype) == (200, "application/n-triples")
    status, ctype, ttl = get(server, q, headers={"Accept": "text/turtle"})
    assert (status, ctype) == (200, "text/turtle")
    graph = lambda body, fmt: ox.Dataset(ox.parse(body, format=fmt))  # noqa: E731
    assert graph(nt, ox.RdfFormat.N_TRIPLES) == graph(ttl, ox.RdfFormat.TURTLE)
    assert len(graph(nt, ox.RdfFormat.N_TRIPLES)) >= 3
    status, _, body = get(server, q, headers={"Accept": "image/png"})
    assert status == 406 and b"text/turtle" in body


def test_negotiate():
    offers = serve.RESULT_TYPES
    assert serve.negotiate(None, offers)[0] == "application/sparql-results+json"
    assert serve.negotiate("text/csv;q=0, */*;q=0.1", offers)[0] == "application/sparql-results+json"
    assert serve.negotiate("text/csv;q=0", offers) is None
    assert serve.negotiate("application/xml;q=0.9, text/tab-separated-values", offers)[0] == \
        "text/tab-separated-values"
    assert serve.negotiate("text/*;q=0.2, text/csv;q=0", offers)[0] == "text/tab-separated-values"
    assert serve.negotiate("application/sparql-results+json;q=bad, text/csv", offers)[0] == "text/csv"


def test_updates_are_refused(server):
    status, _, body = http(server, data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    status, _, _ = http(server, data=b"update=CLEAR+ALL", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, body = get(server, "DELETE WHERE { ?s ?p ?o }")
    assert status == 403 and b"read-only" in body
    # and nothing changed
    status, _, body = get(server, "ASK { yid:xiangtan-central-hospital ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_other_host_names_are_refused_on_loopback(server):
    # DNS rebinding: a web page's own name resolved to 127.0.0.1 arrives as its Host header
    status, _, body = http(server + "?query=ASK%7B%7D", headers={"Host": "evil.example:7878"})
    assert status == 403 and b"localhost" in body
    port = urllib.parse.urlsplit(server).port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", "LOCALHOST"):
        assert http(server + "?query=ASK%7B%7D", headers={"Host": host})[0] == 200


def test_get_root_checks_the_host(server):
    # issue 13, finding 9: GET / answered any Host; every route checks it now
    base = server.rsplit("/", 1)[0]
    for url in (base + "/", base + "/nothing", server + "?query=ASK%7B%7D"):
        status, ctype, body = http(url, headers={"Host": "evil.example"})
        assert (status, ctype) == (403, "text/plain") and b"localhost" in body and body.count(b"\n") == 1
    status, _, body = http(server, data=b"ASK {}", headers={"Host": "evil.example",
                                                            "Content-Type": "application/sparql-query"})
    assert status == 403 and b"localhost" in body
    assert http(base + "/", headers={"Host": "localhost"})[0] == 200


def test_service_is_refused_unless_allowed(server):
    status, _, body = get(server, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert status == 403 and b"SERVICE" in body


def test_bad_queries_and_requests(run, server):
    status, ctype, body = get(server, "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?x HAVING")
    assert status == 400 and ctype == "text/plain" and b"at line 1:" in body and body.count(b"\n") == 1
    r = run("query", "--endpoint", server, "SELECT ?s WHERE {\n ?s ?p ?o } GROUP BY ?x HAVING")
    assert r.exit_code == 2 and "HTTP 400" in r.stderr and "line 2:" in r.stderr and r.stderr.count("\n") == 1
    status, _, body = get(server, "SELECT * WHERE { ?s nope:p ?o }")
    assert status == 400 and b"undeclared prefix 'nope:'" in body
    assert http(server)[0] == 400  # no query
    assert get(server, "   ")[0] == 400
    assert http(server + "?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400  # two queries
    base = server.rsplit("/", 1)[0]
    assert http(base + "/nothing?query=ASK%7B%7D")[0] == 404
    assert http(server, data=b"x", method="PUT")[0] == 405
    assert http(server, data=b"ASK {}", headers={"Content-Type": "text/plain"})[0] == 415
    assert http(server, data=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"})[0] == 400
    status, ctype, body = http(base + "/")
    assert status == 200 and b"SPARQL" in body


def _raw(url, request: bytes) -> bytes:
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)  # the request is complete, however short its body
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_body_size_and_length_are_checked(server):
    head = b"POST /query HTTP/1.0\r\nContent-Type: application/sparql-query\r\n"
    assert _raw(server, head + b"Content-Length: 999999999\r\n\r\n").startswith(b"HTTP/1.0 413")
    assert _raw(server, head + b"\r\n").startswith(b"HTTP/1.0 411")
    assert _raw(server, head + b"Content-Length: 20\r\n\r\nASK {}").startswith(b"HTTP/1.0 400")
    answer = _raw(server, b"garbage\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 400") and b"Content-Type: text/plain" in answer
    assert answer.split(b"\r\n\r\n", 1)[1].count(b"\n") == 1  # one line, not an HTML page
    assert _raw(server, b"HEAD /query HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 405")
    assert http(server + "?query=%FF")[0] == 400  # percent-encoded bytes that are not UTF-8
    # the server still answers
    assert get(server, "ASK {}")[0] == 200


def test_a_slow_client_does_not_hold_the_server(server, monkeypatch):
    monkeypatch.setattr(serve, "READ_TIMEOUT", 0.5)
    parts = urllib.parse.urlsplit(server)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as slow:
        slow.sendall(b"POST /query HTTP/1.0\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\n")
        started = time.monotonic()
        slow.settimeout(0.2)
        hung_up = False
        while time.monotonic() - started < 5 and not hung_up:
            try:  # a byte every 0.2 s: each read is quick, the request never ends
                slow.sendall(b" ")
                hung_up = slow.recv(65536) == b""
            except socket.timeout:
                continue
            except OSError:
                hung_up = True
        assert hung_up and time.monotonic() - started < 3
    assert get(server, "ASK {}")[0] == 200


def test_big_answers_are_refused_not_built(server, monkeypatch):
    monkeypatch.setattr(serve, "MAX_RESULT", 2000)
    status, ctype, body = get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 507 and ctype == "text/plain" and b"LIMIT" in body
    assert get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 2")[0] == 200


def test_evaluation_errors_are_one_line():
    # an allowed SERVICE whose endpoint does not answer (port 9 on this machine: refused)
    graph = ox.Store()
    endpoint = serve.Endpoint(graph, log=False, allow_service=("http://127.0.0.1:9/sparql",))
    with pytest.raises(serve.HTTPProblem) as caught:
        endpoint.answer("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", None, [], [])
    assert caught.value.status == 500 and caught.value.message.startswith("query failed: ")
    assert "\n" not in caught.value.message


def test_port_in_use_is_one_line(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = run("serve", "--port", port)
    assert r.exit_code == 2
    assert r.stderr.startswith("yilian: error: --port: cannot listen on 127.0.0.1:") and r.stderr.count("\n") == 1


def test_bad_data_is_one_line_and_nothing_listens(run, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    r = run("serve", "--port", port, "--no-default-graph", "--data", bad)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1
    assert r.stderr.startswith(f"yilian: error: {bad}:2:") and "serving" not in r.stderr
    with socket.socket() as again:  # the port was released
        again.bind(("127.0.0.1", port))


# ---------------------------------------------------------------- the real process

def _start(*args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "yilian", "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    if "serving" not in line:
        proc.kill()
        pytest.fail(f"yilian serve did not start: {line}{proc.stderr.read()}")
    return proc, line.split(" at ")[1].split()[0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")
def test_process_time_limit_replaces_the_worker_and_stops_cleanly(run):
    proc, url = _start("--no-default-graph", "--data", str(MINI), "--timeout", "1", "--workers", "1")
    try:
        started = time.monotonic()
        endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
        r = run("query", "--endpoint", url, endless)
        assert r.exit_code == 4, r.stderr
        assert "HTTP 503" in r.stderr and "did not finish within 1 seconds" in r.stderr
        assert time.monotonic() - started < 20
        # a new worker answers the next query
        r = run("query", "--endpoint", url, "ASK { ?s ?p ?o }")
        assert (r.exit_code, r.stdout) == (0, "true\n")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    log = proc.stderr.read()
    assert proc.returncode == 0
    assert "GET /query 503" in log and "GET /query 200" in log  # short queries are sent as GET
    with pytest.raises(OSError):  # nothing listens any more: the workers are gone too
        urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")
def test_idle_half_open_connections_do_not_starve_the_workers():
    # issue 13, finding 5: each half-sent request held a worker for 10 s (the read deadline)
    proc, url = _start("--no-default-graph", "--data", str(MINI), "--workers", "2", "--quiet")
    parts = urllib.parse.urlsplit(url)
    held = []
    try:
        for _ in range(50):
            s = socket.create_connection((parts.hostname, parts.port), timeout=10)
            s.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: never ends
            held.append(s)
        for _ in range(3):  # answered well before the held requests' 10 s deadline
            with urllib.request.urlopen(url + "?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", timeout=5) as resp:
                assert resp.status == 200 and json.loads(resp.read())["boolean"] is True
        # a query longer than a job-queue message reaches the workers another way
        long = ("ASK { ?s ?p ?o }\n" + "# padding\n" * 20_000).encode()
        req = urllib.request.Request(url, data=long, headers={"Content-Type": "application/sparql-query"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200 and json.loads(resp.read())["boolean"] is True
    finally:
        for s in held:
            s.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    assert proc.returncode == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")
def test_a_slow_query_does_not_hold_queries_another_worker_could_answer():
    # each front process has its own workers: a front whose only worker ran a slow query
    # went on accepting connections, and their queries waited for that query (503 after
    # --timeout) although the other front's worker was idle (with 2 CPUs, 2 fronts)
    proc, url = _start("--no-default-graph", "--data", str(MINI), "--workers", "2", "--timeout", "60", "--quiet")
    parts = urllib.parse.urlsplit(url)
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    time.sleep(1)  # every front listens (connections that come together go to one front)
    slow = socket.create_connection((parts.hostname, parts.port), timeout=10)
    try:
        slow.sendall(f"GET {parts.path}?{urllib.parse.urlencode({'query': endless})} HTTP/1.0\r\n"
                     "Host: 127.0.0.1\r\n\r\n".encode())
        time.sleep(1)  # the slow query has run long enough for its front to stop taking connections
        for _ in range(6):  # each a new connection, answered long before the slow query's 60 s
            with urllib.request.urlopen(url + "?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", timeout=15) as resp:
                assert resp.status == 200 and json.loads(resp.read())["boolean"] is True
    finally:
        slow.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    assert proc.returncode == 0


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="resident memory is read from /proc")
def test_a_query_past_the_memory_cap_gets_503_and_its_worker_is_replaced(run):
    # issue 13, finding 1: one request grew a worker to 4.3 GB in 10 s
    proc, url = _start("--no-default-graph", "--data", str(MINI), "--workers", "1", "--max-memory", "300M",
                       "--timeout", "120")
    try:
        r = run("query", "--endpoint", url, "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a LIMIT 10")
        assert r.exit_code == 4, r.stderr
        assert "HTTP 503" in r.stderr and "needed more memory than a worker may use (300 MiB)" in r.stderr
        assert r.stderr.count("\n") == 1
        r = run("query", "--endpoint", url, "ASK { ?s ?p ?o }")
        assert (r.exit_code, r.stdout) == (0, "true\n")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    log = proc.stderr.read()
    assert proc.returncode == 0 and " /query 503 " in log and " /query 200 " in log


def test_max_memory_is_checked(run):
    r = run("serve", "--port", "0", "--max-memory", "lots")
    assert r.exit_code == 2 and "--max-memory" in r.stderr and "512M" in r.stderr
    r = run("serve", "--port", "0", "--max-memory", "1K", "--no-default-graph", "--data", MINI)
    assert r.exit_code == 4 and r.stderr.count("\n") == 1 and "more than the 1 KiB a worker may use" in r.stderr
    assert "--max-memory" in r.stderr and "serving" not in r.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked processes")
def test_workers_end_when_the_server_is_killed(run):
    proc, url = _start("--no-default-graph", "--data", str(MINI), "--workers", "2", "--quiet")
    r = run("query", "--endpoint", url, "ASK { ?s ?p ?o }")
    assert (r.exit_code, r.stdout) == (0, "true\n")
    proc.kill()  # SIGKILL: the parent cannot tell its workers
    proc.wait(timeout=10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).read()
        except OSError:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the workers kept answering after the server was killed")


def test_no_web_serves_sparql_only_and_builds_no_page_index(run, monkeypatch):
    """serve built the web pages' indexes (search, network, fact table) before it was
    ready: minutes at millions of triples. --no-web skips them; pages answer 404 saying why."""
    from yilian.web import app

    monkeypatch.setattr(app, "warm", lambda site: pytest.fail("--no-web built the web pages' indexes"))
    started = {}
    monkeypatch.setattr(serve, "serve_forever", lambda sock, endpoint, workers: started.update(endpoint=endpoint))
    r = run("serve", "--port", "0", "--no-web", "--no-default-graph", "--data", MINI, "--workers", "1")
    assert r.exit_code == 0, r.stderr
    endpoint = started["endpoint"]
    assert endpoint.web is False and endpoint.site is None
    status, ctype, body, _ = serve.web_reply(endpoint, "/")
    assert status == 404 and ctype.startswith("text/plain") and b"--no-web" in body and b"/query" in body
    assert endpoint.answer("ASK { ?s ?p ?o }", "application/sparql-results+json", [], [])[1] == b'{"head":{},"boolean":true}'


@pytest.mark.parametrize("target", ["/search?q=湘潭", "/entity/湘潭/", "/query?query=ASK { ?s ?p ?o }"])
def test_a_url_not_percent_encoded_gets_a_clear_400(server, target):
    """A raw non-ASCII character or space in the URL (not HTTP: RFC 9112 3.2) got aiohttp's
    message quoting bytes and the hint to send a query to /query; it is told how to encode."""
    host, port = server.split("/")[2].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("utf-8"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split(b" ")[1] == b"400"
    text = body.decode("utf-8")
    assert text.count("\n") == 1 and "percent-encoded" in text and "%E6%B9%98" in text and "\\x" not in text
