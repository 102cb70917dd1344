"""Every user workload is bounded in memory as in time (issue 13): --max-memory, the
helpers yilian.limits shares with `yilian serve`, and interrupted work leaving nothing."""

from __future__ import annotations

import os

import pytest

from yilian import limits
from yilian.errors import ExitCode, UsageError

CROSS_PRODUCT = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a LIMIT 10"


@pytest.fixture
def chain(tmp_path):
    """1,000 triples: a three-way cross product over them is 10^9 rows, sorted."""
    f = tmp_path / "chain.nt"
    f.write_text("".join(f"<http://e/s{i}> <http://e/p> <http://e/s{i + 1}> .\n" for i in range(1000)))
    return ["--no-default-graph", "--data", str(f)]


def test_no_memory_cap_a_cross_product_query_is_stopped_at_max_memory(run, chain):
    r = run("query", "--timeout", "120", "--max-memory", "200M", CROSS_PRODUCT, *chain)
    assert r.exit_code == ExitCode.LIMIT, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "the query needed more than 200 MiB of memory and was stopped" in r.stderr
    assert "--max-memory" in r.stderr
    assert r.stdout == ""


def test_memory_cap_applies_without_a_time_limit(run, chain):
    r = run("query", "--timeout", "0", "--max-memory", "200M", CROSS_PRODUCT, *chain)
    assert r.exit_code == ExitCode.LIMIT and "200 MiB" in r.stderr


def test_memory_cap_from_the_environment(run, chain, monkeypatch):
    monkeypatch.setenv("YILIAN_MAX_MEMORY", "200M")
    r = run("query", "--timeout", "120", CROSS_PRODUCT, *chain)
    assert r.exit_code == ExitCode.LIMIT and "200 MiB" in r.stderr


def test_normal_queries_run_under_the_default_cap(run, chain):
    r = run("query", "--format", "csv", "SELECT (COUNT(*) AS ?n) { ?s <http://e/p> ?o }", *chain)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1] == "1000"


@pytest.mark.parametrize("command", [
    ["export"], ["validate"], ["stats"], ["describe", "yid:xiangtan-central-hospital"],
    ["network", "stats"], ["network", "export", "--format", "json"],
    ["network", "path", "yid:a", "yid:b"], ["fmt", "--check"],
])
def test_every_command_that_evaluates_user_work_takes_max_memory(run, command):
    r = run(*command, "--help")
    assert "--max-memory" in r.stdout and "--timeout" in r.stdout


def test_bad_max_memory_is_a_usage_error(run, chain):
    r = run("query", "--max-memory", "lots", "ASK {}", *chain)
    assert r.exit_code == ExitCode.BAD_INPUT and "not a size" in r.stderr


@pytest.mark.parametrize("text, size", [
    ("2G", 2 << 30), ("512M", 512 << 20), ("512m", 512 << 20), ("1.5GiB", 3 << 29), ("64k", 64 << 10),
    ("64KB", 64 << 10), ("1000000", 1000000), ("0", 0), (" 2 G ", 2 << 30), ("1T", 1 << 40),
])
def test_parse_size(text, size):
    assert limits.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1G", "2X", "G", "two", "1.2.3M"])
def test_parse_size_refuses(text):
    with pytest.raises(ValueError):
        limits.parse_size(text)


def test_default_max_memory_is_half_the_machine_or_the_environment(monkeypatch):
    monkeypatch.delenv("YILIAN_MAX_MEMORY", raising=False)
    total = limits.machine_memory()
    assert total > 0
    assert limits.default_max_memory() == int(total * 0.5)
    monkeypatch.setenv("YILIAN_MAX_MEMORY", "3G")
    assert limits.default_max_memory() == 3 << 30
    monkeypatch.setenv("YILIAN_MAX_MEMORY", "0")
    assert limits.default_max_memory() == 0
    monkeypatch.setenv("YILIAN_MAX_MEMORY", "much")
    with pytest.raises(UsageError):
        limits.default_max_memory()


def test_rss_bytes_of_this_process_and_of_none():
    mine = limits.rss_bytes(os.getpid())
    assert 1 << 20 < mine < 64 << 30
    assert limits.rss_bytes(2 ** 22 + 12345) == 0  # no such process


def test_run_bounded_returns_and_raises_like_the_function():
    assert limits.run_bounded(lambda: {"a": [1, 2]}, 30, max_memory=1 << 30) == {"a": [1, 2]}
    with pytest.raises(UsageError, match="boom"):
        limits.run_bounded(lambda: (_ for _ in ()).throw(UsageError("boom")), 30, max_memory=1 << 30)


def test_run_bounded_stops_a_growing_child_at_the_cap():
    from yilian.errors import LimitError

    def grow():
        hold = []
        while True:
            hold.append(bytearray(16 << 20))

    with pytest.raises(LimitError, match="needed more than 100 MiB of memory"):
        limits.run_bounded(grow, 60, what="the test", max_memory=100 << 20)


def test_fmt_and_export_have_no_time_limit_fmt_stops_at_timeout(run, tmp_path, monkeypatch):
    import time

    from yilian.rdf import fmt as formatting

    f = tmp_path / "a.ttl"
    f.write_text("@prefix ex: <http://e/> .\nex:b ex:p ex:c .\nex:a ex:p ex:c .\n", encoding="utf-8")
    before = f.read_bytes()
    monkeypatch.setattr(formatting, "canonical", lambda path: time.sleep(60))  # a slow file
    r = run("fmt", "--timeout", "1", f)
    assert r.exit_code == ExitCode.LIMIT, r.stderr
    assert "fmt did not finish within 1 seconds" in r.stderr
    assert f.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["a.ttl"]


def test_fmt_and_export_have_no_time_limit_export_stops_at_timeout(run, tmp_path, monkeypatch):
    import time

    from yilian.rdf import export as exporting

    monkeypatch.setattr(exporting, "serialize", lambda quads, fmt, prefixes=None: time.sleep(60))
    out = tmp_path / "out.ttl"
    r = run("export", "--timeout", "1", "-o", out)
    assert r.exit_code == ExitCode.LIMIT and "the export did not finish within 1 seconds" in r.stderr
    assert not out.exists()
