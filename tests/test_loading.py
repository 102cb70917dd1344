"""Reading RDF input: formats by extension, folders, and errors that name file:line:col."""

from __future__ import annotations

import pytest

from yilian.errors import ExitCode, InputError, PolicyError
from yilian.dataset.parse import load, parse_file
from yilian.dataset.sources import Sources, collect_files

GOOD = '@prefix ex: <http://example.org/> .\nex:a ex:b "c" .\n'


def write(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def test_folders_are_read_recursively_in_sorted_order(tmp_path):
    write(tmp_path, "b.ttl", GOOD)
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/a.nt", "<http://e/x> <http://e/y> <http://e/z> .\n")
    write(tmp_path, "notes.txt", "not rdf")
    files = collect_files([tmp_path])
    assert [f.name for f in files] == ["b.ttl", "a.nt"]
    assert len(load(Sources((str(tmp_path),), default_graph=False))) == 2


@pytest.mark.parametrize(
    "name, content, where, words",
    [
        ("missing-dot.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n', ":3:", ""),
        ("undeclared.ttl", '@prefix ex: <http://e/> .\nex:a ex:b foo:c .\n', ":2:11", "foo"),
        ("bad-iri.nt", "<http://e/a b> <http://e/p> <http://e/o> .\n", ":1:", "IRI"),
    ],
)
def test_syntax_errors_name_file_line_column(tmp_path, name, content, where, words):
    p = write(tmp_path, name, content)
    with pytest.raises(InputError) as e:
        parse_file(p)
    assert e.value.where.startswith(str(p) + where)
    assert words in e.value.message


def test_unknown_extension_missing_file_and_folder_errors(tmp_path):
    p = write(tmp_path, "data.csv", "a,b\n")
    with pytest.raises(InputError, match="cannot tell the RDF format"):
        collect_files([p])
    with pytest.raises(InputError, match="no such file"):
        collect_files([tmp_path / "nope.ttl"])


def test_binary_and_latin1_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="binary"):
        parse_file(write(tmp_path, "bin.ttl", b"\x89PNG\r\n\x1a\n\x00\x00"))
    with pytest.raises(InputError, match="UTF-8") as e:
        parse_file(write(tmp_path, "latin.ttl", '@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n'.encode("latin-1")))
    assert e.value.where.endswith(":2:15")


def test_rdfxml_with_entities_is_refused(tmp_path):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
    with pytest.raises(PolicyError) as e:
        parse_file(write(tmp_path, "bomb.rdf", bomb))
    assert e.value.exit_code == ExitCode.REFUSED and e.value.where.endswith(":2")


def test_jsonld_remote_context_is_not_fetched(tmp_path):
    p = write(tmp_path, "ctx.jsonld", '{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://e/a", "p": 1}')
    with pytest.raises(InputError, match="never fetched"):
        parse_file(p)


def test_failed_file_contributes_nothing(tmp_path):
    write(tmp_path, "a.ttl", GOOD)
    write(tmp_path, "b.ttl", '@prefix ex: <http://e/> .\nex:x ex:y "1" .\nex:broken ex:y .\n')
    with pytest.raises(InputError):
        load(Sources((str(tmp_path),), default_graph=False))


def test_cli_reports_bad_data_on_one_line(run, tmp_path):
    p = write(tmp_path, "bad.ttl", '@prefix ex: <http://e/> .\nex:a ex:b foo:c .\n')
    r = run("stats", "--no-default-graph", "--data", p)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert r.stderr.count("\n") == 1 and f"{p}:2:11:" in r.stderr and "foo" in r.stderr
    assert r.stdout == ""


def test_streamed_files_give_the_same_quads_and_errors_as_parse_file(tmp_path, monkeypatch):
    """validate streams big files (dataset.parse.stream_file): the same quads, and for bad
    input the same one-line error with file:line:col, as parsing the file whole."""
    from test_safety import BAD_FILES

    from yilian.dataset import parse

    monkeypatch.setattr(parse, "STREAM_ABOVE", 0)
    good = write(tmp_path, "good.ttl", GOOD + '<http://e/x> <http://e/y> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    assert list(parse.stream_file(good)) == parse_file(good)
    for name, content, _, _ in BAD_FILES:
        p = write(tmp_path, name, content)
        with pytest.raises((InputError, PolicyError)) as whole:
            parse_file(p)
        with pytest.raises((InputError, PolicyError)) as streamed:
            list(parse.stream_file(p))
        assert (streamed.value.where, streamed.value.message) == (whole.value.where, whole.value.message), name
