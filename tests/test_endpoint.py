"""`yilian query --endpoint URL` against a real Oxigraph server (the `oxigraph` package),
loaded with the output of `yilian export --with-ontology`: remote results equal local ones
byte for byte, and endpoint errors are one clear line with the documented exit code."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from yilian.sparql.named import all_queries

from conftest import unordered_concat


def _oxigraph_binary() -> str | None:
    found = shutil.which("oxigraph")
    if found:
        return found
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """An in-memory Oxigraph server on 127.0.0.1 holding `yilian export --with-ontology`."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    from click.testing import CliRunner

    from yilian.cli import main

    export = tmp_path_factory.mktemp("endpoint") / "yilian.nt"
    result = CliRunner().invoke(main, ["export", "--with-ontology", "--format", "ntriples", "-o", str(export)])
    assert result.exit_code == 0, result.output
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.skip("the oxigraph server did not start")
                time.sleep(0.05)
        req = urllib.request.Request(f"{base}/store?default", data=export.read_bytes(), method="POST",
                                     headers={"Content-Type": "application/n-triples"})
        urllib.request.urlopen(req, timeout=30).read()
        yield f"{base}/query"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
    if "GROUP_CONCAT" in q.text:
        assert unordered_concat(remote.stdout) == unordered_concat(local.stdout)
    else:
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
    local, remote = both(run, server, "ASK { yid:xiangtan-central-hospital a yl:GeneralHospital }")
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
