"""`yilian search TEXT…`: full-text search over names (rdfs:label, skos:prefLabel),
alternate names (skos:altLabel), titles (schema:headline, yl:title, yl:designationTitle …),
quotes (yl:quote) and notes (yl:note, descriptions).

Matching: every word of the query must occur in one of a node's texts — a substring
match, so Chinese needs no word segmentation (门可罗雀 finds the quote that contains it),
and case-insensitive (str.lower) for Latin script. Ranking: entities first — exact name,
then exact alternate name, then names that contain the words (shorter names first) —
then the facts (fact nodes, and any node matched by a quote or note), each with the
matching passage marked 【…】.

The index is a folder beside the on-disk query store (search-v3/: the lower-cased texts
in one memory-mapped file, scanned with bytes.find; which node and field each text is, in
memory-mapped arrays, so that opening the index reads nothing in proportion to the graph;
and a SQLite file — the standard library's sqlite3 — with each node's name, kind, sources
and summary line). It is written when the store is built (dataset/store.py
calls build_index) or, for a store built before, on the first search; with --no-store it
is built in memory. Figures: bench/search.py."""

from __future__ import annotations

import csv
import heapq
import io
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import tables
from ..errors import UsageError
from ..prefixes import PREFIXES, short
from .graph import query

INDEX_DIR = "search-v3"
#: the arrays of an index, each a file in INDEX_DIR: name -> array typecode (native byte
#: order: the index is a cache on this machine). offsets: where each text starts in `text`
#: (one more than there are texts); rec_node, rec_field: the node and field code of each
#: text; isfact: 1 for the nodes that are facts
ARRAYS = {"offsets": "q", "rec_node": "i", "rec_field": "B", "isfact": "B"}

_P = {k: PREFIXES[k.split(":")[0]] + k.split(":")[1] for k in (
    "rdfs:label", "skos:prefLabel", "skos:altLabel", "yl:quote", "yl:note", "schema:headline",
    "schema:alternativeHeadline", "dcterms:title", "yl:title", "yl:designationTitle", "schema:name",
    "schema:jobTitle", "schema:description", "dcterms:description", "rdf:type", "yl:source", "yl:mentionedIn",
    "yl:corpusFile", "yl:locatedIn", "schema:containedInPlace", "org:unitOf", "yl:partOf", "org:member",
    "org:organization")}
#: which field each searched property fills
FIELDS = {
    "rdfs:label": "name", "skos:prefLabel": "name", "skos:altLabel": "alt",
    "schema:headline": "title", "schema:alternativeHeadline": "title", "dcterms:title": "title",
    "yl:title": "title", "yl:designationTitle": "title", "schema:name": "title", "schema:jobTitle": "title",
    "yl:quote": "quote", "yl:note": "note", "schema:description": "note", "dcterms:description": "note",
}
FIELD_CODES = ("name", "alt", "title", "quote", "note")
_CODE = {f: i for i, f in enumerate(FIELD_CODES)}
_BY_IRI = {_P[k]: _CODE[f] for k, f in FIELDS.items()}
#: where an entity is, for its summary line
_WHERE = {_P[k] for k in ("yl:locatedIn", "schema:containedInPlace", "org:unitOf", "yl:partOf")}
#: fact nodes: the reified statements (as opposed to entities: places, organizations,
#: people, programs, events, documents …)
FACT_CLASSES = ("yl:Observation", "yl:MemberCount", "yl:PositionHolding", "yl:Posting", "yl:Mentoring",
                "yl:Participation", "yl:Membership", "yl:Cooperation", "yl:Designation", "yl:Headship")
_SCHEMA = """
CREATE TABLE node(nid INTEGER PRIMARY KEY, iri TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
                  isfact INTEGER NOT NULL, files TEXT NOT NULL, summary TEXT NOT NULL);
CREATE TABLE orig(rid INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE ntype(nid INTEGER NOT NULL, cls TEXT NOT NULL);
CREATE TABLE nsrc(nid INTEGER NOT NULL, doc TEXT NOT NULL);
"""


# ---------------------------------------------------------------- building

def build_index(store: ox.Store, folder: Path | str | None, files) -> "Index | None":
    """Write the search index of the data `files` (paths; `store` holds them and the
    ontology, for class labels and the fact classes) to folder/INDEX_DIR: `text` (the
    lower-cased, whitespace-normalised texts, one a line, UTF-8), the ARRAYS (where each
    line starts, which node and field each line is, which nodes are facts) and
    `index.sqlite` (the original text where lower-casing changed it, each node's name,
    kind, sources and summary line). Built in a temporary folder renamed into place. With
    folder None, return the index in memory instead.

    The files are parsed again rather than read back from the on-disk store: reading a
    million quads out of RocksDB costs about 16 µs a quad, parsing about 4."""
    hay, arrays, tables_ = _collect(store, files)
    if folder is None:
        con = sqlite3.connect(":memory:")
        _write_tables(con, tables_)
        return Index(hay, con, arrays)
    folder = Path(folder)
    tmp = Path(tempfile.mkdtemp(prefix=".search-", dir=folder))
    try:
        (tmp / "text").write_bytes(hay)
        for name, values in arrays.items():
            (tmp / name).write_bytes(values.tobytes())
        con = sqlite3.connect(tmp / "index.sqlite")
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        _write_tables(con, tables_)
        con.close()
        os.replace(tmp, folder / INDEX_DIR)
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    import shutil

    for old in folder.glob("search-v*"):  # an index of an earlier layout, which nothing reads now
        if old.name != INDEX_DIR:
            shutil.rmtree(old, ignore_errors=True)
    return None


def _quads(files, store: ox.Store | None = None):
    """The quads of each data file, as the store was loaded: big N-Triples/N-Quads/Turtle/
    TriG files streamed by Oxigraph's parser, the others through dataset.parse. With
    files None, the data quads of `store` itself (every graph but the ontology's), for a
    store whose files are not known (a server's, in tests)."""
    from ..dataset.formats import format_of
    from ..dataset.parse import parse_file

    if files is None:
        from ..dataset.sources import ONTOLOGY_GRAPH

        yield from (q for q in store.quads_for_pattern(None, None, None) if q.graph_name != ONTOLOGY_GRAPH)
        return

    streamed = {ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG}
    for path in files:
        path = Path(path)
        fmt = format_of(path)
        if path.stat().st_size >= (16 << 20) and fmt in streamed:  # as dataset.store.BULK_BYTES
            yield from ox.parse(path=str(path), format=fmt)
        else:
            yield from parse_file(path)


#: the properties whose subjects are facts about their object, for "N facts" in summaries
_ABOUT = {PREFIXES[k.split(":")[0]] + k.split(":")[1] for k in (
    "yl:about", "yl:alliance", "org:member", "org:organization", "yl:person", "yl:fromOrganization",
    "yl:toOrganization", "yl:designee", "yl:participant", "yl:event", "yl:provider", "yl:recipient",
    "yl:partner", "yl:mentor", "yl:mentee", "yl:runBy", "yl:beneficiary", "yl:area")}


def _collect(store: ox.Store, files):
    """One pass over the quads of the data files."""
    from array import array

    nids: dict[str, int] = {}
    lows: list[str] = []
    rec_node = array("i")
    rec_field = bytearray()
    orig: list[tuple[int, str]] = []
    names: dict[str, tuple] = {}
    types: dict[str, list[str]] = {}
    srcs: dict[str, list[str]] = {}
    where: dict[str, str] = {}
    corpus_files: dict[str, str] = {}
    about: dict[str, set] = {}
    members: dict[str, str] = {}
    orgs: dict[str, str] = {}
    titles: dict[str, str] = {}
    rdf_type, source, mentioned, corpus = (_P[k] for k in ("rdf:type", "yl:source", "yl:mentionedIn", "yl:corpusFile"))
    member, organization, title = _P["org:member"], _P["org:organization"], _P["yl:title"]
    NamedNode, Literal = ox.NamedNode, ox.Literal
    # what each wanted predicate is: a field code (0-4) or one of the names below
    wanted: dict[str, object] = dict(_BY_IRI)
    wanted.update({rdf_type: "type", source: "src", mentioned: "src", corpus: "corpus"})
    wanted.update({w: "where" for w in _WHERE})
    wanted.update({a: "about" for a in _ABOUT})
    for q in _quads(files, store):
        p = q.predicate.value
        what = wanted.get(p)
        if what is None:
            continue
        subj = q.subject
        if type(subj) is not NamedNode:
            continue
        o = q.object
        if type(what) is int:
            if type(o) is not Literal:
                continue
            s = subj.value
            n = nids.get(s)
            if n is None:
                n = nids[s] = len(nids)
            text = " ".join(o.value.split())
            low = text.lower()
            if text != low:
                orig.append((len(lows), text))
            lows.append(low)
            rec_node.append(n)
            rec_field.append(what)
            if what == 0:
                rank = {"zh": 0, "en": 1}.get((o.language or "").split("-")[0], 2)
                if s not in names or rank < names[s][0]:
                    names[s] = (rank, text)
            elif p == title:
                titles[s] = text
            continue
        if what == "corpus":
            corpus_files[subj.value] = o.value
            continue
        if type(o) is not NamedNode:
            continue
        if what == "type":
            types.setdefault(subj.value, []).append(o.value)
        elif what == "src":
            srcs.setdefault(subj.value, []).append(o.value)
        elif what == "where":
            where.setdefault(subj.value, o.value)
        else:
            about.setdefault(o.value, set()).add(subj.value)
            if p == member:
                members[subj.value] = o.value
            elif p == organization:
                orgs[subj.value] = o.value
    fact_classes = set(_subclasses(store, FACT_CLASSES))
    class_label = {c: _class_label(store, c) for c in {c for ts in types.values() for c in ts}}
    posts: dict[str, str] = {}
    for h, person in sorted(members.items()):
        if h in titles and person not in posts:
            org_name = names[orgs[h]][1] if orgs.get(h) in names else ""
            posts[person] = f"{org_name}{titles[h]}"
    node_rows = []
    for iri, n in nids.items():
        ts = sorted(set(types.get(iri, ())))
        isfact = any(t in fact_classes for t in ts)
        summary = ""
        if not isfact:
            bits = []
            if iri in where and where[iri] in names:
                bits.append(f"in {names[where[iri]][1]}")
            if iri in posts:
                bits.append(posts[iri])
            count = len(about.get(iri, ()))
            if count:
                bits.append(f"{count} fact{'' if count == 1 else 's'}")
            summary = "; ".join(bits)
        fs = sorted({corpus_files[d] if d in corpus_files else short(NamedNode(d)) for d in srcs.get(iri, ())})
        name = names[iri][1] if iri in names else short(NamedNode(iri))
        node_rows.append((n, iri, name, ", ".join(class_label[t] for t in ts), int(isfact), " ".join(fs), summary))
    offsets = array("q", [0])
    pos = 0
    for low in lows:
        pos += len(low.encode("utf-8")) + 1
        offsets.append(pos)
    hay = ("\n".join(lows) + "\n").encode("utf-8") if lows else b""
    tables_ = {
        "node": node_rows,
        "orig": orig,
        "ntype": [(nids[s], t) for s, ts in types.items() if s in nids for t in set(ts)],
        "nsrc": sorted({(nids[s], d) for s, ds in srcs.items() if s in nids for d in ds}),
    }
    arrays = {"offsets": offsets, "rec_node": rec_node, "rec_field": array("B", rec_field),
              "isfact": array("B", bytes(row[4] for row in node_rows))}
    return hay, arrays, tables_


def _write_tables(con: sqlite3.Connection, tables_: dict) -> None:
    con.executescript(_SCHEMA)
    for name, rows in tables_.items():
        if rows:
            con.executemany(f"INSERT INTO {name} VALUES ({','.join('?' * len(rows[0]))})", rows)
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

class Index:
    """An opened index: the texts and the ARRAYS (memory-mapped from disk, or in memory:
    anything indexable by position) and the SQLite tables."""

    def __init__(self, hay, con: sqlite3.Connection, arrays: dict):
        self.hay = hay
        self.con = con
        self.offsets = arrays["offsets"]
        self.rec_node = arrays["rec_node"]
        self.rec_field = arrays["rec_field"]
        self.isfact = arrays["isfact"]

    def records(self, word: bytes) -> list[int]:
        """The records whose text contains `word` (lower-cased UTF-8), in order. A UTF-8
        match is always a whole-character match, so this is a substring search in text."""
        from bisect import bisect_right

        find, offsets = self.hay.find, self.offsets
        out: list[int] = []
        append = out.append
        pos = find(word, 0)
        while pos != -1:  # one turn per matching text: a common word matches 60,000 at 12M triples
            r = bisect_right(offsets, pos) - 1
            append(r)
            pos = find(word, offsets[r + 1])
        return out

    def text(self, r: int) -> bytes:
        return self.hay[self.offsets[r]:self.offsets[r + 1] - 1]

    def original(self, r: int) -> str:
        row = self.con.execute("SELECT text FROM orig WHERE rid = ?", (r,)).fetchone()
        return row[0] if row else self.text(r).decode("utf-8")


def open_index(store: ox.Store, folder: Path | None, files) -> Index:
    """The index of `store` (built from the data `files`): folder/INDEX_DIR (written there
    first if missing and the folder is writable), else built in memory."""
    if folder is not None:
        index = open_built(folder)
        if index is not None:
            return index
        try:
            build_index(store, folder, files)
        except OSError:
            return build_index(store, None, files)
        return open_built(folder)
    return build_index(store, None, files)


def open_built(folder: Path | str) -> Index | None:
    """The index written beside a store in `folder`, or None when there is none yet."""
    path = Path(folder) / INDEX_DIR
    if not (path / "index.sqlite").is_file():
        return None
    con = sqlite3.connect(f"file:{path / 'index.sqlite'}?mode=ro", uri=True)
    arrays = {name: _mapped(path / name, code) for name, code in ARRAYS.items()}
    return Index(_mapped(path / "text", None), con, arrays)


def _mapped(path: Path, typecode: str | None):
    """The file memory-mapped read-only (pages are read when touched, so opening costs
    the same for any size), as bytes (typecode None) or a memoryview of that array type."""
    import mmap

    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            data = b""
        else:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if typecode is None:
        return data
    return memoryview(data).cast(typecode)


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


def _nids(index: Index, sql: str, values: list) -> set[int]:
    out: set[int] = set()
    for i in range(0, len(values), 900):
        part = values[i:i + 900]
        out.update(r[0] for r in index.con.execute(sql.format(",".join("?" * len(part))), part))
    return out


def search(index: Index, words: list[str], *, kinds: list | None = None, docs: list | None = None,
           limit: int = 20) -> Results:
    """Nodes every word of which occurs in one of their texts (case-insensitive substring).
    kinds: class IRIs (with subclasses) a node must have one of; docs: source documents
    (yl:source or yl:mentionedIn) it must have one of. At most `limit` entities and
    `limit` facts, with the totals."""
    low = [" ".join(w.lower().split()) for w in words if w.strip()]
    if not low:
        raise UsageError("nothing to search for", hint="give one or more words, such as 门可罗雀 or 第一书记")
    full = " ".join(low)
    needles = [w.encode("utf-8") for w in dict.fromkeys(low)]
    rec_node, rec_field, isfact = index.rec_node, index.rec_field, index.isfact
    by_word = [index.records(w) for w in sorted(needles, key=len, reverse=True)]
    nodes = None
    if len(by_word) > 1:
        nodes = {rec_node[r] for r in by_word[0]}
        for recs in by_word[1:]:
            nodes &= {rec_node[r] for r in recs}
    if kinds is not None:
        allowed = _nids(index, "SELECT nid FROM ntype WHERE cls IN ({})", [k.value for k in kinds])
        nodes = allowed if nodes is None else nodes & allowed
    if docs is not None:
        allowed = _nids(index, "SELECT nid FROM nsrc WHERE doc IN ({})", [d.value for d in docs])
        nodes = allowed if nodes is None else nodes & allowed
    # rank each node by its best record: (rank, name length, name) — every record with all
    # the words contains the first (longest) word, so by_word[0] has them all
    full_b = full.encode("utf-8")
    multi = len(needles) > 1
    best: dict[int, tuple] = {}
    fact_key = (3, 0, b"")
    hay, offsets = index.hay, index.offsets
    for r in by_word[0]:
        n = rec_node[r]
        if nodes is not None and n not in nodes:
            continue
        code = rec_field[r]
        if code <= 2:
            text = hay[offsets[r]:offsets[r + 1] - 1]  # index.text(r), inline: once per match
            if multi and not all(w in text for w in needles):
                key = fact_key
            elif code <= 1 and text == full_b:
                key = (code, len(text), text)
            else:
                key = (2, len(text), text)
        else:
            key = fact_key
        cur = best.get(n)
        if cur is None or key < cur:
            best[n] = key
    ents = [(key, n) for n, key in best.items() if key[0] <= 2 and not isfact[n]]
    facts = sorted(n for n, key in best.items() if key[0] > 2 or isfact[n])  # in the order of the input files
    res = Results(full, total_entities=len(ents), total_facts=len(facts))
    top = heapq.nsmallest(limit, ents)
    shown_facts = facts[:limit]
    info = {row[0]: row for row in index.con.execute(
        f"SELECT nid, iri, name, kind, isfact, files, summary FROM node WHERE nid IN ({','.join('?' * (len(top) + len(shown_facts)))})",
        [n for _, n in top] + shown_facts)}
    for key, n in top:
        _, iri, name, kind, isf, files, summ = info[n]
        res.entities.append(Hit(iri, name, kind, files, key[0], bool(isf), summary=summ))
    # the passage of each shown fact: the record with most of the words; a quote first,
    # then a title, name, alternate name, note
    order = (2, 3, 1, 0, 4)  # by field code
    passage: dict[int, tuple] = {}
    wanted = set(shown_facts)
    for recs in by_word:
        for r in recs:
            n = rec_node[r]
            if n in wanted:
                text = index.text(r)
                pkey = (-sum(w in text for w in needles), order[rec_field[r]], r)
                if n not in passage or pkey < passage[n]:
                    passage[n] = pkey
    for n in shown_facts:
        _, iri, name, kind, isf, files, summ = info[n]
        hit = Hit(iri, name, kind, files, best[n][0], bool(isf))
        r = passage[n][2]
        hit.field = FIELD_CODES[rec_field[r]]
        hit.text = index.original(r)
        hit.passage, hit.match = highlight(hit.text, low)
        res.facts.append(hit)
    return res


def passage_segments(text: str, words: list[str], width: int = 36) -> list[tuple[str, bool]]:
    """The passage of `text` around the matches as (text, is_match) pieces: each word's
    first occurrence is a match, at most `width` characters either side ("…" pieces
    where cut). `words` are lower-cased, as search takes them. The table marks matches
    【…】 (highlight); the web page marks them with <mark>."""
    flat = " ".join(text.split())
    lowered = flat.lower()
    if len(lowered) != len(flat):  # lower() changed the length: no positions to mark
        return [(flat, False)]
    spans = sorted((i, i + len(w)) for w in words if w and (i := lowered.find(w)) >= 0)
    if not spans:
        return [(flat, False)]
    merged = [list(spans[0])]
    for a, b in spans[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    lo = max(0, merged[0][0] - width)
    hi = min(len(flat), merged[-1][1] + width)
    out: list[tuple[str, bool]] = [("…", False)] if lo > 0 else []
    pos = lo
    for a, b in merged:
        if a < lo or b > hi:
            continue
        if a > pos:
            out.append((flat[pos:a], False))
        out.append((flat[a:b], True))
        pos = b
    if hi > pos:
        out.append((flat[pos:hi], False))
    if hi < len(flat):
        out.append(("…", False))
    return out


def highlight(text: str, words: list[str], width: int = 36) -> tuple[str, str]:
    """The passage of `text` around the first match, each word's first occurrence marked
    【…】, at most `width` characters either side (… where cut); and the matched text."""
    pieces = passage_segments(text, words, width)
    passage = "".join(f"【{s}】" if hit else s for s, hit in pieces)
    first = next((s for s, hit in pieces if hit), "")
    return passage, first


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
