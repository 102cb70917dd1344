"""Reading RDF files: finding them, guessing their format, parsing them all-or-nothing.

Parsing is done by pyoxigraph (fast, and its errors carry line and column). A file that
fails to parse contributes nothing; the error names the file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox

from . import resources
from .errors import InputError, PolicyError

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

#: the named graph that holds the bundled ontology inside a query store
ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/yilian/ontology")

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


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


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, sorted) into the RDF files they hold;
    an http(s) URL named by the user is downloaded first."""
    out: list[Path] = []
    for raw in paths:
        if isinstance(raw, str) and is_url(raw):
            from .remote import fetch

            out.append(fetch(raw))
            continue
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in FORMATS)
            if not found:
                raise InputError("the folder holds no RDF files", where=str(p),
                                 hint="RDF files end in " + " ".join(sorted(FORMATS)))
            out.extend(found)
        elif p.is_file():
            format_of(p)  # fail early on an unknown extension
            out.append(p)
        elif p.exists():
            raise InputError("not a regular file or folder", where=str(p), hint="give an RDF file or a folder of them")
        else:
            raise InputError("no such file or folder", where=str(p), hint="check the path")
    return out


def _decode_error_position(data: bytes, exc: UnicodeDecodeError) -> str:
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    col = exc.start - (before.rfind(b"\n") + 1) + 1
    return f"{line}:{col}"


def parse_file(path: Path) -> list[ox.Quad]:
    """Parse one file completely; raise InputError with file:line:col on any problem."""
    fmt = format_of(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", where=str(path), hint="check the path and its permissions") from None
    if not data.strip():
        raise InputError("the file is empty", where=str(path), hint="add RDF to it or leave it out")
    if b"\x00" in data[:65536]:
        raise InputError("this is a binary file, not RDF text", where=str(path), hint="give a Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML file")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[e.start]:02x})",
            where=f"{path}:{_decode_error_position(data, e)}",
            hint="re-encode the file as UTF-8",
        ) from None
    if fmt == ox.RdfFormat.RDF_XML and _DTD.search(data):
        m = _DTD.search(data)
        line = data[: m.start()].count(b"\n") + 1
        raise PolicyError(
            "RDF/XML with a DTD or entity declarations is refused (entity expansion can exhaust memory)",
            where=f"{path}:{line}",
            hint="remove the <!DOCTYPE …> block and write the entities out",
        )
    try:
        quads = list(ox.parse(data, format=fmt))
    except SyntaxError as e:
        where = f"{path}:{e.lineno}:{e.offset}" if e.lineno else str(path)
        msg = str(e.msg if hasattr(e, "msg") else e)
        msg = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", msg)
        msg = re.sub(r"^Parser error at line \d+ column \d+: ", "", msg)
        hint = "fix the syntax there"
        if "LoadDocumentCallback" in msg or "remote context" in msg:
            msg = "JSON-LD @context documents are never fetched"
            hint = "inline the @context object in the file"
        raise InputError(f"{msg}", where=where, hint=hint) from None
    except ValueError as e:
        raise InputError(str(e), where=str(path)) from None
    _check_literals(path, data, quads)
    return quads


def _check_literals(path: Path, data: bytes, quads: list[ox.Quad]) -> None:
    """Refuse ill-typed literals ("abc"^^xsd:integer, "2024-02-30"^^xsd:date)."""
    from .literals import line_of, problem

    for q in quads:
        obj = q.object
        if isinstance(obj, ox.Literal) and not obj.language:
            why = problem(obj.value, obj.datatype.value)
            if why:
                line = line_of(data.decode("utf-8"), obj.value)
                raise InputError(
                    f"ill-typed literal: {why}",
                    where=f"{path}:{line}" if line else str(path),
                    hint="fix the value or its datatype",
                )


@dataclass(frozen=True)
class Sources:
    """Which RDF files make up the graph a command works on."""

    data: tuple[str, ...] = ()
    default_graph: bool = True

    def files(self) -> list[Path]:
        paths: list[str | Path] = []
        if self.default_graph:
            paths.append(resources.graph_dir())
        paths.extend(self.data)
        files = collect_files(paths)
        # a file named twice (bundled and --data) is read once
        seen: set[Path] = set()
        unique = []
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                unique.append(f)
        return unique


def ontology_files() -> list[Path]:
    return collect_files([resources.ontology_dir()])


def shapes_files() -> list[Path]:
    return collect_files([resources.shapes_dir()])


@dataclass
class Loaded:
    """The quads of a set of files, in file order."""

    files: list[Path] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.quads)


def load_files(files: Sequence[Path]) -> Loaded:
    loaded = Loaded()
    for f in files:
        quads = parse_file(f)
        loaded.files.append(f)
        loaded.quads.extend(quads)
    return loaded


def load(sources: Sources) -> Loaded:
    return load_files(sources.files())


def load_ontology() -> Loaded:
    return load_files(ontology_files())


def open_store(sources: Sources, *, with_ontology: bool = True) -> ox.Store:
    """An in-memory store with the data in the default graph (named graphs kept)
    and the ontology in ONTOLOGY_GRAPH; query it with use_default_graph_as_union."""
    store = ox.Store()
    store.extend(load(sources).quads)
    if with_ontology:
        store.extend(
            ox.Quad(q.subject, q.predicate, q.object, ONTOLOGY_GRAPH) for q in load_ontology().quads
        )
    return store
