"""The named queries shipped with yilian (src/yilian/sparql/queries/*.rq).

Each file starts with comment lines `# id:`, `# question:` and optionally `# answer:`
(what the sources say, for the README and tests); the rest is the SPARQL query.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import resources
from ..errors import UsageError


@dataclass(frozen=True)
class NamedQuery:
    id: str
    question: str
    text: str


def all_queries() -> list[NamedQuery]:
    out = []
    for path in sorted(resources.queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = {}
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].strip().partition(":")
            if sep:
                meta[key.strip()] = value.strip()
        out.append(NamedQuery(meta.get("id", path.stem), meta.get("question", ""), text))
    return out


def get(name: str) -> NamedQuery:
    queries = {q.id: q for q in all_queries()}
    if name not in queries:
        raise UsageError(f"no named query '{name}'", hint="run 'yilian queries' to list them")
    return queries[name]
