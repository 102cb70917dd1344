"""The fact sheet: the YAML file `draft` writes, a curator edits and `add` compiles.

Format ``yilian-facts/1`` (documented with examples in docs/CURATION.md)::

    format: yilian-facts/1
    source: yid:doc-005          # the registered yl:SourceDocument
    article: 005_article.txt     # its text, relative to the sheet
    sha256: 3f1c…                # the normalised text's hash when drafted
    date: 2025-10-08             # the document's date as registered (null: unknown)
    facts:
      - id: obs-001              # the fact's IRI is yid:f005-obs-001 (rename freely)
        kind: observation
        accept: false            # true: add this fact; false: skip it
        quote: 全市基层诊疗量占比达68.5%
        …

One block per candidate; each kind has a fixed set of keys (KINDS below). An unknown key is
an error (a typo must not be silently ignored). Every block carries the line it starts on,
so errors can say where to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

FORMAT = "yilian-facts/1"
#: the largest sheet `add` reads (a draft of a long article is a few hundred kilobytes)
MAX_BYTES = 16 * 2**20

#: kind -> (required keys, optional keys); `id`, `kind`, `accept` and `quote` are common
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "observation": (("indicator", "about"),
                    ("printed", "value", "qualifier", "unit", "change", "change_unit", "comparison", "base_period",
                     "period", "period_start", "period_end", "as_of", "trend", "label", "note")),
    "mention": (("entity",), ("name",)),
    "organization": (("name", "class"), ("en", "alt_names", "located_in", "level", "part_of", "note")),
    "person": (("name",), ("en", "note")),
    "position": (("person", "organization", "title"), ("as_of", "label", "note")),
    "event": (("class", "label"), ("start_date", "end_date", "location", "organizer", "topic", "label_en", "note")),
    "membership": (("alliance", "member", "role"), ("label", "note")),
    "member_count": (("alliance", "count"), ("role", "member_kind", "label", "note")),
}
COMMON = ("id", "kind", "accept", "quote")


@dataclass
class Row:
    """One block of the sheet: its fields and the line it starts on (1-based)."""

    line: int
    fields: dict

    @property
    def kind(self) -> str:
        return self.fields.get("kind")

    @property
    def id(self):
        return self.fields.get("id")


@dataclass
class Sheet:
    path: Path
    header: dict
    rows: list[Row]
    header_lines: dict


def _loader():
    import yaml

    class LineLoader(yaml.SafeLoader):
        """SafeLoader that records the line of every mapping under '__line__'."""

    def construct_mapping(loader, node, deep=False):
        mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    # dates stay text: "2024-05" and "2024-05-01" are partial dates, not datetime objects
    LineLoader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return LineLoader


def read_sheet(path: str | Path) -> Sheet:
    """Parse a fact sheet. Raises InputError (exit 2) with file:line for YAML that does
    not parse, a missing or unknown format, and a sheet without a list of facts."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise InputError("no such fact sheet", where=str(p), hint="give the file `yilian draft` wrote")
    if p.stat().st_size > MAX_BYTES:
        raise InputError(f"the fact sheet is over {MAX_BYTES // 2**20} MiB", where=str(p),
                         hint="split it into several sheets")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("the fact sheet is not UTF-8 text", where=str(p), hint="save it as UTF-8") from None
    if not text.strip():
        raise InputError("the fact sheet is empty", where=str(p), hint="write one with `yilian draft ARTICLE -o SHEET`")
    try:
        doc = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark else str(p)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(f"the fact sheet is not valid YAML: {problem}", where=where,
                         hint="fix the indentation or quoting at that place") from None
    if not isinstance(doc, dict):
        raise InputError("the fact sheet is not a YAML mapping with 'format', 'source' and 'facts'", where=f"{p}:1",
                         hint="start from the file `yilian draft` wrote")
    if doc.get("format") != FORMAT:
        raise InputError(f"unknown sheet format {doc.get('format')!r}", where=f"{p}:1",
                         hint=f"the first key must be format: {FORMAT}")
    facts = doc.get("facts")
    if not isinstance(facts, list):
        raise InputError("the fact sheet has no list of facts", where=f"{p}:{doc.get('__line__', 1)}",
                         hint="put the blocks under 'facts:' as a YAML list")
    rows = []
    for item in facts:
        if not isinstance(item, dict):
            raise InputError("each entry under 'facts' must be a block of key: value lines", where=str(p),
                             hint="start each block with '- id: …'")
        line = item.pop("__line__", 0)
        for v in item.values():
            if isinstance(v, dict):
                v.pop("__line__", None)
        rows.append(Row(line, item))
    header = {k: v for k, v in doc.items() if k not in ("facts", "__line__")}
    return Sheet(p, header, rows, {})


# ----------------------------------------------------------------- writing

def _scalar(value) -> str:
    import yaml

    if value is None:
        return "null"
    if isinstance(value, list) and not value:
        return "[]"
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip()
    if text.endswith("\n..."):
        text = text[:-4].strip()
    if text.endswith("..."):
        text = text[:-3].strip()
    return text


def render(header: dict, blocks, header_comments: dict | None = None, preamble: list[str] = ()) -> str:
    """The sheet as YAML text: the header keys, then one block per candidate with each
    field on its own line and a comment where the draft has something to say."""
    out = [f"# {line}" if line else "#" for line in preamble]
    header_comments = header_comments or {}
    for k, v in header.items():
        c = header_comments.get(k)
        out.append(f"{k}: {_scalar(v)}" + (f"  # {c}" if c else ""))
    out.append("facts:" if blocks else "facts: []")
    for b in blocks:
        fields = {"id": b.fields.get("id"), "kind": b.kind, "accept": False}
        fields.update({k: v for k, v in b.fields.items() if k != "id"})
        first = True
        for k, v in fields.items():
            c = b.comments.get(k)
            line = f"{'  - ' if first else '    '}{k}: {_scalar(v)}"
            if c:
                line += "  # " + c.replace("\n", " ")
            out.append(line)
            first = False
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
