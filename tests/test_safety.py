"""Safe by default: read-only queries, no silent network, bounded work, clean errors.

Each case asserts the message, the exit code, the files left untouched and, where a
request could leak, that a recording HTTP server on 127.0.0.1 received nothing."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from click.testing import CliRunner

from yilian.cli import main
from yilian.errors import ExitCode


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def _answer(self):
        Recorder.hits.append((self.command, self.path))
        body = json.dumps({"head": {"vars": ["x"]},
                           "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", Recorder.hits
    srv.shutdown()
    srv.server_close()


# ---------------------------------------------------------------- read-only queries

UPDATES = [
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "DELETE DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "INSERT { ?s a <http://e/C> } WHERE { ?s ?p ?o }",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <http://e/g>",
    "CREATE GRAPH <http://e/g>",
    "ADD DEFAULT TO <http://e/g>",
    "MOVE DEFAULT TO <http://e/g>",
    "COPY DEFAULT TO <http://e/g>",
    "PREFIX ex: <http://e/>\n# comment\ninsert data { ex:a ex:b ex:c }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
]


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused(run, mini, update):
    r = run("query", update, *mini)
    assert r.exit_code == ExitCode.REFUSED, r.stderr
    assert "SPARQL Update" in r.stderr and "read-only" in r.stderr
    assert r.stdout == ""


SERVICES = [
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?x } }",
    "SELECT * WHERE { service silent <{url}/sparql> { ?s ?p ?x } }",
    "SELECT * WHERE { SERVIC\\u0045 <{url}/sparql> { ?s ?p ?x } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}/sparql> { ?s ?p ?x } }",
    "PREFIX r: <{url}/>\nSELECT * WHERE { SERVICE r:sparql { ?s ?p ?x } }",
    "SELECT * WHERE { BIND(<{url}/sparql> AS ?e) SERVICE ?e { ?s ?p ?x } }",
    # escapes in a prefixed name (PN_LOCAL_ESC) must not open a string or a comment
    "SELECT * WHERE { BIND(yl:a\\'b AS ?v) SERVICE <{url}/sparql> { ?s ?p ?x } BIND('c' AS ?w) }",
    "SELECT * WHERE { BIND(yl:a\\#b AS ?v) SERVICE <{url}/sparql> { ?s ?p ?x } }",
]


@pytest.mark.parametrize("template", SERVICES)
def test_service_is_refused_and_sends_nothing(run, mini, server, template):
    url, hits = server
    r = run("query", template.replace("{url}", url), *mini)
    assert r.exit_code == ExitCode.REFUSED, r.stderr
    assert "SERVICE" in r.stderr and "--allow-service" in r.stderr
    assert hits == []


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p 'open }",
    "SELECT * WHERE { ?s yl:a\\b ?o }",
    'SELECT * WHERE { ?s ?p "open\n" }',
    # \" is not an escape of a prefixed name: what follows must not be skipped as a string
    'SELECT * WHERE { BIND(yl:a\\"b AS ?v) SERVICE <{url}/sparql> { ?s ?p ?x } }',
])
def test_a_stray_quote_or_backslash_is_a_syntax_error(run, mini, server, query):
    # the read-only and SERVICE checks cannot trust a query the tokenizer cannot read: refuse it
    url, hits = server
    r = run("query", query.replace("{url}", url), *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and "SPARQL syntax error: unexpected" in r.stderr
    assert hits == []


def test_service_runs_when_its_endpoint_is_allowed(run, mini, server):
    url, hits = server
    r = run("query", f"SELECT ?x WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?x }} }}", "--format", "csv",
            "--allow-service", f"{url}/sparql", *mini)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == ["x", "remote"]
    assert [h[1] for h in hits] == ["/sparql"]


def test_allowing_one_endpoint_does_not_allow_another(run, mini, server):
    url, hits = server
    r = run("query", f"SELECT * WHERE {{ SERVICE <{url}/other> {{ ?s ?p ?x }} }}",
            "--allow-service", f"{url}/sparql", *mini)
    assert r.exit_code == ExitCode.REFUSED and hits == []


def test_service_inside_a_string_or_comment_is_not_a_call(run, mini, server):
    url, hits = server
    r = run("query", f'# SERVICE <{url}/x>\nSELECT ("SERVICE <{url}/x>" AS ?t) WHERE {{}}', "--format", "csv", *mini)
    assert r.exit_code == 0 and hits == []


def test_from_and_from_named_never_fetch(run, mini, server):
    url, hits = server
    r = run("query", f"SELECT * FROM <{url}/d.ttl> FROM NAMED <{url}/n.ttl> WHERE {{ ?s ?p ?o }}",
            "--format", "csv", *mini)
    assert r.exit_code == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1  # the named graphs do not exist locally: a header, no rows
    assert hits == []


# ---------------------------------------------------------------- data that must not reach out

def test_jsonld_remote_context_is_never_fetched(run, server, tmp_path):
    url, hits = server
    f = tmp_path / "remote-context.jsonld"
    f.write_text(json.dumps({"@context": f"{url}/context.jsonld", "@id": "http://e/a", "name": "x"}), encoding="utf-8")
    r = run("stats", "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert "never fetched" in r.stderr and str(f) in r.stderr
    assert hits == []


def test_jsonld_local_file_context_is_never_read(run, tmp_path):
    ctx = tmp_path / "ctx.jsonld"
    ctx.write_text(json.dumps({"@context": {"name": "http://e/name"}}), encoding="utf-8")
    f = tmp_path / "local-context.jsonld"
    f.write_text(json.dumps({"@context": ctx.as_uri(), "@id": "http://e/a", "name": "x"}), encoding="utf-8")
    r = run("stats", "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT and "never fetched" in r.stderr


def test_rdfxml_entity_bomb_is_refused(run, tmp_path):
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};&e{i - 1};&e{i - 1};&e{i - 1};">' for i in range(1, 12))
    bomb = (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e0 "lol">{entities}]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
            '<rdf:Description rdf:about="http://e/a"><e:p>&e11;</e:p></rdf:Description></rdf:RDF>\n')
    f = tmp_path / "bomb.rdf"
    f.write_text(bomb, encoding="utf-8")
    r = run("stats", "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.REFUSED
    assert f"{f}:2:" in r.stderr and "DTD" in r.stderr


def test_remote_data_is_fetched_only_when_named(run, server, tmp_path):
    url, hits = server
    r = run("stats", "--no-default-graph", "--data", f"{url}/graph.ttl")
    # the recorder answers with SPARQL JSON, not Turtle: a clear parse error, after one request
    assert r.exit_code == ExitCode.BAD_INPUT
    assert hits == [("GET", "/graph.ttl")]


# ---------------------------------------------------------------- bounded work

def test_runaway_query_is_stopped_by_the_timeout(run, mini):
    r = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }",
            "--timeout", "1", *mini)
    assert r.exit_code == ExitCode.LIMIT
    assert "did not finish within 1 seconds" in r.stderr and r.stdout == ""


def test_deep_nesting_is_an_error_not_a_crash(run, mini):
    r = run("query", "SELECT * WHERE " + "{" * 5000 + "}" * 5000, *mini)
    assert r.exit_code == ExitCode.LIMIT and "nests brackets" in r.stderr
    r = run("query", "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }", *mini)
    assert r.exit_code == ExitCode.LIMIT


def test_long_property_path_is_refused(run, mini):
    path = "/".join(["yl:locatedIn"] * 2000)
    r = run("query", f"SELECT * WHERE {{ ?s {path} ?o }}", "--format", "csv", *mini)
    assert r.exit_code == ExitCode.LIMIT and "property path of more than 100 steps" in r.stderr
    ok = "/".join(["yl:locatedIn"] * 20)
    assert run("query", f"SELECT * WHERE {{ ?s {ok} ?o }}", "--format", "csv", *mini).exit_code == 0


def test_deeply_nested_turtle_loads(run, tmp_path):
    f = tmp_path / "deep.ttl"
    n = 20000
    f.write_text("<http://e/a> <http://e/b> " + "[ <http://e/p> " * n + "<http://e/o>" + " ]" * n + " .\n", encoding="utf-8")
    r = run("stats", "--no-default-graph", "--data", f)
    assert r.exit_code == 0 and f"Triples: {n + 1}" in r.stdout


def test_table_row_cap(run, mini):
    r = run("query", "SELECT * WHERE { ?s ?p ?o }", "--max-rows", "3", *mini)
    assert r.exit_code == ExitCode.LIMIT and "more than 3 rows" in r.stderr and r.stdout == ""
    r = run("query", "SELECT * WHERE { ?s ?p ?o }", "--max-rows", "3", "--format", "csv", *mini)
    assert r.exit_code == 0 and len(r.stdout.splitlines()) > 4


# ---------------------------------------------------------------- malformed input, one clear line each

BAD_FILES = [
    ("missing-dot.ttl", b'@prefix ex: <http://e/> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n', ":3:", ""),
    ("undeclared-prefix.ttl", b'@prefix ex: <http://e/> .\nex:a ex:b foo:c .\n', ":2:11:", "foo"),
    ("bad-iri.ttl", b'<http://e/a b> <http://e/p> "o" .\n', ":1:", "IRI"),
    ("latin1.ttl", '@prefix ex: <http://e/> .\nex:a ex:b "café" .\n'.encode("latin-1"), ":2:15:", "UTF-8"),
    ("binary.ttl", b"\x00\x01\x02\x03PK\x03\x04", "", "binary"),
    ("empty.ttl", b"", "", "empty"),
    ("json-in-turtle.ttl", b'{"@id": "http://e/a", "http://e/p": 1}\n', ":1:", ""),
    ("turtle-in-ntriples.nt", b'@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n', ":1:", ""),
    ("ill-typed.ttl", b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/a> <http://e/p> "12x"^^xsd:integer .\n',
     ":2:", "xsd:integer"),
    ("byte-out-of-range.ttl", b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/a> <http://e/p> "300"^^xsd:byte .\n',
     ":2:", "range of xsd:byte (-128 to 127)"),
    ("unsigned-negative.ttl", b'@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/a> <http://e/p> "-1"^^xsd:unsignedShort .\n',
     ":2:", "xsd:unsignedShort"),
    ("relative-iri.nt", b"<a> <b> <c> .\n", ":1:", "IRI"),
]


@pytest.mark.parametrize("name, content, where, words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_malformed_data_gives_one_clear_line(run, tmp_path, name, content, where, words):
    f = tmp_path / name
    f.write_bytes(content)
    before = f.read_bytes()
    r = run("stats", "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"yilian: error: {f}{where}")
    assert words in lines[0]
    assert "(" in lines[0]  # a hint on how to fix it
    assert "Traceback" not in r.stderr
    assert f.read_bytes() == before


def test_zero_with_a_minus_sign_is_an_unsigned_integer(run, tmp_path):
    """XML Schema 1.1 Part 2 lets a zero carry either sign in every type derived from
    nonNegativeInteger: "-0"^^xsd:unsignedInt was refused although "-0"^^xsd:nonNegativeInteger
    was not; the largest values of each bounded type load."""
    f = tmp_path / "zero.ttl"
    f.write_text('@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                 '<http://e/a> <http://e/p> "-0"^^xsd:unsignedInt , "255"^^xsd:unsignedByte , "-128"^^xsd:byte , '
                 '"18446744073709551615"^^xsd:unsignedLong .\n', encoding="utf-8")
    r = run("stats", "--no-default-graph", "--data", f)
    assert r.exit_code == 0, r.stderr


def test_missing_file_folder_and_unknown_extension(run, tmp_path):
    r = run("stats", "--no-default-graph", "--data", tmp_path / "nope.ttl")
    assert r.exit_code == ExitCode.BAD_INPUT and "no such file" in r.stderr
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    r = run("stats", "--no-default-graph", "--data", empty)
    assert r.exit_code == ExitCode.BAD_INPUT and "holds no RDF files" in r.stderr
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n", encoding="utf-8")
    r = run("stats", "--no-default-graph", "--data", odd)
    assert r.exit_code == ExitCode.BAD_INPUT and "extension" in r.stderr


@pytest.mark.parametrize("query, where", [
    ("SELECT ?s WHERE { ?s ?p }", "query:1:19"),
    ("SELEC * WHERE { ?s ?p ?o }", "query:1:1"),
    ("SELECT * WHERE { ?s ?p ?o ", "query:1:"),
    ("SELECT * WHERE {\n  ?s nope:p ?o }", "query:2:6"),
])
def test_sparql_syntax_errors_point_at_the_place(run, mini, query, where):
    r = run("query", query, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"yilian: error: {where}")
    assert r.stderr.rstrip().endswith("^")


def test_debug_shows_a_traceback(tmp_path):
    from click.testing import CliRunner

    from yilian.cli import main

    f = tmp_path / "bad.ttl"
    f.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["--debug", "stats", "--no-default-graph", "--data", str(f)])
    assert "Traceback (most recent call last)" in r.stderr
    # the documented exit code with or without --debug (it was 1 with it)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stderr.rstrip().splitlines()[-1].startswith("yilian: error: ")


def test_failed_write_leaves_no_partial_file(run, mini, tmp_path):
    out = tmp_path / "out.ttl"
    out.write_text("keep me", encoding="utf-8")
    r = run("query", "SELECT * WHERE { ?s ?p }", "-o", out, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert out.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_unwritable_output_path(run, mini, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        r = run("export", "-o", ro / "x.ttl", *mini)
        import os

        if os.geteuid() == 0:  # root writes anywhere; the folder check still applies to missing folders
            assert r.exit_code == 0
        else:
            assert r.exit_code == ExitCode.BAD_INPUT and "cannot write" in r.stderr
    finally:
        ro.chmod(0o700)


def test_prefixed_names_with_characters_beyond_the_basic_plane_are_one_token():
    from yilian.sparql import lexer as sparql_lexer

    tokens = sparql_lexer.tokenize("SELECT * { 中文:名字\U0001F600 ?p ex:a . }")
    assert [(t.kind, t.text) for t in tokens][3:5] == [("pname", "中文:名字\U0001F600"), ("var", "?p")]


# ---------------------------------------------------------------- issue 13: small items

@pytest.mark.parametrize("args", [
    ["network", "export", "--format", "dot"],
    ["queries"],
    ["export", "--format", "ntriples"],
])
def test_closed_pipe_is_not_an_internal_error(args, tmp_path):
    """`yilian network export --format dot | dot` without graphviz: the reader is gone
    before yilian writes. It ends quietly with 141 (128 + SIGPIPE), as other tools do."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "yilian", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader went away
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, err
    # nothing but the notes a command gives anyway (network: what it leaves out)
    assert [line for line in err.splitlines() if not line.startswith("yilian: note: ")] == []


def test_debug_after_the_subcommand_is_accepted(run, mini):
    r = CliRunner().invoke(main, ["query", "SELECT * WHERE { ?s ?p }", *mini, "--debug"])
    assert r.exit_code == ExitCode.BAD_INPUT and "Traceback" in r.stderr  # the traceback, not "no such option"
    assert "No such option" not in r.output
    r = run("query", "--debug", "ASK { ?s ?p ?o }", *mini)
    assert r.exit_code == 0, r.stderr


# ---------------------------------------------------------------- issue 13: redirects

TURTLE = b"@prefix ex: <http://e/> .\nex:a ex:b ex:from-%s .\n"


def _http_server(name: str, redirect_to=None):
    """A server on 127.0.0.1 that serves Turtle naming itself, or answers 302 to
    redirect_to(path) for paths starting with /moved; it records the paths asked for."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path.startswith("/moved") and redirect_to is not None:
                self.send_response(302)
                self.send_header("Location", redirect_to(self.path))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = TURTLE % name.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}", hits


@pytest.fixture
def two_servers():
    other, other_url, other_hits = _http_server("other")
    named, named_url, named_hits = _http_server(
        "named", redirect_to=lambda path: (other_url + "/data.ttl") if path == "/moved-away.ttl" else "/data.ttl")
    yield (named_url, named_hits), (other_url, other_hits)
    for srv in (named, other):
        srv.shutdown()
        srv.server_close()


def test_data_url_redirect_to_an_origin_not_named_is_refused(run, two_servers):
    (named, named_hits), (other, other_hits) = two_servers
    r = run("query", "--no-default-graph", "--data", f"{named}/moved-away.ttl", "SELECT * { ?s ?p ?o }")
    assert r.exit_code == ExitCode.REFUSED, r.stderr
    assert r.stderr.startswith(f"yilian: error: {named}/moved-away.ttl: the server redirected to {other}, "
                               "an origin not named with --data")
    assert r.stderr.count("\n") == 1 and r.stdout == ""
    assert named_hits == ["/moved-away.ttl"] and other_hits == []  # nothing was asked of the other port


def test_data_url_redirect_to_a_named_origin_or_the_same_one_is_followed(run, two_servers):
    (named, named_hits), (other, other_hits) = two_servers
    query = "SELECT ?o { ?s <http://e/b> ?o } ORDER BY ?o"
    r = run("query", "--format", "csv", "--no-default-graph", "--data", f"{named}/moved-here.ttl", query)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["o", "http://e/from-named"]
    r = run("query", "--format", "csv", "--no-default-graph", "--data", f"{named}/moved-away.ttl",
            "--data", f"{other}/more.ttl", query)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["o", "http://e/from-other"]


# ---------------------------------------------------------------- issue 13: empty files, byte-order marks

def test_comment_only_turtle_loads_silently_as_zero_triples(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    f = tmp_path / "notes.ttl"
    f.write_text("# only a comment\n@prefix ex: <http://e/> .\n", encoding="utf-8")
    warning = f"yilian: warning: {f}: no triples (the file holds only comments, prefixes or an empty document)\n"
    for args in (["query", "ASK { ?s ?p ?o }"],  # builds the store
                 ["query", "ASK { ?s ?p ?o }"],  # opens it again without parsing
                 ["query", "--no-store", "ASK { ?s ?p ?o }"], ["export"], ["validate"]):
        r = run(*args, "--data", f)
        assert r.exit_code == 0, (args, r.stderr)
        assert r.stderr == warning, args


@pytest.mark.parametrize("name, body", [
    ("bom.ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n"),
    ("bom.nt", "<http://e/a> <http://e/b> <http://e/c> .\n"),
    ("bom.trig", "<http://e/a> <http://e/b> <http://e/c> .\n"),
])
@pytest.mark.parametrize("bulk", [False, True])
def test_byte_order_mark_at_the_start_is_accepted(run, tmp_path, monkeypatch, name, body, bulk):
    from yilian.dataset import store

    if bulk:  # the path big files take: Oxigraph reads the file itself
        monkeypatch.setattr(store, "BULK_BYTES", 0)
    f = tmp_path / name
    f.write_bytes(b"\xef\xbb\xbf" + body.encode())
    r = run("query", "--format", "csv", "--no-default-graph", "--data", f, "SELECT ?o { ?s <http://e/b> ?o }")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.split() == ["o", "http://e/c"]


def test_byte_order_mark_elsewhere_is_named_not_shown(run, tmp_path):
    f = tmp_path / "bom.ttl"
    f.write_bytes(b"@prefix ex: <http://e/> .\nex:a ex:b \xef\xbb\xbfex:c .\n")
    r = run("export", "--no-default-graph", "--data", f)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert f"{f}:2:" in r.stderr and "byte-order mark" in r.stderr and "\ufeff" not in r.stderr


def test_closed_stdout_is_one_error_line_not_an_internal_error(tmp_path):
    import os
    import shlex
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(["bash", "-c", f"{shlex.quote(sys.executable)} -m yilian queries >&-"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    assert proc.stderr == "yilian: error: standard output is closed (redirect it to a file, or use -o FILE)\n"


@pytest.mark.parametrize("args, words", [
    (["nosuch"], "No such command 'nosuch' (see 'yilian --help')"),
    (["query", "--format", "xlsx", "ASK {}"], "Invalid value for '--format'"),
    (["query", "--bogus"], "No such option '--bogus' (see 'yilian query --help')"),
    (["source", "add"], "Missing argument 'FILE' (see 'yilian source add --help')"),
    (["network", "stats", "--alliance"], "'--alliance' requires an argument (see 'yilian network stats --help')"),
    (["timeline", "--year"], "'--year' requires an argument (see 'yilian timeline --help')"),
])
def test_command_line_mistakes_give_one_clear_line(run, args, words):
    """click's own usage errors were three lines (usage, hint, error); every error is one
    `yilian: error:` line with what to read, exit 2."""
    r = run(*args)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("yilian: error: ") and words in lines[0], r.stderr
    assert "--help" in lines[0]
