"""`yilian query` imports only what it needs: never rdflib, pySHACL, networkx or
matplotlib (together about 0.8 s of imports). The one test here that starts a process:
imports can only be observed in a fresh interpreter."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

HEAVY = ("rdflib", "pyshacl", "networkx", "matplotlib")


#: what `yilian search` must not import either (issue 17: its whole process is timed)
SEARCH_HEAVY = (*HEAVY, "jinja2", "aiohttp", "uvloop", "igraph", "pyvis", "yaml", "jieba", "cn2an", "pypinyin", "regex")


def _imported(args: list[str], tmp_path, full: bool = False) -> set[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = "import sys; from yilian.cli import main; sys.argv[0] = 'yilian'; main()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # lines: "import time: self | cumulative | <indent>module"
    return {m.group(1).strip() if full else m.group(1).strip().split(".")[0]
            for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|(.*)$", proc.stderr, re.M)}, proc.stdout


@pytest.mark.parametrize("args", [
    ["query", "--timeout", "0", "--name", "alliance-lead", "--format", "csv"],
    ["query", "SELECT ?h WHERE { ?h a yl:GeneralHospital } LIMIT 3"],
    ["query", "--no-store", "--timeout", "0", "ASK { ?s ?p ?o }"],
])
def test_query_imports_no_heavy_module(tmp_path, args):
    modules, out = _imported(args, tmp_path)
    assert "pyoxigraph" in modules and "click" in modules  # the trace is real
    assert out.strip()
    assert sorted(set(HEAVY) & modules) == []


def test_warm_search_imports_no_heavy_module_and_no_other_command(tmp_path):
    _imported(["search", "人民医院"], tmp_path)  # builds the store and its search index
    modules, out = _imported(["search", "人民医院"], tmp_path, full=True)
    assert "click" in modules and "yilian.explore.search" in modules  # the trace is real
    assert "人民医院" in out
    assert sorted({m.split(".")[0] for m in modules} & set(SEARCH_HEAVY)) == []
    # the other commands' modules are imported only when they run (importlib.import_module,
    # which imports the command's own module, is not traced); the literal checks of the
    # parser only when a store is built
    assert sorted(m for m in modules if m.startswith("yilian.cli.")) == ["yilian.cli.options"]
    assert "yilian.dataset.parse" not in modules and "yilian.explore.facts" not in modules
