"""Parsing RDF files all-or-nothing.

Parsing is done by pyoxigraph (fast, and its errors carry line and column). A file that
fails to parse contributes nothing; the error names the file, line and column.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from ..errors import InputError, PolicyError
from .formats import format_of
from .sources import Sources, ontology_files

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
#: the UTF-8 byte-order mark. RFC 3629 (section 6) allows it at the start of UTF-8 text as a
#: signature, Windows editors write it, and rdflib skips it; pyoxigraph 0.5 reads it as a
#: character of a Turtle, TriG, N-Triples or N-Quads document and fails. yilian skips one
#: at the start of a file (it is not data) and names it anywhere else.
BOM = b"\xef\xbb\xbf"
_INVISIBLE = re.compile("[\ufeff\u200b-\u200f\u2028-\u202e\u2060-\u2064\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def visible(text: str) -> str:
    """`text` with invisible characters written out ("[U+FEFF byte-order mark]", others as
    "[U+200B]"), for error messages that quote the input."""
    return _INVISIBLE.sub(lambda m: "[U+FEFF byte-order mark]" if m.group() == "\ufeff" else f"[U+{ord(m.group()):04X}]",
                          text)


def _decode_error_position(data: bytes, exc: UnicodeDecodeError) -> str:
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    col = exc.start - (before.rfind(b"\n") + 1) + 1
    return f"{line}:{col}"


def parse_file(path: Path, check_literals: bool = True) -> list[ox.Quad]:
    """Parse one file completely; raise InputError with file:line:col on any problem.
    `check_literals=False` keeps ill-typed literals ("abc"^^xsd:integer) as data: SHACL
    validation against the user's own shapes reports them (sh:datatype) instead."""
    return parse_file_declared(path, check_literals)[0]


def parse_file_declared(path: Path, check_literals: bool = True) -> tuple[list[ox.Quad], dict[str, str]]:
    """parse_file, and the prefixes the file declares ({prefix: namespace IRI, resolved},
    "" for ``:``; those of Turtle and TriG files: pyoxigraph's parser reports no others)."""
    fmt = format_of(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", where=str(path), hint="check the path and its permissions") from None
    if data.startswith(BOM):
        data = data[len(BOM):]
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
        # relative IRIs resolve against the file's own file:// IRI (as rapper and Jena riot do)
        parser = ox.parse(data, format=fmt, base_iri=path.resolve().as_uri())
        quads = list(parser)
        prefixes = dict(getattr(parser, "prefixes", None) or {})
    except SyntaxError as e:
        where = f"{path}:{e.lineno}:{e.offset}" if e.lineno else str(path)
        msg = str(e.msg if hasattr(e, "msg") else e)
        msg = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", msg)
        msg = re.sub(r"^Parser error at line \d+ column \d+: ", "", msg)
        msg = visible(msg)
        hint = "fix the syntax there"
        if "LoadDocumentCallback" in msg or "remote context" in msg:
            msg = "JSON-LD @context documents are never fetched"
            hint = "inline the @context object in the file"
        raise InputError(f"{msg}", where=where, hint=hint) from None
    except ValueError as e:
        raise InputError(str(e), where=str(path)) from None
    if check_literals:
        _check_literals(path, data, quads)
    if not quads:
        from ..limits import warn

        warn(f"{path}: no triples (the file holds only comments, prefixes or an empty document)")
    return quads, prefixes


#: files at least this large are streamed by `stream_files` (smaller ones are parsed whole)
STREAM_ABOVE = 64 * 2**20
#: the formats a file can be streamed in (line-based or streaming parsers, no DTD to check)
_STREAMABLE = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def stream_file(path: Path, check_literals: bool = True):
    """The quads of one file, one at a time, with the checks of `parse_file` (and its
    `check_literals`): the same
    InputError (file:line:col) for bad syntax, bad UTF-8 or an ill-typed literal, raised
    when the parser reaches it. Memory stays bounded (no list, no copy of the file), so a
    caller that must not act on part of a file (validation) finishes reading before it
    reports anything. Small files and RDF/XML or JSON-LD are parsed whole (`parse_file`)."""
    fmt = format_of(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise InputError(f"cannot read file: {e.strerror}", where=str(path), hint="check the path and its permissions") from None
    if size < STREAM_ABOVE or fmt not in _STREAMABLE:
        yield from parse_file(path, check_literals)
        return
    _check_utf8(path)
    from .literals import problem

    count = 0
    try:
        for q in ox.parse(path=str(path), format=fmt):
            count += 1
            obj = q.object
            if check_literals and type(obj) is ox.Literal and not obj.language:
                why = problem(obj.value, obj.datatype.value)
                if why:
                    _check_literals(path, path.read_bytes(), [q])
            yield q
    except SyntaxError as e:
        where = f"{path}:{e.lineno}:{e.offset}" if e.lineno else str(path)
        msg = str(e.msg if hasattr(e, "msg") else e)
        msg = re.sub(r"^Parser error at line \d+ between columns \d+ and \d+: ", "", msg)
        msg = re.sub(r"^Parser error at line \d+ column \d+: ", "", msg)
        raise InputError(f"{msg}", where=where, hint="fix the syntax there") from None
    except ValueError as e:
        raise InputError(str(e), where=str(path)) from None
    if not count:  # an empty file is an error, a file of prefixes alone is not: parse_file says which
        yield from parse_file(path)


def _check_utf8(path: Path) -> None:
    """parse_file's binary and UTF-8 checks, reading the file in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        first = True
        while True:
            chunk = f.read(8 * 2**20)
            if first and b"\x00" in chunk[:65536]:
                raise InputError("this is a binary file, not RDF text", where=str(path),
                                 hint="give a Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML file")
            first = False
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                # the whole-file check finds the position (and raises the error)
                parse_file(path)
                raise InputError("not valid UTF-8", where=str(path), hint="re-encode the file as UTF-8") from None
            if not chunk:
                return


def stream_files(files: Sequence[Path], check_literals: bool = True):
    """The quads of the files in order, streamed (`stream_file`)."""
    for f in files:
        yield from stream_file(f, check_literals)


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


@dataclass
class Loaded:
    """The quads of a set of files, in file order, and the prefixes they declare
    ({prefix: namespace}; where files bind one prefix to different namespaces, the first
    file's binding)."""

    files: list[Path] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.quads)


def load_files(files: Sequence[Path], check_literals: bool = True) -> Loaded:
    loaded = Loaded()
    for f in files:
        quads, prefixes = parse_file_declared(f, check_literals)
        loaded.files.append(f)
        loaded.quads.extend(quads)
        for prefix, ns in prefixes.items():
            loaded.prefixes.setdefault(prefix, ns)
    return loaded


def load(sources: Sources, check_literals: bool = True) -> Loaded:
    return load_files(sources.files(), check_literals)


def load_ontology() -> Loaded:
    return load_files(ontology_files())
