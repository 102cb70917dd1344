"""The named queries shipped with yilian (src/yilian/sparql/queries/*.rq).

Each file starts with comment lines `# id:`, `# question:` and optionally `# answer:`
(what the sources say, for the README and tests); the rest is the SPARQL query.

A named query gives the same bytes wherever it runs: the on-disk store, `--no-store`,
`yilian serve`, an Oxigraph server and Virtuoso 7 (tests/test_named_determinism.py,
tests/test_virtuoso.py). SPARQL leaves some orders to the engine and Virtuoso 7.2
evaluates some forms wrongly, so the queries keep to these rules:

- GROUP_CONCAT joins the rows of an inner SELECT that is ordered by the joined values
  (engines join in the order rows arrive; Oxigraph's order depends on how the data were
  loaded). Its separator is ASCII: Virtuoso 7 returns a non-ASCII separator as "?".
- No `*`, `+` or `?` property paths: Virtuoso 7.2 loses rows when such a path is joined
  with other patterns (openlink/virtuoso-opensource issues 127 and 704). Class and place
  tests are alternatives of fixed paths, `(a|a/rdfs:subClassOf) yl:C` and
  `(yl:locatedIn|yl:locatedIn/schema:containedInPlace|…) ?place`; a test checks that
  they find what the transitive paths find on the bundled graph.
- No MIN, MAX or SAMPLE over a value that may be unbound (Oxigraph answers unbound,
  Virtuoso ignores it, SAMPLE picks any): make the value a group key instead.
- Columns are terms of the graph, not strings built in the query: Virtuoso 7.2 takes an
  unbound variable in CONCAT as "" instead of an error, answers BOUND(?x) true for some
  unbound OPTIONAL variables in a BIND, loses the correlation of an OPTIONAL nested in an
  OPTIONAL, and turns some non-ASCII constants in expressions into "?" (found comparing
  first-secretary-results). Booleans are left out of the answers (Virtuoso stores true
  as 1).
- The final ORDER BY makes the row order total: every column, or every group key of an
  aggregate (Virtuoso cannot order by an aggregate's alias), each as STR(…) unless it is
  a number (engines order terms of different kinds differently, and Virtuoso orders long
  literals out of code-point order).
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
