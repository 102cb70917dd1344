"""What the graph already knows, by name: organizations, people, places, units, indicators
and source documents, looked up by their Chinese rdfs:label and skos:altLabel.

Built from the quads of the graph the command works on (bundled graph and --data files)
plus the ontology (for the class hierarchy), with one SPARQL query per kind on an
in-memory Oxigraph store. `draft` finds entity names in an article with it; `add`
resolves the names and IRIs of a fact sheet with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from ..prefixes import PREFIXES

YL = PREFIXES["yl"]
YID = PREFIXES["yid"]

_HEAD = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

_NAMES = _HEAD + """
SELECT ?e ?name ?cls WHERE {{
  ?e a ?cls . ?cls rdfs:subClassOf* {root} .
  {{ ?e rdfs:label ?name BIND(0 AS ?k) }} UNION {{ ?e skos:altLabel ?name BIND(1 AS ?k) }}
  FILTER(lang(?name) = "zh" || lang(?name) = "")
}} ORDER BY ?e ?k ?name"""

_DOCS = _HEAD + """
SELECT ?doc ?file ?hash ?published ?estimated WHERE {
  ?doc a yl:SourceDocument .
  OPTIONAL { ?doc yl:corpusFile ?file }
  OPTIONAL { ?doc yl:textSha256 ?hash }
  OPTIONAL { ?doc schema:datePublished ?published }
  OPTIONAL { ?doc yl:estimatedDate ?estimated }
}"""

_SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"


@dataclass
class Entity:
    """An entity of the graph: its IRI, its class (compact, e.g. ``yl:Hospital``) and its
    Chinese names (label first)."""

    iri: str
    cls: str
    names: list[str] = field(default_factory=list)

    @property
    def curie(self) -> str:
        return "yid:" + self.iri[len(YID):] if self.iri.startswith(YID) else f"<{self.iri}>"


@dataclass
class Document:
    """A yl:SourceDocument as the graph records it."""

    iri: str
    file: str | None
    sha256: str | None
    published: str | None
    estimated: str | None


def _local(iri: str) -> str:
    for p, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>"


class Gazetteer:
    """Name -> entities, per kind ('organization', 'person', 'place', 'unit', 'indicator'),
    and the graph's documents. Unit entries carry their yl:multiplier."""

    KINDS = {"organization": "yl:Organization", "person": "yl:Person", "place": "yl:Place",
             "unit": "yl:Unit", "indicator": "yl:Indicator", "publication": "yl:Publication",
             "event": "yl:Event"}

    def __init__(self, quads, ontology_quads):
        store = ox.Store()
        store.extend(quads)
        store.extend(ontology_quads)
        self.by_kind: dict[str, dict[str, Entity]] = {}
        self.names: dict[str, dict[str, list[Entity]]] = {}
        for kind, root in self.KINDS.items():
            entities: dict[str, Entity] = {}
            for row in store.query(_NAMES.format(root=root)):
                iri = row["e"].value
                if not isinstance(row["e"], ox.NamedNode):
                    continue
                ent = entities.setdefault(iri, Entity(iri, _local(row["cls"].value)))
                cls = _local(row["cls"].value)
                if cls != ent.cls and ent.cls in ("yl:Organization", "org:Organization", "yl:Place", "schema:Place"):
                    ent.cls = cls
                name = row["name"].value
                if name not in ent.names:
                    ent.names.append(name)
            self.by_kind[kind] = entities
            index: dict[str, list[Entity]] = {}
            for ent in entities.values():
                for n in ent.names:
                    index.setdefault(n, []).append(ent)
            self.names[kind] = index
        self.multiplier: dict[str, float] = {}
        for row in store.query(_HEAD + "SELECT ?u ?m WHERE { ?u yl:multiplier ?m }"):
            self.multiplier[row["u"].value] = float(row["m"].value)
        self.documents: dict[str, Document] = {}
        for row in store.query(_DOCS):
            iri = row["doc"].value
            val = lambda k: row[k].value if row[k] is not None else None  # noqa: E731
            self.documents[iri] = Document(iri, val("file"), val("hash"), val("published"), val("estimated"))
        self.subjects = {row["s"].value for row in store.query(_SUBJECTS)}
        self.issues: dict[tuple[str, str], tuple[str, str | None]] = {}
        for row in store.query(_HEAD + """SELECT ?i ?pub ?n ?d WHERE { ?i a yl:PublicationIssue ;
                schema:isPartOf ?pub ; schema:issueNumber ?n OPTIONAL { ?i schema:datePublished ?d } }"""):
            self.issues[(row["pub"].value, row["n"].value)] = (row["i"].value, row["d"].value if row["d"] else None)
        self.superclasses: dict[str, set[str]] = {}
        for row in store.query(_HEAD + "SELECT ?c ?s WHERE { ?c a owl:Class ; rdfs:subClassOf* ?s }"):
            self.superclasses.setdefault(_local(row["c"].value), set()).add(_local(row["s"].value))
        self.types: dict[str, set[str]] = {}
        for row in store.query(_HEAD + "SELECT ?e ?c WHERE { ?e a ?c FILTER(isIRI(?e)) }"):
            self.types.setdefault(row["e"].value, set()).add(_local(row["c"].value))

    def lookup(self, kind: str, name: str) -> list[Entity]:
        return list(self.names.get(kind, {}).get(name, []))

    def issue(self, publication_iri: str, number: str) -> tuple[str, str | None] | None:
        """(issue IRI, its date) of a publication's issue number, if the graph has it."""
        return self.issues.get((publication_iri, str(number)))

    def is_a(self, iri: str, cls: str) -> bool:
        """Whether the graph types `iri` with `cls` (compact, ``yl:Organization``) or a subclass."""
        return any(cls in self.superclasses.get(c, {c}) for c in self.types.get(iri, ()))

    def label(self, iri: str) -> str | None:
        ent = self.entity(iri)
        return ent.names[0] if ent and ent.names else None

    def entity(self, iri: str) -> Entity | None:
        for entities in self.by_kind.values():
            if iri in entities:
                return entities[iri]
        return None

    def document_by_hash(self, digest: str) -> Document | None:
        for d in self.documents.values():
            if d.sha256 == digest:
                return d
        return None

    def document_by_file(self, name: str) -> Document | None:
        """The document whose yl:corpusFile is `name` and that records no hash (the bundled
        documents), if there is exactly one."""
        found = [d for d in self.documents.values() if d.file == name and not d.sha256]
        return found[0] if len(found) == 1 else None

    @cached_property
    def org_pattern(self) -> re.Pattern | None:
        """One regex that finds every organization name (longest first)."""
        return _alternation(n for n in self.names["organization"] if len(n) >= 2)

    @cached_property
    def unit_words(self) -> dict[str, str]:
        """Printed unit word -> unit IRI (labels and alternate names; templates such as
        第…名 and 个/千人口 are left out: draft reads those phrases itself)."""
        out = {}
        for name, ents in self.names["unit"].items():
            if "…" in name or "/" in name:
                continue
            out[name] = ents[0].iri
        return out

    def unit_iri(self, local: str) -> str | None:
        iri = YID + local
        return iri if iri in self.by_kind["unit"] else None


def _alternation(names) -> re.Pattern | None:
    names = sorted(set(names), key=lambda n: (-len(n), n))
    if not names:
        return None
    return re.compile("|".join(re.escape(n) for n in names))
