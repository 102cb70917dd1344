"""`yilian search TEXT…`: full-text search over names (rdfs:label, skos:prefLabel),
alternate names (skos:altLabel), titles (schema:headline, yl:title, yl:designationTitle …),
quotes (yl:quote) and notes (yl:note, descriptions).

Matching: every word of the query must occur in one of a node's texts — a substring
match, so Chinese needs no word segmentation (门可罗雀 finds the quote that contains it),
and case-insensitive (str.lower) for Latin script. Ranking: entities first — exact name,
then exact alternate name, then names that contain the words (shorter names first) —
then the facts (fact nodes, and any node matched by a quote or note), each with the
matching passage marked 【…】.

The index is a SQLite file (the standard library's sqlite3) beside the on-disk query
store, written when the store is built (dataset/store.py calls build_index) or, for a
store built before, on the first search; with --no-store it is built in memory. Each
search is a scan of the lower-cased texts in C (instr), about 0.1 s for the 1M-triple
synthetic graph (bench/search.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import tables
from ..dataset.sources import ONTOLOGY_GRAPH
from ..errors import UsageError
from ..prefixes import PREFIXES, short
from .graph import query

INDEX_FILE = "search-v1.sqlite"

_P = {k: PREFIXES[k.split(":")[0]] + k.split(":")[1] for k in (
    "rdfs:label", "skos:prefLabel", "skos:altLabel", "yl:quote", "yl:note", "schema:headline",
    "schema:alternativeHeadline", "dcterms:title", "yl:title", "yl:designationTitle", "schema:name",
    "schema:jobTitle", "schema:description", "dcterms:description")}
#: which field each searched property fills
FIELDS = {
    "rdfs:label": "name", "skos:prefLabel": "name", "skos:altLabel": "alt",
    "schema:headline": "title", "schema:alternativeHeadline": "title", "dcterms:title": "title",
    "yl:title": "title", "yl:designationTitle": "title", "schema:name": "title", "schema:jobTitle": "title",
    "yl:quote": "quote", "yl:note": "note", "schema:description": "note", "dcterms:description": "note",
}
#: fact nodes: the reified statements (as opposed to entities: places, organizations,
#: people, programs, events, documents …)
FACT_CLASSES = ("yl:Observation", "yl:MemberCount", "yl:PositionHolding", "yl:Posting", "yl:Mentoring",
                "yl:Participation", "yl:Membership", "yl:Cooperation", "yl:Designation")
_SCHEMA = """
CREATE TABLE node(nid INTEGER PRIMARY KEY, iri TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
                  isfact INTEGER NOT NULL, files TEXT NOT NULL);
CREATE TABLE rec(nid INTEGER NOT NULL, field TEXT NOT NULL, text TEXT NOT NULL, low TEXT NOT NULL);
CREATE TABLE ntype(nid INTEGER NOT NULL, cls TEXT NOT NULL);
CREATE TABLE nsrc(nid INTEGER NOT NULL, doc TEXT NOT NULL);
"""


# ---------------------------------------------------------------- building

def _data(q) -> bool:
    return q.graph_name != ONTOLOGY_GRAPH


def build_index(store: ox.Store, folder: Path | str | None) -> sqlite3.Connection | None:
    """Write the search index of `store` to folder/INDEX_FILE (atomically: a temporary
    file renamed into place) and return None; with folder None, return it in memory."""
    if folder is None:
        con = sqlite3.connect(":memory:")
        _fill(con, store)
        return con
    folder = Path(folder)
    fd, tmp = tempfile.mkstemp(prefix=".search-", suffix=".sqlite", dir=folder)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        _fill(con, store)
        con.close()
        os.replace(tmp, folder / INDEX_FILE)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return None


def _fill(con: sqlite3.Connection, store: ox.Store) -> None:
    con.executescript(_SCHEMA)
    nids: dict[str, int] = {}
    names: dict[int, tuple] = {}
    recs = []

    def nid(node) -> int:
        n = nids.get(node.value)
        if n is None:
            n = nids[node.value] = len(nids) + 1
        return n

    for name, prop in _P.items():
        field_ = FIELDS[name]
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            if not isinstance(q.object, ox.Literal) or not _data(q) or isinstance(q.subject, ox.Triple):
                continue
            n = nid(q.subject)
            text = q.object.value
            recs.append((n, field_, text, " ".join(text.lower().split())))
            if field_ == "name":
                lang = q.object.language or ""
                rank = {"zh": 0, "en": 1}.get(lang.split("-")[0], 2)
                if n not in names or rank < names[n][0]:
                    names[n] = (rank, text)
    con.executemany("INSERT INTO rec VALUES (?,?,?,?)", recs)
    # kinds: each node's rdf:type, with the class's label
    fact_classes = {c: True for c in _subclasses(store, FACT_CLASSES)}
    class_label: dict[str, str] = {}
    types: dict[int, list[str]] = {}
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    for node_iri, n in nids.items():
        node = ox.NamedNode(node_iri) if not node_iri.startswith("_:") else None
        if node is None:
            continue
        for q in store.quads_for_pattern(node, rdf_type, None):
            if _data(q):
                types.setdefault(n, []).append(q.object.value)
    for cls in {c for ts in types.values() for c in ts}:
        class_label[cls] = _class_label(store, cls)
    docs = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(PREFIXES["yl"] + "corpusFile"), None):
        docs[q.subject.value] = q.object.value
    srcs = []
    for prop in ("yl:source", "yl:mentionedIn"):
        for q in store.quads_for_pattern(None, ox.NamedNode(PREFIXES["yl"] + prop[3:]), None):
            n = nids.get(q.subject.value)
            if n is not None and _data(q):
                srcs.append((n, q.object.value))
    files: dict[int, list[str]] = {}
    for n, d in srcs:
        f = docs.get(d, short(ox.NamedNode(d)))
        if f not in files.setdefault(n, []):
            files[n].append(f)
    rows = []
    for node_iri, n in nids.items():
        ts = sorted(set(types.get(n, [])))
        rows.append((n, node_iri, names.get(n, (0, short(ox.NamedNode(node_iri)) if not node_iri.startswith("_:") else node_iri))[1],
                     ", ".join(class_label[t] for t in ts), int(any(t in fact_classes for t in ts)),
                     " ".join(sorted(files.get(n, [])))))
    con.executemany("INSERT INTO node VALUES (?,?,?,?,?,?)", rows)
    con.executemany("INSERT INTO ntype VALUES (?,?)", [(n, t) for n, ts in types.items() for t in set(ts)])
    con.executemany("INSERT INTO nsrc VALUES (?,?)", sorted(set(srcs)))
    con.execute("CREATE INDEX ntype_cls ON ntype(cls)")
    con.execute("CREATE INDEX nsrc_doc ON nsrc(doc)")
    con.commit()


def _subclasses(store: ox.Store, names) -> list[str]:
    values = " ".join(names)
    return [s["c"].value for s in query(store, f"SELECT DISTINCT ?c WHERE {{ VALUES ?top {{ {values} }} ?c rdfs:subClassOf* ?top }}")]


def _class_label(store: ox.Store, cls: str) -> str:
    best = {}
    for q in store.quads_for_pattern(ox.NamedNode(cls), ox.NamedNode(_P["rdfs:label"]), None):
        best.setdefault(q.object.language or "", q.object.value)
    return best.get("en") or best.get("zh") or short(ox.NamedNode(cls))


# ---------------------------------------------------------------- opening

def open_index(store: ox.Store, folder: Path | None) -> sqlite3.Connection:
    """The index of `store`: folder/INDEX_FILE (written there first if missing and the
    folder is writable), else built in memory."""
    if folder is not None:
        path = Path(folder) / INDEX_FILE
        if not path.is_file():
            try:
                build_index(store, folder)
            except OSError:
                return build_index(store, None)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return build_index(store, None)


# ---------------------------------------------------------------- searching

@dataclass
class Hit:
    iri: str
    name: str
    kind: str
    files: str
    rank: int  # 0 exact name, 1 exact alternate name, 2 a name contains the words, 3 a quote or note does
    isfact: bool
    summary: str = ""
    field: str = ""
    text: str = ""
    passage: str = ""
    match: str = ""


@dataclass
class Results:
    query: str
    entities: list[Hit] = field(default_factory=list)
    facts: list[Hit] = field(default_factory=list)
    total_entities: int = 0
    total_facts: int = 0


def search(store: ox.Store, con: sqlite3.Connection, words: list[str], *, kinds: list | None = None,
           docs: list | None = None, limit: int = 20) -> Results:
    """Nodes every word of which occurs in one of their texts (case-insensitive substring).
    kinds: class IRIs (with subclasses) a node must have one of; docs: source documents
    (yl:source or yl:mentionedIn) it must have one of. At most `limit` entities and
    `limit` facts, with the totals."""
    low = [" ".join(w.lower().split()) for w in words if w.strip()]
    if not low:
        raise UsageError("nothing to search for", hint="give one or more words, such as 门可罗雀 or 第一书记")
    full = " ".join(low)
    where = " OR ".join("instr(low, ?) > 0" for _ in low)
    having = " AND ".join("MAX(instr(low, ?) > 0)" for _ in low)
    all_here = " AND ".join("instr(low, ?) > 0" for _ in low)
    filters, fparams = "", []
    if kinds is not None:
        filters += f" AND nid IN (SELECT nid FROM ntype WHERE cls IN ({','.join('?' * len(kinds))}))"
        fparams += [k.value for k in kinds]
    if docs is not None:
        filters += f" AND nid IN (SELECT nid FROM nsrc WHERE doc IN ({','.join('?' * len(docs))}))"
        fparams += [d.value for d in docs]
    # in the order the placeholders appear: rank, name length, WHERE, filters, HAVING
    params = [full, full, *low, *low, *low, *fparams, *low]
    sql = f"""SELECT nid, MIN(CASE WHEN field = 'name' AND low = ? THEN 0 WHEN field = 'alt' AND low = ? THEN 1
                   WHEN field IN ('name', 'alt', 'title') AND {all_here} THEN 2 ELSE 3 END),
                   MIN(CASE WHEN field IN ('name', 'alt', 'title') AND {all_here} THEN length(low) END)
              FROM rec WHERE ({where}){filters} GROUP BY nid HAVING {having}"""
    matched = con.execute(sql, params).fetchall()
    if not matched:
        return Results(full)
    info = {}
    ids = [m[0] for m in matched]
    for chunk in range(0, len(ids), 900):
        part = ids[chunk:chunk + 900]
        for row in con.execute(f"SELECT nid, iri, name, kind, isfact, files FROM node WHERE nid IN ({','.join('?' * len(part))})", part):
            info[row[0]] = row
    ents, facts = [], []
    for nid, rank, namelen in matched:
        _, iri, name, kind, isfact, files = info[nid]
        hit = Hit(iri, name, kind, files, rank, bool(isfact))
        if not isfact and rank <= 2:
            ents.append((rank, namelen or 0, name, iri, nid, hit))
        else:
            facts.append((iri, nid, hit))
    ents.sort(key=lambda e: e[:4])
    facts.sort(key=lambda f: f[0])
    res = Results(full, total_entities=len(ents), total_facts=len(facts))
    res.entities = [e[-1] for e in ents[:limit]]
    shown_facts = facts[:limit]
    # the passage of each shown fact: a quote first, then a title or name, then a note
    order = {"quote": 0, "title": 1, "name": 2, "alt": 3, "note": 4}
    nid_of = {f[1]: f[2] for f in shown_facts}
    best: dict[int, tuple] = {}
    if nid_of:
        part = list(nid_of)
        for nid, fld, text, lowtext in con.execute(
                f"SELECT nid, field, text, low FROM rec WHERE nid IN ({','.join('?' * len(part))})", part):
            if any(w in lowtext for w in low):
                key = (sum(w not in lowtext for w in low), order[fld], text)
                if nid not in best or key < best[nid][0]:
                    best[nid] = (key, fld, text)
    for nid, hit in nid_of.items():
        if nid in best:
            _, hit.field, hit.text = best[nid]
            hit.passage, hit.match = highlight(hit.text, low)
    res.facts = [f[2] for f in shown_facts]
    for hit in res.entities:
        hit.summary = summary(store, ox.NamedNode(hit.iri))
    return res


def highlight(text: str, words: list[str], width: int = 36) -> tuple[str, str]:
    """The passage of `text` around the first match, each word's first occurrence marked
    【…】, at most `width` characters either side (… where cut); and the matched text."""
    flat = " ".join(text.split())
    lowered = flat.lower()
    if len(lowered) != len(flat):  # lower() changed the length: no positions to mark
        return flat, ""
    spans = []
    for w in words:
        i = lowered.find(w)
        if i >= 0:
            spans.append((i, i + len(w)))
    if not spans:
        return flat, ""
    spans.sort()
    merged = [list(spans[0])]
    for a, b in spans[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    lo = max(0, merged[0][0] - width)
    hi = min(len(flat), merged[-1][1] + width)
    out, pos = [], lo
    for a, b in merged:
        if a < lo or b > hi:
            continue
        out.append(flat[pos:a] + "【" + flat[a:b] + "】")
        pos = b
    out.append(flat[pos:hi])
    passage = ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(flat) else "")
    return passage, flat[merged[0][0]:merged[0][1]]


def summary(store: ox.Store, node: ox.NamedNode) -> str:
    """One line about an entity: where it is, a post a person holds, what it is part of,
    and how many facts name it."""
    bits = []
    for s in query(store, """SELECT ?w ?l WHERE { { ?n yl:locatedIn|schema:containedInPlace|org:unitOf|yl:partOf ?w }
            ?w rdfs:label ?l FILTER(lang(?l) = "zh") } LIMIT 1""", n=node):
        bits.append(f"in {s['l'].value}")
    for s in query(store, """SELECT ?t ?ol WHERE { ?h org:member ?n ; yl:title ?t . OPTIONAL { ?h org:organization/rdfs:label ?ol
            FILTER(lang(?ol) = "zh") } } ORDER BY ?t LIMIT 1""", n=node):
        bits.append(f"{s['ol'].value if s['ol'] else ''}{s['t'].value}")
    n = next(iter(query(store, "SELECT (COUNT(DISTINCT ?f) AS ?c) WHERE { ?f ?p ?n ; yl:source ?s }", n=node)))["c"]
    if int(n.value):
        bits.append(f"{n.value} fact{'' if n.value == '1' else 's'}")
    return "; ".join(bits)


# ---------------------------------------------------------------- output

def render(res: Results, fmt: str) -> bytes:
    """table: Entities then Facts, with totals; csv: one row per hit, the match apart from
    the passage; json: {query, entities, facts, total_entities, total_facts}."""
    how = {0: "exact name", 1: "alternate name", 2: "partial name", 3: "quote or note"}
    if fmt == "json":
        doc = {"query": res.query, "total_entities": res.total_entities, "total_facts": res.total_facts,
               "entities": [{"iri": h.iri, "name": h.name, "kind": h.kind, "match": how[h.rank],
                             "summary": h.summary, "sources": h.files.split()} for h in res.entities],
               "facts": [{"iri": h.iri, "name": h.name, "kind": h.kind, "field": h.field, "text": h.text,
                          "passage": h.passage, "match": h.match, "sources": h.files.split()} for h in res.facts]}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["section", "iri", "name", "kind", "how", "field", "text", "match", "summary", "sources"])
        for h in res.entities:
            w.writerow(["entity", h.iri, h.name, h.kind, how[h.rank], "", "", "", h.summary, h.files])
        for h in res.facts:
            w.writerow(["fact", h.iri, h.name, h.kind, how[h.rank], h.field, h.text, h.match, "", h.files])
        return buf.getvalue().encode("utf-8")
    if not res.entities and not res.facts:
        return f"nothing matches '{res.query}'\n".encode("utf-8")
    out = []
    if res.entities:
        out.append(f"Entities ({_count(len(res.entities), res.total_entities)}):")
        out.append(tables.render(["name", "kind", "match", "summary", "iri"],
                                 [[h.name, h.kind, how[h.rank], h.summary, short(ox.NamedNode(h.iri))]
                                  for h in res.entities]).rstrip("\n"))
    if res.facts:
        if out:
            out.append("")
        out.append(f"Facts ({_count(len(res.facts), res.total_facts)}):")
        out.append(tables.render(["fact", "kind", "in", "passage", "source", "iri"],
                                 [[h.name, h.kind, h.field, h.passage, h.files, short(ox.NamedNode(h.iri))]
                                  for h in res.facts]).rstrip("\n"))
    return ("\n".join(out) + "\n").encode("utf-8")


def _count(shown: int, total: int) -> str:
    return str(total) if shown == total else f"{shown} of {total}; --limit shows more"
