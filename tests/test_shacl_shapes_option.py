"""`yilian validate --shapes` (the user's own shapes, issue 12 finding 6), what SHACL-SPARQL
may not do (reach the network), and what broke on the pySHACL path and in the text report
(findings 8 and 9). Each test runs the CLI in-process on both engines."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import SH

from yilian.errors import ExitCode

ENGINES = ("sparql", "pyshacl")
PREFIXES = ("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n")


def _write(tmp_path, name: str, text: str):
    f = tmp_path / name
    f.write_text(PREFIXES + text, encoding="utf-8")
    return f


def _validate(run, data, shapes, engine, *more):
    return run("validate", "--no-default-graph", "--data", data, "--shapes", shapes, "--engine", engine, *more)


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_shapes_replaces_the_bundled_shapes(run, tmp_path, engine):
    shapes = _write(tmp_path, "shapes.ttl", "ex:S a sh:NodeShape ; sh:targetClass ex:Person ; "
                                            "sh:property [ sh:path ex:name ; sh:minCount 1 ] .\n")
    data = _write(tmp_path, "data.ttl", "ex:a a ex:Person ; ex:name \"A\" . ex:b a ex:Person .\n")
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == 1, r.stderr
    # (the engines word their default messages differently)
    assert r.stdout.splitlines()[0].startswith("Violation: ex:b ex:name: ")
    assert r.stdout.splitlines()[-1] == "Does not conform: 1 violation, 0 other results in 3 triples."
    # the bundled shapes (ylsh:) are not used, nor do yilian's ontology axioms join foreign data
    ttl = run("validate", "--no-default-graph", "--data", data, "--shapes", shapes, "--engine", engine,
              "--format", "turtle")
    g = rdflib.Graph().parse(data=ttl.stdout, format="turtle")
    assert len(list(g.objects(None, SH.result))) == 1
    assert "w3id.org/yilian" not in ttl.stdout


@pytest.mark.parametrize("engine", ENGINES)
def test_shapes_in_data_are_data_not_shapes(run, tmp_path, engine):
    # a shape in a --data file targets nothing: only --shapes names the shapes
    data = _write(tmp_path, "data.ttl", "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:class ex:Nothing .\n"
                                        "ex:a ex:p 1 .\n")
    shapes = _write(tmp_path, "shapes.ttl", "ex:T a sh:NodeShape ; sh:targetNode ex:a ; sh:nodeKind sh:IRI .\n")
    r = _validate(run, data, shapes, engine)
    assert (r.exit_code, r.stdout) == (0, "Conforms: 4 triples checked, 0 warnings.\n"), r.stderr


SERVICE_SHAPES = """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
    sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://127.0.0.1:9/sparql> { $this ?p ?o } }" ] .
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_service_in_a_sparql_constraint_is_refused_on_both_engines(run, tmp_path, engine):
    # the default engine used to send the request; pySHACL crashed with AttributeError
    shapes = _write(tmp_path, "shapes.ttl", SERVICE_SHAPES)
    data = _write(tmp_path, "data.ttl", "ex:a ex:p 1 .\n")
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == ExitCode.REFUSED and r.stdout == ""
    assert r.stderr == ("yilian: error: shapes graph: sh:sparql of <http://example.org/S>: sh:select uses SERVICE, "
                        "which would send a request over the network (SHACL constraints are checked on the data "
                        "given; remove the SERVICE clause)\n")


@pytest.mark.parametrize("engine", ENGINES)
def test_from_in_a_sparql_constraint_is_refused_on_both_engines(run, tmp_path, engine):
    # rdflib (under pySHACL) downloads a FROM graph
    shapes = _write(tmp_path, "shapes.ttl", """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:sparql [ sh:select "SELECT $this FROM <http://127.0.0.1:9/g> WHERE { $this ?p ?o }" ] .\n""")
    data = _write(tmp_path, "data.ttl", "ex:a ex:p 1 .\n")
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == ExitCode.REFUSED and "uses FROM" in r.stderr and r.stdout == ""


def test_service_in_a_sparql_constraint_is_refused_by_the_library(tmp_path):
    from yilian.dataset.sources import Sources
    from yilian.errors import PolicyError
    from yilian.shacl import validate as validation

    shapes = _write(tmp_path, "shapes.ttl", SERVICE_SHAPES)
    data = _write(tmp_path, "data.ttl", "ex:a ex:p 1 .\n")
    for engine in ENGINES:
        with pytest.raises(PolicyError):
            validation.validate(Sources((str(data),), False), engine, shapes_files=[shapes])
    # the engines themselves, called directly
    from yilian.dataset.parse import parse_file
    from yilian.shacl import engine as sparql_engine, pyshacl_bridge

    with pytest.raises(PolicyError):
        sparql_engine.validate(parse_file(data), parse_file(shapes))
    with pytest.raises(PolicyError):
        pyshacl_bridge.validate(parse_file(data), parse_file(shapes), [])


@pytest.mark.parametrize("engine", ENGINES)
def test_unicode_property_escape_in_sh_pattern(run, tmp_path, engine):
    # pySHACL crashed: re.error: bad escape \p
    shapes = _write(tmp_path, "shapes.ttl", 'ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:name ; '
                                            'sh:property [ sh:path ex:name ; sh:pattern "^\\\\p{L}+$" ] .\n')
    data = _write(tmp_path, "data.ttl", 'ex:a ex:name "张三" . ex:b ex:name "B-02"@en .\n')
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == 1, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("Violation: ex:b ex:name: ")
    assert '(value: "B-02"@en)' in first
    assert len(r.stdout.splitlines()) == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_pattern_no_regex_engine_reads_is_refused_not_passed(run, tmp_path, engine):
    # Oxigraph's REGEX is unbound on \p{IsBasicLatin}, so every value passed the constraint
    shapes = _write(tmp_path, "shapes.ttl", 'ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:name ; '
                                            'sh:property [ sh:path ex:name ; sh:pattern "^\\\\p{IsBasicLatin}+$" ] .\n')
    data = _write(tmp_path, "data.ttl", 'ex:a ex:name "张三" .\n')
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == ExitCode.BAD_INPUT and r.stdout == ""
    assert r.stderr.splitlines()[-1].startswith('yilian: error: shapes graph: sh:pattern "^\\p{IsBasicLatin}+$" is not')


@pytest.mark.parametrize("engine", ENGINES)
def test_sh_in_and_sh_has_value_compare_terms_not_values(run, tmp_path, engine):
    # pySHACL accepted "1.0"^^xsd:float for sh:in ("1"^^xsd:float) and "4"^^xsd:byte for
    # sh:hasValue "04"^^xsd:byte: rdflib normalised the literals
    shapes = _write(tmp_path, "shapes.ttl", """
        ex:In a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:f ; sh:in ( "1"^^xsd:float ) ] .
        ex:Has a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:b ; sh:hasValue "04"^^xsd:byte ] .
        """)
    data = _write(tmp_path, "data.ttl", 'ex:a ex:f "1.0"^^xsd:float ; ex:b "4"^^xsd:byte .\n')
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == 1, r.stderr
    assert '(value: "1.0"^^xsd:float)' in r.stdout and len(r.stdout.splitlines()) == 3
    ttl = _validate(run, data, shapes, engine, "--format", "turtle")
    g = rdflib.Graph().parse(data=ttl.stdout, format="turtle")
    components = sorted(str(c).rsplit("#", 1)[1] for c in g.objects(None, SH.sourceConstraintComponent))
    assert components == ["HasValueConstraintComponent", "InConstraintComponent"]


@pytest.mark.parametrize("engine", ENGINES)
def test_text_report_shows_values_as_terms(run, tmp_path, engine):
    # it said (value: B-02) for "B-02"@en and (value: 007) for "007"^^xsd:int; IRIs are
    # compacted with yilian's prefixes and those the shapes file declares
    shapes = _write(tmp_path, "shapes.ttl", """ex:S a sh:NodeShape ; sh:targetNode ex:a ;
        sh:property [ sh:path ex:code ; sh:datatype xsd:string ; sh:message "code must be a plain string" ] .
        """)
    data = _write(tmp_path, "data.ttl", 'ex:a ex:code "B-02"@en , "007"^^xsd:int , ex:c , "x" .\n')
    r = _validate(run, data, shapes, engine)
    assert r.exit_code == 1, r.stderr
    values = sorted(line.split("(value: ")[1].split(")")[0] for line in r.stdout.splitlines()[:-1])
    assert values == ['"007"^^xsd:int', '"B-02"@en', "ex:c"]


README = __import__("pathlib").Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("engine", ENGINES)
def test_readme_validate_shapes_example_is_the_real_output(run, engine):
    # the README shows this command and its output; both engines give it
    from conftest import ROOT

    text = README.read_text(encoding="utf-8")
    command = ("yilian validate --no-default-graph --data tests/data/shacl/people.ttl "
               "--shapes tests/data/shacl/person-shapes.ttl")
    block = text.split("$ " + command + "\n", 1)[1].split("```", 1)[0]
    r = run(*command.split()[1:3], "--data", ROOT / "tests/data/shacl/people.ttl",
            "--shapes", ROOT / "tests/data/shacl/person-shapes.ttl", "--engine", engine)
    assert r.exit_code == 1
    assert r.stdout == block
