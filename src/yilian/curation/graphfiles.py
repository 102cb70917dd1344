"""Writing curated triples into the user's graph folder: canonical Turtle (the `fmt`
writer), validated with the shapes together with the rest of the graph before anything
is written, then all files renamed into place.

A planned file holds the triples it had before (when it exists) plus the new ones; the
whole plan is validated as the graph would be after the write; on any violation nothing
is written.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, UsageError
from ..prefixes import PREFIXES

#: the prefixes curated files declare (the ones the graph's files use)
FILE_PREFIXES = {p: PREFIXES[p] for p in ("org", "rdfs", "schema", "skos", "xsd", "yid", "yl")}


@dataclass
class Plan:
    """The files to write: path -> (header comment lines, rdflib triples)."""

    folder: Path
    files: dict[Path, tuple[list[str], list[tuple]]] = field(default_factory=dict)

    def add(self, name: str, header: list[str], triples: list[tuple]) -> Path:
        path = self.folder / name
        old: list[tuple] = []
        if path.exists():
            old = existing_triples(path)
            header = _existing_header(path) or header
        self.files[path] = (header, old + list(triples))
        return path

    def texts(self) -> dict[Path, bytes]:
        from ..rdf.export import turtle

        out = {}
        for path, (header, triples) in self.files.items():
            head = "".join(f"# {h}\n" if h else "#\n" for h in header)
            out[path] = (head + "\n" if head else "").encode("utf-8") + turtle(triples, FILE_PREFIXES)
        return out


def folder_files(folder: Path) -> list[str]:
    """The RDF files already in the user's graph folder (none if it does not exist)."""
    from ..dataset.formats import FORMATS

    if not folder.exists():
        return []
    if not folder.is_dir():
        raise UsageError("--into must name a folder", where=str(folder), hint="give the folder of your graph files")
    return [str(f) for f in sorted(folder.rglob("*")) if f.is_file() and f.suffix.lower() in FORMATS]


def existing_triples(path: Path) -> list[tuple]:
    from ..dataset.parse import parse_file
    from ..rdf.convert import term

    return [(term(q.subject), term(q.predicate), term(q.object)) for q in parse_file(path)]


def _existing_header(path: Path) -> list[str]:
    from ..rdf.fmt import header

    text = header(path.read_text(encoding="utf-8"))
    return [line[1:].strip() for line in text.splitlines() if line.startswith("#")]


def validate_plan(plan: Plan, data: tuple[str, ...], default_graph: bool):
    """Validate the graph as it would be after writing the plan: the bundled graph (unless
    `default_graph` is false), the --data files (minus the files the plan rewrites) and the
    planned files. Returns the violations (shacl.validate.Finding), warnings left out."""
    from ..dataset.sources import Sources
    from ..shacl.validate import validate

    texts = plan.texts()
    rewritten = {p.resolve() for p in texts}
    with tempfile.TemporaryDirectory(prefix="yilian-curation-") as tmp:
        extra = []
        for i, (path, text) in enumerate(texts.items()):
            t = Path(tmp) / f"{i:03d}-{path.name}"
            t.write_bytes(text)
            extra.append(str(t))
        from ..dataset.sources import collect_files

        kept = [str(f) for f in collect_files(list(data)) if f.resolve() not in rewritten] if data else []
        report = validate(Sources(tuple(kept + extra), default_graph))
    return [f for f in report.findings if f.severity == "Violation"]


def commit(plan: Plan) -> list[Path]:
    """Write every planned file atomically (creating the folder if needed)."""
    from ..output import write_atomic

    texts = plan.texts()
    try:
        plan.folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"cannot create the folder: {e.strerror}", where=str(plan.folder),
                         hint="choose a writable folder") from None
    for path, text in texts.items():
        write_atomic(path, text)
    return list(texts)
