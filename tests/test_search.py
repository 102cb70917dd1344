"""yilian search: full-text search over names, alternate names, titles, quotes and notes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from yilian.errors import ExitCode


@pytest.fixture(scope="module")
def synth_graph(tmp_path_factory):
    """A small synthetic health system (300 institutions, seed 1) as CLI arguments."""
    from click.testing import CliRunner

    from yilian.cli import main

    path = tmp_path_factory.mktemp("synth") / "synth.nt"
    r = CliRunner().invoke(main, ["synth", "--institutions", "300", "--seed", "1", "-o", str(path)])
    assert r.exit_code == 0, r.stderr
    return ["--no-default-graph", "--data", str(path)]


def test_search_finds_a_chinese_idiom_in_a_note_and_marks_it(run):
    r = run("search", "门可罗雀")
    assert r.exit_code == 0, r.stderr
    assert "Entities" not in r.stdout
    assert "【门可罗雀】" in r.stdout and "yid:f001-lei-chaoqi-posting" in r.stdout
    doc = json.loads(run("search", "门可罗雀", "--format", "json").stdout)
    hits = {h["iri"]: h for h in doc["facts"]}
    hit = hits["https://w3id.org/yilian/id/f001-lei-chaoqi-posting"]
    assert hit["match"] == "门可罗雀" and "门可罗雀" in hit["text"] and hit["field"] in ("quote", "note")
    assert hit["sources"] == ["001_8f5186f28e86cd4c.txt", "003_6be9a34e90ef74b9.txt"]


def test_search_ranks_exact_names_first_then_alternate_then_partial(run):
    doc = json.loads(run("search", "市五医院", "--format", "json").stdout)
    first = doc["entities"][0]
    assert (first["iri"], first["match"]) == ("https://w3id.org/yilian/id/xiangtan-fifth-hospital", "alternate name")
    doc = json.loads(run("search", "湘潭县", "--format", "json").stdout)
    assert doc["entities"][0]["name"] == "湘潭县" and doc["entities"][0]["match"] == "exact name"
    assert all(e["match"] == "partial name" for e in doc["entities"][1:])


def test_search_english_is_case_insensitive_and_all_words_must_match(run):
    doc = json.loads(run("search", "xiangtan", "CENTRAL", "hospital", "--format", "json").stdout)
    names = [e["name"] for e in doc["entities"]]
    assert names[0] == "湘潭市中心医院"
    assert all("湘潭" in n or "Xiangtan" in n for n in names), names
    none = run("search", "xiangtan", "门可罗雀", "zzzz")
    assert none.exit_code == 0 and none.stdout == "nothing matches 'xiangtan 门可罗雀 zzzz'\n"


def test_search_filters_by_kind_and_source_and_limits(run):
    doc = json.loads(run("search", "第一书记", "--kind", "Posting", "--format", "json").stdout)
    assert doc["entities"] == [] and doc["total_facts"] == 3
    assert {f["kind"] for f in doc["facts"]} == {"posting"}
    doc = json.loads(run("search", "第一书记", "--source", "003", "--format", "json").stdout)
    assert doc["facts"] and all("003_6be9a34e90ef74b9.txt" in f["sources"] for f in doc["facts"])
    r = run("search", "第一书记", "--limit", "2")
    total = json.loads(run("search", "第一书记", "--format", "json").stdout)["total_facts"]
    assert total > 2 and f"Facts (2 of {total}; --limit shows more):" in r.stdout
    bad = run("search", "医院", "--kind", "nonsense")
    assert bad.exit_code == ExitCode.BAD_INPUT and "no kind of thing is called 'nonsense'" in bad.stderr
    assert bad.stdout == ""


def test_search_csv_keeps_the_match_apart_from_the_text(run):
    rows = list(csv.DictReader(io.StringIO(run("search", "6000余", "--format", "csv").stdout)))
    assert rows and all(r["section"] == "fact" and r["match"] == "6000余" for r in rows)
    assert any(r["field"] == "quote" and "6000余例" in r["text"] for r in rows)


def test_search_on_a_synthetic_graph(run, synth_graph):
    doc = json.loads(run("search", "人民医院", "--kind", "医院", "--format", "json", "--limit", "100", *synth_graph).stdout)
    assert doc["total_entities"] >= 1
    assert all("人民医院" in e["name"] for e in doc["entities"])
    assert all(e["kind"] == "general hospital" for e in doc["entities"])


def test_search_index_is_written_beside_the_store_and_reused(run, tmp_path):
    import shutil

    from yilian.explore.search import INDEX_DIR

    store = tmp_path / "store"
    assert run("query", "ASK {}", "--store", store).exit_code == 0
    assert not (store / INDEX_DIR).exists()  # building the store for a query does not index it
    first = run("search", "门可罗雀", "--store", store)
    assert (store / INDEX_DIR / "text").is_file() and (store / INDEX_DIR / "index.sqlite").is_file()
    shutil.rmtree(store / INDEX_DIR)  # a store built before the index existed: written on first search
    assert run("search", "门可罗雀", "--store", store).stdout == first.stdout
    assert (store / INDEX_DIR / "index.sqlite").is_file()
    assert run("search", "门可罗雀", "--no-store").stdout == first.stdout


def test_warm_search_answers_from_the_index_without_opening_the_store(run, tmp_path, monkeypatch):
    # issue 17: at 12M triples opening the database and reading the index's arrays out of
    # SQLite cost more than the search; with the index built, only the index is opened
    from yilian.dataset import store as ystore

    store = tmp_path / "store"
    first = run("search", "人民医院", "--format", "json", "--store", store)
    assert first.exit_code == 0, first.stderr

    def refuse(*_a, **_k):
        raise AssertionError("the database was opened")

    monkeypatch.setattr(ystore, "_read_only", refuse)
    for extra in ([], ["--timeout", "0", "--max-memory", "0"]):  # in a child process, and in this one
        warm = run("search", "人民医院", "--format", "json", "--store", store, *extra)
        assert warm.exit_code == 0, warm.stderr
        assert warm.stdout == first.stdout
    monkeypatch.undo()
    # --kind needs the store (class names and subclasses): opened as before
    kind = run("search", "人民医院", "--kind", "Hospital", "--format", "json", "--store", store)
    assert kind.exit_code == 0, kind.stderr
    assert json.loads(kind.stdout)["entities"]


def test_search_needs_words(run):
    r = run("search", " ")
    assert r.exit_code == ExitCode.BAD_INPUT and "nothing to search for" in r.stderr
