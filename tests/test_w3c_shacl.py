"""The W3C SHACL test suite (SHACL Core and SHACL-SPARQL), run through the CLI.

Every `sht:Validate` entry of ../shared/w3c-shacl-tests/tests/manifest.ttl (following
mf:include) runs as `yilian validate --no-default-graph --shapes SHAPES --data DATA --format
turtle`, in-process, once per engine. The report is compared with the entry's expected
report as the suite defines it: sh:conforms, and the results as a multiset of (focus node,
path, value, source shape, constraint component, severity), where a blank node matches any
blank node. An entry whose result is sht:Failure must be refused: exit 2 and one line on
stderr. Files are parsed with their own file:// IRI as base, as the suite requires.

The default engine hands a shapes graph it cannot handle to pySHACL with a note on stderr;
`test_the_sparql_engine_handles_what_it_can` lists the entries where that may happen.
`test_readme_states_the_w3c_result` checks the README's sentence against this run.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from yilian.cli import main

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT.parent / "shared" / "w3c-shacl-tests" / "tests"
ENGINES = ("sparql", "pyshacl")

pytestmark = pytest.mark.skipif(not SUITE.is_dir(), reason="../shared/w3c-shacl-tests is not beside the project")

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# Shapes graphs the SPARQL engine does not implement; it says so and hands them to pySHACL.
HANDED_TO_PYSHACL = {
    "core/property/qualifiedValueShape-001",  # sh:nodeShape, not a SHACL term: it could be a future one
    "sparql/component/optional-001",  # SPARQL-based constraint components (sh:parameter, validators)
    "sparql/component/propertyValidator-select-001",
    "sparql/component/validator-001",
}
# Shapes graphs neither engine can validate: each is refused with one clear line (exit 2).
NEITHER = {
    "sparql/pre-binding/shapesGraph-001",  # $shapesGraph: pySHACL does not implement it
}


class Graph:
    """A parsed file: triples indexed by subject and predicate (no normalisation of literals)."""

    def __init__(self, path: Path):
        self.path = path
        self.spo: dict = {}
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
            self.spo.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)

    def objects(self, s, p: str) -> list:
        return self.spo.get(s, {}).get(p, [])

    def value(self, s, p: str):
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def items(self, node) -> list:
        out = []
        while node is not None and node != ox.NamedNode(RDF + "nil"):
            out.append(self.value(node, RDF + "first"))
            node = self.value(node, RDF + "rest")
        return out


def _file(iri: ox.NamedNode) -> Path:
    assert iri.value.startswith("file://"), iri
    return Path(iri.value[len("file://"):].split("#")[0])


def _entries(manifest: Path) -> list[tuple[str, ox.NamedNode, Graph]]:
    g = Graph(manifest)
    me = ox.NamedNode(manifest.as_uri())
    out = []
    for inc in g.objects(me, MF + "include"):
        out += _entries(_file(inc))
    for lst in g.objects(me, MF + "entries"):
        for entry in g.items(lst):
            if ox.NamedNode(SHT + "Validate") in g.objects(entry, RDF + "type"):
                out.append((str(manifest.parent.relative_to(SUITE) / entry.value.rsplit("/", 1)[-1]), entry, g))
    return out


@functools.lru_cache(maxsize=None)
def entries() -> dict:
    return {name: (entry, g) for name, entry, g in _entries(SUITE / "manifest.ttl")} if SUITE.is_dir() else {}


def _t(term) -> str:
    """A term for comparison: blank nodes all alike, literals exact (lexical form, datatype, language)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:"
    return str(term)


def _results(g_spo, report) -> tuple[bool | None, Counter]:
    def value(s, p):
        objs = g_spo.get(s, {}).get(p, [])
        return objs[0] if objs else None

    conforms = value(report, SH + "conforms")
    results = Counter()
    for r in g_spo.get(report, {}).get(SH + "result", []):
        results[tuple(_t(value(r, SH + name)) for name in (
            "focusNode", "resultPath", "value", "sourceShape", "sourceConstraintComponent", "resultSeverity"))] += 1
    return (conforms.value == "true" if conforms is not None else None), results


def expected(name: str):
    """(conforms, results) of an entry, or "failure" for sht:Failure."""
    entry, g = entries()[name]
    result = g.value(entry, MF + "result")
    if result == ox.NamedNode(SHT + "Failure"):
        return "failure"
    return _results(g.spo, result)


@functools.lru_cache(maxsize=None)
def run(name: str, engine: str):
    """(exit code, stdout, stderr) of yilian validate on an entry."""
    entry, g = entries()[name]
    action = g.value(entry, MF + "action")
    data, shapes = _file(g.value(action, SHT + "dataGraph")), _file(g.value(action, SHT + "shapesGraph"))
    # --timeout 0: in this process (no child per run), so rdflib and pySHACL are imported once
    r = CliRunner().invoke(main, ["validate", "--timeout", "0", "--no-default-graph", "--engine", engine, "--shapes", str(shapes),
                                  "--data", str(data), "--format", "turtle"], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def actual(name: str, engine: str):
    code, stdout, stderr = run(name, engine)
    if code in (2, 3):  # refused: bad input, or by policy (SERVICE)
        return "failure"
    if code not in (0, 1):
        return f"exit {code}: {stderr}"
    spo: dict = {}
    reports = []
    for t in ox.parse(stdout.encode(), format=ox.RdfFormat.TURTLE):
        spo.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
        if t.predicate.value == RDF + "type" and t.object.value == SH + "ValidationReport":
            reports.append(t.subject)
    assert len(reports) == 1
    conforms, results = _results(spo, reports[0])
    # exit 1 when there are violations; sh:conforms is false when there are any results
    assert (code == 1) == any(r[5] == f"<{SH}Violation>" for r in results), stdout
    assert conforms == (not results), stdout
    return conforms, results


def passes(name: str, engine: str) -> bool:
    return actual(name, engine) == expected(name)


NAMES = sorted(entries())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", NAMES)
def test_w3c_shacl(name, engine):
    want = expected(name)
    got = actual(name, engine)
    if name in NEITHER:
        code, stdout, stderr = run(name, engine)
        assert code == 2 and stdout == "" and len(stderr.strip().splitlines()) == 1, stderr
        return
    if want == "failure":
        code, stdout, stderr = run(name, engine)
        assert got == "failure" and stdout == "", stderr
        assert stderr.startswith("yilian: error:") and len(stderr.strip().splitlines()) == 1, stderr
        return
    assert got == want


@pytest.mark.parametrize("name", NAMES)
def test_the_sparql_engine_handles_what_it_can(name):
    # the default engine validates every other shapes graph itself
    _, _, stderr = run(name, "sparql")
    assert ("validating with pySHACL" in stderr) == (name in HANDED_TO_PYSHACL), stderr


def summary() -> dict:
    """How many entries each engine passes, and how many the default engine runs itself."""
    total = len(NAMES)
    out = {"total": total}
    for engine in ENGINES:
        out[engine] = sum(passes(n, engine) for n in NAMES)
    out["sparql-itself"] = sum(passes(n, "sparql") and "validating with pySHACL" not in run(n, "sparql")[2]
                               for n in NAMES)
    return out


def readme_sentence(s: dict) -> str:
    return (f"passes {s['sparql']} of {s['total']} W3C SHACL Core and SHACL-SPARQL tests "
            f"({s['sparql-itself']} on its own, the rest handed to pySHACL; `--engine pyshacl` passes {s['pyshacl']})")


def test_readme_states_the_w3c_result():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sentence = readme_sentence(summary())
    assert sentence in re.sub(r"\s+", " ", readme), sentence


if __name__ == "__main__":  # print the README's sentence: python3 tests/test_w3c_shacl.py
    import sys
    import time

    for n in NAMES:
        for e in ENGINES:
            t = time.time()
            ok = passes(n, e)
            print(f"{'ok  ' if ok else 'FAIL'} {e:8} {n} {time.time() - t:.2f}s", run(n, e)[2].strip()[:300],
                  file=sys.stderr, flush=True)
    print(readme_sentence(summary()))
