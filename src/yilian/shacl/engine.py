"""A SHACL validator that runs each constraint once over the whole graph, as SPARQL.

pySHACL checks every constraint once per focus node in Python; on a graph of a million
triples that takes more than ten minutes. Here every shape's focus nodes are computed
once (one SPARQL update or SELECT per shape, into a scratch named graph), and every constraint
becomes one SPARQL query over all of them, run by Oxigraph. Conformance to a shape used
inside sh:or, sh:xone, sh:not, sh:and, sh:node or sh:qualifiedValueShape is compiled to a
SPARQL expression (FILTER EXISTS … for the shape's property constraints).

Coverage: SHACL Core (targets, every core constraint component) and SHACL-SPARQL constraints (sh:sparql with sh:select).
Anything else raises Unsupported, and yilian falls back to pySHACL. The results are the
results pySHACL gives (tests/test_shacl.py compares the two on every fixture, the bundled
graph and synthetic graphs): the same focus nodes, paths, values, source shapes,
components, severities and messages, except a shape's default message (when it has no
sh:message), which yilian words. tests/test_w3c_shacl.py runs the W3C SHACL test suite.

As in pySHACL with an ont_graph, the RDFS and OWL axioms of the ontology (class and
property declarations, rdfs:subClassOf, rdfs:label …) are added to the data before
validation; the ontology's other triples are not.

Layout: shapes (the shapes graph, paths), scratch (the scratch store: data as written and as
values), targets (focus nodes), core/ (one module per family of core constraint
components), sparql_constraints (SHACL-SPARQL), report (results and the report). This
module drives them: it walks the shapes, materialises focus nodes and runs each component.
"""

from __future__ import annotations

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import sparql_constraints, targets
from .core import cardinality, logical, other, property_pair, shape_based, string_based, value_range, value_type
from .report import Result, sort_key
from .report import default_message as _default_message  # noqa: F401  (tests compare default messages)
from .scratch import CORE_VIEW, FOCUS_GRAPH, FOCUS_OF, VALUE_GRAPH, decode, inoculated_ontology, split
from .shapes import RDF, SH, XSD, Component, Shapes, Unsupported, render_path, sparql_path  # noqa: F401

# The sh: predicates this engine understands. A shapes graph that uses any other (sh:target,
# sh:parameter of a custom constraint component, sh:rule …) is unsupported, and yilian
# validates it with pySHACL instead.
_KNOWN = {
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or", "xone",
    "node", "property", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint", "closed",
    "ignoredProperties", "hasValue", "in", "sparql", "select", "prefixes", "declare", "prefix",
    "namespace", "path", "inversePath", "alternativePath", "zeroOrMorePath", "oneOrMorePath",
    "zeroOrOnePath", "severity", "message", "deactivated", "name", "description", "order", "group",
    "defaultValue", *targets.TARGETS,
}
# The vocabulary of validation reports: a shapes graph may hold a report (every W3C test
# file does); it asks nothing of a validator.
_REPORT = {
    "conforms", "result", "focusNode", "resultPath", "value", "sourceShape", "sourceConstraintComponent",
    "resultSeverity", "resultMessage", "sourceConstraint", "detail",
}

# the families whose components are checked on each value node on its own
_VALUE_FAMILIES = (value_type, value_range, string_based, logical, shape_based)
# the families whose components a property shape checks over all values of a focus node
_PROPERTY_FAMILIES = (cardinality, other, string_based, property_pair, shape_based)


@dataclass
class Engine:
    """One validation run: the shapes, the scratch store, and the results found so far."""

    shapes: Shapes
    store: ox.Store
    results: set = field(default_factory=set)
    subclasses: dict = field(default_factory=dict)  # class -> its subclasses (targets.instance_of)
    _vars: itertools.count = field(default_factory=lambda: itertools.count())
    _keys: itertools.count = field(default_factory=lambda: itertools.count())
    # context key -> {focus node: how many times it is reached, when more than once}
    multiplicity: dict = field(default_factory=dict)
    threads: int = 1  # target shapes validated side by side (see run)
    # a count of at most one (sh:maxCount 1, sh:qualifiedMaxCount 0 or 1) checked as two
    # distinct values, and sh:qualifiedMinCount 1 as no value, instead of grouping by focus
    # node (core.cardinality, core.shape_based); False groups, as for any other count
    pairwise: bool = True
    _local: threading.local = field(default_factory=threading.local)

    @property
    def current(self) -> str:
        """The context whose focus nodes this thread is validating."""
        return getattr(self._local, "current", "")

    @current.setter
    def current(self, key: str) -> None:
        self._local.current = key

    @property
    def _compiling(self) -> set:
        """The shapes this thread is compiling into a SPARQL expression (recursion check)."""
        if not hasattr(self._local, "compiling"):
            self._local.compiling = set()
        return self._local.compiling

    def check_supported(self) -> None:
        for _, p, _ in self.shapes.triples:
            if p.value.startswith(SH) and p.value[len(SH):] not in _KNOWN and p.value[len(SH):] not in _REPORT:
                raise Unsupported(f"sh:{p.value[len(SH):]}")

    def var(self) -> str:
        return f"?_v{next(self._vars)}"

    def instance_of(self, v: str, c, bound: bool = True) -> str:
        return targets.instance_of(self, v, c, bound)

    # ------------------------------------------------------------ conformance as SPARQL

    def value_conditions(self, shape, v: str, closed: bool = True) -> list[tuple[Component, str]]:
        """(component, SPARQL expression true when value node `v` satisfies it) for each
        constraint of `shape` that is checked on each value node on its own; `closed=False`
        leaves out sh:closed, which validate() reports triple by triple instead."""
        out: list = []
        for family in _VALUE_FAMILIES:
            out += family.value_conditions(self, shape, v)
        out += other.value_conditions(self, shape, v, closed_too=closed)
        return out

    def property_condition(self, ps, v: str) -> str:
        """True when focus node `v` satisfies every constraint of property shape `ps`."""
        sh = self.shapes
        if not sh.active(ps):
            return "true"
        if sh.sh(ps, "sparql"):
            raise Unsupported("sh:sparql inside a shape used by sh:or/sh:and/sh:not/sh:xone/sh:node")
        path = sparql_path(sh, sh.sh1(ps, "path"))
        w = self.var()
        parts = cardinality.property_conditions(self, ps, v, path, w)
        value_parts = [c for _, c in self.value_conditions(ps, w)]
        value_parts += [self.property_condition(ps2, w) for ps2 in sh.sh(ps, "property")]
        if value_parts:
            parts.append(f"NOT EXISTS {{ {v} {path} {w} FILTER(!({' && '.join(value_parts)})) }}")
        for family in _PROPERTY_FAMILIES[1:]:
            parts += family.property_conditions(self, ps, v, path, w)
        return "(" + (" && ".join(parts) or "true") + ")"

    def conforms(self, shape, v: str) -> str:
        """A SPARQL expression: node `v` conforms to `shape`."""
        sh = self.shapes
        if not sh.active(shape):
            return "true"
        if shape in self._compiling:
            raise Unsupported("a recursive shape")
        self._compiling.add(shape)
        try:
            if sh.sh1(shape, "path") is not None:
                return self.property_condition(shape, v)
            if sh.sh(shape, "sparql"):
                raise Unsupported("sh:sparql inside a shape used by sh:or/sh:and/sh:not/sh:xone/sh:node")
            parts = [c for _, c in self.value_conditions(shape, v)]
            parts += other.node_conditions(self, shape, v)
            parts += property_pair.node_conditions(self, shape, v)
            parts += [self.property_condition(ps, v) for ps in sh.sh(shape, "property")]
            return "(" + (" && ".join(parts) or "true") + ")"
        finally:
            self._compiling.discard(shape)

    # ------------------------------------------------------------ running

    def focus(self, key: str, var: str = "?this") -> str:
        # the focus node is the object: it may be a literal (sh:targetObjectsOf, sh:targetNode)
        return f"GRAPH {FOCUS_GRAPH} {{ <{key}> {FOCUS_OF} {var} }}"

    def new_key(self) -> str:
        return f"urn:yilian:shacl:context:{next(self._keys)}"

    def materialise(self, key: str, where: str, var: str, default_graph_only: bool = False) -> None:
        """Write the nodes `var` bound by the pattern `where` (over the core view) into the
        focus graph under context `key`. With `default_graph_only` (a pattern that cannot
        match a triple with an XSD-typed literal, such as a class target) one SPARQL update
        does it, reading the store's default graph; otherwise a SELECT over the core view
        and an insert (an update cannot name the default graph in USING, and the core view
        is the default graph with LEXICAL_GRAPH: see scratch)."""
        if default_graph_only:
            self.store.update(f"INSERT {{ GRAPH {FOCUS_GRAPH} {{ <{key}> {FOCUS_OF} {var} }} }} WHERE {{ {where} }}")
            return
        subject = ox.NamedNode(key)
        self.store.extend([ox.Quad(subject, FOCUS_OF, row[0], FOCUS_GRAPH)
                           for row in self.select(f"SELECT DISTINCT {var} WHERE {{ {where} }}")])

    def run(self) -> list[Result]:
        """Validate every shape with targets; the results sorted (report.sort_key).

        With `threads` > 1 the shapes with targets are validated side by side: each has
        its own contexts (focus nodes materialised under keys of its own), Oxigraph answers
        queries from several threads at once without holding Python's lock, and the
        results are a set sorted at the end, so the report does not depend on the order
        the shapes finish in."""
        self.check_supported()
        shapes = [s for s in targets.target_shapes(self.shapes) if self.shapes.active(s)]

        def one(shape) -> None:
            key = self.new_key()
            self.materialise(key, targets.target_pattern(self, shape), "?this",
                             default_graph_only=targets.by_type(self.shapes, shape))
            self.validate(shape, key)

        if self.threads > 1 and len(shapes) > 1:
            with ThreadPoolExecutor(self.threads, thread_name_prefix="yilian-shacl") as pool:
                for _ in pool.map(one, shapes):
                    pass
        else:
            for shape in shapes:
                one(shape)
        return sorted(self.results, key=sort_key)

    def add(self, shape, component: Component, focus, value=None, path=None, messages=None, constraint=None,
            detail: str = ""):
        """Record a result of `shape` (its path, severity and messages unless given), once for
        each way the focus node was reached in the current context."""
        sh = self.shapes
        copies = self.multiplicity.get(self.current, {}).get(focus, 1)
        for copy in range(copies):
            self.results.add(Result(
                focus=decode(focus),
                path=path if path is not None else sh.sh1(shape, "path"),
                value=decode(value),
                shape=shape,
                component=component.name,
                severity=sh.severity(shape),
                messages=messages if messages is not None else (sh.messages(shape)
                                                                or (ox.Literal(component.default_message),)),
                constraint=constraint,
                detail=detail,
                context=self.current,
                copy=copy,
            ))

    def count_ways(self, key: str, sub: str, path: str) -> None:
        """How many times each focus node of context `sub` (the value nodes of the focus nodes
        of `key`) is reached: once per parent focus node, times the parent's own count. SHACL
        validates a nested property shape once per parent, so each gives its results."""
        parents = self.multiplicity.get(key, {})
        ways: dict = {}
        for row in self.select(f"SELECT DISTINCT ?f ?this WHERE {{ {self.focus(key, '?f')} ?f {path} ?this }}"):
            ways[row["this"]] = ways.get(row["this"], 0) + parents.get(row["f"], 1)
        more = {n: k for n, k in ways.items() if k > 1}
        if more:
            self.multiplicity[sub] = more

    def select(self, query: str):
        return self.store.query(query, default_graph=CORE_VIEW, named_graphs=[FOCUS_GRAPH])

    def validate(self, shape, key: str) -> None:
        """Validate the focus nodes in context `key` against `shape`."""
        sh = self.shapes
        self.current = key
        path_node = sh.sh1(shape, "path")
        if path_node is None:
            values, v = self.focus(key), "?this"
        else:
            path = sparql_path(sh, path_node)
            values, v = f"{self.focus(key)} ?this {path} ?v .", "?v"
        # each value node on its own (detail: which constraint, when a parameter has two values)
        self.check_values(shape, values, v, self.value_conditions(shape, v, closed=False))
        other.check_closed(self, shape, values, v)
        if path_node is None:
            other.check_node_has_value(self, shape, values)
            property_pair.check_node(self, shape, key)
        else:
            for family in _PROPERTY_FAMILIES:
                family.check(self, shape, key, path)
        for ps in sh.sh(shape, "property"):
            if not sh.active(ps):
                continue
            if path_node is None:
                self.validate(ps, key)
            else:
                sub = self.new_key()
                self.materialise(sub, f"{self.focus(key, '?f')} ?f {path} ?this", "?this")
                self.count_ways(key, sub, path)
                self.validate(ps, sub)
            self.current = key
        for c in sh.sh(shape, "sparql"):
            sparql_constraints.check(self, shape, c, key, path_node)


    def check_values(self, shape, values: str, v: str, conditions: list) -> None:
        """Report each value node `v` (reached by the pattern `values`) that fails one of
        `conditions` ((component, SPARQL expression true when it conforms)). All of them
        are checked in one query, so the focus nodes and their values are matched once per
        shape rather than once per constraint (at a million triples that match was most of
        each query's time): a row is returned when any condition is false, and says which.
        A condition whose evaluation is an error does not report, as in FILTER(!(cond))."""
        if not conditions:
            return
        projection = "?this" if v == "?this" else f"?this {v}"
        if len(conditions) == 1:
            component, cond = conditions[0]
            for row in self.select(f"SELECT DISTINCT {projection} WHERE {{ {values} FILTER(!({cond})) }}"):
                self.add(shape, component, row["this"], value=row[v[1:]], detail=cond)
            return
        flags = [self.var() for _ in conditions]
        fails = " ".join(f"(!({cond}) AS {flag})" for (_, cond), flag in zip(conditions, flags))
        any_fails = " || ".join(f"!({cond})" for _, cond in conditions)
        for row in self.select(f"SELECT DISTINCT {projection} {fails} WHERE {{ {values} FILTER({any_fails}) }}"):
            for (component, cond), flag in zip(conditions, flags):
                failed = row[flag[1:]]
                if failed is not None and failed.value == "true":
                    self.add(shape, component, row["this"], value=row[v[1:]], detail=cond)


def validate(data_quads, shapes_triples, ontology_quads=()) -> list[Result]:
    """Validate the data (quads; their graph names are ignored) against the shapes."""
    return run(data_quads, shapes_triples, ontology_quads)[0]


def run(data_quads, shapes_triples, ontology_quads=(), pairwise: bool = True) -> tuple[list[Result], int]:
    """The results, and the number of distinct triples in the data. Raises PolicyError for
    SPARQL constraints that would reach the network, InputError for ones SHACL forbids,
    Unsupported for shapes this engine does not implement. `pairwise=False` checks every
    count by grouping (Engine.pairwise; the same results, tests compare them)."""
    shapes = Shapes(shapes_triples)
    sparql_constraints.check_policy(shapes)  # before anything runs: no SERVICE, no FROM
    store = ox.Store()
    fill(store, split(data_quads))
    # every data triple is once in BASE_GRAPH or LEXICAL_GRAPH (the store keeps a set)
    copies = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {VALUE_GRAPH} {{ ?s ?p ?o }} }}")))
    triples = len(store) - int(copies["n"].value)
    store.bulk_extend(split(inoculated_ontology(ontology_quads)))
    return Engine(shapes, store, threads=default_threads(), pairwise=pairwise).run(), triples


def fill(store: ox.Store, quads, chunk: int = 1_000_000) -> None:
    """store.bulk_extend(quads), `chunk` quads at a time: bulk_extend keeps everything it is
    given until it returns (measured at 1M: a peak of 660 MB for one call, 458 MB in chunks
    of 200,000, the same time within the noise of a shared machine), so at 12M one call
    would hold gigabytes on top of the store."""
    quads = iter(quads)
    for first in quads:
        store.bulk_extend(itertools.chain((first,), itertools.islice(quads, chunk - 1)))


def default_threads() -> int:
    """How many shapes to validate side by side: the processors this process may use
    (at most 4; $YILIAN_SHACL_THREADS overrides, 1 turns it off)."""
    env = os.environ.get("YILIAN_SHACL_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))
