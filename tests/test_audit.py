"""The findings of the independent audit of the bundled graph (issue 14), one regression test
per finding, each asserting on the graph with SPARQL; and the links the audit asked to turn
from notes into edges, and the inferred dates as data."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store
from yilian.prefixes import PREFIXES

_STORE = None


def store() -> ox.Store:
    global _STORE
    if _STORE is None:
        _STORE = memory_store(Sources())
    return _STORE


def ask(query: str) -> bool:
    return bool(store().query(f"ASK {{ {query} }}", prefixes=PREFIXES, use_default_graph_as_union=True))


def select(query: str) -> list[dict[str, str]]:
    result = store().query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def values(query: str) -> set[str]:
    """The single column of a SELECT, as a set of lexical values."""
    return {next(iter(r.values())) for r in select(query)}


# --- the audit's findings -------------------------------------------------------------------

def test_two_year_duration_belongs_to_the_2023_batch_not_the_programme():
    assert not ask("yid:first-secretary-program yl:duration ?d")
    assert values("SELECT ?d WHERE { ?batch yl:partOf yid:first-secretary-program ; yl:duration ?d }") == {"P2Y"}
    # the batch is doc-003's 22 of May 2023, and its figures are about the batch
    assert ask("""yid:first-secretary-batch-2023 yl:source yid:doc-003 ; yl:since "2023-05"^^xsd:gYearMonth .
                  yid:f003-fs-count yl:about yid:first-secretary-batch-2023 ; yl:value 22""")
    # doc-001's 48 over two years stay about the whole programme
    assert ask("yid:f001-fs-count-two-years yl:about yid:first-secretary-program ; yl:value 48")


def test_doc_003_is_not_a_source_of_the_2022_04_first_batch_designation():
    sources = values("SELECT ?s WHERE { ?d yl:designationTitle ?t ; yl:date \"2022-04\"^^xsd:gYearMonth ; yl:source ?s "
                     "FILTER(CONTAINS(STR(?t), \"首批中央财政支持\")) }")
    assert sources == {PREFIXES["yid"] + "doc-001"}


def test_global_budget_policy_of_003_and_004_is_one_policy():
    assert ask("""yid:xiangtan-global-budget-payment yl:sameThingAs yid:ugroup-insurance-global-budget .
                  yid:ugroup-insurance-global-budget yl:sameThingAs yid:xiangtan-global-budget-payment .
                  yid:xiangtan-global-budget-payment yl:source yid:doc-003 .
                  yid:ugroup-insurance-global-budget yl:source yid:doc-004""")


def test_tang_wenjing_party_secretary_post_is_in_the_commission_party_committee():
    rows = select("""SELECT ?org ?kind WHERE { ?h org:member yid:tang-wenjing ; yl:title "党委书记"@zh ;
                                                   org:organization ?org . ?org a ?kind }""")
    assert rows == [{"org": PREFIXES["yid"] + "xiangtan-health-commission-party-committee",
                     "kind": PREFIXES["yl"] + "PartyCommittee"}]
    assert ask("yid:xiangtan-health-commission-party-committee org:subOrganizationOf yid:xiangtan-health-commission")


def test_cn43_0036_is_a_cn_serial_number_not_an_issn():
    assert not ask("?p schema:issn ?n")
    assert values("SELECT ?n WHERE { yid:dazhong-weisheng-bao yl:cnSerialNumber ?n }") == {"CN43-0036"}
    assert ask("yl:cnSerialNumber rdfs:subPropertyOf schema:identifier")


def test_002_research_projects_are_not_dated():
    assert ask("yid:f002-research-projects yl:value 44")
    assert not ask("yid:f002-research-projects yl:period|yl:periodStart|yl:periodEnd|yl:asOf ?d")


def test_xiangtan_central_and_county_hospitals_are_not_typed_general_hospitals():
    for h in ("xiangtan-central-hospital", "xiangtan-county-people-hospital"):
        assert not ask(f"yid:{h} a yl:GeneralHospital")
        assert ask(f"yid:{h} a yl:Hospital")


def test_2023_national_teleconference_has_no_invented_location():
    assert ask('yid:f000-reform-teleconference-2023 schema:startDate "2023-04-17"^^xsd:date')
    assert not ask("yid:f000-reform-teleconference-2023 schema:location ?where")


def test_002_sentence_on_chronic_and_common_illnesses_at_community_and_township_level():
    rows = select("""SELECT ?n ?q WHERE { ?n yl:source yid:doc-002 ; yl:quote ?q
                                          FILTER(CONTAINS(STR(?q), "慢病、常见病均可实现在社区、乡镇卫生院治疗、管理")) }""")
    assert [r["n"] for r in rows] == [PREFIXES["yid"] + "f002-tiered-care"]
    assert rows[0]["q"].startswith("如今,绝大多数株洲居民")


def test_no_entity_has_the_generic_name_yigongti():
    assert not ask('?e rdfs:label|skos:altLabel|skos:prefLabel "医共体"@zh')


@pytest.mark.parametrize("a, b", [
    ("xiangtan-key-specialty-building", "xiangtan-key-discipline-building"),
    ("xiangtan-major-disease-referral-centre", "major-disease-centre"),
    ("xiangtan-remote-expert-service", "major-disease-remote-network"),
])
def test_near_duplicates_are_linked_so_counts_do_not_double(a, b):
    assert ask(f"yid:{a} yl:sameThingAs yid:{b} . yid:{b} yl:sameThingAs yid:{a}")
    # counting one node per yl:sameThingAs group counts the pair once
    groups = values(f"""SELECT (MIN(STR(?m)) AS ?rep) WHERE {{ VALUES ?n {{ yid:{a} yid:{b} }}
                         ?n (yl:sameThingAs|^yl:sameThingAs)* ?m }} GROUP BY ?n""")
    assert len(groups) == 1


def test_talent_fund_pool_is_one_node_with_both_sources():
    named = values('SELECT ?e WHERE { ?e rdfs:label|skos:altLabel ?l FILTER(STR(?l) IN ("专项资金池", "人才专项资金池")) }')
    assert named == {PREFIXES["yid"] + "xiangtan-talent-fund-pool"}
    assert values("SELECT ?s WHERE { yid:xiangtan-talent-fund-pool yl:source ?s }") == {
        PREFIXES["yid"] + "doc-003", PREFIXES["yid"] + "doc-004"}
    assert ask("yid:xiangtan-talent-fund-pool yl:partOf yid:xiangtan-high-level-talent-measures")


def test_sameThingAs_is_always_stated_both_ways():
    assert not ask("?a yl:sameThingAs ?b FILTER NOT EXISTS { ?b yl:sameThingAs ?a }")


# --- notes made into edges ----------------------------------------------------------------

@pytest.mark.parametrize("person, unit", [
    ("zhou-honghao", "zhou-honghao-xiangtan-institute"),
    ("liu-zhiming", "liu-zhiming-studio"),
    ("li-yueheng", "li-yueheng-studio"),
    ("yi-junlin", "yi-junlin-team"),
])
def test_person_heads_institute_studio_or_team(person, unit):
    assert ask(f"yid:{person} org:headOf yid:{unit}")
    # and the sourced, quoted fact behind the edge
    assert ask(f"?f a yl:Headship ; org:member yid:{person} ; org:organization yid:{unit} ; yl:source ?d ; yl:quote ?q")


def test_volunteer_team_was_formed_by_the_trade_unions():
    assert ask("yid:yizhehong-volunteer-team schema:founder yid:xiangtan-health-system-trade-unions")
    assert ask("""?f a yl:Inauguration ; schema:about yid:yizhehong-volunteer-team ;
                     schema:organizer yid:xiangtan-health-system-trade-unions ; yl:source yid:doc-001 ; yl:quote ?q""")


# --- inferred dates as data ----------------------------------------------------------------

def test_inferred_dates_are_marked_with_their_origin():
    # the press conference's year is resolved from doc-003's estimated date
    assert ask("yid:f003-nhc-press-conference yl:dateInferred true ; yl:dateInferredFrom yid:doc-003")
    # the free clinic's year is carried over from the press conference
    assert ask("yid:f003-yi-junlin-free-clinic yl:dateInferred true ; yl:dateInferredFrom yid:f003-nhc-press-conference")
    # every fact whose date rests on doc-003's estimated date (an undated page) is marked
    unmarked = values("""SELECT ?f WHERE { ?f yl:source yid:doc-003 ; yl:asOf|yl:period|yl:periodStart|yl:date|schema:startDate ?d
                                           FILTER NOT EXISTS { ?f yl:dateInferred true } }""")
    assert unmarked == set()
    # a printed date is not marked
    assert not ask("yid:f000-reform-teleconference-2023 yl:dateInferred ?x")


def test_every_inferred_date_names_its_origin_and_says_how():
    assert not ask("?f yl:dateInferred true FILTER NOT EXISTS { ?f yl:dateInferredFrom ?o ; yl:note ?n }")
    assert ask("yl:dateInferred a owl:DatatypeProperty ; rdfs:range xsd:boolean . yl:dateInferredFrom a owl:ObjectProperty")
