"""Query help: vocabulary terms that exist nowhere, and the nearest real name.

A misspelt term (``rdfs:lable``, ``yl:TownshipHealthCenter``, ``yl:locatedin``) is a valid
IRI, so a query that uses it runs, matches nothing and prints an empty table. `unknown_terms`
finds the terms of a query that lie in a known vocabulary but are neither

- a standard term of that vocabulary (the lists in ``sparql/vocabularies/<prefix>.txt``,
  written by tools/make_vocabulary_lists.py: rdf, rdfs, owl, xsd, skos, org, prov, qb, time,
  dcterms, sh, schema), nor
- a term of the ontology (yl:, the bundled ontology/yilian.ttl), nor
- used anywhere in the graph queried (one indexed ASK per term the lists do not know),

and words a warning for each with the closest existing name (difflib). `undefined_terms`
does the same for data: the yl: terms a graph uses that the ontology does not define
(`yilian validate` reports them as warnings).

Cheap by design: the lists are read only for the prefixes a query uses, the store is asked
only about terms the lists do not know, and nothing here imports rdflib.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, NamedTuple

import pyoxigraph as ox

from .. import resources
from ..prefixes import PREFIXES
from .lexer import Token, tokenize

#: vocabularies with a shipped term list
LISTED = ("rdf", "rdfs", "owl", "xsd", "skos", "org", "prov", "qb", "time", "dcterms", "sh", "schema")
YL = PREFIXES["yl"]
#: namespace -> prefix of every vocabulary whose terms are checked
CHECKED: dict[str, str] = {PREFIXES[p]: p for p in LISTED} | {YL: "yl"}

_RDF_MEMBER = re.compile(r"_[1-9][0-9]*")  # rdf:_1, rdf:_2 … (container membership)
_LOCAL_ESCAPE = re.compile(r"\\(.)")


class Mention(NamedTuple):
    """A term of a checked vocabulary as a query writes it (`shown`), at line:col (1-based)."""
    namespace: str
    local: str
    shown: str
    line: int
    col: int

    @property
    def iri(self) -> str:
        return self.namespace + self.local


@lru_cache(maxsize=None)
def standard_terms(prefix: str) -> frozenset[str]:
    """The local names of a listed vocabulary (empty for one without a list)."""
    if prefix not in LISTED:
        return frozenset()
    path = resources.package_file("sparql", "vocabularies", f"{prefix}.txt")
    return frozenset(line for line in path.read_text(encoding="utf-8").splitlines()
                     if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def ontology_terms() -> frozenset[str]:
    """The IRIs the bundled ontology defines (the subjects of ontology/*.ttl)."""
    from ..dataset.sources import ontology_files

    out = set()
    for path in ontology_files():
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(q.subject, ox.NamedNode):
                out.add(q.subject.value)
    return frozenset(out)


def is_standard(namespace: str, local: str) -> bool:
    prefix = CHECKED.get(namespace)
    if prefix is None:
        return True  # not a vocabulary we check: accept anything
    if prefix == "rdf" and _RDF_MEMBER.fullmatch(local):
        return True
    return local in standard_terms(prefix)


def suggest(namespace: str, local: str) -> str | None:
    """The closest existing local name in the namespace (same name in other case first,
    then difflib's closest at ratio >= 0.75), or None."""
    import difflib  # only when there is something to suggest

    candidates = set(standard_terms(CHECKED.get(namespace, "")))
    candidates |= {t[len(namespace):] for t in ontology_terms() if t.startswith(namespace)}
    candidates.discard("")
    by_lower: dict[str, str] = {}
    for c in sorted(candidates):
        by_lower.setdefault(c.lower(), c)
    if local.lower() in by_lower and by_lower[local.lower()] != local:
        return by_lower[local.lower()]
    match = difflib.get_close_matches(local.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[match[0]] if match else None


def mentions(tokens: list[Token]) -> list[Mention]:
    """The terms of checked vocabularies a query names (prefixed names, resolved with the
    predeclared prefixes and the query's own PREFIX lines, and full IRIs), in order."""
    declared = dict(PREFIXES)
    skip: set[int] = set()
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "PREFIX":
            skip.update((i + 1, i + 2))
            if i + 2 < len(tokens) and tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
                declared[tokens[i + 1].text.split(":", 1)[0]] = tokens[i + 2].text[1:-1]
        elif t.kind == "word" and t.text.upper() == "BASE":
            skip.add(i + 1)
    out = []
    for i, t in enumerate(tokens):
        if i in skip:
            continue
        if t.kind == "pname":
            prefix, _, local = t.text.partition(":")
            namespace = declared.get(prefix)
            local = _LOCAL_ESCAPE.sub(r"\1", local)
        elif t.kind == "iri":
            iri = t.text[1:-1]
            namespace = next((ns for ns in CHECKED if iri.startswith(ns)), None)
            local = iri[len(namespace):] if namespace else ""
        else:
            continue
        if namespace in CHECKED and local:
            out.append(Mention(namespace, local, t.text, t.line, t.col))
    return out


def _in_graph(store, iri: str) -> bool:
    node = ox.NamedNode(iri)
    for pattern in ((node, None, None), (None, node, None), (None, None, node)):
        for _ in store.quads_for_pattern(*pattern):
            return True
    return False


def _shown(m: Mention, local: str) -> str:
    if m.shown.startswith("<"):
        return f"<{m.namespace}{local}>"
    return f"{m.shown.split(':', 1)[0]}:{local}"


def unknown_terms(store, text: str) -> list[str]:
    """Warnings (one line each, without the "yilian: warning:" lead) for the terms of the
    query `text` that no listed vocabulary, the ontology or the graph in `store` (a
    pyoxigraph Store, all graphs) contains; [] when all are known."""
    warnings, seen = [], set()
    for m in mentions(tokenize(text)):
        if m.iri in seen:
            continue
        seen.add(m.iri)
        if is_standard(m.namespace, m.local) or _in_graph(store, m.iri) or m.iri in ontology_terms():
            continue
        where = ("neither in the ontology nor in the data" if m.namespace == YL
                 else f"not a term of {CHECKED[m.namespace]}: and not in the ontology or the data")
        hint = suggest(m.namespace, m.local)
        tail = f"; did you mean {_shown(m, hint)}?" if hint else ""
        warnings.append(f"query:{m.line}:{m.col}: {m.shown} is {where}, so it matches nothing{tail}")
    return warnings


class UndefinedTerm(NamedTuple):
    """A yl: term the data uses but the ontology does not define: where it is first used
    (`focus`, the subject of that triple, and `path`, its predicate: the term itself, or the
    predicate whose value the term is; None when the term is the subject), how often, and
    the closest defined name."""
    term: str
    focus: ox.NamedNode | ox.BlankNode
    path: ox.NamedNode | None
    uses: int
    suggestion: str | None


class TermUses:
    """The yl: IRIs a stream of quads uses (as subject, predicate or object) that are not
    subjects of `ontology`, collected while the stream is read: `watch(quads)` passes the
    quads on, `result()` then gives what `undefined_terms` gives. `yilian validate` watches
    the one read of the data that fills its scratch store, instead of reading the files a
    second time (at a million triples that read was a tenth of validation's time)."""

    def __init__(self, ontology: Iterable[ox.Quad]):
        self.defined = {q.subject.value for q in ontology if isinstance(q.subject, ox.NamedNode)}
        self.uses: dict[str, list] = {}

    def watch(self, data_quads: Iterable[ox.Quad]):
        defined, uses, named = self.defined, self.uses, ox.NamedNode
        predicates: dict = {}  # predicate -> whether it is an undefined yl: term (few distinct)

        def use(iri, subject, path):
            uses.setdefault(iri, []).append((str(subject), subject, path))

        for q in data_quads:
            s, p, o = q.subject, q.predicate, q.object
            if type(s) is named:
                iri = s.value
                if iri.startswith(YL) and iri != YL and iri not in defined:
                    use(iri, s, None)
            undefined = predicates.get(p)
            if undefined is None:
                iri = p.value
                undefined = predicates[p] = iri.startswith(YL) and iri != YL and iri not in defined
            if undefined:
                use(p.value, s, p)
            if type(o) is named:
                iri = o.value
                if iri.startswith(YL) and iri != YL and iri not in defined:
                    use(iri, s, p)
            yield q

    def result(self) -> list[UndefinedTerm]:
        out = []
        for iri in sorted(self.uses):
            first = min(self.uses[iri], key=lambda u: (u[0], str(u[2])))
            local = iri[len(YL):]
            hint = suggest(YL, local)
            out.append(UndefinedTerm(iri, first[1], first[2], len(self.uses[iri]), YL + hint if hint else None))
        return out


def undefined_terms(data_quads: Iterable[ox.Quad], ontology: Iterable[ox.Quad]) -> list[UndefinedTerm]:
    """The yl: IRIs used in `data_quads` (as subject, predicate or object) that are not
    subjects of `ontology`, sorted by IRI; the first use is the least (subject, predicate)."""
    uses = TermUses(ontology)
    for _ in uses.watch(data_quads):
        pass
    return uses.result()
