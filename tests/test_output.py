"""-o onto special files (issue 13, finding 2): devices and FIFOs are written through as a
shell redirect would, a symbolic link's target is replaced and the link kept, and every
check of the output path runs before the work starts.

The real /dev/full and /dev/null are never handed to a code path that could replace them:
character devices are made with mknod in tmp_path (root), and /dev/null is used only where
it is written through."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from yilian.errors import ExitCode


def _device(tmp_path, name, minor):
    """A character device like /dev/null (1, 3) or /dev/full (1, 7) inside tmp_path."""
    path = tmp_path / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except (PermissionError, OSError):
        return None
    return path


def _is_char_device(path) -> bool:
    return stat.S_ISCHR(os.stat(path).st_mode)


def test_output_onto_dev_null_writes_through_and_keeps_the_device(run, mini, tmp_path):
    null = _device(tmp_path, "null", 3) or "/dev/null"
    r = run("export", "-o", null, *mini)
    assert r.exit_code == 0, r.stderr
    assert _is_char_device(null) and _is_char_device("/dev/null")
    assert sorted(p.name for p in tmp_path.iterdir()) in (["null"], [])  # no temporary file left


@pytest.mark.parametrize("command", [
    ["export"], ["query", "SELECT * { ?s ?p ?o }"], ["validate"], ["network", "export", "--format", "json"],
])
def test_output_onto_a_full_device_is_one_clear_line_and_keeps_the_device(run, mini, tmp_path, command):
    full = _device(tmp_path, "full", 7)
    if full is None:
        pytest.skip("needs mknod (root) to make a /dev/full in tmp_path")
    r = run(*command, "-o", full, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT, r.stderr
    assert r.stderr.startswith(f"yilian: error: {full}: cannot write: No space left on device")
    assert r.stderr.count("\n") == 1
    assert _is_char_device(full)


def test_output_onto_a_fifo_writes_through_it(run, mini, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = run("export", "--format", "ntriples", "-o", fifo, *mini)
    reader.join(30)
    assert r.exit_code == 0, r.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    expected = run("export", "--format", "ntriples", *mini).stdout.encode()
    assert got == [expected] and expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_onto_a_symlink_replaces_the_target_and_keeps_the_link(run, mini, tmp_path):
    real = tmp_path / "real" / "out.nt"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    r = run("export", "--format", "ntriples", "-o", link, *mini)
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == run("export", "--format", "ntriples", *mini).stdout
    assert sorted(p.name for p in real.parent.iterdir()) == ["out.nt"]


def test_output_onto_a_dangling_symlink_creates_its_target(run, mini, tmp_path):
    real = tmp_path / "new.ttl"
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    r = run("export", "-o", link, *mini)
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and real.is_file() and real.stat().st_size > 0


def test_output_symlink_to_an_input_is_refused(run, tmp_path):
    data = tmp_path / "in.ttl"
    data.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n", encoding="utf-8")
    link = tmp_path / "out.ttl"
    link.symlink_to(data)
    r = run("export", "-o", link, "--no-default-graph", "--data", data)
    assert r.exit_code == ExitCode.BAD_INPUT and "one of the input files" in r.stderr
    assert data.read_text(encoding="utf-8").startswith("@prefix ex:")


@pytest.mark.parametrize("command, name", [
    (["export"], "out.ttl"), (["query", "SELECT * { ?s ?p ?o }"], "out.csv"), (["validate"], "out.txt"),
    (["network", "export", "--format", "json"], "out.json"),
])
def test_output_checks_run_before_the_work(run, mini, tmp_path, monkeypatch, command, name):
    """A missing folder is reported at once: the work (here: loading) never starts."""
    import yilian.limits

    def no_work(*args, **kwargs):
        raise AssertionError("the work started before the output path was checked")

    monkeypatch.setattr(yilian.limits, "run_bounded", no_work)
    r = run(*command, "-o", tmp_path / "missing" / name, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT, r.stderr
    assert "the folder of the output file does not exist" in r.stderr
    r = run(*command, "-o", tmp_path, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT and "the output path is a folder" in r.stderr


def test_synth_onto_a_fifo_writes_through_it(run, tmp_path):
    fifo = tmp_path / "synth.nt"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = run("synth", "-n", "10", "-q", "-o", fifo)
    reader.join(30)
    assert r.exit_code == 0, r.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and got and got[0].count(b"\n") > 50


def test_output_onto_the_query_file_is_refused(run, mini, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("SELECT * { ?s ?p ?o }", encoding="utf-8")
    r = run("query", "-f", q, "-o", q, "--format", "csv", *mini)  # .rq names no format: say which
    assert r.exit_code == ExitCode.BAD_INPUT and "one of the input files" in r.stderr
    r = run("query", "-f", q, "-o", q, *mini)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert q.read_text(encoding="utf-8") == "SELECT * { ?s ?p ?o }"


def test_counts_agree_with_their_number_not_1_violations():
    """validate said "1 violations", site "wrote 1 files": counted() picks the noun's number."""
    from yilian.tables import counted

    assert counted(1, "violation") == "1 violation"
    assert counted(0, "violation") == "0 violations"
    assert counted(2, "other result") == "2 other results"
    assert counted(1, "linked pair") == "1 linked pair"
