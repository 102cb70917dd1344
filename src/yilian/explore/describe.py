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


def resolve(store: ox.Store, thing: str) -> ox.NamedNode:
    """Find an entity by <IRI>, full IRI, prefixed name, or label (Chinese or English)."""
    text = thing.strip()
    candidates: list[ox.NamedNode] = []
    if text.startswith("<") and text.endswith(">"):
        candidates = [ox.NamedNode(text[1:-1])]
    elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) or text.startswith("urn:"):
        candidates = [ox.NamedNode(text)]
    elif re.match(r"^[A-Za-z][\w-]*:[^\s]*$", text) and text.split(":", 1)[0] in PREFIXES:
        pfx, local = text.split(":", 1)
        candidates = [ox.NamedNode(PREFIXES[pfx] + local)]
    if candidates:
        if _exists(store, candidates[0]):
            return candidates[0]
        raise UsageError(f"'{thing}' is not in the graph", hint="check the IRI, or give a label such as 湘潭市中心医院")
    exact = {}
    for sol in query(store, """SELECT DISTINCT ?s WHERE { ?s rdfs:label|skos:prefLabel|skos:altLabel ?l
                            FILTER(LCASE(STR(?l)) = LCASE(?t)) }""", t=ox.Literal(text)):
        exact[sol["s"].value] = sol["s"]
    matches = list(exact.values())
    if not matches:
        for sol in query(store, """SELECT DISTINCT ?s WHERE { ?s rdfs:label|skos:prefLabel|skos:altLabel ?l
                                FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?t))) } LIMIT 50""", t=ox.Literal(text)):
            exact[sol["s"].value] = sol["s"]
        matches = list(exact.values())
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UsageError(f"nothing in the graph is named '{thing}'",
                         hint="try part of the name, an English name, or a prefixed name such as yid:xiangtan")
    names = ", ".join(f"{short(m)} ({label(store, m)})" for m in sorted(matches, key=lambda m: m.value)[:10])
    raise UsageError(f"'{thing}' names {len(matches)} things: {names}", hint="give the IRI or prefixed name of the one you mean")


def _props(store: ox.Store, node) -> list[tuple]:
    rows = []
    for sol in query(store, "SELECT ?p ?o WHERE { ?n ?p ?o }", n=node):
        rows.append((sol["p"], sol["o"]))
    return rows


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


def describe(store: ox.Store, node: ox.NamedNode) -> Description:
    d = Description(node, _props(store, node))
    seen = set()
    for sol in query(store, """SELECT DISTINCT ?f WHERE { ?f ?p ?n . ?f yl:source ?src } ORDER BY ?f""", n=node):
        f = sol["f"]
        if f.value not in seen:
            seen.add(f.value)
            d.facts.append((f, _props(store, f)))
    return d


def _sorted_props(props):
    order = {"rdf:type": 0, "rdfs:label": 1, "skos:altLabel": 2}
    return sorted(props, key=lambda po: (order.get(short(po[0]), 5), short(po[0]), str(po[1])))


def render_description(store: ox.Store, d: Description, fmt: str) -> bytes:
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
               "facts": [{"iri": f.value, "label": label(store, f), "properties": props_json(p)} for f, p in d.facts]}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    lines = [f"{label(store, d.node)}  <{d.node.value}>"]
    for p, o in _sorted_props(d.properties):
        if short(p) in ("yl:quote", "yl:source"):
            continue
        lines.append(f"  {label(store, p, 'en')}: {_render_value(store, o)}")
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
            lines.append(f"    {label(store, p, 'en')}: {_render_value(store, o)}")
        lines += _evidence(store, [o for p, o in props if short(p) == "yl:source"],
                           [o for p, o in props if short(p) == "yl:quote"], "    ")
    return ("\n".join(lines) + "\n").encode("utf-8")


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
