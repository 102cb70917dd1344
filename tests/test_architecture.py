"""The package is laid out by capability with the dependency direction visible: no module
imports another module that (directly or through others) imports it back, only yilian.cli
imports click, and code that is not Python (JavaScript, CSS, HTML) lives in files."""

from __future__ import annotations

import ast
from pathlib import Path

import yilian

PACKAGE = Path(yilian.__file__).resolve().parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph() -> dict[str, set[str]]:
    """yilian module -> the yilian modules it imports (anywhere in its body: lazy imports
    inside functions count too, since they run)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_package, node.level, node.module)
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:
                # `from yilian.x import y` may name a module or a name in a module
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != mod and t.startswith("yilian"):
                    graph[mod].add(t)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _package_edges(graph):
    """Edges between a package's __init__ and its own submodules are how Python loads a
    package, not a dependency of one capability on another."""
    return {m: {t for t in ts if not (t.startswith(m + ".") or m.startswith(t + "."))} for m, ts in graph.items()}


def test_no_import_cycles():
    assert _cycles(_package_edges(import_graph())) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_cli_imports_click():
    for path in PACKAGE.rglob("*.py"):
        mod = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
        if "click" in names:
            assert mod.startswith("yilian.cli"), mod


def test_core_modules_depend_on_no_capability():
    """errors, output, resources, limits, tables and prefixes are the shared core: they
    import nothing from the subpackages above them."""
    graph = import_graph()
    for core in ("yilian.errors", "yilian.output", "yilian.resources", "yilian.limits", "yilian.tables",
                 "yilian.prefixes"):
        assert {t for t in graph[core] if t.count(".") > 1 or t.split(".")[1] in
                ("cli", "dataset", "sparql", "shacl", "rdf", "explore", "network", "synth", "server")} == set(), core


def test_no_javascript_css_or_html_in_python_strings():
    markers = ("<!DOCTYPE", "<html", "function (", "addEventListener", "document.getElementById", "{margin:")
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 80:
                assert not any(m in node.value for m in markers), f"{path.name}:{node.lineno}"
