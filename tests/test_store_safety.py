"""The query store under pressure (issue 13): it never answers from stale content, and an
interrupted build (timeout, memory cap, Ctrl-C, SIGTERM) leaves no folder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yilian.dataset import store
from yilian.errors import ExitCode

COUNT_B = "SELECT ?o WHERE { <http://e/a> <http://e/b> ?o }"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _leftovers(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if ".build-" in p.name) if folder.exists() else []


def test_store_answers_from_stale_content_after_a_rewrite_with_size_and_mtime_restored(run, cache, tmp_path,
                                                                                      monkeypatch):
    """`cp -p`, `rsync -t` and `tar x` rewrite a file in place and set its mtime back; the
    size may be the same. Its ctime still changes, and the store key includes it."""
    monkeypatch.setattr(store, "RACY_SECONDS", 0)  # a fresh file counts as settled
    f = tmp_path / "data.nt"
    f.write_text("<http://e/a> <http://e/b> <http://e/one> .\n", encoding="utf-8")
    os.utime(f, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = os.stat(f)
    args = ["query", "--format", "csv", "--no-default-graph", "--data", f, COUNT_B]
    assert run(*args).stdout.split() == ["o", "http://e/one"]
    assert run(*args).stdout.split() == ["o", "http://e/one"]  # warm: the manifest is used
    time.sleep(0.01)
    with open(f, "r+", encoding="utf-8") as fh:  # in place: same inode, same size
        fh.write("<http://e/a> <http://e/b> <http://e/two> .\n")
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(f)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert run(*args).stdout.split() == ["o", "http://e/two"]


def test_a_file_changed_just_now_is_hashed_every_time(cache, tmp_path):
    """Two writes in one clock tick can leave the same ctime: such a file's stat key is not
    recorded, so the next run hashes the contents."""
    from yilian.dataset.sources import Sources

    f = tmp_path / "data.nt"
    f.write_text("<http://e/a> <http://e/b> <http://e/one> .\n", encoding="utf-8")
    inputs = store.inputs_for(Sources((str(f),), False), with_ontology=False)
    assert inputs.racy()
    store.open_store(Sources((str(f),), False), with_ontology=False)
    assert not list((cache / "yilian" / "manifests").iterdir())


SLOW_FILL = "import time\nfrom yilian.dataset import store\nstore._fill = lambda *a, **k: time.sleep(120)\n"


def test_interrupted_store_build_leaves_a_build_folder_when_the_timeout_kills_it(run, cache, tmp_path, monkeypatch):
    import time as _time

    def slow_build(inputs, key, tmp, *args):
        (tmp / "db").mkdir()
        (tmp / "db" / "000001.sst").write_bytes(b"\0" * 4096)
        _time.sleep(120)

    # no RocksDB in a child forked from this test process (see store._fork_safe)
    monkeypatch.setattr(store, "_build_into", slow_build)
    monkeypatch.setattr(store, "_fork_safe", lambda: True)
    f = tmp_path / "data.nt"
    f.write_text("<http://e/a> <http://e/b> <http://e/one> .\n", encoding="utf-8")
    r = run("query", "--timeout", "2", "--no-default-graph", "--data", f, COUNT_B)
    assert r.exit_code == ExitCode.LIMIT, r.stderr
    assert (cache / "yilian" / "stores").is_dir()
    assert _leftovers(cache) == []
    where = tmp_path / "mystore"
    r = run("query", "--timeout", "2", "--store", where, "--no-default-graph", "--data", f, COUNT_B)
    assert r.exit_code == ExitCode.LIMIT, r.stderr
    assert _leftovers(tmp_path) == [] and not where.exists()


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_store_build_leaves_a_build_folder_on_ctrl_c_or_sigterm(tmp_path, sig, code):
    """Ctrl-C reaches the whole process group; SIGTERM only the yilian process."""
    f = tmp_path / "data.nt"
    f.write_text("<http://e/a> <http://e/b> <http://e/one> .\n", encoding="utf-8")
    cache = tmp_path / "cache"
    script = SLOW_FILL + "from yilian.cli import main\nmain(prog_name='yilian')\n"
    proc = subprocess.Popen([sys.executable, "-c", script, "query", "--no-default-graph", "--data", str(f), COUNT_B],
                            env={**os.environ, "XDG_CACHE_HOME": str(cache)}, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not _leftovers(cache):
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() else ""
            time.sleep(0.05)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == code, err
    assert _leftovers(cache) == []
    assert b"Traceback" not in err and b"internal error" not in err
