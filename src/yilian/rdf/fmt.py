"""`yilian fmt`: rewrite Turtle files in one canonical, deterministic form.

Canonical form: the file's leading comment block, its ``@base`` (if it declared one), every
prefix it declared (relative ones written as declared, the empty prefix ``:`` included) and
the standard ones it uses, in prefix order, then subjects in sorted order with sorted
predicates and objects, blank nodes inline. Every term is written exactly as the file has
it (``060`` stays ``060``, ``"1"^^xsd:boolean`` stays ``"1"^^xsd:boolean``). Comments
inside the body are not kept. A rewrite happens only after the new text has been parsed
back with a non-normalising parser and found to hold the same terms (blank nodes matched by
isomorphism) and the same prefixes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..dataset.parse import parse_file
from ..errors import InputError, UsageError
from ..output import write_atomic

from . import convert, exact, export as exporting

# the IRI of each prefix declaration as written (relative or not); pyoxigraph's parser gives
# the resolved ones
_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s*<", re.IGNORECASE | re.MULTILINE)


def header(text: str) -> str:
    """The leading block of comment lines (and the blank lines among them)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#") or (not line.strip() and lines):
            lines.append(line.rstrip())
        else:
            break
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n\n" if lines else ""


@dataclass
class Declarations:
    """What a Turtle file declares: its last ``@base`` (absolute, None if it declared
    none), its prefixes resolved ({prefix: namespace}, "" for ``:``) and each prefix's
    IRI as written (possibly relative)."""

    base: str | None
    prefixes: dict[str, str]
    written: dict[str, str]


def declarations(data: bytes) -> Declarations:
    """The base and prefixes ``data`` (Turtle) declares, read by pyoxigraph's parser."""
    parser = ox.parse(data, format=ox.RdfFormat.TURTLE)
    for _ in parser:
        pass
    text = data.decode("utf-8")
    written = {p or "": iri for p, iri in _PREFIX.findall(text)}
    base = parser.base_iri if _BASE.search(text) else None
    return Declarations(base, dict(parser.prefixes), written)


def _resolve(base: str, iri: str) -> str | None:
    """``iri`` resolved against ``base`` the way a Turtle parser does (RFC 3986)."""
    try:
        p = ox.parse(f"@base <{base}> . @prefix x: <{iri}> .".encode(), format=ox.RdfFormat.TURTLE)
        for _ in p:
            pass
        return p.prefixes.get("x")
    except (SyntaxError, ValueError):
        return None


def _prefix_lines(declared: Declarations, used: dict[str, str]) -> list[str]:
    """The @base and @prefix lines: every prefix the file declared and every other one the
    body uses, sorted by prefix; a relative prefix is written as declared when it resolves
    to the same namespace against the @base written."""
    lines = [f"@base <{declared.base}> ."] if declared.base else []
    namespaces = {**used, **declared.prefixes}
    for prefix in sorted(namespaces):
        ns = namespaces[prefix]
        raw = declared.written.get(prefix) if prefix in declared.prefixes else None
        if raw is not None and raw != ns and not (declared.base and _resolve(declared.base, raw) == ns):
            raw = None
        lines.append(f"@prefix {prefix}: <{raw if raw is not None else ns}> .")
    return lines


def canonical(path: Path) -> bytes:
    """The canonical text of one Turtle file (raises InputError if it does not parse, or if
    the canonical text would not hold exactly the same terms and prefixes)."""
    quads = parse_file(path)
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise InputError("fmt rewrites Turtle files without named graphs", where=str(path))
    data = path.read_bytes()
    declared = declarations(data)
    triples = [(convert.term(q.subject), convert.term(q.predicate), convert.term(q.object)) for q in quads]
    if triples:
        used, body = exporting.turtle_parts(triples, declared.prefixes)
    else:
        used, body = {}, ""
    lines = _prefix_lines(declared, used)
    text = header(data.decode("utf-8"))
    if lines:
        text += "\n".join(lines) + "\n"
    if body:  # rdflib's layout: a blank line after the prefixes and at the end
        text += ("\n" if lines else "") + body + "\n"
    out = text.encode("utf-8")
    _verify(path, quads, declared, out)
    return out


def _verify(path: Path, quads: list[ox.Quad], declared: Declarations, out: bytes) -> None:
    """The canonical text must hold the same terms and declare the same prefixes."""
    try:
        back = exact.parse(out, "turtle")
        kept = declarations(out).prefixes
    except (InputError, SyntaxError) as e:  # pragma: no cover - a serializer bug
        raise InputError(f"the canonical form would not parse ({e}); the file was left as it was", where=str(path),
                         hint="report this with the file") from None
    if not exact.same(quads, back):
        diff = "; ".join(exact.differences(quads, back, limit=1))
        raise InputError(f"the canonical form would change the graph ({diff}); the file was left as it was",
                         where=str(path), hint="report this with the file")
    lost = sorted(p for p, ns in declared.prefixes.items() if kept.get(p) != ns)
    if lost:  # pragma: no cover - a bug in _prefix_lines
        raise InputError(f"the canonical form would lose the prefix {lost[0]}:; the file was left as it was",
                         where=str(path), hint="report this with the file")


@dataclass
class FmtResult:
    changed: list[Path]
    unchanged: list[Path]


def turtle_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*.ttl") if f.is_file()))
        elif p.is_file():
            if p.suffix.lower() != ".ttl":
                raise UsageError("fmt formats Turtle (.ttl) files only", where=str(p))
            files.append(p)
        else:
            raise InputError("no such file or folder", where=str(p), hint="check the path")
    return files


def fmt(paths: list[str], *, check: bool) -> FmtResult:
    result = FmtResult([], [])
    # compute every canonical text first, so a bad file stops the run before anything is written
    planned = []
    for f in turtle_files(paths):
        new = canonical(f)
        (result.changed if new != f.read_bytes() else result.unchanged).append(f)
        planned.append((f, new))
    if not check:
        for f, new in planned:
            if f in result.changed:
                write_atomic(f, new)
    return result
