"""The prefixes yilian declares everywhere, and compact names for terms (table cells).

Every query may use them undeclared; every Turtle/TriG/JSON-LD output declares those it uses.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox


#: the prefixes every Turtle/TriG/JSON-LD output and every query may use
PREFIXES: dict[str, str] = {
    "yl": "https://w3id.org/yilian/ontology#",
    "yid": "https://w3id.org/yilian/id/",
    "ylsh": "https://w3id.org/yilian/shapes#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "sdmxd": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmxm": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmxa": "http://purl.org/linked-data/sdmx/2009/attribute#",
}


#: a local part a prefixed name may have here: letters and digits of any script (\w is
#: str.isalnum plus "_"), "-", "_" and "." (not last, tested beside it)
_LOCAL = re.compile(r"[\w.-]+")


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    best = None
    for p, ns in prefixes.items():
        if iri.startswith(ns):
            local = iri[len(ns):]
            if _LOCAL.fullmatch(local) and not local.endswith("."):
                if best is None or len(ns) > len(prefixes[best[0]]):
                    best = (p, local)
    return f"{best[0]}:{best[1]}" if best else f"<{iri}>"


#: PREFIXES longest namespace first (in their order among equals): the first that fits is
#: the one _compact picks
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


#: namespaces ending in "/" or "#" that no longer namespace extends, by namespace: an IRI
#: whose part up to its last "/" or "#" is one of them has no other candidate (the local
#: part cannot hold "/" or "#"), so it needs no search
_LEAF = {ns: p for p, ns in reversed(_BY_LENGTH)
         if ns[-1:] in "/#" and not any(o != ns and o.startswith(ns) for o in PREFIXES.values())}


def _compact_known(iri: str) -> str:
    """_compact(iri, PREFIXES), stopping at the first (longest) namespace that fits."""
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    p = _LEAF.get(iri[:cut])
    if p is not None:
        local = iri[cut:]
        if _LOCAL.fullmatch(local) and not local.endswith("."):
            return f"{p}:{local}"
        return f"<{iri}>"
    for p, ns in _BY_LENGTH:
        if iri.startswith(ns):
            local = iri[len(ns):]
            if _LOCAL.fullmatch(local) and not local.endswith("."):
                return f"{p}:{local}"
    return f"<{iri}>"


_compact_default = lru_cache(maxsize=65536)(_compact_known)


def short_iri(iri: str) -> str:
    """short(ox.NamedNode(iri)) for an IRI known to be valid, without building the term."""
    return _compact_default(iri)


def short(term, prefixes: dict[str, str] = PREFIXES) -> str:
    """A term as a table cell: prefixed name, plain literal value, _:bnode."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if prefixes is PREFIXES:
            return _compact_default(term.value)
        return _compact(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)
