"""The hospital-tie network: organizations tied by memberships, postings, cooperations,
units and programs, built from the RDF graph with a few bulk SPARQL queries, then
filtered (measures in network.analysis; GraphML, GEXF, JSON, DOT in network.export;
HTML/SVG/PNG in network.view).

networkx is imported inside the functions: `yilian query` must not pay for it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox

from ..errors import UsageError
from ..prefixes import PREFIXES, short, short_iri

YL = PREFIXES["yl"]
ORG = PREFIXES["org"]
SCHEMA = PREFIXES["schema"]
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

#: coarse kinds of node used for colours, most specific first (class local names of yl:)
NODE_GROUPS = ("Alliance", "Hospital", "PrimaryCareInstitution", "PublicHealthInstitution",
               "OrganizationalUnit", "GovernmentBody", "PartyBody", "University", "ResearchInstitute",
               "HealthInstitution", "Person", "Organization")

#: tie families: what kind of fact a tie comes from (edge styles in the views follow them)
FAMILIES = ("membership", "posting", "cooperation", "structure", "program", "designation",
            "participation", "people")

#: labels of ties that are not named by an ontology concept or property label
_FIXED_KINDS = {
    "posting": ("派驻", "posting", "posting"),
    "designation": ("授予称号", "designation conferred", "designation"),
    "participation": ("参加其活动", "took part in an event it organized", "participation"),
    "co-runs": ("共同实施", "jointly runs a program", "program"),
    "runs": ("实施", "runs", "program"),
    "program-beneficiary": ("项目惠及", "its program benefits", "program"),
    "cooperation-result": ("合作成果", "result of a cooperation", "cooperation"),
    "membership": ("成员", "member", "membership"),
    "unit-of": ("内设机构", "unit of", "structure"),
    "sub-organization-of": ("下属机构", "sub-organization of", "structure"),
    "linked-to": ("关联", "linked to", "structure"),
    "has-unit": ("内设机构", "unit of", "structure"),
    "position": ("任职", "holds a post in", "people"),
    "posted-to": ("派驻到", "posted to", "people"),
    "mentoring": ("师徒结对", "mentors", "people"),
    "founder": ("创办", "founded", "people"),
}

#: org-to-org properties whose subject and object are swapped to one direction
_INVERSES = {ORG + "hasUnit": ORG + "unitOf", ORG + "hasSubOrganization": ORG + "subOrganizationOf"}
#: org-to-org properties that are not ties of their own (handled elsewhere or not ties);
#: yl:sameThingAs says two nodes describe one thing (docs/MODELING.md), which is not a tie
_NOT_TIES = {YL + "locatedIn", YL + "mentionedIn", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
             YL + "runBy", YL + "beneficiary", YL + "alliance", ORG + "organization", ORG + "member",
             YL + "sameThingAs"}


@lru_cache(maxsize=4096)
def kebab(name: str) -> str:
    """ReferralChannel -> referral-channel, unitOf -> unit-of."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


@lru_cache(maxsize=4096)
def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


# ---------------------------------------------------------------- the network

@dataclass
class TieKind:
    id: str
    label: str
    label_en: str
    family: str
    iri: str = ""


@dataclass
class Network:
    """A networkx MultiDiGraph plus what the analytics need beside it."""

    graph: object  # networkx.MultiDiGraph: node id = IRI, edge key = tie kind
    kinds: dict[str, TieKind] = field(default_factory=dict)
    alliances: list[dict] = field(default_factory=list)  # named members against declared counts
    mode: str = "lead"
    filters: dict = field(default_factory=dict)
    #: the nodes left out because they have no tie in this network (after the filters),
    #: with their attributes: {IRI: node attributes}; empty with include_isolated
    isolated: dict[str, dict] = field(default_factory=dict)
    include_isolated: bool = False
    #: alliances drawn as their leads (mode "lead"): {alliance IRI: [lead IRIs]}
    drawn_as: dict[str, list[str]] = field(default_factory=dict)

    def node_count(self) -> int:
        return self.graph.number_of_nodes()

    def edge_count(self) -> int:
        return self.graph.number_of_edges()


@dataclass
class Filters:
    """Which part of the network to keep. Places, alliances and sources are IRIs."""

    places: tuple[str, ...] = ()
    alliances: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # tie kind ids or family names
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def describe(self) -> dict:
        """The filters in force, IRIs as prefixed names."""
        out = {}
        for k, v in self.__dict__.items():
            if v:
                out[k] = [short(ox.NamedNode(x)) for x in v] if k in ("places", "alliances", "sources") else v
        return out


def _q(store: ox.Store, text: str):
    return store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)


def _val(term) -> str:
    return "" if term is None else term.value


# ---------------------------------------------------------------- reading the graph

class _Reader:
    """Runs the bulk queries once and keeps what they return (IRIs as strings)."""

    def __init__(self, store: ox.Store, people: bool):
        self.store = store
        self.people = people
        self.sub: dict[str, set[str]] = defaultdict(set)  # class -> direct subclasses
        for r in _q(store, "SELECT ?c ?d WHERE { ?c rdfs:subClassOf ?d FILTER(isIRI(?c) && isIRI(?d)) }"):
            self.sub[r["d"].value].add(r["c"].value)
        self.org_classes = self._below(YL + "Organization")
        self.alliance_classes = self._below(YL + "Alliance")
        self.person_classes = self._below(YL + "Person")
        self.depth = self._depths()
        self.types: dict[str, set[str]] = defaultdict(set)
        values = " ".join(f"<{c}>" for c in sorted(self.org_classes | self.person_classes))
        for r in _q(store, f"SELECT ?s ?c WHERE {{ VALUES ?c {{ {values} }} ?s a ?c FILTER(isIRI(?s)) }}"):
            self.types[r["s"].value].add(r["c"].value)
        self.orgs = {s for s, cs in self.types.items() if cs & self.org_classes}
        self.persons = {s for s, cs in self.types.items() if cs & self.person_classes} - self.orgs
        self.alliance_nodes = {s for s in self.orgs if self.types[s] & self.alliance_classes}
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.alt: dict[str, list[str]] = defaultdict(list)
        for r in _q(store, "SELECT ?s ?l WHERE { ?s rdfs:label|skos:prefLabel ?l FILTER(isLiteral(?l)) }"):
            self.labels[r["s"].value].setdefault(r["l"].language or "", r["l"].value)
        for r in _q(store, "SELECT ?s ?l WHERE { ?s skos:altLabel ?l }"):
            self.alt[r["s"].value].append(r["l"].value)

    def _below(self, root: str) -> set[str]:
        out, todo = {root}, [root]
        while todo:
            for c in self.sub.get(todo.pop(), ()):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        return out

    def _depths(self) -> dict[str, int]:
        depth: dict[str, int] = {}
        todo = [(YL + "Organization", 0), (YL + "Person", 0)]
        while todo:
            c, d = todo.pop()
            if depth.get(c, -1) >= d:
                continue
            depth[c] = d
            todo.extend((s, d + 1) for s in self.sub.get(c, ()))
        return depth

    def label(self, iri: str, lang: str = "zh") -> str:
        ls = self.labels.get(iri, {})
        for key in (lang, "en" if lang == "zh" else "zh", ""):
            if key in ls:
                return ls[key]
        return next(iter(ls.values()), short(ox.NamedNode(iri)))

    def kind_of(self, iri: str) -> str:
        cs = self.types.get(iri, set())
        return max(sorted(cs), key=lambda c: self.depth.get(c, -1)) if cs else ""

    def group_of(self, iri: str) -> str:
        if not hasattr(self, "_groups"):
            self._groups = [(g, self._below(YL + g)) for g in NODE_GROUPS]
        cs = self.types.get(iri, set())
        for g, below in self._groups:
            if cs & below:
                return g
        return "Organization"


class _TableReader(_Reader):
    """_Reader over network.triples.Triples instead of a store: the same tables, read by
    Python lookups instead of SPARQL."""

    def __init__(self, t, people: bool):
        from .triples import is_iri

        self.store = None
        self.t = t
        self.people = people
        self.sub = defaultdict(set)
        for c, d in t.subclass:
            self.sub[d].add(c)
        self.org_classes = self._below(YL + "Organization")
        self.alliance_classes = self._below(YL + "Alliance")
        self.person_classes = self._below(YL + "Person")
        self.depth = self._depths()
        types: dict[str, set[str]] = defaultdict(set)
        for c in sorted(self.org_classes | self.person_classes):
            for s in t.types.get(c, ()):
                if is_iri(s):
                    types[s].add(c)
        # one frozenset per distinct set of classes, shared (a few dozen for a million
        # nodes), so that kind_of and group_of are worked out once per set
        shared: dict[frozenset, frozenset] = {}
        self.types = {s: shared.setdefault(frozenset(cs), frozenset(cs)) for s, cs in types.items()}
        del types
        self._kind: dict[frozenset, str] = {}
        self._group: dict[frozenset, str] = {}
        self.orgs = {s for s, cs in self.types.items() if cs & self.org_classes}
        self.persons = {s for s, cs in self.types.items() if cs & self.person_classes} - self.orgs
        self.alliance_nodes = {s for s in self.orgs if self.types[s] & self.alliance_classes}
        self.alt = t.alt

    def kind_of(self, iri: str) -> str:
        cs = self.types.get(iri)
        if not cs:
            return ""
        kind = self._kind.get(cs)
        if kind is None:
            kind = self._kind[cs] = max(sorted(cs), key=lambda c: self.depth.get(c, -1))
        return kind

    def group_of(self, iri: str) -> str:
        cs = self.types.get(iri, frozenset())
        group = self._group.get(cs)
        if group is None:
            group = self._group[cs] = super().group_of(iri)
        return group

    def label(self, iri: str, lang: str = "zh") -> str:
        found = self.t.label(iri, lang)
        return short(ox.NamedNode(iri)) if found is None else found


def _term(x: str):
    """The RDF term of a Triples string (IRI or ``_:`` blank node)."""
    return ox.BlankNode(x[2:]) if x.startswith("_:") else ox.NamedNode(x)


def _sorted_set(xs) -> list:
    return sorted(set(xs))


def _read_ties_t(t, r: _TableReader) -> tuple[list[_Tie], list[tuple], list[dict]]:
    """_read_ties over Triples: the same ties, each kind's rows in sorted order."""
    from .triples import is_iri

    g = t.get
    ties: list[_Tie] = []
    nodes = r.orgs | (r.persons if r.people else set())
    memberships = []
    organization, member, role = g(ORG + "organization"), g(ORG + "member"), g(ORG + "role")
    for m in _sorted_set(t.types.get(YL + "Membership", ())):
        for a in organization.get(m):
            for x in member.get(m):
                for ro in role.opt(m):
                    memberships.append((a, x, ro, m))
    counts = []
    for c in _sorted_set(t.types.get(YL + "MemberCount", ())):
        for a in g(YL + "alliance").get(c):
            for n in g(YL + "count").get(c):
                for ro in g(YL + "memberRole").opt(c):
                    for kind in g(YL + "memberKind").opt(c):
                        counts.append({"fact": c, "alliance": a, "count": int(n), "role": ro, "member_kind": kind})
    for f in _sorted_set(t.types.get(YL + "Posting", ())):
        for a in g(YL + "fromOrganization").get(f):
            for b in g(YL + "toOrganization").get(f):
                for p in g(YL + "person").opt(f):
                    for title in g(YL + "title").opt(f):
                        ties.append(_Tie(a, b, "posting", True, f, person=r.label(p) if p else "", title=title))
                        if r.people and p:
                            ties.append(_Tie(p, b, "posted-to", True, f, title=title))
    for f in _sorted_set(t.types.get(YL + "Cooperation", ())):
        c = {role: sorted(set(g(YL + role).get(f))) for role in ("provider", "recipient", "partner", "result")}
        if not any(c.values()):
            continue  # the query's UNION matched nothing: no row
        types = g(YL + "cooperationType").get(f)
        ctype = sorted(types)[-1] if types else ""
        kind = kebab(local_name(ctype)) if ctype else "cooperation"
        ties += _cooperation_ties(f, kind, c["provider"], c["recipient"], c["partner"], c["result"])
    for f in _sorted_set(t.types.get(YL + "Designation", ())):
        for a in g(YL + "conferredBy").get(f):
            for b in g(YL + "designee").get(f):
                ties.append(_Tie(a, b, "designation", True, f))
    for f in _sorted_set(t.types.get(YL + "Participation", ())):
        for p in g(YL + "participant").get(f):
            for e in g(YL + "event").get(f):
                for o in g(SCHEMA + "organizer").get(e):
                    ties.append(_Tie(p, o, "participation", True, f))
    runners: dict[str, list[str]] = defaultdict(list)
    beneficiaries: dict[str, list[str]] = defaultdict(list)
    for s, o in g(YL + "runBy").pairs():
        runners[s].append(o)
    for s, o in g(YL + "beneficiary").pairs():
        beneficiaries[s].append(o)
    ties += _run_ties(runners, beneficiaries, r.orgs)
    # direct triples between two organizations (the subject typed with an organization
    # class, the object an IRI that is an organization)
    direct = {(s, p, o) for s, p, o in t.other if s in r.orgs and o in r.orgs and p not in _NOT_TIES}
    for p, m in t.objects.items():
        if p not in _NOT_TIES:
            for s in m.first.keys() & r.orgs:  # most of these subjects are facts: set algebra in C
                direct.update((s, p, o) for o in m.get(s) if o in r.orgs and is_iri(o))
    for s, p, o in sorted(direct):
        if s == o:
            continue
        if p in _INVERSES:
            s, p, o = o, _INVERSES[p], s
        ties.append(_Tie(s, o, kebab(local_name(p)), True, None))
    if r.people:
        for f in _sorted_set(t.types.get(YL + "PositionHolding", ())):
            for p in member.get(f):
                for o in organization.get(f):
                    for title in g(YL + "title").opt(f):
                        ties.append(_Tie(p, o, "position", True, f, title=title))
        for f in _sorted_set(t.types.get(YL + "Mentoring", ())):
            for a in g(YL + "mentor").get(f):
                for b in g(YL + "mentee").get(f):
                    ties.append(_Tie(a, b, "mentoring", True, f))
        for o, p in sorted(g(SCHEMA + "founder").pairs()):
            ties.append(_Tie(p, o, "founder", True, None))
    ties = [x for x in ties if x.u in nodes and x.v in nodes and x.u != x.v]
    return ties, memberships, counts


def _evidence_t(t, r: _TableReader, wanted: set[str]) -> tuple[dict, dict]:
    """_evidence over Triples."""
    g = t.get
    facts: dict[str, dict] = defaultdict(lambda: {"sources": set(), "quotes": [], "dates": []})
    sourced = set()
    for f, d in g(YL + "source").pairs():
        if f in wanted:
            facts[f]["sources"].add(d)
            sourced.add(f)
    for f, q in g(YL + "quote").pairs():
        if f in wanted:
            facts[f]["quotes"].append(q)
    for p in (YL + "since", YL + "date", YL + "asOf", SCHEMA + "startDate"):
        for f, d in g(p).pairs():
            if f in sourced:
                facts[f]["dates"].append(d)
    docs: dict[str, dict] = {}
    for d in _sorted_set(t.types.get(YL + "SourceDocument", ())):
        file = g(YL + "corpusFile").opt(d)[-1]
        date = g(SCHEMA + "datePublished").opt(d)[-1]
        est = g(YL + "estimatedDate").opt(d)[-1]
        docs[d] = {"id": short(_term(d)), "file": file, "title": r.label(d), "date": date or est}
    return facts, docs


def _places_t(t) -> tuple[dict[str, str], dict[str, set[str]]]:
    """_places over Triples."""
    located = {}
    for s, p in t.get(YL + "locatedIn").pairs():
        located.setdefault(s, p)
    children: dict[str, set[str]] = defaultdict(set)
    for a, b in t.get(SCHEMA + "containedInPlace").pairs():
        children[b].add(a)
    return located, _contained(children)


def _kinds_t(t, r: _TableReader) -> dict[str, TieKind]:
    kinds = {k: TieKind(k, zh, en, fam) for k, (zh, en, fam) in _FIXED_KINDS.items()}
    for cls, fam in (("MembershipRole", "membership"), ("CooperationType", "cooperation")):
        for c in _sorted_set(t.types.get(YL + cls, ())):
            k = kebab(local_name(c))
            kinds[k] = TieKind(k, r.label(c), r.label(c, "en"), fam, c)
    return kinds


@dataclass
class _Tie:
    u: str
    v: str
    kind: str
    directed: bool
    fact: str | None = None  # the fact node (None: a direct triple between the two)
    via: str = ""  # the alliance a contracted tie comes from
    person: str = ""
    title: str = ""


def _evidence(store: ox.Store, r: _Reader, wanted: set[str]) -> tuple[dict, dict]:
    """Sources, quotes and dates of the fact nodes in `wanted` (those behind ties and
    declared counts: the graph's observations are most of its facts and no tie's), and the
    documents they cite."""
    facts: dict[str, dict] = defaultdict(lambda: {"sources": set(), "quotes": [], "dates": []})
    sourced = set()
    for row in _q(store, "SELECT ?f ?d WHERE { ?f yl:source ?d }"):
        f = row["f"].value
        if f in wanted:
            facts[f]["sources"].add(row["d"].value)
            sourced.add(f)
    for row in _q(store, "SELECT ?f ?q WHERE { ?f yl:quote ?q }"):
        f = row["f"].value
        if f in wanted:
            facts[f]["quotes"].append(row["q"].value)
    # dates of facts with a source (the dated triples first, then the test: the join the
    # other way round reads every sourced fact of the graph)
    for row in _q(store, "SELECT ?f ?d WHERE { ?f yl:since|yl:date|yl:asOf|schema:startDate ?d }"):
        f = row["f"].value
        if f in sourced:
            facts[f]["dates"].append(row["d"].value)
    docs: dict[str, dict] = {}
    for row in _q(store, """SELECT ?d ?file ?date ?est WHERE { ?d a yl:SourceDocument .
            OPTIONAL { ?d yl:corpusFile ?file } OPTIONAL { ?d schema:datePublished ?date }
            OPTIONAL { ?d yl:estimatedDate ?est } }"""):
        d = row["d"].value
        docs[d] = {"id": short(row["d"]), "file": _val(row["file"]), "title": r.label(d),
                   "date": _val(row["date"]) or _val(row["est"])}
    return facts, docs


def _read_ties(store: ox.Store, r: _Reader) -> tuple[list[_Tie], list[tuple], list[dict]]:
    """All ties, the memberships (alliance, member, role, fact) and the declared counts."""
    ties: list[_Tie] = []
    nodes = r.orgs | (r.persons if r.people else set())
    memberships = []
    for row in _q(store, """SELECT ?m ?a ?x ?role WHERE { ?m a yl:Membership ; org:organization ?a ;
                            org:member ?x . OPTIONAL { ?m org:role ?role } }"""):
        memberships.append((row["a"].value, row["x"].value, _val(row["role"]), row["m"].value))
    counts = []
    for row in _q(store, """SELECT ?c ?a ?n ?role ?kind WHERE { ?c a yl:MemberCount ; yl:alliance ?a ; yl:count ?n .
                            OPTIONAL { ?c yl:memberRole ?role } OPTIONAL { ?c yl:memberKind ?kind } }"""):
        counts.append({"fact": row["c"].value, "alliance": row["a"].value, "count": int(row["n"].value),
                       "role": _val(row["role"]), "member_kind": _val(row["kind"])})
    for row in _q(store, """SELECT ?f ?a ?b ?p ?t WHERE { ?f a yl:Posting ; yl:fromOrganization ?a ;
                            yl:toOrganization ?b . OPTIONAL { ?f yl:person ?p } OPTIONAL { ?f yl:title ?t } }"""):
        p = _val(row["p"])
        ties.append(_Tie(row["a"].value, row["b"].value, "posting", True, row["f"].value,
                         person=r.label(p) if p else "", title=_val(row["t"])))
        if r.people and p:
            ties.append(_Tie(p, row["b"].value, "posted-to", True, row["f"].value, title=_val(row["t"])))
    coop: dict[str, dict] = defaultdict(lambda: {"type": "", "provider": [], "recipient": [], "partner": [], "result": []})
    for row in _q(store, """SELECT ?f ?type ?role ?x WHERE { ?f a yl:Cooperation .
            OPTIONAL { ?f yl:cooperationType ?type }
            { ?f yl:provider ?x BIND("provider" AS ?role) } UNION { ?f yl:recipient ?x BIND("recipient" AS ?role) }
            UNION { ?f yl:partner ?x BIND("partner" AS ?role) } UNION { ?f yl:result ?x BIND("result" AS ?role) } }"""):
        c = coop[row["f"].value]
        c["type"] = _val(row["type"]) or c["type"]
        if row["x"].value not in c[row["role"].value]:
            c[row["role"].value].append(row["x"].value)
    for f, c in sorted(coop.items()):
        kind = kebab(local_name(c["type"])) if c["type"] else "cooperation"
        ties += _cooperation_ties(f, kind, sorted(c["provider"]), sorted(c["recipient"]), sorted(c["partner"]),
                                  c["result"])
    for row in _q(store, """SELECT ?f ?a ?b WHERE { ?f a yl:Designation ; yl:conferredBy ?a ; yl:designee ?b }"""):
        ties.append(_Tie(row["a"].value, row["b"].value, "designation", True, row["f"].value))
    for row in _q(store, """SELECT ?f ?p ?o WHERE { ?f a yl:Participation ; yl:participant ?p ; yl:event ?e .
                            ?e schema:organizer ?o }"""):
        ties.append(_Tie(row["p"].value, row["o"].value, "participation", True, row["f"].value))
    runners: dict[str, list[str]] = defaultdict(list)
    beneficiaries: dict[str, list[str]] = defaultdict(list)
    for row in _q(store, "SELECT ?s ?o WHERE { ?s yl:runBy ?o }"):
        runners[row["s"].value].append(row["o"].value)
    for row in _q(store, "SELECT ?s ?o WHERE { ?s yl:beneficiary ?o }"):
        beneficiaries[row["s"].value].append(row["o"].value)
    ties += _run_ties(runners, beneficiaries, r.orgs)
    # direct triples between two organizations: units, sub-organizations, links, anything new
    # the object's type is tested in Python (r.orgs): testing it in SPARQL costs one lookup
    # per organization class and triple, minutes at national scale
    values = " ".join(f"<{c}>" for c in sorted(r.org_classes))
    not_ties = ", ".join(f"<{p}>" for p in sorted(_NOT_TIES))
    seen = set()
    for row in _q(store, f"""SELECT ?s ?p ?o WHERE {{ VALUES ?cs {{ {values} }} ?s a ?cs ; ?p ?o .
                             FILTER(isIRI(?o) && ?p NOT IN ({not_ties})) }}"""):
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        if s == o or o not in r.orgs or (s, p, o) in seen:
            continue
        seen.add((s, p, o))
        if p in _INVERSES:
            s, p, o = o, _INVERSES[p], s
        ties.append(_Tie(s, o, kebab(local_name(p)), True, None))
    if r.people:
        for row in _q(store, """SELECT ?f ?p ?o ?t WHERE { ?f a yl:PositionHolding ; org:member ?p ;
                                org:organization ?o . OPTIONAL { ?f yl:title ?t } }"""):
            ties.append(_Tie(row["p"].value, row["o"].value, "position", True, row["f"].value, title=_val(row["t"])))
        for row in _q(store, "SELECT ?f ?a ?b WHERE { ?f a yl:Mentoring ; yl:mentor ?a ; yl:mentee ?b }"):
            ties.append(_Tie(row["a"].value, row["b"].value, "mentoring", True, row["f"].value))
        for row in _q(store, "SELECT ?o ?p WHERE { ?o schema:founder ?p }"):
            ties.append(_Tie(row["p"].value, row["o"].value, "founder", True, None))
    ties = [t for t in ties if t.u in nodes and t.v in nodes and t.u != t.v]
    return ties, memberships, counts


# ---------------------------------------------------------------- dates

def _bounds(date: str) -> tuple[str, str]:
    """The first and last day a partial date (2023, 2023-05, 2023-05-04) can mean."""
    d = date.strip()[:10]
    if re.fullmatch(r"\d{4}", d):
        return d + "-01-01", d + "-12-31"
    if re.fullmatch(r"\d{4}-\d{2}", d):
        return d + "-01", d + "-31"
    return d, d


def _cooperation_ties(f: str, kind: str, providers: list[str], recipients: list[str], partners: list[str],
                      results: list[str]) -> list:
    """The ties of one cooperation `f` of `kind`: provider -> recipient, partner - partner
    (undirected), and every party -> each result ("cooperation-result"), in the order the
    lists give. Shared by the store path and the tables path of build."""
    ties = [_Tie(a, b, kind, True, f) for a in providers for b in recipients]
    ties += [_Tie(a, b, kind, False, f) for i, a in enumerate(partners) for b in partners[i + 1:]]
    ties += [_Tie(x, res, "cooperation-result", True, f)
             for x in sorted(set(providers + recipients + partners)) for res in results]
    return ties


def _run_ties(runners: dict[str, list[str]], beneficiaries: dict[str, list[str]], orgs) -> list:
    """The ties yl:runBy and yl:beneficiary make: an organization runs a centre that is
    itself an organization ("runs"); the runners of anything else co-run it ("co-runs",
    undirected, the thing as evidence) and reach its beneficiaries ("program-beneficiary").
    Shared by the store path and the tables path of build."""
    ties = []
    for s, os_ in sorted(runners.items()):
        os_ = sorted(set(os_))
        if s in orgs:  # a centre run by an organization
            ties += [_Tie(o, s, "runs", True, None) for o in os_]
            continue
        for i, a in enumerate(os_):
            for b in os_[i + 1:]:
                ties.append(_Tie(a, b, "co-runs", False, s))
        for a in os_:
            for b in sorted(set(beneficiaries.get(s, ()))):
                ties.append(_Tie(a, b, "program-beneficiary", True, s))
    return ties


def check_date(text: str | None) -> str | None:
    """`text` (--since/--until) when it is a date on the calendar (YYYY, YYYY-MM or
    YYYY-MM-DD); raises UsageError otherwise (2024-13 or 2024-02-30 kept every tie)."""
    from ..dataset.literals import calendar_problem

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text) if text else None
    if text and not m:
        raise UsageError(f"'{text}' is not a date", hint="write YYYY, YYYY-MM or YYYY-MM-DD")
    wrong = calendar_problem(*m.groups()) if m else None
    if wrong:
        raise UsageError(f"'{text}' is not a date: {wrong}", hint="write YYYY, YYYY-MM or YYYY-MM-DD")
    return text


#: what --place and --alliance must name: a node of one of these classes (or below), or a
#: node the data uses as one (the object of yl:locatedIn or schema:containedInPlace; an
#: alliance's memberships or member counts) when the ontology is not loaded
_FILTER_KINDS = {
    "place": ("schema:Place", "{ ?x yl:locatedIn ?n } UNION { ?n schema:containedInPlace ?x } UNION "
                              "{ ?x schema:containedInPlace ?n }"),
    "alliance": ("yl:Alliance", "{ ?m org:organization ?n ; a yl:Membership } UNION { ?c yl:alliance ?n }"),
}


def check_filter_kind(store: ox.Store, node: ox.NamedNode, kind: str, given: str) -> None:
    """Raise UsageError unless ``node`` (what the user wrote as ``given``) is a ``kind``
    ("place" or "alliance"). --place 湘潭市中心医院 (a hospital) or --alliance 湘潭县 (a
    county) used to keep nothing and exit 0."""
    cls, used = _FILTER_KINDS[kind]
    iri = f"<{node.value}>"
    ask = (f"ASK {{ {{ {iri} a/rdfs:subClassOf* {cls} }} UNION "
           + used.replace("?n", iri) + " }")
    if bool(_q(store, ask)):
        return
    types = sorted(short(r["t"]) for r in _q(store, f"SELECT DISTINCT ?t WHERE {{ {iri} a ?t }}"))
    what = f" (it is a {', '.join(types)})" if types else ""
    if kind == "place":
        raise UsageError(f"--place '{given}' names {short(node)}, which is not a place{what}",
                         hint="give a province, city, county or district, such as 湘潭县 or yid:xiangtan")
    raise UsageError(f"--alliance '{given}' names {short(node)}, which is not an alliance{what}",
                     hint="give a 医联体 or 医共体 (`yilian search 医共体` lists them)")


def _in_range(date: str, since: str | None, until: str | None) -> bool:
    if not date:
        return True  # undated ties are kept; the filter can only judge what is dated
    lo, hi = _bounds(date)
    if since and hi < _bounds(since)[0]:
        return False
    if until and lo > _bounds(until)[1]:
        return False
    return True


# ---------------------------------------------------------------- building

def build(store, *, mode: str = "lead", people: bool = False, filters: Filters | None = None,
          include_isolated: bool = False, evidence: bool = True) -> Network:
    """Build the network from a store (pyoxigraph.Store, read with bulk SPARQL queries) or
    from network.triples.Triples (the files read in one pass: the same network, each
    kind of tie in sorted order).

    mode "lead": an alliance with a named lead is merged into its lead: lead -> member edges
    (the member's role is the tie kind) and the alliance's other ties go to the lead.
    mode "node": alliances are nodes, with member -> alliance edges.

    evidence False leaves out what backs each tie (every fact record's sources, quotes,
    dates and label stay empty; nodes get no sources), which only export, view and path
    show: `stats` needs none of it. The declared member counts keep their sources, and
    the --source, --since and --until filters still read the evidence they judge.
    """
    import networkx as nx

    from .triples import Triples

    if mode not in ("lead", "node"):
        raise UsageError(f"unknown alliance mode '{mode}'", hint="use lead or node")
    filters = filters or Filters()
    evidence = evidence or bool(filters.sources or filters.since or filters.until)
    tables = store if isinstance(store, Triples) else None
    r = _TableReader(tables, people) if tables is not None else _Reader(store, people)
    ties, memberships, counts = _read_ties_t(tables, r) if tables is not None else _read_ties(store, r)
    wanted = {c["fact"] for c in counts}
    if evidence:
        wanted |= {t.fact for t in ties if t.fact} | {m for *_, m in memberships}
    facts, docs = _evidence_t(tables, r, wanted) if tables is not None else _evidence(store, r, wanted)
    mentioned: dict[str, set[str]] = defaultdict(set)
    if not evidence:
        pass
    elif tables is not None:
        for s, d in tables.get(YL + "mentionedIn").pairs():
            mentioned[s].add(d)
    else:
        for row in _q(store, "SELECT ?s ?d WHERE { ?s yl:mentionedIn ?d }"):
            mentioned[row["s"].value].add(row["d"].value)

    kinds = _kinds_t(tables, r) if tables is not None else _kinds(store, r)

    def fact_record(f: str | None, subject: str) -> dict:
        """What backs a tie: its fact node, or for a direct triple the documents naming the subject."""
        if not evidence:
            return {"iri": f or "", "label": "", "sources": [], "source_iris": [], "files": [], "quotes": [], "date": ""}
        if f is None:
            srcs = sorted(mentioned.get(subject, ()))
            dates = sorted(docs[d]["date"] for d in srcs if d in docs and docs[d]["date"])
            return {"iri": "", "label": "", "sources": [docs[d]["id"] if d in docs else d for d in srcs],
                    "source_iris": srcs, "files": [docs[d]["file"] for d in srcs if d in docs],
                    "quotes": [], "date": dates[0] if dates else ""}
        ev = facts.get(f, {"sources": set(), "quotes": [], "dates": []})
        srcs = sorted(ev["sources"])
        own = sorted(ev["dates"])
        pub = sorted(docs[d]["date"] for d in srcs if d in docs and docs[d]["date"])
        return {"iri": f, "label": r.label(f), "sources": [docs[d]["id"] if d in docs else short(ox.NamedNode(d)) for d in srcs],
                "source_iris": srcs, "files": [docs[d]["file"] for d in srcs if d in docs and docs[d]["file"]],
                "quotes": sorted(ev["quotes"]), "date": own[0] if own else (pub[0] if pub else "")}

    # memberships: the leads of each alliance, then lead -> member or member -> alliance ties
    leads: dict[str, list[str]] = defaultdict(list)
    for a, x, role, m in memberships:
        if role == YL + "LeadRole" and x not in leads[a]:
            leads[a].append(x)
    contracted = {a: sorted(ls) for a, ls in leads.items() if mode == "lead" and a in r.alliance_nodes}
    nodes_ok = r.orgs | (r.persons if people else set())
    for a, x, role, m in sorted(memberships):
        if a not in nodes_ok or x not in nodes_ok:
            continue
        kind = kebab(local_name(role)) if role else "membership"
        if a in contracted:
            if x in contracted[a]:
                continue  # the lead itself: it is the alliance's node now
            ties += [_Tie(lead, x, kind, True, m, via=a) for lead in contracted[a]]
        else:
            ties.append(_Tie(x, a, kind, True, m))

    def ends(n: str) -> list[tuple[str, str]]:
        return [(lead, n) for lead in contracted[n]] if n in contracted else [(n, "")]

    G = nx.MultiDiGraph()
    source_iris = set(filters.sources)
    for t in ties:
        rec = fact_record(t.fact, t.u)
        if source_iris and not source_iris & set(rec["source_iris"]):
            continue
        if not _in_range(rec["date"], filters.since, filters.until):
            continue
        if t.person:
            rec["person"] = t.person
        if t.title:
            rec["title"] = t.title
        for u, via_u in ends(t.u):
            for v, via_v in ends(t.v):
                if u == v:
                    continue
                if not t.directed and v < u:
                    u, v = v, u
                via = sorted({x for x in (t.via, via_u, via_v) if x})
                _add_tie(G, u, v, t, rec, via, kinds)
    # nodes: attributes for every organization (an alliance drawn as its lead is its lead);
    # those without ties are set aside below unless include_isolated
    wanted = set(G.nodes) | {o for o in r.orgs if o not in contracted} | (r.persons if people else set())
    member_of: dict[str, set[str]] = defaultdict(set)
    for a, x, role, m in memberships:
        member_of[x].add(a)
    places, contained = _places_t(tables) if tables is not None else _places(store)
    leads_of: dict[str, list[str]] = defaultdict(list)
    for a, ls in sorted(contracted.items()):
        for lead in ls:
            leads_of[lead].append(a)
    label_of = lru_cache(maxsize=65536)(r.label)  # of kinds and places, shared by many nodes
    # without node filters, the nodes left without ties are known before the nodes get
    # their attributes: those go straight to `isolated` instead of into the graph and out
    # again (about half of the organizations at national scale)
    early = not (filters.places or filters.alliances or include_isolated)
    if early:
        _drop_kinds(G, filters, kinds)
        linked = {x for u, v in G.edges() for x in (u, v)}
        G.remove_nodes_from([n for n in G if n not in linked])
    isolated: dict[str, dict] = {}
    for n in sorted(wanted):
        kind = r.kind_of(n)
        place = places.get(n, "")
        led = leads_of.get(n, [])
        attrs = {
            "label": r.label(n), "label_en": r.label(n, "en"), "name": short_iri(n),
            "kind": short_iri(kind) if kind else "", "kind_label": label_of(kind) if kind else "",
            "group": r.group_of(n), "place": label_of(place) if place else "", "place_iri": place,
            "alliances": sorted(member_of.get(n, set()) | ({n} if n in r.alliance_nodes else set())),
            "leads": led, "alt_labels": sorted(set(r.alt.get(n, []))),
            "sources": sorted(docs[d]["id"] for d in mentioned.get(n, ()) if d in docs),
        }
        if early and n not in G:
            isolated[n] = attrs
        else:
            G.add_node(n, **attrs)
    if not early:
        G = _apply_node_filters(G, filters, contained, memberships, r)
        _drop_kinds(G, filters, kinds)
        if not include_isolated:
            isolated = {n: dict(G.nodes[n]) for n in sorted(G.nodes) if G.degree(n) == 0}
            G.remove_nodes_from(isolated)
    for u, v, k, d in G.edges(keys=True, data=True):
        d["facts"].sort(key=lambda f: (f["iri"], f["sources"]))
        d["weight"] = max(1, len(d["facts"]))
        d["sources"] = sorted({s for f in d["facts"] for s in f["sources"]})
        d["quotes"] = sorted({q for f in d["facts"] for q in f["quotes"]})
        dates = sorted(f["date"] for f in d["facts"] if f["date"])
        d["date"] = dates[0] if dates else ""
    G.graph.update({"name": "yilian hospital-tie network", "alliance_mode": mode, "people": people})
    used = {k for _, _, k in G.edges(keys=True)}
    alliances = _alliance_table(r, memberships, counts, docs, facts, filters)
    return Network(G, {k: v for k, v in kinds.items() if k in used}, alliances, mode, filters.describe(),
                   isolated=isolated, include_isolated=include_isolated, drawn_as=contracted)


def notes(net: Network) -> list[str]:
    """What the user should know about what the network leaves out, one line each: how many
    organizations without ties are hidden (and the switch that shows them) and, when
    nothing is left, why (for an alliance: what it is drawn as, the members the graph names
    and the members it declares)."""
    out = []
    G = net.graph
    people = sum(1 for d in net.isolated.values() if d["group"] == "Person")
    orgs = len(net.isolated) - people
    if orgs or people:
        what = " and ".join(x for x in (_count(orgs, "organization"), _count(people, "person", "people")) if x)
        one = len(net.isolated) == 1
        out.append(f"{what} without ties {'is' if one else 'are'} not shown "
                   f"(--include-isolated shows {'it' if one else 'them'})")
    if G.number_of_edges() == 0 and net.filters:
        hints = [] if net.include_isolated else ["--include-isolated"]
        for row in net.alliances if net.filters.get("alliances") else ():
            named = row["named_total"]
            leads = net.drawn_as.get(row["alliance"], [])
            if leads and named <= len(leads):
                why = (f"{row['label']} is drawn as its lead {'、'.join(_node_label(net, x) for x in leads)}, "
                       "and the graph names no other member of it, so there is no lead → member tie")
            elif named == 0:
                why = f"the graph names no member of {row['label']}"
            else:
                why = (f"the {named} members of {row['label']} that the graph names have no ties among them"
                       if named > 1 else f"the one member of {row['label']} that the graph names has no ties")
            declared = "; ".join(f"{d['count']} {d['role'] + ' ' if d['role'] else ''}members ({', '.join(d['sources'])})"
                                 for d in row["declared"])
            if declared:
                why += f"; it declares {declared}"
            tries = (["--alliances node"] if leads else []) + hints
            out.append(why + (f" (try {' or '.join(tries)})" if tries else ""))
        if not net.filters.get("alliances"):
            shown = "; ".join(f"{k}={','.join(v) if isinstance(v, (list, tuple)) else v}" for k, v in net.filters.items())
            out.append(f"no tie is left after the filters ({shown}); loosen them"
                       + (" or add --include-isolated to see the organizations" if hints else ""))
    return out


def _count(n: int, one: str, many: str = "") -> str:
    return "" if not n else f"{n} {one if n == 1 else (many or one + 's')}"


def _node_label(net: Network, iri: str) -> str:
    d = net.graph.nodes[iri] if iri in net.graph else net.isolated.get(iri, {})
    return d.get("label", iri)


def _drop_kinds(G, filters: Filters, kinds: dict[str, TieKind]) -> None:
    """Remove the ties whose kind or family --tie does not name."""
    if filters.kinds:
        _check_kinds(filters.kinds, kinds)
        drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
                if k not in filters.kinds and d["family"] not in filters.kinds]
        G.remove_edges_from(drop)


def _add_tie(G, u, v, t: _Tie, rec: dict, via: list[str], kinds: dict) -> None:
    kind = kinds.get(t.kind) or TieKind(t.kind, t.kind, t.kind, "structure")
    kinds.setdefault(t.kind, kind)
    if G.has_edge(u, v, key=t.kind):
        d = G.edges[u, v, t.kind]
    else:
        G.add_edge(u, v, key=t.kind, kind=t.kind, kind_label=kind.label, kind_label_en=kind.label_en,
                   family=kind.family, directed=t.directed, facts=[], via=[])
        d = G.edges[u, v, t.kind]
    key = (rec["iri"], tuple(rec["sources"]), rec.get("person", ""))
    if all((f["iri"], tuple(f["sources"]), f.get("person", "")) != key for f in d["facts"]):
        d["facts"].append(dict(rec))
    d["via"] = sorted(set(d["via"]) | set(via))


def _kinds(store: ox.Store, r: _Reader) -> dict[str, TieKind]:
    """Tie kinds: membership roles and cooperation types from the ontology, the rest fixed."""
    kinds = {k: TieKind(k, zh, en, fam) for k, (zh, en, fam) in _FIXED_KINDS.items()}
    for row in _q(store, "SELECT ?c WHERE { ?c a yl:MembershipRole }"):
        k = kebab(local_name(row["c"].value))
        kinds[k] = TieKind(k, r.label(row["c"].value), r.label(row["c"].value, "en"), "membership", row["c"].value)
    for row in _q(store, "SELECT ?c WHERE { ?c a yl:CooperationType }"):
        k = kebab(local_name(row["c"].value))
        kinds[k] = TieKind(k, r.label(row["c"].value), r.label(row["c"].value, "en"), "cooperation", row["c"].value)
    return kinds


def _places(store: ox.Store) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Where each organization is, and for each place every place it contains (itself too)."""
    located = {}
    for row in _q(store, "SELECT ?s ?p WHERE { ?s yl:locatedIn ?p }"):
        located.setdefault(row["s"].value, row["p"].value)
    children: dict[str, set[str]] = defaultdict(set)
    for row in _q(store, "SELECT ?a ?b WHERE { ?a schema:containedInPlace ?b }"):
        children[row["b"].value].add(row["a"].value)
    return located, _contained(children)


def _contained(children: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each place (looked up lazily) every place it contains, itself too."""
    contained: dict[str, set[str]] = {}

    def below(p: str) -> set[str]:
        if p not in contained:
            out, todo = {p}, [p]
            while todo:
                for c in children.get(todo.pop(), ()):
                    if c not in out:
                        out.add(c)
                        todo.append(c)
            contained[p] = out
        return contained[p]

    return _Lazy(below)


class _Lazy(dict):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        return self.fn(key)


def _apply_node_filters(G, filters: Filters, contained, memberships, r: _Reader):
    keep = set(G.nodes)
    if filters.places:
        inside = set().union(*(contained[p] for p in filters.places))
        keep = {n for n in keep if G.nodes[n].get("place_iri") in inside}
    if filters.alliances:
        chosen = set(filters.alliances)
        members = {x for a, x, _, _ in memberships if a in chosen} | chosen
        # units and sub-organizations of the alliance belong with it (shared centres)
        grew = True
        while grew:
            more = {u for u, v, k in G.edges(keys=True) if v in members and k in ("unit-of", "sub-organization-of")}
            grew = bool(more - members)
            members |= more
        keep &= members
    return G.subgraph(keep).copy() if keep != set(G.nodes) else G


def _check_kinds(wanted: Iterable[str], kinds: dict[str, TieKind]) -> None:
    known = set(kinds) | set(FAMILIES)
    for k in wanted:
        if k not in known:
            raise UsageError(f"unknown tie kind '{k}'", hint="one of: " + ", ".join(sorted(known)))


def _alliance_table(r: _Reader, memberships, counts, docs, facts, filters: Filters) -> list[dict]:
    """For each alliance: the members the graph names, by role, against the counts it declares."""
    alliances = set(r.alliance_nodes) | {c["alliance"] for c in counts} | {a for a, *_ in memberships if a in r.alliance_nodes}
    if filters.alliances:
        alliances &= set(filters.alliances)
    by_alliance: dict[str, list] = defaultdict(list)
    for m in memberships:
        by_alliance[m[0]].append(m)
    counts_of: dict[str, list] = defaultdict(list)
    for c in counts:
        counts_of[c["alliance"]].append(c)
    out = []
    for a in sorted(alliances, key=lambda x: (r.label(x), x)):
        named: dict[str, list[str]] = defaultdict(list)
        for _, x, role, _ in by_alliance.get(a, ()):
            named[kebab(local_name(role)) if role else "membership"].append(x)
        declared = []
        for c in counts_of.get(a, ()):
            role = kebab(local_name(c["role"])) if c["role"] else ""
            srcs = sorted(docs[d]["id"] if d in docs else d for d in facts.get(c["fact"], {}).get("sources", ()))
            declared.append({"role": role, "count": c["count"], "member_kind": c["member_kind"],
                             "named": len(set(named.get(role, []))) if role else len({x for xs in named.values() for x in xs}),
                             "sources": srcs, "fact": c["fact"]})
        declared.sort(key=lambda d: (d["role"], d["sources"], d["count"]))
        out.append({"alliance": a, "name": short(ox.NamedNode(a)), "label": r.label(a),
                    "named": {k: sorted({r.label(x) for x in v}) for k, v in sorted(named.items())},
                    "named_total": len({x for xs in named.values() for x in xs}), "declared": declared})
    return out


def undirected(G):
    """The simple undirected graph the measures work on (parallel ties merged)."""
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    U.add_edges_from((u, v) for u, v in G.edges())
    return U
