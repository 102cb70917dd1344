"""Shared test helpers: an in-process CLI runner and paths to the fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from yilian.cli import main

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini.ttl"
CORPUS = ROOT.parent / "shared" / "corpus"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def yilian_serve():
    """`yilian serve` with the bundled graph (and ontology), in a thread of the test
    process; yields the query URL."""
    import threading

    from yilian.dataset import store
    from yilian.dataset.sources import Sources
    from yilian.server import sparql_endpoint as serve

    graph = store.memory_store(Sources(), progress=False)
    sock = serve.listen("127.0.0.1", 0)
    endpoint = serve.Endpoint(graph, log=False, triples=len(graph), local_only=serve.is_loopback(sock))
    stop = threading.Event()
    thread = threading.Thread(target=serve.serve_in_process, args=(sock, endpoint, stop), daemon=True)
    thread.start()
    yield serve.describe(sock)
    stop.set()
    thread.join(5)
    sock.close()


def _oxigraph_binary() -> str | None:
    import shutil
    import sys

    found = shutil.which("oxigraph")
    if found:
        return found
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else None


@pytest.fixture(scope="session")
def oxigraph_serve(tmp_path_factory):
    """An in-memory Oxigraph server (the `oxigraph` package) on 127.0.0.1 holding
    `yilian export --with-ontology`; yields the query URL."""
    import subprocess
    import time
    import urllib.request

    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    export = tmp_path_factory.mktemp("oxigraph") / "yilian.nt"
    result = CliRunner().invoke(main, ["export", "--with-ontology", "--format", "ntriples", "-o", str(export)])
    assert result.exit_code == 0, result.output
    port = free_port()
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


@pytest.fixture
def run():
    """Run the CLI in-process: run("query", "...") -> click Result (stdout, stderr, exit_code)."""

    def _run(*args, input=None):
        return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return _run


@pytest.fixture
def mini():
    """CLI arguments that select only the tiny test graph."""
    return ["--no-default-graph", "--data", str(MINI)]


@pytest.fixture(autouse=True, scope="session")
def _private_store_cache(tmp_path_factory):
    """Query stores built by the tests go to a temporary cache, never ~/.cache/yilian."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
