"""The triples the network is built from, read in one streamed pass over the input files
into plain Python tables by predicate (no RDF store).

`yilian network stats` at national scale (12 M triples) spent most of its time and memory
in the in-memory Oxigraph store it loaded the files into (about 450 MB per million
triples) and in the bulk SPARQL queries over it. Measured at 1 M triples (bench/NATIONAL.md):
pyoxigraph parses the N-Triples file in about 2.3 s of CPU, while reading the same triples
back out of the on-disk query store takes about 16 s and loading the in-memory store
6 s and 650 MB. So `network stats` parses the files once, keeps only the predicates the
network reads (strings interned, one value per subject without a list where there is one),
and `network.build` joins them in Python.

Terms are kept as strings: an IRI as itself, a blank node as ``_:`` + its id (so that
IRIs can be told apart, as SPARQL's isIRI does), a literal as its lexical form (labels
with their language). Identical triples count once, as in a store.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from ..prefixes import PREFIXES

YL = PREFIXES["yl"]
ORG = PREFIXES["org"]
SCHEMA = PREFIXES["schema"]
SKOS = PREFIXES["skos"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SKOS_PREF = SKOS + "prefLabel"
SKOS_ALT = SKOS + "altLabel"

#: the predicates whose values the network reads (network.build), kept per subject
OBJECTS = frozenset({
    YL + "mentionedIn", YL + "source", YL + "quote", YL + "since", YL + "date", YL + "asOf", SCHEMA + "startDate",
    YL + "corpusFile", SCHEMA + "datePublished", YL + "estimatedDate",
    ORG + "organization", ORG + "member", ORG + "role",
    YL + "alliance", YL + "count", YL + "memberRole", YL + "memberKind",
    YL + "fromOrganization", YL + "toOrganization", YL + "person", YL + "title",
    YL + "cooperationType", YL + "provider", YL + "recipient", YL + "partner", YL + "result",
    YL + "conferredBy", YL + "designee", YL + "participant", YL + "event", SCHEMA + "organizer",
    YL + "runBy", YL + "beneficiary", YL + "locatedIn", SCHEMA + "containedInPlace", SCHEMA + "founder",
    YL + "mentor", YL + "mentee",
})


class Multi:
    """Values of one predicate by subject: {subject: value} for the first value, the
    others (rare) beside it, so that a million single-valued subjects cost one dict entry
    each, not a list each. Values are kept in the order first read; a repeated
    (subject, value) counts once."""

    __slots__ = ("first", "more")

    def __init__(self):
        self.first: dict[str, str] = {}
        self.more: dict[str, list[str]] = {}

    def add(self, s: str, o: str) -> None:
        first = self.first
        old = first.get(s)
        if old is None:
            first[s] = o
        elif old != o:
            more = self.more.setdefault(s, [])
            if o not in more:
                more.append(o)

    def get(self, s: str) -> list[str]:
        """The values of s ([] when it has none)."""
        v = self.first.get(s)
        if v is None:
            return []
        return [v, *self.more[s]] if s in self.more else [v]

    def opt(self, s: str) -> list[str]:
        """The values of s, or [""] when it has none (an OPTIONAL that did not match)."""
        return self.get(s) or [""]

    def pairs(self) -> Iterator[tuple[str, str]]:
        """Every (subject, value), subjects in the order first read."""
        for s, v in self.first.items():
            yield s, v
            for w in self.more.get(s, ()):
                yield s, w

    def __len__(self) -> int:
        return len(self.first) + sum(len(v) for v in self.more.values())


class Triples:
    """What the network needs of a graph, by predicate (see the module docstring).

    types: {class: [subjects]} (all rdf:type triples with an IRI class); subclass: the
    (class, superclass) pairs between IRIs; labels: {language: {subject: first label}} of
    rdfs:label, then skos:prefLabel (literals only); alt: {subject: [skos:altLabel]};
    objects: {predicate: Multi} for OBJECTS; other: (s, p, o) between IRIs for every
    other predicate (the direct ties between organizations are among them)."""

    def __init__(self):
        self.types: dict[str, list[str]] = defaultdict(list)
        self.subclass: list[tuple[str, str]] = []
        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        self.pref: dict[str, dict[str, str]] = defaultdict(dict)
        self.alt: dict[str, list[str]] = defaultdict(list)
        self.objects: dict[str, Multi] = {p: Multi() for p in OBJECTS}
        self.other: set[tuple[str, str, str]] = set()
        self.order: dict[str, int] = {}  # the language order of each subject's first labels

    def get(self, p: str) -> Multi:
        return self.objects[p]

    def add_all(self, quads: Iterable[ox.Quad]) -> None:
        """Read quads (graph names are ignored: the network reads the union of the graphs)."""
        intern = sys.intern
        NamedNode, BlankNode, Literal = ox.NamedNode, ox.BlankNode, ox.Literal
        objects, types, labels, pref, alt, other = (self.objects, self.types, self.labels, self.pref,
                                                   self.alt, self.other)
        typed: dict[str, set[str]] = getattr(self, "_typed", None) or defaultdict(set)
        self._typed = typed
        for q in quads:
            p = q.predicate.value
            s_term = q.subject
            s = intern(s_term.value) if type(s_term) is NamedNode else "_:" + s_term.value
            o_term = q.object
            ot = type(o_term)
            if p == RDF_TYPE:
                if ot is NamedNode:
                    c = intern(o_term.value)
                    seen = typed[c]
                    if s not in seen:
                        seen.add(s)
                        types[c].append(s)
                continue
            if p == RDFS_LABEL or p == SKOS_PREF:
                if ot is Literal:
                    table = (labels if p == RDFS_LABEL else pref)[o_term.language or ""]
                    if s not in table:
                        table[s] = o_term.value
                continue
            if ot is NamedNode:
                o = intern(o_term.value)
            elif ot is BlankNode:
                o = "_:" + o_term.value
            else:
                o = o_term.value
            m = objects.get(p)
            if m is not None:
                m.add(s, o)
            elif p == SKOS_ALT:
                if o not in alt[s]:
                    alt[s].append(o)
            elif p == RDFS_SUBCLASS:
                if ot is NamedNode and type(s_term) is NamedNode:
                    self.subclass.append((s, o))
            elif ot is NamedNode and type(s_term) is NamedNode:
                other.add((s, intern(p), o))

    def done(self) -> "Triples":
        """Drop what only the reading needed."""
        self.__dict__.pop("_typed", None)
        self.subclass = sorted(set(self.subclass))
        return self

    def label_table(self, s: str) -> dict[str, str]:
        """{language: label} of s: its rdfs:labels first, then its skos:prefLabels."""
        out = {}
        for table in (self.labels, self.pref):
            for lang, by in table.items():
                if s in by:
                    out.setdefault(lang, by[s])
        return out

    def label(self, s: str, lang: str = "zh") -> str | None:
        """s's label in lang, else in English (for zh) or Chinese (for other languages),
        else without a language, else in any language; None when it has none (as
        build._Reader.label, rdfs:label before skos:prefLabel)."""
        labels, pref = self.labels, self.pref
        for key in (lang, "en" if lang == "zh" else "zh", ""):
            by = labels.get(key)
            if by is not None and s in by:
                return by[s]
            by = pref.get(key)
            if by is not None and s in by:
                return by[s]
        return next(iter(self.label_table(s).values()), None)


def is_iri(term: str) -> bool:
    return not term.startswith("_:")


def from_quads(quads: Iterable[ox.Quad]) -> Triples:
    t = Triples()
    t.add_all(quads)
    return t.done()


def from_files(data: Iterable[Path], ontology: Iterable[Path] = ()) -> Triples:
    """Read the files as the query store loads them (dataset.store: files of at least
    BULK_BYTES in N-Triples, N-Quads, Turtle or TriG are streamed without the literal
    checks, as the store's bulk load reads them; smaller ones, and other formats, go
    through parse_file with its checks), with the same file:line:col errors."""
    from ..dataset.formats import format_of
    from ..dataset.parse import parse_file
    from ..dataset.store import BULK_BYTES, _BULK_FORMATS, _check_head
    from ..errors import InputError

    t = Triples()
    for path in [*data, *ontology]:
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError as e:
            raise InputError(f"cannot read file: {e.strerror}", where=str(path), hint="check the path") from None
        fmt = format_of(path)
        if size >= BULK_BYTES and fmt in _BULK_FORMATS:
            _check_head(path)
            _parse_big(t, path, fmt)
        else:
            t.add_all(parse_file(path))
    return t.done()


def _parse_big(t: Triples, path: Path, fmt) -> None:
    """A big file read as the store's bulk load reads it (the same errors)."""
    from ..dataset.store import bulk_reading

    with bulk_reading(path) as f:
        t.add_all(ox.parse(f, format=fmt))


@contextmanager
def no_gc():
    """The cyclic garbage collector paused: building millions of small containers (the
    tables, then networkx's dicts) triggers its full passes over all of them again and
    again (a third of `network stats`' build time at 1 M triples); nothing built here
    forms cycles that need it."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def from_store(store: ox.Store) -> Triples:
    """The same tables from a store (every quad of every graph)."""
    return from_quads(store.quads_for_pattern(None, None, None, None))
