"""`yilian describe`: find one entity by IRI, prefixed name or label, and show its
properties and the facts about it, each with its source and quote."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..errors import UsageError
from ..prefixes import PREFIXES, short
from ..rdf.export import serialize
from .graph import RDF_TYPE, label, query


def _exists(store: ox.Store, node: ox.NamedNode) -> bool:
    return bool(query(store, "ASK { { ?n ?p ?o } UNION { ?s ?p ?n } }", n=node))


@dataclass
class Candidate:
    """A node a name may mean. tier: 0 an entity, 1 an ontology term, 2 a fact node;
    match: 0 exact name, 1 exact alternate name, 2 partial name."""

    node: ox.NamedNode
    label: str
    kind: str
    tier: int
    match: int

    @property
    def key(self) -> tuple:
        return (self.tier, self.match)


class Ambiguous(UsageError):
    """A name that fits several things equally well; `listing` is the candidates, grouped by kind."""

    def __init__(self, message, *, listing: bytes = b"", candidates_json: bytes = b"", **kw):
        super().__init__(message, **kw)
        self.listing = listing
        self.candidates_json = candidates_json


_MATCH = {0: "exact name", 1: "alternate name", 2: "partial name"}
_ONTOLOGY_TYPES = {PREFIXES["owl"] + t for t in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                                                  "Ontology")} | {PREFIXES["skos"] + "ConceptScheme"}


_LABEL_PROPS = tuple(ox.NamedNode(PREFIXES[p] + l) for p, l in (("rdfs", "label"), ("skos", "prefLabel"),
                                                                     ("skos", "altLabel")))


def name_table(store: ox.Store) -> list[tuple]:
    """Every (node, label property, text lowercased, text) of the graph's names (rdfs:label,
    skos:prefLabel, skos:altLabel of an IRI), for candidates(names=…) when many names are
    looked up in one store (the web pages)."""
    out = []
    for p in _LABEL_PROPS:
        for q in store.quads_for_pattern(None, p, None):
            if isinstance(q.subject, ox.NamedNode) and not isinstance(q.object, ox.BlankNode):
                out.append((q.subject, p, q.object.value.lower(), q.object.value))
    return out


def candidates(store: ox.Store, text: str, names: list | None = None) -> list[Candidate]:
    """Every node whose name (rdfs:label, skos:prefLabel, skos:altLabel) is `text` or
    contains it (any case), best first: entities before ontology terms before fact nodes,
    then exact name, exact alternate name, partial name; then by label. names: the
    store's name_table, read once by the caller (else the names are queried)."""
    from .search import FACT_CLASSES, _subclasses

    found: dict[str, list] = {}
    if names is None:
        hits = ((sol["s"], sol["p"], sol["l"].value) for sol in query(
            store, """SELECT ?s ?p ?l WHERE { VALUES ?p { rdfs:label skos:prefLabel skos:altLabel } ?s ?p ?l
                   FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), LCASE(?t))) }""", t=ox.Literal(text)))
    else:
        low = text.lower()
        hits = ((s, p, value) for s, p, lowered, value in names if low in lowered)
    for s, p, value in hits:
        exact = value.lower() == text.lower()
        match = (1 if p.value.endswith("altLabel") else 0) if exact else 2
        entry = found.setdefault(s.value, [s, match])
        entry[1] = min(entry[1], match)
    if not found:
        return []
    facts = set(_subclasses(store, FACT_CLASSES))
    out = []
    for node, match in found.values():
        types = [q.object for q in store.quads_for_pattern(node, RDF_TYPE, None)]
        tvals = {t.value for t in types}
        tier = 2 if tvals & facts else 1 if tvals & _ONTOLOGY_TYPES else 0
        kind = ", ".join(sorted({label(store, t, "en") for t in types})) or "untyped"
        out.append(Candidate(node, label(store, node), kind, tier, match))
    out.sort(key=lambda c: (c.key, len(c.label), c.label, c.node.value))
    return out


def listing(cands: list[Candidate], title: str, show_all: bool, per_kind: int = 10) -> bytes:
    """The candidates grouped by kind (kinds in order of their best candidate); without
    show_all at most per_kind of each kind, with how many more --all would list."""
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        groups.setdefault(c.kind, []).append(c)
    lines = [title]
    for kind, cs in groups.items():
        lines.append(f"  {kind} ({len(cs)}):")
        shown = cs if show_all else cs[:per_kind]
        for c in shown:
            lines.append(f"    {short(c.node)}  {c.label}  [{_MATCH[c.match]}]")
        if len(shown) < len(cs):
            lines.append(f"    … {len(cs) - len(shown)} more (--all lists them)")
    return ("\n".join(lines) + "\n").encode("utf-8")


#: names compared for "did you mean" at most (difflib compares each with the text given)
MAX_SUGGESTION_POOL = 100_000


def close_names(store: ox.Store, text: str, names: list | None = None, n: int = 3) -> list[str]:
    """Up to `n` names of the graph closest to `text` (a misspelt or slightly different
    name such as 湘潭中心医院 for 湘潭市中心医院, or yid:xiangtan-centrl-hospital): labels
    and the local names of yid: IRIs, by difflib's similarity ratio (at least 0.6), best
    first, as written in the graph (a local name as yid:…). Empty when nothing is close, or
    when the graph has more than MAX_SUGGESTION_POOL distinct names (a suggestion is not
    worth seconds)."""
    import difflib

    rows = names if names is not None else name_table(store)
    pool: dict[str, str] = {}  # lowercased -> as written
    yid = PREFIXES["yid"]
    for node, _p, lowered, value in rows:
        pool.setdefault(lowered, value)
        if node.value.startswith(yid):
            local = node.value[len(yid):]
            pool.setdefault(local.lower(), "yid:" + local)
        if len(pool) > MAX_SUGGESTION_POOL:
            return []
    low = text.lower()
    if low.startswith("yid:"):
        low = low[4:]
    # a two-character Chinese name with one character wrong (湘谭, 林方) is only 0.5 alike
    cutoff = 0.5 if len(low) <= 3 else 0.6
    close = difflib.get_close_matches(low, list(pool), n=20, cutoff=cutoff)
    # ... and a one-character name inside it (张 for 张楷) is 0.67 alike: prefer names of
    # about the same length, and none shorter than half the text
    close = [c for c in close if len(c) * 2 >= len(low)]

    def score(c: str) -> float:
        return difflib.SequenceMatcher(None, low, c).ratio() - 0.2 * abs(len(c) - len(low))

    import os.path

    # equally alike: the one that starts as the text does (湘潭 before 三湘 for 湘谭)
    close.sort(key=lambda c: (-score(c), -len(os.path.commonprefix([low, c])), c))
    return [pool[c] for c in close[:n]]


def resolve(store: ox.Store, thing: str) -> ox.NamedNode:
    """The node `thing` names (see find); raises Ambiguous or UsageError."""
    return find(store, thing)[0]


def find(store: ox.Store, thing: str, show_all: bool = False, names: list | None = None) -> tuple[ox.NamedNode, list[Candidate]]:
    """Find an entity by <IRI>, full IRI, prefixed name, or label (Chinese or English,
    any case, alternate names included). Returns the node and the other candidates.
    names: see candidates.
    A name that fits several things equally well raises Ambiguous (exit 2) with the list."""
    text = thing.strip()
    direct: list[ox.NamedNode] = []
    if text.startswith("<") and text.endswith(">"):
        direct = [ox.NamedNode(text[1:-1])]
    elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) or text.startswith("urn:"):
        direct = [ox.NamedNode(text)]
    elif re.match(r"^[A-Za-z][\w-]*:[^\s]*$", text) and text.split(":", 1)[0] in PREFIXES:
        pfx, local = text.split(":", 1)
        direct = [ox.NamedNode(PREFIXES[pfx] + local)]
    if direct:
        if _exists(store, direct[0]):
            return direct[0], []
        close = close_names(store, text, names) if text.startswith("yid:") else []
        if close:
            raise UsageError(f"'{thing}' is not in the graph",
                             hint="did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
        raise UsageError(f"'{thing}' is not in the graph", hint="check the IRI, or give a label such as 湘潭市中心医院")
    cands = candidates(store, text, names)
    if not cands:
        close = close_names(store, text, names)
        if close:
            raise UsageError(f"nothing in the graph is named '{thing}'",
                             hint="did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
        raise UsageError(f"nothing in the graph is named '{thing}'",
                         hint="try part of the name, an English name, `yilian search`, or a prefixed name such as yid:xiangtan")
    best = [c for c in cands if c.key == cands[0].key]
    if len(best) == 1:
        # an exact name is not shadowed by names that merely contain it; a partial one lists the rest
        others = cands[1:] if best[0].match == 2 else [c for c in cands[1:] if c.match < 2]
        return best[0].node, others
    names = ", ".join(f"{short(c.node)} ({c.label})" for c in best[:10])
    more = f" and {len(best) - 10} more" if len(best) > 10 else ""
    raise Ambiguous(f"'{thing}' names {len(cands)} things, {len(best)} of them equally well: {names}{more}",
                    hint=f"give the IRI or prefixed name of the one you mean (`yilian describe --all '{thing}'` "
                         "lists them by kind)",
                    listing=listing(cands, f"'{thing}' names {len(cands)} things:", show_all),
                    candidates_json=(json.dumps({"name": thing, "candidates": [
                        {"iri": c.node.value, "label": c.label, "kind": c.kind, "match": _MATCH[c.match]} for c in cands]},
                        ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def fact_properties(store: ox.Store, fact) -> list[tuple]:
    """A fact's (predicate, object) pairs, as describe lists them."""
    return _props(store, fact)


def _props(store: ox.Store, node) -> list[tuple]:
    """The node's (predicate, object) pairs in every graph, in the store's order (what
    SELECT ?p ?o WHERE { ?n ?p ?o } over the union graph gives, read without a query:
    a page describes thousands of facts)."""
    return [(q.predicate, q.object) for q in store.quads_for_pattern(node, None, None)]


def _render_value(store: ox.Store, o) -> str:
    if isinstance(o, ox.Literal):
        return o.value
    name = short(o)
    lab = label(store, o)
    return name if lab == name else f"{lab} ({name})"


@dataclass
class Description:
    node: ox.NamedNode
    properties: list[tuple] = field(default_factory=list)
    facts: list[tuple] = field(default_factory=list)  # (fact node, [(p, o)])
    incoming: list[tuple] = field(default_factory=list)  # (subject, predicate): links to the node from entities
    rollup: list = field(default_factory=list)  # facts.FactRow of what is in the place / in the alliance
    others: list = field(default_factory=list)  # Candidate: other things the name fits
    name: str = ""  # the name the user gave


#: incoming links shown per property without --all
INCOMING_SHOWN = 20
#: rolled-up facts listed (the rest are counted; facts --about lists them all)
ROLLUP_SHOWN = 10


def describe(store: ox.Store, node: ox.NamedNode, others: list | None = None, name: str = "",
             table=None, fact_props: bool = True) -> Description:
    """The node's properties, the facts that name it (fact nodes with a yl:source that
    link to it), the entities that link to it (a hospital's departments, a city's
    districts), and for a place or an alliance the facts about what it holds (from
    `table`, a facts.FactTable of the store, when given: the same rows, read once).
    fact_props False: the facts' properties are left None, for a caller that shows a few
    of thousands (a unit or an indicator is named by every observation) and reads
    those with fact_properties."""
    d = Description(node, _props(store, node), others=others or [], name=name)
    seen = set()
    facts = _facts_naming(store, node, table.sourced) if table is not None else (sol["f"] for sol in query(
        store, """SELECT DISTINCT ?f WHERE { ?f ?p ?n . ?f yl:source ?src } ORDER BY ?f""", n=node))
    for f in facts:
        if f.value not in seen:
            seen.add(f.value)
            d.facts.append((f, _props(store, f) if fact_props else None))
    if table is not None:
        d.incoming = _linking(store, node, table.sourced_in_data)
    else:
        for sol in query(store, """SELECT DISTINCT ?s ?p WHERE { ?s ?p ?n FILTER(isIRI(?s) && ?p != rdf:type)
                                  FILTER NOT EXISTS { ?s yl:source ?src } } ORDER BY ?p ?s""", n=node, data_only=True):
            d.incoming.append((sol["s"], sol["p"]))
    if _is_container(store, node):
        from .facts import fact_rows

        own = {short(f) for f, _ in d.facts}
        rows = table.rows(about=node) if table is not None else fact_rows(store, about=node)
        d.rollup = [r for r in rows if r.fact not in own]
    return d


def _facts_naming(store: ox.Store, node, sourced: set) -> list:
    """What SELECT DISTINCT ?f WHERE { ?f ?p ?n . ?f yl:source ?src } ORDER BY ?f gives,
    read without a query (a unit is named by thousands of facts): blank nodes first, then
    IRIs in code-point order. sourced: every subject with a yl:source (FactTable.sourced)."""
    found = {q.subject for q in store.quads_for_pattern(None, None, node)}
    return sorted((s for s in found if s in sourced), key=lambda s: (isinstance(s, ox.NamedNode), s.value))


def _linking(store: ox.Store, node, sourced_in_data: set) -> list[tuple]:
    """What the incoming-links query of describe gives (IRIs that link to the node in the
    data graphs, not by rdf:type, with no yl:source there), read without a query.
    sourced_in_data: the subjects with a yl:source in a data graph (FactTable.sourced_in_data)."""
    from ..dataset.sources import ONTOLOGY_GRAPH

    found = set()
    for q in store.quads_for_pattern(None, None, node):
        if q.graph_name != ONTOLOGY_GRAPH and isinstance(q.subject, ox.NamedNode) and q.predicate != RDF_TYPE:
            found.add((q.subject, q.predicate))
    return sorted(((s, p) for s, p in found if s not in sourced_in_data), key=lambda sp: (sp[1].value, sp[0].value))


def _is_container(store: ox.Store, node) -> bool:
    return bool(query(store, """ASK { ?n a/rdfs:subClassOf* ?c VALUES ?c { yl:Place yl:Alliance } }""", n=node))


def describe_date(store: ox.Store, day: str, fmt: str) -> bytes:
    """`describe 2024-08-30`: the facts dated exactly so (in timeline form), and how many
    facts have a less precise date that includes it, with the timeline command for them."""
    from .facts import render_rows
    from .timeline import on_day

    exact, wider = on_day(store, day)
    if fmt == "json":
        return (json.dumps({"date": day, "facts": json.loads(render_rows(exact, "json")),
                             "overlapping": len(wider)}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out = [f"{day}: {len(exact)} fact{'s' if len(exact) != 1 else ''} dated {day}"]
    if exact:
        out.append(render_rows(exact, "table", columns="timeline").decode("utf-8").rstrip("\n"))
    if wider:
        year = day[:4]
        out.append(f"{len(wider)} more with a date or period that includes {day} "
                   f"(such as {wider[0].date}): yilian timeline --year {year}")
    return ("\n".join(out) + "\n").encode("utf-8")


def _sorted_props(props):
    order = {"rdf:type": 0, "rdfs:label": 1, "skos:altLabel": 2}
    return sorted(props, key=lambda po: (order.get(short(po[0]), 5), short(po[0]), str(po[1])))


def render_description(store: ox.Store, d: Description, fmt: str, show_all: bool = False) -> bytes:
    if fmt == "turtle":
        quads = [ox.Quad(d.node, p, o) for p, o in d.properties]
        for f, props in d.facts:
            quads += [ox.Quad(f, p, o) for p, o in props]
        return serialize(quads, "turtle")
    if fmt == "json":
        def props_json(props):
            out: dict[str, list] = {}
            for p, o in _sorted_props(props):
                out.setdefault(short(p), []).append(_render_value(store, o))
            return out
        doc = {"iri": d.node.value, "label": label(store, d.node), "properties": props_json(d.properties),
               "facts": [{"iri": f.value, "label": label(store, f), "properties": props_json(p)} for f, p in d.facts],
               "linked_from": [{"iri": s.value, "label": label(store, s), "property": short(p)} for s, p in d.incoming],
               "rollup": [{k: getattr(r, k) for k in ("fact", "kind", "what", "about", "date", "value", "qualifier",
                                                     "unit", "source")} for r in d.rollup],
               "also_named": [{"iri": c.node.value, "label": c.label, "kind": c.kind} for c in d.others]}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    lines = [f"{label(store, d.node)}  <{d.node.value}>"]
    for p, o in _sorted_props(d.properties):
        if short(p) in ("yl:quote", "yl:source"):
            continue
        lines.append(f"  {label(store, p, 'en')}: {_render_value(store, o)}{_inferred(store, p, d.properties)}")
    own_sources = [o for p, o in d.properties if short(p) == "yl:source"]
    own_quotes = [o for p, o in d.properties if short(p) == "yl:quote"]
    if own_sources:
        lines += _evidence(store, own_sources, own_quotes, "  ")
    if d.facts:
        lines.append("")
        lines.append(f"Facts ({len(d.facts)}):")
    for f, props in d.facts:
        types = ", ".join(label(store, o, "en") for p, o in props if p == RDF_TYPE)
        lines.append(f"- {label(store, f)} [{types}] <{f.value}>")
        for p, o in _sorted_props(props):
            if short(p) in ("yl:quote", "yl:source", "rdf:type", "rdfs:label"):
                continue
            lines.append(f"    {label(store, p, 'en')}: {_render_value(store, o)}{_inferred(store, p, props)}")
        lines += _evidence(store, [o for p, o in props if short(p) == "yl:source"],
                           [o for p, o in props if short(p) == "yl:quote"], "    ")
    lines += _render_incoming(store, d, show_all)
    lines += _render_rollup(store, d)
    if d.others:
        lines.append("")
        if show_all:
            lines.append(listing(d.others, f"Also named '{d.name}' ({len(d.others)}):", True).decode("utf-8").rstrip("\n"))
        else:
            by_kind: dict[str, int] = {}
            for c in d.others:
                by_kind[c.kind] = by_kind.get(c.kind, 0) + 1
            kinds = ", ".join(f"{k} {n}" for k, n in by_kind.items())
            lines.append(f"Also named '{d.name}': {len(d.others)} other things ({kinds}); --all lists them.")
    return ("\n".join(lines) + "\n").encode("utf-8")


_DATE_PROPS = {"schema:startDate", "schema:endDate", "yl:date", "yl:since", "yl:period", "yl:periodStart",
               "yl:periodEnd", "yl:asOf"}


def _inferred(store, p, props) -> str:
    """' (inferred from …)' after a date of a fact whose date the graph inferred
    (yl:dateInferred true; yl:dateInferredFrom the document or fact it was resolved from)."""
    if short(p) not in _DATE_PROPS:
        return ""
    if not any(short(q) == "yl:dateInferred" and o.value in ("true", "1") for q, o in props):
        return ""
    sources = [_render_value(store, o) for q, o in props if short(q) == "yl:dateInferredFrom"]
    return f" (inferred from {', '.join(sources)})" if sources else " (inferred)"


def _render_incoming(store, d: Description, show_all: bool) -> list[str]:
    if not d.incoming:
        return []
    lines = ["", f"Linked from ({len(d.incoming)}):"]
    by_prop: dict = {}
    for s, p in d.incoming:
        by_prop.setdefault(p, []).append(s)
    for p, subjects in by_prop.items():
        name = label(store, p, "en")
        lines.append(f"  {name} ({short(p)}):" if name != short(p) else f"  {name}:")
        shown = subjects if show_all else subjects[:INCOMING_SHOWN]
        for s in shown:
            lines.append(f"    {_render_value(store, s)}")
        if len(shown) < len(subjects):
            lines.append(f"    … {len(subjects) - len(shown)} more (--all lists them)")
    return lines


def _render_rollup(store, d: Description) -> list[str]:
    if not d.rollup:
        return []
    name = label(store, d.node)
    lines = ["", f"Facts about what {name} holds ({len(d.rollup)}; `yilian facts --about {short(d.node)}` lists them all):"]
    by_kind: dict[str, int] = {}
    for r in d.rollup:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
    lines.append("  " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))))
    for r in sorted(d.rollup, key=lambda r: (not r.value, r.kind != "metric observation", r.fact))[:ROLLUP_SHOWN]:
        bits = [b for b in (r.value_text or r.trend, r.date_text, r.source) if b]
        lines.append(f"  - {r.what} — {r.about}: {', '.join(bits)}")
    if len(d.rollup) > ROLLUP_SHOWN:
        lines.append(f"  … {len(d.rollup) - ROLLUP_SHOWN} more")
    return lines


def _evidence(store, sources, quotes, indent) -> list[str]:
    out = []
    for s in sorted(sources, key=lambda n: n.value):
        out.append(f"{indent}source: {_source_line(store, s)}")
    for q in sorted(quotes, key=lambda l: l.value):
        out.append(f"{indent}quote: “{q.value}”")
    return out


def _source_line(store: ox.Store, doc) -> str:
    rows = list(query(store, """SELECT ?file ?pub ?issue ?date ?est WHERE {
        OPTIONAL { ?d yl:corpusFile ?file }
        OPTIONAL { ?d schema:isPartOf ?i . ?i schema:issueNumber ?issue . OPTIONAL { ?i schema:isPartOf/rdfs:label ?pub FILTER(lang(?pub)="zh") } }
        OPTIONAL { ?d schema:datePublished ?date }
        OPTIONAL { ?d yl:estimatedDate ?est } } LIMIT 1""", d=doc))
    title = label(store, doc)
    bits = [f"{short(doc)} {title}"]
    if rows:
        r = rows[0]
        if r["pub"] is not None and r["issue"] is not None:
            bits.append(f"{r['pub'].value} 第{r['issue'].value}期")
        if r["date"] is not None:
            bits.append(r["date"].value)
        elif r["est"] is not None:
            bits.append(f"date not printed, estimated {r['est'].value}")
        if r["file"] is not None:
            bits.append(r["file"].value)
    return ", ".join(bits)
