"""Each competency question of ../shared/competency-questions.md, run as its named query
against the bundled graph, with the answer the sources give."""

from __future__ import annotations

import csv
import io


from yilian.sparql import run as querying
from yilian.sparql.named import all_queries, get
from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store

_STORE = None


def rows(name: str) -> list[dict[str, str]]:
    global _STORE
    if _STORE is None:
        _STORE = memory_store(Sources())
    out = querying.run(_STORE, get(name).text, fmt="csv").output.decode("utf-8")
    return list(csv.DictReader(io.StringIO(out)))


def col(name: str, column: str) -> list[str]:
    return [r[column] for r in rows(name)]


def test_every_query_has_an_id_and_a_question_and_runs():
    qs = all_queries()
    assert len(qs) == len({q.id for q in qs}) == 14
    for q in qs:
        assert q.question
        assert rows(q.id), f"{q.id} returned no rows"


def test_alliance_lead():
    r = rows("alliance-lead")
    assert {x["leadName"] for x in r} == {"湘潭市中心医院"}
    assert {x["linkedCount"] for x in r} == {"24"}
    assert set(" ".join(x["sources"] for x in r).split()) >= {"000_633512ee8592b204.txt", "004_fe1569b424d83979.txt"}


def test_specialty_alliances():
    r = rows("specialty-alliances")
    by_specialty = {x["specialty"]: x for x in r}
    assert set(by_specialty) == {"妇幼保健", "精神卫生", "医养结合", "中医", "口腔"}
    leads = {s: x["leadName"] for s, x in by_specialty.items()}
    assert leads["妇幼保健"] == "湘潭市妇幼保健院"
    assert leads["精神卫生"] == "湘潭市第五人民医院"
    assert leads["中医"] == "湘潭市中医医院"
    assert leads["口腔"] == "湘潭市口腔医院"
    # the source names the 医养结合 lead only as 市六医院
    assert "市六医院" in by_specialty["医养结合"]["leadShortNames"]
    assert "市五医院" in by_specialty["精神卫生"]["leadShortNames"]
    assert "市妇幼保健院" in by_specialty["妇幼保健"]["leadShortNames"]


def test_alliance_size():
    got = {x["allianceName"]: x["memberCount"] for x in rows("alliance-size")}
    assert len(got) == 5
    assert sorted(got.values()) == ["", "", "30", "34", "8"]
    assert [n for n, c in got.items() if c == "34"][0].find("妇幼保健") >= 0
    assert [n for n, c in got.items() if c == "30"][0].find("中医") >= 0
    assert [n for n, c in got.items() if c == "8"][0].find("精神卫生") >= 0
    assert sorted(n for n, c in got.items() if c == "") == sorted(n for n in got if "口腔" in n or "医养结合" in n)


def test_primary_care_share():
    r = rows("primary-care-share")
    assert len(r) == 2
    first, second = r
    assert (first["periodStart"], first["periodEnd"], first["value"], first["change"], first["changeUnit"]) == \
        ("2023-01", "2023-11", "67.36", "18.04", "个百分点")
    assert first["comparison"] == "同比" and first["file"].startswith("000")
    assert (second["period"], second["value"], second["file"][:3]) == ("2024", "68.5", "001")


def test_first_secretaries():
    got = {x["name"]: x for x in rows("first-secretaries")}
    assert set(got) == {"林芳", "张凯", "雷超奇"}
    assert (got["林芳"]["clinic"], got["林芳"]["from"]) == ("谭家山镇卫生院", "湘潭县人民医院")
    assert "呼吸科主任" in got["林芳"]["post"]
    assert (got["张凯"]["clinic"], got["张凯"]["from"], got["张凯"]["since"]) == ("银田镇卫生院", "韶山市人民医院", "2023-05")
    assert "内科专家" in got["张凯"]["post"]
    assert (got["雷超奇"]["clinic"], got["雷超奇"]["from"]) == ("姜畲镇中心卫生院", "湘潭市中心医院")
    assert "中西医结合科" in got["雷超奇"]["post"]
    assert set(got["雷超奇"]["sources"].split()) == {"001_8f5186f28e86cd4c.txt", "003_6be9a34e90ef74b9.txt"}


def test_county_coverage():
    assert sorted(set(col("county-coverage", "countyName"))) == ["湘乡市", "湘潭县", "韶山市"]


def test_national_promotion_2023():
    got = {(x["name"], x["post"], x["date"]) for x in rows("national-promotion-2023")}
    assert got == {("刘志仁", "湘潭市委书记", "2023-04-17"), ("胡贺波", "湘潭市委副书记、市长", "2023-10-19")}
    events = {x["name"]: x["eventName"] for x in rows("national-promotion-2023")}
    assert "全国卫生健康体改工作电视电话会议" in events["刘志仁"]
    assert "新闻发布会" in events["胡贺波"]


def test_zhuzhou_alliances():
    values = {x["indicator"]: x["value"] for x in rows("zhuzhou-alliances")}
    assert sorted(values.values(), key=int) == ["5", "15", "29", "45"]
    assert all(x["file"].startswith("002") for x in rows("zhuzhou-alliances"))


def test_shared_centers():
    names = col("shared-centers", "name")
    assert len(names) == 6
    for part in ("心电", "检验", "影像", "病理诊断", "后勤总务", "消毒供应"):
        assert sum(part in n for n in names) == 1, part


def test_first_secretary_results():
    """001's figures for the 48 (the answer), under 003's for the 22 of May 2023: one row
    per figure, each cell a term of the graph (portable to Virtuoso)."""
    got = [(x["indicator"], x["file"][:3], x["value"], x["qualifier"], x["change"], x["unit"], x["comparison"],
            x["date"], x["dateProperty"].rsplit("#", 1)[1], x["dateInferredFrom"].rsplit("/", 1)[-1])
           for x in rows("first-secretary-results")]
    assert got == [
        ("派驻第一书记人数", "001", "48", "", "", "人", "", "2025-09-30", "asOf", ""),
        ("派驻第一书记人数", "003", "22", "", "", "人", "", "2023-05", "period", "doc-003"),
        ("门诊人次", "001", "", "", "48.7", "%", "较基期", "2025-09-30", "asOf", ""),
        ("门诊人次", "003", "", "", "17.42", "%", "同比", "2024-09", "asOf", "doc-003"),
        ("出院人次", "001", "", "", "27.1", "%", "较基期", "2025-09-30", "asOf", ""),
        ("手术台次", "003", "", "", "11.11", "%", "同比", "2024-09", "asOf", "doc-003"),
        ("开展新技术数", "001", "58", "", "", "项", "", "2025-09-30", "asOf", ""),
        ("开展新技术数", "003", "130", "more than", "", "项", "", "2023", "periodStart", "doc-003"),
        ("培养骨干人数", "001", "126", "", "", "人", "", "2025-09-30", "asOf", ""),
    ]
    quotes = {(x["indicator"], x["file"][:3]): x["quote"] for x in rows("first-secretary-results")}
    assert "48.7%" in quotes["门诊人次", "001"] and "17.42%" in quotes["门诊人次", "003"]


def test_fact_source():
    (r,) = rows("fact-source")
    assert (r["publication"], r["issue"], r["date"], r["file"][:3]) == ("大众卫生报", "3214", "2025-09-30", "001")
    assert "453个家庭医生团队覆盖1269个村" in r["quote"]


def test_author_articles():
    assert [f[:3] for f in col("author-articles", "file")] == ["000", "001", "003", "004"]


def test_big_disease_subcentres():
    r = rows("big-disease-subcentres")
    assert sorted(x["placeName"] for x in r) == ["湘乡市", "湘潭县", "韶山市"]
    leads = {x["placeName"]: x["leadName"] for x in r}
    assert leads["湘乡市"] == "湘乡市人民医院"


def test_health_officials():
    got = {(x["name"], x["orgName"]): set(x["posts"].split("; ")) for x in rows("health-officials")}
    assert got == {("唐文静", "湘潭市卫生健康委员会"): {"党委书记", "主任"}, ("马金辉", "湘潭市医疗保障局"): {"局长"}}
