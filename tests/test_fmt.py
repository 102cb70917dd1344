"""yilian fmt: canonical Turtle, verified before rewrite; --check for CI."""

from __future__ import annotations

import rdflib
from rdflib.compare import isomorphic

from yilian.errors import ExitCode

from conftest import ROOT

MESSY = """# A header comment that stays.
# Second line.

@prefix ex: <http://example.org/> .
@prefix yl: <https://w3id.org/yilian/ontology#> .
ex:b ex:p "2" ; ex:p "1" .   # an inline comment that goes
ex:a ex:q [ ex:r ex:s ] ; a yl:Hospital .
"""


def test_fmt_rewrites_keeps_header_and_graph_and_is_idempotent(run, tmp_path):
    f = tmp_path / "messy.ttl"
    f.write_text(MESSY, encoding="utf-8")
    before = rdflib.Graph().parse(f, format="turtle")
    r = run("fmt", "--check", f)
    assert r.exit_code == ExitCode.FALSE and f"would reformat {f}" in r.stderr
    assert f.read_text(encoding="utf-8") == MESSY  # --check never writes
    r = run("fmt", f)
    assert r.exit_code == 0 and f"reformatted {f}" in r.stderr
    text = f.read_text(encoding="utf-8")
    assert text.startswith("# A header comment that stays.\n# Second line.\n\n@prefix")
    assert "inline comment" not in text
    assert text.index("ex:a") < text.index("ex:b")  # sorted subjects
    assert "@prefix ex: <http://example.org/> ." in text  # the file's own prefix kept
    assert isomorphic(before, rdflib.Graph().parse(f, format="turtle"))
    again = f.read_bytes()
    assert run("fmt", "--check", f).exit_code == 0
    run("fmt", f)
    assert f.read_bytes() == again


def test_fmt_refuses_bad_files_and_writes_nothing(run, tmp_path):
    good = tmp_path / "a.ttl"
    good.write_text(MESSY, encoding="utf-8")
    bad = tmp_path / "b.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n", encoding="utf-8")
    r = run("fmt", tmp_path)
    assert r.exit_code == ExitCode.BAD_INPUT and f"{bad}:2:" in r.stderr
    assert good.read_text(encoding="utf-8") == MESSY  # nothing is written when any file fails


def test_fmt_only_takes_turtle(run, tmp_path):
    f = tmp_path / "x.nt"
    f.write_text("<http://e/a> <http://e/b> <http://e/c> .\n", encoding="utf-8")
    assert run("fmt", f).exit_code == ExitCode.BAD_INPUT


def test_repository_turtle_is_canonical(run):
    r = run("fmt", "--check", ROOT / "graph", ROOT / "ontology", ROOT / "shapes")
    assert r.exit_code == 0, r.stderr
