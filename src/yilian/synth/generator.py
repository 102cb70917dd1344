"""A synthetic health system in yilian's own ontology, for tests and benchmarks at scale.

Provinces, cities and county-level divisions hold institutions of every kind in roughly
the national proportions (village clinics and private clinics most, then township and
community centres, a few hospitals and public-health institutions per county); alliances
of every type with memberships and declared counts; people in posts, postings of first
secretaries, events with participants, designations, cooperation ties and yearly metric
observations, each fact with a source document and a quote. The output conforms to
shapes/yilian-shapes.ttl.

The same (institutions, seed) always gives the same bytes. Generation streams one city at
a time, so memory stays bounded whatever the size; all IRIs start with yid:synth- so the
output can be loaded beside the bundled graph without clashes.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from ..errors import UsageError

NS = {
    "yl": "https://w3id.org/yilian/ontology#",
    "yid": "https://w3id.org/yilian/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
}
FORMATS = {".nt": "ntriples", ".ntriples": "ntriples", ".ttl": "turtle", ".turtle": "turtle"}
YEARS = (2021, 2022, 2023, 2024)

# --------------------------------------------------------------------------- names
# (hanzi, pinyin) pairs; place names are two of them, chosen by a seed-dependent
# permutation so that names are unique within their level.
_SYL = [
    ("青", "Qing"), ("山", "Shan"), ("河", "He"), ("阳", "Yang"), ("平", "Ping"), ("安", "An"),
    ("宁", "Ning"), ("江", "Jiang"), ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"),
    ("长", "Chang"), ("兴", "Xing"), ("华", "Hua"), ("丰", "Feng"), ("石", "Shi"), ("林", "Lin"),
    ("泉", "Quan"), ("源", "Yuan"), ("桥", "Qiao"), ("溪", "Xi"), ("湖", "Hu"), ("岭", "Ling"),
    ("新", "Xin"), ("永", "Yong"), ("富", "Fu"), ("春", "Chun"), ("秀", "Xiu"), ("明", "Ming"),
    ("清", "Qing"), ("嘉", "Jia"), ("云", "Yun"), ("龙", "Long"), ("凤", "Feng"), ("桂", "Gui"),
    ("梅", "Mei"), ("松", "Song"), ("柳", "Liu"), ("杨", "Yang"), ("白", "Bai"), ("金", "Jin"),
    ("玉", "Yu"), ("宝", "Bao"), ("德", "De"), ("仁", "Ren"), ("和", "He"), ("广", "Guang"),
    ("武", "Wu"), ("文", "Wen"), ("昌", "Chang"), ("盛", "Sheng"), ("乐", "Le"), ("福", "Fu"),
    ("寿", "Shou"), ("康", "Kang"), ("庆", "Qing"), ("泰", "Tai"), ("瑞", "Rui"), ("祥", "Xiang"),
    ("峰", "Feng"), ("川", "Chuan"), ("洲", "Zhou"), ("塘", "Tang"),
]
_SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
             ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
             ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("罗", "Luo"),
             ("高", "Gao"), ("林", "Lin"), ("谭", "Tan"), ("彭", "Peng"), ("曾", "Zeng"), ("邓", "Deng")]
_GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
          ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
          ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("霞", "xia"), ("平", "ping"),
          ("刚", "gang"), ("辉", "hui"), ("红", "hong"), ("鹏", "peng"), ("华", "hua"), ("婷", "ting")]
_SPECIALTIES = [("胸痛", "chest pain"), ("卒中", "stroke"), ("肿瘤", "oncology"), ("儿科", "paediatrics"),
                ("呼吸", "respiratory"), ("心血管", "cardiovascular"), ("骨科", "orthopaedics"),
                ("眼科", "ophthalmology"), ("精神卫生", "mental health"), ("康复", "rehabilitation")]
_DEPTS = ["心内科主任", "呼吸科主任", "外科主任", "儿科主任", "急诊科主任", "骨科主任", "神经内科主任", "妇产科主任"]

# Units and indicators the synthetic observations use. Those the bundled vocabulary
# defines are copied from it (so synth output and the bundled graph agree to the triple);
# the fallback definitions are used when the vocabulary does not have them.
_UNITS = {
    "unit-percent": ("%", "percent"),
    "unit-percentage-point": ("个百分点", "percentage point"),
    "unit-person": ("人", "persons"),
    "unit-person-time": ("人次", "person-times (visits)"),
    "unit-10k-person-time": ("万人次", "10,000 person-times"),
    "unit-bed": ("张", "beds"),
    "unit-institution": ("家", "institutions"),
}
_INDICATORS = {
    "ind-primary-care-visit-share": ("基层诊疗量占比", "share of visits at primary-care institutions",
                                     "Primary-care visits as a share of all visits in the area."),
    "ind-first-secretaries": ("派驻第一书记人数", "first secretaries posted",
                              "How many first secretaries a program has posted to primary-care institutions."),
    "ind-synth-outpatient-visits": ("门急诊诊疗人次", "outpatient and emergency visits",
                                    "Outpatient and emergency visits of an institution in a year."),
    "ind-synth-beds": ("编制床位数", "authorised beds", "The number of beds an institution is authorised to run."),
    "ind-synth-bed-occupancy": ("病床使用率", "bed occupancy rate", "Occupied bed-days as a share of available bed-days."),
    "ind-synth-downward-referrals": ("下转患者人次", "downward referrals",
                                     "Patients referred from a lead hospital down to member institutions in a year."),
    "ind-synth-primary-visits": ("基层机构诊疗人次", "visits at a primary-care institution",
                                 "Visits at one primary-care institution in a year."),
}


def _expand(term: str) -> str:
    """A prefixed name or a literal with a prefixed datatype, in N-Triples form."""
    if term[0] == '"':
        i = term.rfind('"^^')
        if i > 0 and term[i + 3] != "<":
            p, _, local = term[i + 3:].partition(":")
            return f'{term[:i + 3]}<{NS[p]}{local}>'
        return term
    if term[0] == "<" or term[0] == "_":
        return term
    p, _, local = term.partition(":")
    return f"<{NS[p]}{local}>"


def _lit(text: str, lang: str = "zh") -> str:
    if '"' in text or "\\" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"@{lang}'


def _str(text: str) -> str:
    return f'"{text}"'


def _typed(value, dt: str) -> str:
    return f'"{value}"^^xsd:{dt}'


def _int(n: int) -> str:
    return f'"{n}"^^xsd:integer'


def _dec(x: float) -> str:
    return f'"{x:.2f}"^^xsd:decimal'


class _Writer:
    """Writes subjects with their (predicate, object) pairs as N-Triples or Turtle."""

    def __init__(self, out: TextIO, fmt: str):
        self.out = out
        self.fmt = fmt
        self.triples = 0
        self._buf: list[str] = []
        if fmt == "turtle":
            out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in NS.items()) + "\n")

    def emit(self, s: str, pos: list[tuple[str, str]]) -> None:
        self.triples += len(pos)
        if self.fmt == "turtle":
            body = " ;\n    ".join(f"{p} {o}" for p, o in pos)
            self._buf.append(f"{s} {body} .\n")
        else:
            s = _expand(s)
            self._buf.append("".join(f"{s} {_expand(p)} {_expand(o)} .\n" for p, o in pos))
        if len(self._buf) >= 512:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join(self._buf))
        self._buf.clear()


@dataclass
class Plan:
    """How many places and institutions of each level the output will have."""

    institutions: int
    provinces: int
    cities: int
    counties: int
    #: province -> list of cities, each a list of institution counts per county
    layout: list[list[list[int]]] = field(default_factory=list)


def _split(rng: random.Random, total: int, parts: int, minimum: int = 0) -> list[int]:
    """Split total into parts (each at least minimum) with random, uneven weights."""
    if parts <= 0:
        return []
    base = [minimum] * parts
    rest = total - minimum * parts
    if rest <= 0:
        out = [total // parts] * parts
        for i in range(total - sum(out)):
            out[i] += 1
        return out
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = rest / sum(weights)
    shares = [int(w * scale) for w in weights]
    for i in range(rest - sum(shares)):
        shares[i % parts] += 1
    return [b + s for b, s in zip(base, shares)]


#: institutions a city adds itself (central, TCM, maternal-and-child, CDC, psychiatric hospital)
CITY_INSTITUTIONS = 5


def plan(institutions: int, seed: int) -> Plan:
    """Lay out places: about 350 institutions per county-level division, 8-9 counties per
    city and up to 31 provinces, as in China (1M institutions give 31/~340/~2,860)."""
    if institutions < 10:
        raise UsageError("--institutions must be at least 10", hint="a county needs a few institutions")
    rng = random.Random(f"{seed}/plan")
    counties = max(1, round(institutions / 350))
    cities = max(1, math.ceil(counties / 8.5))
    provinces = min(31, max(1, math.ceil(cities / 11)))
    cities_per_province = _split(rng, cities, provinces, 1)
    counties_per_city = _split(rng, counties, cities, 1)
    # each city keeps CITY_INSTITUTIONS for itself; the rest go to its counties
    county_total = institutions - CITY_INSTITUTIONS * cities
    if county_total < 5 * counties:
        raise UsageError(f"--institutions {institutions} is too small for {cities} cities",
                         hint="use at least 10 institutions per county-level division")
    per_county = _split(rng, county_total, counties, 5)
    layout: list[list[list[int]]] = []
    k = c = 0
    for ncities in cities_per_province:
        prov = []
        for _ in range(ncities):
            n = counties_per_city[c]
            prov.append(per_county[k:k + n])
            k += n
            c += 1
        layout.append(prov)
    return Plan(institutions, provinces, cities, counties, layout)


class _Names:
    """Unique two-syllable names per level, in a seed-dependent order."""

    def __init__(self, rng: random.Random):
        pairs = [(a, b) for a in range(len(_SYL)) for b in range(len(_SYL)) if a != b]
        rng.shuffle(pairs)
        self.pairs = pairs

    def get(self, i: int) -> tuple[str, str]:
        a, b = self.pairs[i % len(self.pairs)]
        zh, en = _SYL[a][0] + _SYL[b][0], _SYL[a][1] + _SYL[b][1].lower()
        if i >= len(self.pairs):  # beyond 4,032 names: add a number, still unique
            n = i // len(self.pairs) + 1
            zh, en = f"{zh}{n}", f"{en}{n}"
        return zh, en


@dataclass
class Summary:
    institutions: int
    provinces: int
    cities: int
    counties: int
    triples: int
    path: str


# Kinds of county institutions after the fixed ones, with weights from national counts
# (2023: about 580k village clinics, 300k clinics, 34k township centres, 37k community
# centres and stations, 38k hospitals, 12k public-health institutions).
_RURAL_MIX = [("VillageClinic", 0.60), ("PrimaryCareInstitution", 0.30), ("GeneralHospital", 0.020),
              ("SpecialtyHospital", 0.006), ("TCMHospital", 0.004), ("PublicHealthInstitution", 0.008)]
_URBAN_MIX = [("CommunityHealthServiceStation", 0.30), ("PrimaryCareInstitution", 0.58), ("GeneralHospital", 0.05),
              ("SpecialtyHospital", 0.03), ("StomatologyHospital", 0.01), ("TCMHospital", 0.01),
              ("PublicHealthInstitution", 0.02)]
_KIND_NAMES = {
    "VillageClinic": ("村卫生室", "Village Clinic"),
    "PrimaryCareInstitution": ("诊所", "Clinic"),
    "GeneralHospital": ("医院", "Hospital"),
    "SpecialtyHospital": ("专科医院", "Specialty Hospital"),
    "StomatologyHospital": ("口腔医院", "Stomatology Hospital"),
    "TCMHospital": ("中医院", "TCM Hospital"),
    "PublicHealthInstitution": ("卫生监督所", "Health Inspection Institute"),
    "CommunityHealthServiceStation": ("社区卫生服务站", "Community Health Service Station"),
}
_HOSPITALS = {"GeneralHospital", "SpecialtyHospital", "StomatologyHospital", "TCMHospital",
              "MaternalChildHealthHospital", "PsychiatricHospital"}


class _City:
    """Generates one prefecture-level city with its counties; holds only that city."""

    def __init__(self, gen: "Generator", p: int, c: int, counties: list[int], prov: dict):
        self.g = gen
        self.w = gen.w
        self.rng = random.Random(f"{gen.seed}/{p}/{c}")
        self.prov = prov
        self.id = f"synth-p{p:02d}-c{c:02d}"
        zh, en = gen.city_names.get(gen.city_index)
        gen.city_index += 1
        self.zh, self.en = zh + "市", en
        self.iri = f"yid:{self.id}"
        self.counties = counties
        self.people = 0
        self.facts = 0
        self.docs = {y: f"yid:{self.id}-doc-{y}" for y in YEARS}
        self.latest = self.docs[YEARS[-1]]

    # ---- helpers
    def fact(self, kind: str, pos: list, year: int, quote: str, label: str) -> str:
        self.facts += 1
        iri = f"yid:{self.id}-f{self.facts}"
        self.w.emit(iri, [("rdf:type", f"yl:{kind}")] + pos + [
            ("yl:source", self.docs[year]), ("yl:quote", _lit(quote)), ("rdfs:label", _lit(label))])
        return iri

    def entity(self, iri: str, cls: str, zh: str, en: str, extra: list, doc: str | None = None) -> None:
        self.w.emit(iri, [("rdf:type", f"yl:{cls}"), ("rdfs:label", _lit(zh)), ("rdfs:label", _lit(en, "en"))]
                    + extra + [("yl:mentionedIn", doc or self.latest)])

    def person(self) -> tuple[str, str]:
        r = self.rng
        s = r.choice(_SURNAMES)
        given = [r.choice(_GIVEN) for _ in range(r.choice((1, 2, 2)))]
        zh = s[0] + "".join(g[0] for g in given)
        en = f"{s[1]} {''.join(g[1] for g in given).capitalize()}"
        self.people += 1
        iri = f"yid:{self.id}-person-{self.people}"
        self.entity(iri, "Person", zh, en, [])
        return iri, zh

    def post(self, org: str, org_zh: str, title: str, year: int = YEARS[-1]) -> tuple[str, str]:
        who, name = self.person()
        self.fact("PositionHolding", [("org:member", who), ("org:organization", org), ("yl:title", _lit(title)),
                                      ("yl:asOf", _typed(f"{year + 1}-01-15", "date"))],
                  year, f"{org_zh}{title}{name}介绍了医院的发展情况。", f"{name}任{org_zh}{title}")
        return who, name

    def observe(self, about: str, about_zh: str, ind: str, year: int, value, unit: str, text: str,
                extra: list | None = None) -> None:
        v = _int(value) if isinstance(value, int) else _dec(value)
        ind_zh = _INDICATORS[ind][0]
        self.fact("Observation", [("yl:indicator", f"yid:{ind}"), ("yl:about", about),
                                  ("yl:period", _typed(year, "gYear")), ("yl:value", v), ("yl:unit", f"yid:{unit}")]
                  + (extra or []), year, text, f"{about_zh}{year}年{ind_zh}")

    def member(self, alliance: str, a_zh: str, org: str, org_zh: str, role: str, role_zh: str) -> None:
        self.fact("Membership", [("org:organization", alliance), ("org:member", org), ("org:role", f"yl:{role}")],
                  YEARS[-1], f"{a_zh}以{org_zh}为{role_zh}单位，推动优质医疗资源下沉。", f"{org_zh}{role_zh}{a_zh}")

    def count(self, alliance: str, a_zh: str, n: int, kind: str, role: str | None) -> None:
        pos = [("yl:alliance", alliance), ("yl:count", _int(n)), ("yl:memberKind", _lit(kind))]
        if role:
            pos.append(("yl:memberRole", f"yl:{role}"))
        self.fact("MemberCount", pos, YEARS[-1], f"{a_zh}共有成员单位{n}家，其中{kind}{n}家。", f"{a_zh}{kind}数")

    # ---- the city
    def generate(self) -> int:
        r, g = self.rng, self.g
        prov = self.prov
        # documents: one yearly report per city, printed in the province's health paper
        for y in YEARS:
            issue = f"yid:{self.id}-issue-{y}"
            date = f"{y + 1}-0{r.randint(1, 3)}-{r.randint(10, 28)}"
            number = str(1000 + y * 10 + int(self.id[-2:]))
            self.w.emit(issue, [("rdf:type", "yl:PublicationIssue"), ("rdfs:label", _lit(f"{prov['paper_zh']}第{number}期")),
                                ("rdfs:label", _lit(f"{prov['paper_en']} no. {number}", "en")),
                                ("schema:issueNumber", _str(number)), ("schema:datePublished", _typed(date, "date")),
                                ("schema:isPartOf", prov["paper"])])
            title = f"{self.zh}{y}年卫生健康事业发展统计公报"
            self.w.emit(self.docs[y], [
                ("rdf:type", "yl:SourceDocument"), ("rdfs:label", _lit(title)),
                ("rdfs:label", _lit(f"{self.en} health statistics bulletin {y} (synthetic)", "en")),
                ("schema:headline", _lit(title)), ("yl:corpusFile", _str(f"{self.id}-{y}.txt")),
                ("schema:isPartOf", issue), ("schema:datePublished", _typed(date, "date")),
                ("yl:coversPeriod", _typed(y, "gYear")), ("schema:author", prov["reporter"])])
        self.entity(self.iri, "PrefectureLevelCity", self.zh, self.en, [("schema:containedInPlace", prov["iri"])])
        gov = f"yid:{self.id}-government"
        hc = f"yid:{self.id}-health-commission"
        mib = f"yid:{self.id}-medical-insurance-bureau"
        self.entity(gov, "LocalGovernment", f"{self.zh}人民政府", f"{self.en} Municipal People's Government", [("yl:locatedIn", self.iri)])
        self.entity(hc, "HealthCommission", f"{self.zh}卫生健康委员会", f"{self.en} Municipal Health Commission",
                    [("yl:locatedIn", self.iri), ("skos:altLabel", _lit(f"{self.zh}卫健委"))])
        self.entity(mib, "MedicalInsuranceBureau", f"{self.zh}医疗保障局", f"{self.en} Medical Insurance Bureau", [("yl:locatedIn", self.iri)])
        hc_head, hc_name = self.post(hc, f"{self.zh}卫生健康委员会", "党组书记、主任")
        self.post(mib, f"{self.zh}医疗保障局", "局长")
        # city institutions
        city_insts = [("central", "GeneralHospital", "中心医院", "Central Hospital", "TertiaryA"),
                      ("tcm", "TCMHospital", "中医医院", "Hospital of Traditional Chinese Medicine", "TertiaryA"),
                      ("mch", "MaternalChildHealthHospital", "妇幼保健院", "Maternal and Child Health Hospital", "Tertiary"),
                      ("cdc", "DiseaseControlCentre", "疾病预防控制中心", "Center for Disease Control and Prevention", None),
                      ("psych", "PsychiatricHospital", "精神病医院", "Psychiatric Hospital", "Secondary")]
        hosp = {}
        for key, cls, zh, en, level in city_insts:
            iri = f"yid:{self.id}-{key}"
            extra = [("yl:locatedIn", self.iri)] + ([("yl:level", f"yl:{level}")] if level else [])
            self.entity(iri, cls, f"{self.zh}{zh}", f"{self.en} {en}", extra)
            hosp[key] = (iri, f"{self.zh}{zh}")
        g.institutions += len(city_insts)
        central, central_zh = hosp["central"]
        director, director_name = self.post(central, central_zh, "党委书记")
        for y in YEARS:
            visits = round(r.uniform(80, 260), 2)
            self.observe(central, central_zh, "ind-synth-outpatient-visits", y, visits, "unit-10k-person-time",
                         f"{y}年，{central_zh}门急诊诊疗人次达{visits:.2f}万人次。")
        self.observe(central, central_zh, "ind-synth-beds", YEARS[-1], r.randint(1500, 4000), "unit-bed",
                     f"{central_zh}编制床位数稳步增加。")
        # urban medical group: the central hospital leads
        umg = f"yid:{self.id}-urban-medical-group"
        umg_zh = f"{self.zh}城市医疗集团"
        self.entity(umg, "UrbanMedicalGroup", umg_zh, f"{self.en} Urban Medical Group", [("yl:locatedIn", self.iri)])
        self.member(umg, umg_zh, central, central_zh, "LeadRole", "牵头")
        self.member(umg, umg_zh, hosp["tcm"][0], hosp["tcm"][1], "JointRole", "联合")
        self.member(umg, umg_zh, hosp["mch"][0], hosp["mch"][1], "CollaboratingRole", "协同")
        self.member(umg, umg_zh, hosp["cdc"][0], hosp["cdc"][1], "CollaboratingRole", "协同")
        centre = f"{umg}-ecg-centre"
        self.entity(centre, "SharedServiceCentre", f"{umg_zh}心电诊断中心", f"{self.en} Urban Medical Group ECG Centre",
                    [("org:unitOf", umg), ("yl:locatedIn", self.iri)])
        # specialty alliances led by the city's hospitals, joined by county hospitals
        specs = r.sample(_SPECIALTIES, r.randint(1, 3))
        spec_alliances = []
        for i, (sp_zh, sp_en) in enumerate(specs):
            a = f"yid:{self.id}-specialty-alliance-{i + 1}"
            a_zh = f"{self.zh}{sp_zh}专科联盟"
            self.entity(a, "SpecialtyAlliance", a_zh, f"{self.en} {sp_en} specialty alliance",
                        [("yl:locatedIn", self.iri), ("yl:specialty", _lit(sp_zh))])
            lead = hosp["psych"] if sp_zh == "精神卫生" else hosp["central"]
            self.member(a, a_zh, lead[0], lead[1], "LeadRole", "牵头")
            spec_alliances.append((a, a_zh))
        remote = f"yid:{self.id}-remote-network"
        remote_zh = f"{self.zh}远程医疗协作网"
        self.entity(remote, "RemoteCollaboration", remote_zh, f"{self.en} remote medical collaboration network",
                    [("yl:locatedIn", self.iri)])
        self.member(remote, remote_zh, central, central_zh, "LeadRole", "牵头")
        # the first-secretary program of the city
        program = self.fact("DispatchProgram", [("yl:runBy", hc), ("yl:area", self.iri), ("yl:since", _typed("2023-05", "gYearMonth")),
                                      ("yl:duration", _typed("P2Y", "duration"))], 2023,
                  f"{self.zh}选派医务人员到基层医疗卫生机构担任第一书记。", f"{self.zh}第一书记派驻机制")
        # yearly events and city-level observations
        share = r.uniform(48, 62)
        for y in YEARS:
            ev = self.fact("Conference", [("schema:startDate", _typed(f"{y}-0{r.randint(3, 9)}-{r.randint(10, 28)}", "date")),
                                          ("schema:organizer", hc), ("schema:location", self.iri),
                                          ("yl:topic", _lit("医联体建设"))], y,
                           f"{y}年全市医联体建设推进会召开。", f"{self.zh}{y}年医联体建设推进会")
            self.fact("Participation", [("yl:event", ev), ("yl:participant", hc_head),
                                        ("yl:title", _lit(f"{self.zh}卫生健康委员会主任")), ("yl:contribution", _lit("作工作报告"))],
                      y, f"{hc_name}在会上作工作报告。", f"{hc_name}出席{y}年推进会")
            self.fact("Participation", [("yl:event", ev), ("yl:participant", director),
                                        ("yl:title", _lit(f"{central_zh}党委书记")), ("yl:contribution", _lit("交流发言"))],
                      y, f"{director_name}作交流发言。", f"{director_name}在{y}年推进会发言")
            prev = share
            share = min(80.0, share + r.uniform(-1.0, 2.5))
            extra = [] if y == YEARS[0] else [("yl:change", _dec(round(share, 2) - round(prev, 2))),
                                              ("yl:changeUnit", "yid:unit-percentage-point"), ("yl:comparison", "yl:YearOnYear")]
            self.observe(self.iri, self.zh, "ind-primary-care-visit-share", y, round(share, 2), "unit-percent",
                         f"{y}年，全市基层诊疗量占比达{share:.2f}%。", extra)
        # counties
        linked_total = 0
        posted = 0
        remote_members = 0
        for k, n in enumerate(self.counties):
            lt, ps, rm = self.county(k, n, hosp, umg, umg_zh, spec_alliances, remote, remote_zh, program)
            linked_total += lt
            posted += ps
            remote_members += rm
        self.count(umg, umg_zh, linked_total + r.randint(0, 20), "基层医疗卫生机构", "LinkedRole")
        self.count(remote, remote_zh, remote_members + 1 + r.randint(0, 10), "成员单位", None)
        for a, a_zh in spec_alliances:
            self.count(a, a_zh, len(self.counties) + 1 + r.randint(0, 15), "成员单位", None)
        self.observe(program, f"{self.zh}第一书记派驻机制", "ind-first-secretaries", 2024, posted, "unit-person",
                     f"全市共选派{posted}名第一书记。")
        self.w.flush()
        return self.people

    def county(self, k, n, hosp, umg, umg_zh, spec_alliances, remote, remote_zh, program):
        r, g = self.rng, self.g
        kid = f"{self.id}-k{k:02d}"
        kiri = f"yid:{kid}"
        zh, en = g.county_names.get(g.county_index)
        g.county_index += 1
        kind = r.choices(["County", "District", "CountyLevelCity"], [0.47, 0.34, 0.19])[0]
        suffix = {"County": ("县", "County"), "District": ("区", "District"), "CountyLevelCity": ("市", "")}[kind]
        kzh, ken = zh + suffix[0], (f"{en} {suffix[1]}".strip())
        self.entity(kiri, kind, kzh, ken, [("schema:containedInPlace", self.iri)])
        urban = kind == "District"
        # fixed institutions: people's hospital, TCM hospital, maternal-and-child hospital, CDC
        fixed = [("people-hospital", "GeneralHospital", "人民医院", "People's Hospital"),
                 ("tcm", "TCMHospital", "中医医院", "Hospital of Traditional Chinese Medicine"),
                 ("mch", "MaternalChildHealthHospital", "妇幼保健院", "Maternal and Child Health Hospital"),
                 ("cdc", "DiseaseControlCentre", "疾病预防控制中心", "Center for Disease Control and Prevention")]
        fixed = fixed[: max(1, min(4, n // 5))]
        inst = {}
        for key, cls, izh, ien in fixed:
            iri = f"yid:{kid}-{key}"
            extra = [("yl:locatedIn", kiri)]
            if key == "people-hospital":
                extra.append(("yl:level", r.choice(["yl:Secondary", "yl:Secondary", "yl:Tertiary"])))
            self.entity(iri, cls, f"{kzh}{izh}", f"{ken} {ien}", extra)
            inst[key] = (iri, f"{kzh}{izh}")
        g.institutions += len(fixed)
        lead, lead_zh = inst["people-hospital"]
        self.post(lead, lead_zh, "院长")
        for y in YEARS:
            self.observe(lead, lead_zh, "ind-synth-outpatient-visits", y, round(r.uniform(15, 90), 2), "unit-10k-person-time",
                         f"{y}年，{lead_zh}门急诊诊疗人次持续增长。")
        self.observe(lead, lead_zh, "ind-synth-bed-occupancy", YEARS[-1], round(r.uniform(70, 99), 2), "unit-percent",
                     f"{lead_zh}病床使用率保持在合理区间。")
        for a, a_zh in spec_alliances:
            self.member(a, a_zh, lead, lead_zh, "MemberRole", "成员")
        self.fact("Cooperation", [("yl:cooperationType", "yl:ReferralChannel"), ("yl:provider", hosp["central"][0]),
                                  ("yl:recipient", lead)], YEARS[-1],
                  f"{hosp['central'][1]}与{lead_zh}建立双向转诊绿色通道。", f"{hosp['central'][1]}与{lead_zh}双向转诊")
        # the county's alliance: a close-knit county medical community, or in a district
        # an urban medical alliance of the district hospital with community institutions
        if urban:
            comm, comm_zh, comm_cls = f"yid:{kid}-urban-alliance", f"{kzh}城市医疗联合体", "UrbanMedicalAlliance"
        else:
            comm, comm_zh, comm_cls = f"yid:{kid}-county-community", f"{kzh}紧密型县域医共体", "CloseKnitCountyMedicalCommunity"
        self.entity(comm, comm_cls, comm_zh, f"{ken} {'urban medical alliance' if urban else 'close-knit county medical community'}",
                    [("yl:locatedIn", kiri)])
        self.member(comm, comm_zh, lead, lead_zh, "LeadRole", "牵头")
        for key, role, role_zh in (("tcm", "JointRole", "联合"), ("mch", "CollaboratingRole", "协同"), ("cdc", "CollaboratingRole", "协同")):
            if key in inst:
                self.member(comm, comm_zh, inst[key][0], inst[key][1], role, role_zh)
        if not urban and r.random() < 0.8:
            self.fact("Designation", [("yl:designee", kiri), ("yl:designationTitle", _lit("紧密型县域医共体建设全覆盖县")),
                                      ("yl:conferredBy", self.prov["health_commission"]), ("yl:date", _typed(r.choice(YEARS), "gYear"))],
                      YEARS[-1], f"{kzh}实现紧密型县域医共体全覆盖。", f"{kzh}医共体全覆盖")
        self.fact("OutreachActivity", [("schema:startDate", _typed(f"{YEARS[-1]}-0{r.randint(4, 9)}", "gYearMonth")),
                                       ("schema:organizer", lead), ("schema:location", kiri), ("yl:topic", _lit("义诊进乡村"))],
                  YEARS[-1], f"{lead_zh}组织专家开展义诊进乡村活动。", f"{lead_zh}义诊活动")
        share = r.uniform(50, 70)
        for y in YEARS:
            prev, share = share, min(85.0, share + r.uniform(-1.5, 2.5))
            extra = [] if y == YEARS[0] else [("yl:change", _dec(round(share, 2) - round(prev, 2))),
                                              ("yl:changeUnit", "yid:unit-percentage-point"), ("yl:comparison", "yl:YearOnYear")]
            self.observe(kiri, kzh, "ind-primary-care-visit-share", y, round(share, 2), "unit-percent",
                         f"{y}年{kzh}基层诊疗量占比为{share:.2f}%。", extra)
            self.observe(comm, comm_zh, "ind-synth-downward-referrals", y, r.randint(300, 6000), "unit-person-time",
                         f"{y}年{comm_zh}下转患者持续增加。")
        # townships with their centre, and the remaining institutions
        rest = n - len(fixed)
        towns = max(1, min(rest, round(n * 0.035)))
        per_town = _split(r, rest - towns, towns, 0)
        mix = _URBAN_MIX if urban else _RURAL_MIX
        kinds, weights = [m[0] for m in mix], [m[1] for m in mix]
        linked = posted = remote_members = 0
        for t in range(towns):
            tid = f"{kid}-t{t:02d}"
            tiri = f"yid:{tid}"
            tzh, ten = g.town_names.get(t + k * 97 + g.city_index * 13)
            tsuf = ("街道", "Subdistrict") if urban else r.choice([("镇", "Town"), ("镇", "Town"), ("乡", "Township")])
            tzh, ten = tzh + tsuf[0], f"{ten} {tsuf[1]}"
            self.entity(tiri, "Township", tzh, ten, [("schema:containedInPlace", kiri)])
            ccls, czh, cen = (("CommunityHealthServiceCentre", "社区卫生服务中心", "Community Health Service Centre") if urban
                              else ("TownshipHealthCentre", "卫生院", "Health Centre"))
            centre, centre_zh = f"yid:{tid}-centre", f"{kzh}{tzh}{czh}"
            self.entity(centre, ccls, centre_zh, f"{ten} {cen} ({ken})", [("yl:locatedIn", tiri)])
            g.institutions += 1
            self.member(comm, comm_zh, centre, centre_zh, "LinkedRole", "联系")
            linked += 1
            if r.random() < 0.3:
                self.member(umg if urban else remote, umg_zh if urban else remote_zh, centre, centre_zh,
                            "LinkedRole" if urban else "MemberRole", "联系" if urban else "成员")
                if not urban:
                    remote_members += 1
            for y in YEARS[-2:]:
                self.observe(centre, centre_zh, "ind-synth-primary-visits", y, r.randint(8000, 90000), "unit-person-time",
                             f"{y}年{centre_zh}诊疗人次稳步提升。")
            if r.random() < 0.35:
                doctor, dname = self.post(lead, lead_zh, r.choice(_DEPTS))
                self.fact("Posting", [("yl:person", doctor), ("yl:fromOrganization", lead), ("yl:toOrganization", centre),
                                      ("yl:title", _lit("第一书记")), ("yl:inProgram", program),
                                      ("yl:since", _typed("2023-05", "gYearMonth"))], 2023,
                          f"{lead_zh}{dname}被派驻到{centre_zh}担任第一书记。", f"{dname}派驻{centre_zh}")
                posted += 1
                self.fact("Cooperation", [("yl:cooperationType", "yl:ExpertSupport"), ("yl:provider", lead),
                                          ("yl:recipient", centre)], YEARS[-1],
                          f"{lead_zh}专家定期到{centre_zh}坐诊。", f"{lead_zh}帮扶{centre_zh}")
            for j in range(per_town[t]):
                kind_i = r.choices(kinds, weights)[0]
                iri = f"yid:{tid}-i{j:03d}"
                nzh, nen = g.village_names.get(j + t * 31)
                base_zh, base_en = _KIND_NAMES[kind_i]
                if kind_i == "VillageClinic":
                    izh, ien = f"{tzh}{nzh}村卫生室", f"{nen} Village Clinic ({ten})"
                elif kind_i == "CommunityHealthServiceStation":
                    izh, ien = f"{tzh}{nzh}社区卫生服务站", f"{nen} Community Health Service Station ({ten})"
                else:
                    izh, ien = f"{kzh}{nzh}{base_zh}", f"{ken} {nen} {base_en}"
                self.entity(iri, kind_i, izh, ien, [("yl:locatedIn", tiri if kind_i in ("VillageClinic", "CommunityHealthServiceStation", "PrimaryCareInstitution") else kiri)])
                g.institutions += 1
                if kind_i in ("VillageClinic", "CommunityHealthServiceStation"):
                    self.member(comm, comm_zh, iri, izh, "LinkedRole", "联系")
                    linked += 1
                elif kind_i in _HOSPITALS:
                    self.post(iri, izh, "院长")
                    self.observe(iri, izh, "ind-synth-outpatient-visits", YEARS[-1], round(r.uniform(1, 30), 2),
                                 "unit-10k-person-time", f"{YEARS[-1]}年{izh}门急诊诊疗人次有所增长。")
        self.count(comm, comm_zh, linked + r.randint(0, 15), "基层医疗卫生机构", "LinkedRole")
        return (linked if urban else 0), posted, remote_members


class Generator:
    def __init__(self, institutions: int, seed: int, writer: _Writer):
        self.seed = seed
        self.plan = plan(institutions, seed)
        self.w = writer
        rng = random.Random(f"{seed}/names")
        self.province_names = _Names(rng)
        self.city_names = _Names(rng)
        self.county_names = _Names(rng)
        self.town_names = _Names(rng)
        self.village_names = _Names(rng)
        self.city_index = self.county_index = 0
        self.institutions = 0

    def vocabulary(self) -> None:
        """Units and indicators: copied from the bundled vocabulary where it defines them."""
        bundled = _bundled_vocabulary()
        for local, (zh, en) in _UNITS.items():
            iri = f"yid:{local}"
            if iri in bundled:
                self.w.emit(iri, bundled[iri])
            else:
                self.w.emit(iri, [("rdf:type", "yl:Unit"), ("skos:inScheme", "yl:Units"), ("rdfs:label", _lit(zh)),
                                  ("rdfs:label", _lit(en, "en"))])
        for local, (zh, en, definition) in _INDICATORS.items():
            iri = f"yid:{local}"
            if iri in bundled:
                self.w.emit(iri, bundled[iri])
            else:
                self.w.emit(iri, [("rdf:type", "yl:Indicator"), ("skos:inScheme", "yl:Indicators"), ("rdfs:label", _lit(zh)),
                                  ("rdfs:label", _lit(en, "en")), ("skos:definition", _lit(definition, "en"))])
        self.w.emit("yid:china", [("rdf:type", "yl:Country"), ("rdfs:label", _lit("中国")), ("rdfs:label", _lit("China", "en"))])

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        self.vocabulary()
        for p, cities in enumerate(self.plan.layout, start=1):
            pid = f"synth-p{p:02d}"
            zh, en = self.province_names.get(p - 1)
            prov = {"iri": f"yid:{pid}", "zh": zh + "省", "paper": f"yid:{pid}-health-news",
                    "paper_zh": f"{zh}卫生报", "paper_en": f"{en} Health News",
                    "reporter": f"yid:{pid}-reporter", "health_commission": f"yid:{pid}-health-commission"}
            first_doc = f"yid:{pid}-c01-doc-{YEARS[-1]}"
            self.w.emit(prov["iri"], [("rdf:type", "yl:Province"), ("rdfs:label", _lit(prov["zh"])),
                                      ("rdfs:label", _lit(f"{en} Province", "en")), ("schema:containedInPlace", "yid:china")])
            self.w.emit(prov["paper"], [("rdf:type", "yl:Publication"), ("rdfs:label", _lit(prov["paper_zh"])),
                                        ("rdfs:label", _lit(prov["paper_en"], "en"))])
            self.w.emit(prov["reporter"], [("rdf:type", "yl:Person"), ("rdfs:label", _lit(f"{zh}记者")),
                                           ("rdfs:label", _lit(f"{en} reporter", "en")), ("yl:mentionedIn", first_doc)])
            self.w.emit(prov["health_commission"], [
                ("rdf:type", "yl:HealthCommission"), ("rdfs:label", _lit(f"{zh}省卫生健康委员会")),
                ("rdfs:label", _lit(f"{en} Provincial Health Commission", "en")), ("yl:locatedIn", prov["iri"]),
                ("yl:mentionedIn", first_doc)])
            for c, counties in enumerate(cities, start=1):
                _City(self, p, c, counties, prov).generate()
                if progress:
                    progress(self.institutions)
        self.w.flush()


def _bundled_vocabulary() -> dict[str, list[tuple[str, str]]]:
    """Subject (as yid:local) -> its (p, o) pairs in N-Triples form, from graph/vocabulary.ttl."""
    try:
        import pyoxigraph as ox

        from .. import resources

        path = resources.graph_dir() / "vocabulary.ttl"
        quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    except Exception:  # the vocabulary is optional: fall back to our own definitions
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    yid = NS["yid"]
    for q in quads:
        s = q.subject
        if hasattr(s, "value") and s.value.startswith(yid) and not str(s).startswith("_:"):
            out.setdefault("yid:" + s.value[len(yid):], []).append((str(q.predicate), str(q.object)))
    for pos in out.values():
        pos.sort()
    return out


def output_format(path: str, fmt: str | None) -> str:
    if fmt:
        return {"nt": "ntriples", "ntriples": "ntriples", "ttl": "turtle", "turtle": "turtle"}[fmt]
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the output format of '{path}'", hint="name it .nt or .ttl, or give --format")
    return FORMATS[suffix]


def synthesize(institutions: int, seed: int, output: str | Path, *, fmt: str | None = None,
               progress: Callable[[int], None] | None = None) -> Summary:
    """Write a synthetic graph of about `institutions` institutions to `output` ('-' for
    stdout), atomically: a temporary file beside the target is renamed into place."""
    out = str(output)
    fmt = output_format(out if out != "-" else "x.nt", fmt)
    if out == "-":
        w = _Writer(sys.stdout, fmt)
        gen = Generator(institutions, seed, w)
        gen.run(progress)
        sys.stdout.flush()
        return _summary(gen, w, out)
    from ..output import atomic_file, check_output

    target = check_output(out, [])
    gen = Generator(institutions, seed, None)  # plan first: bad sizes fail before any file is made
    with atomic_file(target, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as fh:
        w = _Writer(fh, fmt)
        gen.w = w
        gen.run(progress)
    return _summary(gen, w, out)


def _summary(gen: Generator, w: _Writer, path: str) -> Summary:
    p = gen.plan
    return Summary(gen.institutions, p.provinces, p.cities, p.counties, w.triples, path)


def institutions_for_triples(triples: int) -> int:
    """The --institutions that gives about this many triples (measured ratio, about 11.8 per institution)."""
    return max(10, round(triples / TRIPLES_PER_INSTITUTION))


#: measured: triples written per institution (it varies a little with the seed and size)
TRIPLES_PER_INSTITUTION = 11.8
