"""`yilian fmt`: rewrite Turtle files in one canonical, deterministic form.

Canonical form: the file's leading comment block, then its prefixes (its own plus the
standard ones it uses), then subjects in sorted order with sorted predicates and objects,
blank nodes inline. Comments inside the body are not kept. A rewrite happens only after
the new text has been parsed back and found isomorphic to the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..dataset.parse import parse_file
from ..errors import InputError, UsageError
from ..output import write_atomic

from . import convert, export as exporting

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


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


def canonical(path: Path) -> bytes:
    """The canonical text of one Turtle file (raises InputError if it does not parse)."""
    quads = parse_file(path)
    if any(not q.graph_name.__class__.__name__ == "DefaultGraph" for q in quads):
        raise InputError("fmt rewrites Turtle files without named graphs", where=str(path))
    text = path.read_text(encoding="utf-8")
    prefixes = {p or "": ns for p, ns in _PREFIX.findall(text)}
    prefixes.pop("", None)  # an empty prefix would make every IRI look local
    triples = [(convert.term(q.subject), convert.term(q.predicate), convert.term(q.object)) for q in quads]
    body = exporting.turtle(triples, prefixes) if triples else b""
    out = header(text).encode("utf-8") + body
    _verify(path, triples, out)
    return out


def _verify(path: Path, triples: list, out: bytes) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    original = rdflib.Graph()
    for t in triples:
        original.add(t)
    rewritten = rdflib.Graph().parse(data=out.decode("utf-8"), format="turtle")
    if not isomorphic(original, rewritten):  # pragma: no cover - a serializer bug
        raise InputError("the canonical form would change the graph; the file was left as it was", where=str(path),
                         hint="report this with the file")


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
