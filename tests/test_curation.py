"""Growing the graph from a new article (issue 16): source add, draft, add, check.

The fixture article tests/data/curation/900_lianxiang.txt is made up (a county medical
community in Xiangtan county); the tests register it, draft it, accept some candidates as
a curator would, add them, and find them again with `yilian query`. `draft` runs with
--timeout 0 so that jieba's dictionary is loaded once for the whole module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
import yaml

from conftest import CORPUS, DATA

ARTICLE = DATA / "curation" / "900_lianxiang.txt"
YL = rdflib.Namespace("https://w3id.org/yilian/ontology#")
YID = rdflib.Namespace("https://w3id.org/yilian/id/")
XSD = rdflib.XSD


def register(run, article: Path, folder: Path, *extra) -> object:
    return run("source", "add", article, "--title", "莲乡医共体建设再提速", "--into", folder, "--timeout", "0", *extra)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """A registered copy of the fixture article and its draft: (folder, article, sheet dict, sheet path)."""
    from click.testing import CliRunner

    from yilian.cli import main

    def run(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    base = tmp_path_factory.mktemp("curation")
    article = base / ARTICLE.name
    shutil.copy(ARTICLE, article)
    folder = base / "mine"
    r = run("source", "add", article, "--title", "莲乡医共体建设再提速", "--date", "2025-10-10",
            "--publication", "大众卫生报", "--issue", "3221", "--author", "王丽", "--into", folder, "--timeout", "0")
    assert r.exit_code == 0, r.stderr
    sheet_path = base / "900.yaml"
    r = run("draft", article, "--data", folder, "-o", sheet_path, "--timeout", "0")
    assert r.exit_code == 0, r.stderr
    return folder, article, yaml.safe_load(sheet_path.read_text(encoding="utf-8")), sheet_path


def blocks(sheet: dict, kind: str) -> list[dict]:
    return [b for b in sheet["facts"] if b["kind"] == kind]


def by_printed(sheet: dict, printed: str) -> dict:
    (b,) = [b for b in blocks(sheet, "observation") if b["printed"] == printed]
    return b


def write_sheet(path: Path, sheet: dict) -> Path:
    path.write_text(yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def curated(sheet: dict) -> dict:
    """What a curator keeps of the fixture's draft: the primary-care share, the ECG count
    with a new indicator, the new TCM hospital, the person and post, the event, the
    lead membership and the declared count."""
    s = json.loads(json.dumps(sheet))
    keep = by_printed(s, "66.2%")
    keep.update(accept=True, about="yid:xiangtan-county")
    ecg = by_printed(s, "1.2万例")
    ecg.update(accept=True, about="yid:xiangtan-county-medical-community",
               indicator={"id": "ind-county-remote-ecg-diagnoses", "zh": "医共体远程心电诊断量",
                          "en": "remote ECG diagnoses in a county medical community",
                          "definition": "Remote ECG diagnoses made by a county medical community."})
    for b in s["facts"]:
        if b["kind"] in ("person", "position", "event", "membership", "member_count"):
            b["accept"] = True
        if b["kind"] == "organization" and b["name"] in ("湘潭县中医医院", "湘潭县卫生健康局"):
            b["accept"] = True
        if b["kind"] == "mention" and b["entity"] == "yid:xiangtan-county-people-hospital":
            b["accept"] = True
    return s


# ---------------------------------------------------------------- source add

def test_source_add_records_metadata_hash_and_file(drafted):
    folder, article, _, _ = drafted
    g = rdflib.Graph().parse(folder / "source-900.ttl")
    doc = YID["doc-900"]
    assert (doc, rdflib.RDF.type, YL.SourceDocument) in g
    assert g.value(doc, YL.corpusFile) == rdflib.Literal("900_lianxiang.txt")
    from yilian.curation.text import read_article

    assert str(g.value(doc, YL.textSha256)) == read_article(article).sha256
    assert g.value(doc, rdflib.URIRef("https://schema.org/datePublished")) == rdflib.Literal("2025-10-10", datatype=XSD.date)
    issue = g.value(doc, rdflib.URIRef("https://schema.org/isPartOf"))
    assert issue == YID["dzwsb-3221"]  # named like the bundled issues of 大众卫生报
    assert g.value(issue, rdflib.URIRef("https://schema.org/isPartOf")) == YID["dazhong-weisheng-bao"]
    author = g.value(doc, rdflib.URIRef("https://schema.org/author"))
    assert author == YID["wang-li"] and (author, rdflib.RDFS.label, rdflib.Literal("王丽", lang="zh")) in g


def test_source_add_keeps_a_partial_date_partial(run, tmp_path):
    article = tmp_path / "901_a.txt"
    article.write_text("今年，某县卫生院门诊量增长12%。\n", encoding="utf-8")
    r = register(run, article, tmp_path / "mine", "--date", "2025-10")
    assert r.exit_code == 0, r.stderr
    g = rdflib.Graph().parse(tmp_path / "mine" / "source-901.ttl")
    doc = YID["doc-901"]
    assert g.value(doc, YL.estimatedDate) == rdflib.Literal("2025-10", datatype=XSD.gYearMonth)
    assert g.value(doc, rdflib.URIRef("https://schema.org/datePublished")) is None
    assert "Only the year and month" in str(g.value(doc, YL.note))


def test_unknown_date_leaves_relative_years_unresolved(run, tmp_path):
    article = tmp_path / "902_b.txt"
    article.write_text("今年1至6月，全县基层诊疗量同比提升5.21%。\n", encoding="utf-8")
    assert register(run, article, tmp_path / "mine", "--date", "unknown").exit_code == 0
    g = rdflib.Graph().parse(tmp_path / "mine" / "source-902.ttl")
    assert "not printed and not known" in str(g.value(YID["doc-902"], YL.note))
    r = run("draft", article, "--data", tmp_path / "mine", "--timeout", "0")
    assert r.exit_code == 0, r.stderr
    (obs,) = blocks(yaml.safe_load(r.stdout), "observation")
    assert obs["change"] == 5.21 and obs["change_unit"] == "yid:unit-percent" and obs["comparison"] == "year-on-year"
    assert obs["period_start"] is None and obs["period"] is None
    assert "今年 is not resolved" in obs["note"]


def test_registering_the_same_text_twice_is_refused(run, drafted, tmp_path):
    folder, article, _, _ = drafted
    r = register(run, article, folder, "--date", "2025-10-10", "--id", "another")
    assert r.exit_code == 2
    assert "already registered as yid:doc-900" in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["source-900.ttl"]  # nothing written


# ---------------------------------------------------------------- draft

def test_draft_proposes_numbers_with_unit_qualifier_change_and_period(drafted):
    _, _, sheet, _ = drafted
    assert sheet["source"] == "yid:doc-900" and sheet["date"] == "2025-10-10"
    share = by_printed(sheet, "66.2%")
    assert (share["value"], share["unit"]) == (66.2, "yid:unit-percent")
    assert (share["change"], share["change_unit"], share["comparison"]) == (3.1, "yid:unit-percentage-point", "year-on-year")
    # 今年1至9月, resolved against the publication date
    assert (share["period_start"], share["period_end"]) == ("2025-01", "2025-09")
    assert share["indicator"] == "yid:ind-primary-care-visit-share"
    assert share["quote"] == "全县基层诊疗量占比达66.2%，同比提升3.1个百分点"
    over = by_printed(sheet, "超90%")
    assert (over["value"], over["qualifier"]) == (90, "more-than")
    money = by_printed(sheet, "约85万元")
    assert (money["value"], money["unit"], money["qualifier"]) == (85, "yid:unit-10k-yuan", "approximately")
    ecg = by_printed(sheet, "1.2万例")
    assert (ecg["value"], ecg["unit"]) == (1.2, "yid:unit-10k-case")  # value as printed, 万 in the unit
    staff = by_printed(sheet, "120余名")
    assert (staff["value"], staff["unit"], staff["qualifier"]) == (120, "yid:unit-person", "more-than")
    assert by_printed(sheet, "18家")["unit"] == "yid:unit-institution"


def test_draft_reads_chinese_numerals_with_cn2an(run, tmp_path):
    article = tmp_path / "903_c.txt"
    article.write_text("全市组建二十三个家庭医生团队，培训一百二十名村医，实现一体化管理。\n", encoding="utf-8")
    r = run("draft", article, "--timeout", "0")
    assert r.exit_code == 0, r.stderr
    found = {(b["printed"], b["value"]) for b in blocks(yaml.safe_load(r.stdout), "observation")}
    assert ("二十三个", 23) in found and ("一百二十名", 120) in found
    assert not any(p.startswith("一体") for p, _ in found)  # 一体化 is a word, not a number


def test_draft_every_quote_is_verbatim_and_every_block_starts_unaccepted(drafted):
    from yilian.curation.text import find_quote, read_article

    _, article, sheet, _ = drafted
    text = read_article(article).squashed
    assert sheet["facts"]
    for b in sheet["facts"]:
        assert b["accept"] is False
        assert find_quote(b["quote"], text), b


def test_draft_finds_known_and_new_organizations_people_events_and_memberships(drafted):
    _, _, sheet, _ = drafted
    assert "yid:xiangtan-county-people-hospital" in {b["entity"] for b in blocks(sheet, "mention")}
    new = {b["name"]: b for b in blocks(sheet, "organization")}
    assert new["湘潭县中医医院"]["class"] == "yl:TCMHospital"
    assert new["湘潭县中医医院"]["located_in"] == "yid:xiangtan-county"
    assert new["湘潭县卫生健康局"]["class"] == "yl:HealthCommission"
    (person,) = blocks(sheet, "person")
    assert (person["id"], person["name"], person["en"]) == ("zhang-wei", "张伟", "Zhang Wei")
    (post,) = blocks(sheet, "position")
    assert (post["person"], post["organization"], post["title"]) == ("zhang-wei", "yid:xiangtan-county-people-hospital", "院长")
    (event,) = blocks(sheet, "event")
    assert (event["class"], event["start_date"]) == ("yl:Conference", "2025-10-08")
    roles = {(b["member"], b["role"]) for b in blocks(sheet, "membership")}
    assert ("yid:xiangtan-county-people-hospital", "lead") in roles
    assert (new["湘潭县中医医院"]["id"], "joint") in roles
    (count,) = blocks(sheet, "member_count")
    assert (count["count"], count["role"], count["member_kind"]) == (18, "linked", "乡镇卫生院")


# ---------------------------------------------------------------- add + query + check: the round trip

def test_round_trip_add_then_query_and_check(run, drafted, tmp_path):
    folder, article, sheet, sheet_path = drafted
    mine = tmp_path / "mine"
    shutil.copytree(folder, mine)
    path = write_sheet(sheet_path.parent / "900-curated.yaml", curated(sheet))
    r = run("add", path, "--into", mine, "--timeout", "0")
    assert r.exit_code == 0, r.stderr
    assert "added 7 facts, 3 new entities and 1 mention of yid:doc-900" in r.stderr
    g = rdflib.Graph().parse(mine / "facts-900.ttl")
    share = YID["f900-obs-002"]
    assert g.value(share, YL.value) == rdflib.Literal("66.2", datatype=XSD.decimal)
    assert g.value(share, YL.periodStart) == rdflib.Literal("2025-01", datatype=XSD.gYearMonth)
    assert g.value(share, YL.source) == YID["doc-900"]
    for node in set(g.subjects(YL.source, None)):
        assert g.value(node, YL.quote) is not None
    # the file is canonical Turtle: fmt has nothing to do
    assert run("fmt", "--check", mine).exit_code == 0
    q = run("query", "--data", mine, "--format", "csv", "--no-store",
            "SELECT ?v ?u WHERE { ?o yl:source yid:doc-900 ; yl:indicator yid:ind-primary-care-visit-share ; "
            "yl:value ?v ; yl:unit ?u }")
    assert q.exit_code == 0, q.stderr
    assert q.stdout.splitlines() == ["v,u", "66.2,https://w3id.org/yilian/id/unit-percent"]
    q = run("query", "--data", mine, "--format", "csv", "--no-store",
            "SELECT ?name WHERE { ?p org:member ?m ; yl:title \"院长\"@zh ; yl:source yid:doc-900 . ?m rdfs:label ?name "
            "FILTER(lang(?name) = 'zh') }")
    assert q.stdout.splitlines() == ["name", "张伟"]
    c = run("check", "--sources", article.parent, "--data", mine, "--no-default-graph")
    assert c.exit_code == 0, c.stdout
    assert c.stdout.startswith("All quotes verbatim: 7 facts")
    assert run("validate", "--data", mine).exit_code == 0


def test_adding_a_sheet_twice_refuses_the_taken_ids(run, drafted, tmp_path):
    folder, _, sheet, sheet_path = drafted
    mine = tmp_path / "mine"
    shutil.copytree(folder, mine)
    path = write_sheet(sheet_path.parent / "900-twice.yaml", curated(sheet))
    assert run("add", path, "--into", mine, "--timeout", "0").exit_code == 0
    before = (mine / "facts-900.ttl").read_bytes()
    r = run("add", path, "--into", mine, "--timeout", "0")
    assert r.exit_code == 2
    assert "yid:f900-obs-002 already exists in the graph" in r.stderr
    assert (mine / "facts-900.ttl").read_bytes() == before


# ---------------------------------------------------------------- add refuses bad sheets, writing nothing

def refused(run, drafted, tmp_path, edit, name):
    folder, _, sheet, sheet_path = drafted
    mine = tmp_path / "mine"
    shutil.copytree(folder, mine)
    s = curated(sheet)
    edit(s)
    path = write_sheet(sheet_path.parent / f"900-{name}.yaml", s)
    before = sorted(p.name for p in mine.iterdir())
    r = run("add", path, "--into", mine, "--timeout", "0")
    assert r.exit_code == 2, r.stderr
    assert sorted(p.name for p in mine.iterdir()) == before  # nothing half-added
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0].startswith("yilian: error: ") and "nothing was added" in lines[0]
    return lines[1:]


def test_quote_not_in_the_source_refuses_the_whole_sheet(run, drafted, tmp_path):
    def edit(s):
        by_printed(s, "66.2%")["quote"] = "全县基层诊疗量占比达76.2%"
    (line,) = refused(run, drafted, tmp_path, edit, "quote")
    assert "obs-002 quote: “全县基层诊疗量占比达76.2%” is not in 900_lianxiang.txt" in line
    assert "900-quote.yaml:" in line and "copy the passage verbatim" in line


def test_unknown_entity_is_refused_with_a_suggestion(run, drafted, tmp_path):
    def edit(s):
        by_printed(s, "66.2%")["about"] = "yid:no-such-county"
        by_printed(s, "1.2万例")["about"] = "湘潭县人民医院"
    lines = refused(run, drafted, tmp_path, edit, "entity")
    assert any("about: unknown entity 'yid:no-such-county'" in x for x in lines)
    assert any("unknown entity '湘潭县人民医院' (did you mean yid:xiangtan-county-people-hospital?)" in x for x in lines)


def test_a_day_the_quote_does_not_print_is_refused(run, drafted, tmp_path):
    def edit(s):
        by_printed(s, "66.2%")["period_end"] = "2025-09-30"
    (line,) = refused(run, drafted, tmp_path, edit, "day")
    assert "period_end: 2025-09-30 has a day, but the quote prints no day 30日" in line
    assert "write 2025-09" in line


def test_reference_to_a_candidate_not_accepted_is_refused(run, drafted, tmp_path):
    def edit(s):
        for b in s["facts"]:
            if b["kind"] == "person":
                b["accept"] = False
    (line,) = refused(run, drafted, tmp_path, edit, "unaccepted")
    assert "person: refers to zhang-wei, which is not accepted" in line


def test_unknown_key_is_reported_as_a_typo(run, drafted, tmp_path):
    def edit(s):
        by_printed(s, "66.2%")["vaule"] = 66.2
    (line,) = refused(run, drafted, tmp_path, edit, "typo")
    assert "vaule: unknown key for a observation" in line


def test_a_shape_violation_is_refused_with_the_sheet_line(run, drafted, tmp_path):
    def edit(s):
        share = by_printed(s, "66.2%")
        share.update(value=166.2, change=None, change_unit=None, comparison=None)
    (line,) = refused(run, drafted, tmp_path, edit, "shape")
    assert "obs-002 yl:value:" in line and "between 0 and 100" in line and "900-shape.yaml:" in line


def test_hash_mismatch_refuses_the_sheet_and_fails_check(run, drafted, tmp_path):
    folder, article, sheet, sheet_path = drafted
    mine = tmp_path / "mine"
    shutil.copytree(folder, mine)
    changed = tmp_path / "texts" / article.name
    changed.parent.mkdir()
    changed.write_text(article.read_text(encoding="utf-8").replace("66.2%", "68.2%"), encoding="utf-8")
    path = write_sheet(sheet_path.parent / "900-hash.yaml", curated(sheet))
    r = run("add", path, "--into", mine, "--article", changed, "--timeout", "0")
    assert r.exit_code == 2
    assert "does not match the one registered for yid:doc-900" in r.stderr
    assert not (mine / "facts-900.ttl").exists()
    c = run("check", "--sources", changed.parent, "--data", mine, "--no-default-graph")
    assert c.exit_code == 1
    assert "Problem: yid:doc-900 [hash-mismatch]" in c.stdout


def test_sheet_that_is_not_yaml_names_the_line(run, drafted, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: yilian-facts/1\nfacts:\n  - id: a\n   kind: x\n", encoding="utf-8")
    r = run("add", bad, "--into", tmp_path / "mine")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"yilian: error: {bad}:4:") and "not valid YAML" in r.stderr
    assert not (tmp_path / "mine").exists()


# ---------------------------------------------------------------- bad articles

def test_gb18030_article_is_named_and_encoding_option_reads_it(run, tmp_path):
    article = tmp_path / "904_gbk.txt"
    article.write_bytes("湘潭县人民医院牵头组建医共体，联系18家乡镇卫生院。\n".encode("gb18030"))
    r = register(run, article, tmp_path / "mine", "--date", "2025-10-10")
    assert r.exit_code == 2
    assert "not UTF-8; it looks like GB18030/GBK" in r.stderr and "--encoding gb18030" in r.stderr
    assert len(r.stderr.splitlines()) == 1 and not (tmp_path / "mine").exists()
    r = register(run, article, tmp_path / "mine", "--date", "2025-10-10", "--encoding", "gb18030")
    assert r.exit_code == 0, r.stderr
    # the hash is that of the text, whatever the encoding it was saved in
    utf8 = tmp_path / "u" / "904_gbk.txt"
    utf8.parent.mkdir()
    utf8.write_text("湘潭县人民医院牵头组建医共体，联系18家乡镇卫生院。\r\n", encoding="utf-8-sig")
    c = run("check", "--sources", utf8.parent, "--data", tmp_path / "mine", "--no-default-graph")
    assert c.exit_code == 0, c.stdout  # no facts yet, and the hash matches


def test_binary_file_is_not_text(run, tmp_path):
    article = tmp_path / "905_bin.txt"
    article.write_bytes(bytes(range(256)) * 4)
    r = run("draft", article)
    assert r.exit_code == 2 and "not valid UTF-8" in r.stderr and "--encoding" in r.stderr


def test_empty_article_is_refused(run, tmp_path):
    article = tmp_path / "906_empty.txt"
    article.write_text(" \n\n", encoding="utf-8")
    for args in (("draft", article), ("source", "add", article, "--title", "x", "--date", "2025", "--into", tmp_path / "m")):
        r = run(*args)
        assert r.exit_code == 2 and "the article is empty" in r.stderr
    assert not (tmp_path / "m").exists()


def test_hash_ignores_bom_line_endings_and_normalisation_form():
    import unicodedata

    from yilian.curation.text import normalise, sha256

    text = "湘潭県\n第二行 café\n"
    variants = ["\ufeff" + text, text.replace("\n", "\r\n"), unicodedata.normalize("NFD", text)]
    assert {sha256(normalise(v)) for v in variants} == {sha256(normalise(text))}
    assert sha256(normalise(text)) != sha256(normalise(text.replace("二", "三")))


# ---------------------------------------------------------------- check

def test_made_up_quote_attributed_to_doc_001_fails_check(run, tmp_path):
    fake = tmp_path / "fake.ttl"
    fake.write_text(
        "@prefix yl: <https://w3id.org/yilian/ontology#> . @prefix yid: <https://w3id.org/yilian/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "yid:f001-made-up a yl:Observation ; rdfs:label \"编造的数字\"@zh ; yl:indicator yid:ind-primary-care-visits ;\n"
        "  yl:about yid:xiangtan ; yl:value 99 ; yl:unit yid:unit-percent ;\n"
        "  yl:source yid:doc-001 ; yl:quote \"湘潭全市基层诊疗量占比达99%\"@zh .\n", encoding="utf-8")
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside the project")
    assert run("validate", "--data", fake).exit_code == 0  # the shapes cannot see that the quote is made up
    r = run("check", "--sources", CORPUS, "--data", fake)
    assert r.exit_code == 1
    (problem, summary) = r.stdout.splitlines()
    assert problem == ("Problem: yid:f001-made-up [quote-not-found]: the quote is not in 001_8f5186f28e86cd4c.txt "
                       "(copy it verbatim from the text) “湘潭全市基层诊疗量占比达99%”")
    assert summary.startswith("1 problem: ")
    j = run("check", "--sources", CORPUS, "--data", fake, "--format", "json")
    assert j.exit_code == 1 and json.loads(j.stdout)["problems"][0]["kind"] == "quote-not-found"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the project")
def test_bundled_graph_passes_check(run):
    r = run("check", "--sources", CORPUS)
    assert r.exit_code == 0, r.stdout[-3000:]
    assert r.stdout.startswith("All quotes verbatim:") and "against 5 source texts" in r.stdout


def test_check_reports_missing_source_files_and_facts_without_source_or_quote(run, tmp_path):
    r = run("check", "--sources", tmp_path, "--no-default-graph", "--data", DATA / "mini.ttl")
    assert r.exit_code == 1
    assert "Problem: yid:t-doc [file-not-found]: t.txt is in none of the --sources folders" in r.stdout
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix yl: <https://w3id.org/yilian/ontology#> . @prefix yid: <https://w3id.org/yilian/id/> .\n"
                   "yid:t-x a yl:Membership .\n", encoding="utf-8")
    r = run("check", "--sources", tmp_path, "--no-default-graph", "--data", bad)
    assert r.exit_code == 1
    assert "Problem: yid:t-x [missing-quote]" in r.stdout and "Problem: yid:t-x [missing-source]" in r.stdout


def test_check_without_the_sources_folder_cannot_run(run, tmp_path):
    r = run("check", "--sources", tmp_path / "nowhere")
    assert r.exit_code == 2 and r.stdout == ""
    # it said "--sources must name a folder" and suggested the path just given
    assert r.stderr.startswith(f"yilian: error: {tmp_path / 'nowhere'}: no such folder") and "e.g." not in r.stderr
    a_file = tmp_path / "001.txt"
    a_file.write_text("x", encoding="utf-8")
    r = run("check", "--sources", a_file)
    assert r.exit_code == 2 and "not a file" in r.stderr


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the project")
def test_draft_of_a_bundled_article_names_its_document_by_file_name(run):
    r = run("draft", CORPUS / "001_8f5186f28e86cd4c.txt", "--timeout", "0")
    assert r.exit_code == 0, r.stderr
    sheet = yaml.safe_load(r.stdout)
    assert (sheet["source"], sheet["date"]) == ("yid:doc-001", "2025-09-30")
    assert "source: yid:doc-001  # matched by its file name" in r.stdout
    people = {b["name"] for b in blocks(sheet, "person")} | {b["person"] for b in blocks(sheet, "position")}
    assert "yid:lin-fang" in people  # 呼吸科主任林芳, a person the graph knows
