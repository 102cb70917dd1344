"""RDF file formats: which extension means which format (pyoxigraph's and rdflib's names)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError


#: file extension -> (pyoxigraph format, rdflib format name)
FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    ".ttl": (ox.RdfFormat.TURTLE, "turtle"),
    ".turtle": (ox.RdfFormat.TURTLE, "turtle"),
    ".nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    ".ntriples": (ox.RdfFormat.N_TRIPLES, "nt"),
    ".nq": (ox.RdfFormat.N_QUADS, "nquads"),
    ".nquads": (ox.RdfFormat.N_QUADS, "nquads"),
    ".trig": (ox.RdfFormat.TRIG, "trig"),
    ".n3": (ox.RdfFormat.N3, "n3"),
    ".jsonld": (ox.RdfFormat.JSON_LD, "json-ld"),
    ".json-ld": (ox.RdfFormat.JSON_LD, "json-ld"),
    ".rdf": (ox.RdfFormat.RDF_XML, "xml"),
    ".owl": (ox.RdfFormat.RDF_XML, "xml"),
    ".xml": (ox.RdfFormat.RDF_XML, "xml"),
}


def format_of(path: Path) -> ox.RdfFormat:
    try:
        return FORMATS[path.suffix.lower()][0]
    except KeyError:
        known = " ".join(sorted(FORMATS))
        raise InputError(
            f"cannot tell the RDF format of '{path.name}' from its extension",
            where=str(path),
            hint=f"rename it to one of: {known}",
        ) from None


def is_url(text: str) -> bool:
    return bool(re.match(r"^https?://", str(text), re.IGNORECASE))
