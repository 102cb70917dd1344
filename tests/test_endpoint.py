"""`yilian query --endpoint URL` against a real Oxigraph server (the `oxigraph` package),
loaded with the output of `yilian export --with-ontology`: remote results equal local ones
byte for byte, and endpoint errors are one clear line with the documented exit code."""

from __future__ import annotations

import socket
import time
import urllib.parse

import pytest

from yilian.sparql.named import all_queries

from conftest import free_port as _free_port


@pytest.fixture(scope="module")
def server(oxigraph_serve):
    """An in-memory Oxigraph server on 127.0.0.1 holding `yilian export --with-ontology`."""
    return oxigraph_serve


def both(run, server, *args):
    local = run("query", "--no-store", *args)
    remote = run("query", "--endpoint", server, *args)
    return local, remote


@pytest.mark.parametrize("q", all_queries(), ids=lambda q: q.id)
def test_competency_queries_remote_equal_local(run, server, q):
    local, remote = both(run, server, "--name", q.id, "--format", "csv")
    assert local.exit_code == 0, local.stderr
    assert remote.exit_code == 0, remote.stderr
    assert local.stdout.count("\n") >= 2, f"{q.id} has no answer locally"
    assert remote.stdout_bytes == local.stdout_bytes


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_select_every_format_remote_equal_local(run, server, fmt):
    text = """SELECT ?h ?name (COUNT(?m) AS ?memberships) WHERE {
                ?h a/rdfs:subClassOf* yl:Hospital ; rdfs:label ?name FILTER(lang(?name) = "zh")
                OPTIONAL { ?m org:member ?h } } GROUP BY ?h ?name ORDER BY ?name"""
    local, remote = both(run, server, text, "--format", fmt)
    assert local.exit_code == remote.exit_code == 0, remote.stderr
    assert remote.stdout_bytes == local.stdout_bytes
    assert "湘潭市中心医院" in remote.stdout


def test_ask_and_construct_remote_equal_local(run, server):
    local, remote = both(run, server, "ASK { yid:xiangtan-central-hospital a yl:Hospital }")
    assert (local.exit_code, local.stdout) == (remote.exit_code, remote.stdout) == (0, "true\n")
    local, remote = both(run, server, "ASK { yid:xiangtan-central-hospital a yl:Village }")
    assert (local.exit_code, local.stdout) == (remote.exit_code, remote.stdout) == (1, "false\n")
    text = "CONSTRUCT { ?m org:member ?o } WHERE { ?m a yl:Membership ; org:member ?o }"
    local, remote = both(run, server, text, "--format", "ntriples")
    assert local.exit_code == remote.exit_code == 0
    assert remote.stdout_bytes == local.stdout_bytes
    assert remote.stdout.count("\n") > 5


def test_updates_and_service_refused_before_sending(run, server):
    r = run("query", "--endpoint", server, "INSERT DATA { yid:a yid:b yid:c }")
    assert r.exit_code == 3 and "read-only" in r.stderr
    r = run("query", "--endpoint", server, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert r.exit_code == 3 and "SERVICE" in r.stderr


def test_server_error_message_is_one_line(run, server):
    r = run("query", "--endpoint", server, "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?x HAVING")
    assert r.exit_code == 2
    assert "HTTP 400" in r.stderr
    assert "at 1:" in r.stderr  # the position counts from the user's query, not the added PREFIX lines
    assert r.stderr.count("\n") == 1


def test_connection_refused(run):
    r = run("query", "--endpoint", f"http://127.0.0.1:{_free_port()}/query", "ASK {}")
    assert r.exit_code == 2
    assert "connection refused" in r.stderr and r.stderr.count("\n") == 1


def test_endpoint_never_loads_local_files(run, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    r = run("query", "--endpoint", "http://127.0.0.1:9/query", "--data", str(bad), "ASK {}")
    assert r.exit_code == 2 and "--endpoint" in r.stderr
    r = run("query", "--endpoint", "ftp://example.org/sparql", "ASK {}")
    assert r.exit_code == 2 and "http(s)" in r.stderr


def test_timeout_is_a_limit(monkeypatch):
    from yilian.sparql import endpoint
    from yilian.errors import LimitError

    with socket.socket() as listener:  # accepts the connection but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        with pytest.raises(LimitError, match="did not answer within 0.3 s"):
            endpoint.RemoteStore(url, timeout=0.3).query("ASK {}")


# ---------------------------------------------------------------- how the query is sent
# A recording server on 127.0.0.1 shows what the client sends; `answer(request)` says
# what it answers: (status, content type, body).

class _Recorder:
    def __init__(self, answer):
        import http.server
        import threading

        self.requests: list[dict] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = {"method": self.command, "path": self.path, "body": self.rfile.read(length),
                           "content_type": self.headers.get("Content-Type"), "accept": self.headers.get("Accept")}
                recorder.requests.append(request)
                status, ctype, body, *extra = answer(request)
                headers = extra[0] if extra else {}
                if callable(body):  # streams its own body
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.end_headers()
                    body(self.wfile)
                    return
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


_TRUE = (200, "application/sparql-results+json", b'{"head":{},"boolean":true}')


@pytest.fixture
def recorder(monkeypatch):
    from yilian.sparql import endpoint

    monkeypatch.setattr(endpoint, "_refused", {})  # what endpoints refused is per process
    made = []

    def start(answer=lambda request: _TRUE):
        made.append(_Recorder(answer))
        return made[-1]

    yield start
    for r in made:
        r.close()


def test_short_query_is_sent_as_get_and_long_as_a_utf8_form(recorder):
    from yilian.sparql import endpoint

    server = recorder()
    store = endpoint.RemoteStore(server.url)
    assert bool(store.query("ASK { ?s ?p ?o }"))
    long = "ASK { ?s rdfs:label \"湘潭市\"@zh }  # " + "湘" * endpoint.GET_LIMIT
    assert bool(store.query(long))
    get, post = server.requests
    assert get["method"] == "GET" and get["body"] == b"" and get["content_type"] is None
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(get["path"]).query)["query"][0].endswith("ASK { ?s ?p ?o }")
    assert "application/sparql-results+json" in get["accept"]
    assert post["method"] == "POST" and post["content_type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    (sent,) = urllib.parse.parse_qs(post["body"].decode("ascii"), encoding="utf-8")["query"]
    assert sent.endswith(long)  # after the predeclared PREFIX lines


def test_refused_get_falls_back_to_a_form_and_is_remembered(recorder):
    from yilian.sparql import endpoint

    server = recorder(lambda request: (405, "text/plain", b"no GET here") if request["method"] == "GET" else _TRUE)
    store = endpoint.RemoteStore(server.url)
    assert bool(store.query("ASK {}")) and bool(endpoint.RemoteStore(server.url).query("ASK {}"))
    assert [r["method"] for r in server.requests] == ["GET", "POST", "POST"]


def test_bare_query_post_only_when_get_and_form_are_refused(recorder):
    from yilian.sparql import endpoint

    def answer(request):
        if request["method"] == "GET":
            return 405, "text/plain", b"no GET"
        if request["content_type"].startswith("application/x-www-form-urlencoded"):
            return 415, "text/plain", b"no forms"
        return _TRUE

    server = recorder(answer)
    assert bool(endpoint.RemoteStore(server.url).query('ASK { ?s ?p "湘潭" }'))
    last = server.requests[-1]
    assert [r["method"] for r in server.requests] == ["GET", "POST", "POST"]
    assert last["content_type"] == "application/sparql-query; charset=UTF-8"
    assert last["body"].decode("utf-8").endswith('ASK { ?s ?p "湘潭" }')


def test_a_refusal_of_the_query_itself_is_not_retried(run, recorder):
    server = recorder(lambda request: (400, "text/plain", b"Parse error at 1:5"))
    r = run("query", "--endpoint", server.url, "ASK {}")
    assert r.exit_code == 2 and "HTTP 400" in r.stderr and r.stderr.count("\n") == 1
    assert len(server.requests) == 1


def test_an_answer_trickling_past_the_deadline_is_a_limit(recorder):
    from yilian.errors import LimitError
    from yilian.sparql import endpoint

    def trickle(out):
        try:
            for _ in range(600):  # a byte every 0.1 s: each receive is quick, the whole is not
                out.write(b" ")
                out.flush()
                time.sleep(0.1)
        except OSError:
            pass

    server = recorder(lambda request: (200, "application/sparql-results+json", trickle))
    started = time.monotonic()
    with pytest.raises(LimitError, match="did not answer within 0.5 s"):
        endpoint.RemoteStore(server.url, timeout=0.5).query("ASK {}")
    assert time.monotonic() - started < 10  # not the minute the server would trickle for


def test_an_answer_larger_than_the_cap_is_a_limit(recorder, monkeypatch):
    from yilian.errors import LimitError
    from yilian.sparql import endpoint

    monkeypatch.setattr(endpoint, "MAX_ANSWER", 1000)
    server = recorder(lambda request: (200, "application/sparql-results+json", b" " * 5000))
    with pytest.raises(LimitError, match="larger than"):
        endpoint.RemoteStore(server.url).query("ASK {}")


def test_an_answer_cut_at_the_servers_row_limit_is_a_limit(run, recorder):
    # Virtuoso cuts a SELECT answer at its ResultSetMaxRows and says so only in a header
    rows = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://a"}},' \
           b'{"s":{"type":"uri","value":"http://b"}}]}}'
    cut = recorder(lambda request: (200, "application/sparql-results+json", rows, {"X-SPARQL-MaxRows": "2"}))
    r = run("query", "--endpoint", cut.url, "SELECT ?s WHERE { ?s ?p ?o }", "--format", "csv")
    assert r.exit_code == 4 and "cut the answer at its limit of 2 rows" in r.stderr and r.stdout == ""
    whole = recorder(lambda request: (200, "application/sparql-results+json", rows, {"X-SPARQL-MaxRows": "10"}))
    r = run("query", "--endpoint", whole.url, "SELECT ?s WHERE { ?s ?p ?o }", "--format", "csv")
    assert (r.exit_code, r.stdout) == (0, "s\nhttp://a\nhttp://b\n")


def test_a_503_keeps_the_servers_own_advice(recorder):
    """Every HTTP 503 got "ask the server for more time", also yilian serve's memory cap,
    whose own message says to narrow the query or restart with a larger --max-memory."""
    from yilian.errors import LimitError
    from yilian.sparql import endpoint

    said = (b"the query needed more memory than a worker may use (1.0 GiB) and was stopped (narrow the query, "
            b"add LIMIT, or restart the server with a larger --max-memory)")
    server = recorder(lambda request: (503, "text/plain; charset=utf-8", said))
    with pytest.raises(LimitError) as caught:
        endpoint.RemoteStore(server.url).query("ASK {}")
    line = caught.value.render()
    assert "--max-memory" in line and "more time" not in line
    busy = recorder(lambda request: (503, "text/plain", b"Service Unavailable"))
    with pytest.raises(LimitError) as caught:
        endpoint.RemoteStore(busy.url).query("ASK {}")
    assert "ask the server for more time" in caught.value.render()
