"""`yilian stats`: what the graph holds — triples, instances by class, facts by source document."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import tables
from ..prefixes import short
from .graph import query, data_graphs, label


@dataclass
class Stats:
    triples: int
    classes: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)


def stats(store: ox.Store) -> Stats:
    total = 0
    for g in data_graphs(store):
        total += sum(1 for _ in store.quads_for_pattern(None, None, None, g))
    classes = []
    for sol in query(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c", data_only=True):
        classes.append({"class": short(sol["c"]), "label": label(store, sol["c"]), "instances": int(sol["n"].value)})
    classes.sort(key=lambda r: (-r["instances"], r["class"]))
    docs = {}
    for sol in query(store, """SELECT ?d ?file (SAMPLE(?t) AS ?title) WHERE {
            ?d a yl:SourceDocument . OPTIONAL { ?d yl:corpusFile ?file } OPTIONAL { ?d rdfs:label ?t FILTER(lang(?t) = "zh") } }
            GROUP BY ?d ?file""", data_only=True):
        docs[sol["d"]] = {"document": short(sol["d"]), "file": sol["file"].value if sol["file"] else "",
                          "title": sol["title"].value if sol["title"] else "", "facts": 0, "quotes": 0, "entities": 0}
    for sol in query(store, """SELECT ?d (COUNT(DISTINCT ?f) AS ?facts) (COUNT(?quote) AS ?quotes) WHERE {
            ?f yl:source ?d . OPTIONAL { ?f yl:quote ?quote } } GROUP BY ?d""", data_only=True):
        row = docs.setdefault(sol["d"], {"document": short(sol["d"]), "file": "", "title": "", "facts": 0, "quotes": 0, "entities": 0})
        row["facts"] = int(sol["facts"].value)
        row["quotes"] = int(sol["quotes"].value)
    for sol in query(store, "SELECT ?d (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e yl:mentionedIn ?d } GROUP BY ?d", data_only=True):
        if sol["d"] in docs:
            docs[sol["d"]]["entities"] = int(sol["n"].value)
    documents = sorted(docs.values(), key=lambda r: r["document"])
    return Stats(total, classes, documents)


def render_stats(s: Stats, fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(s.__dict__, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    out = [f"Triples: {s.triples}", "", "By class:"]
    out.append(tables.render(["class", "label", "instances"],
                             [[c["class"], c["label"], str(c["instances"])] for c in s.classes]).rstrip("\n"))
    out += ["", "By source document:"]
    out.append(tables.render(["document", "file", "facts", "quotes", "entities", "title"],
                             [[d["document"], d["file"], str(d["facts"]), str(d["quotes"]), str(d["entities"]), d["title"]]
                              for d in s.documents]).rstrip("\n"))
    return ("\n".join(out) + "\n").encode("utf-8")


# ------------------------------------------------------------------ describe
