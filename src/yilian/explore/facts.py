"""`yilian facts`: one readable row per fact of the graph (observations, posts, postings,
memberships, member counts, designations, events, programs …), with what, about whom,
when (partial dates kept partial), the value with its qualifier, unit, change, source
file and quote — the ~12 properties an observation spreads a number over, read together.

Shapes: `fact_rows(store, …) -> list[FactRow]`; `render_rows(rows, fmt) -> bytes`.
How the graph encodes facts is docs/MODELING.md; the qualifiers are the yl:ValueQualifier
concepts of ontology/yilian.ttl (超/余/多 yl:MoreThan, 以上 yl:AtLeast, 以下 yl:AtMost,
约/近 yl:Approximately).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import tables
from ..dataset.literals import calendar_problem
from ..errors import UsageError
from ..prefixes import PREFIXES, short
from .graph import RDF_TYPE, label, query

YL = PREFIXES["yl"]
ORG = PREFIXES["org"]
SCHEMA = PREFIXES["schema"]

#: how a qualified value is printed: 6000余 (yl:MoreThan) → "6000+", 近百 (yl:Approximately) → "≈100"
QUALIFIER_FORMS = {
    YL + "MoreThan": ("{}+", "more than"),
    YL + "AtLeast": ("≥{}", "at least"),
    YL + "AtMost": ("≤{}", "at most"),
    YL + "Approximately": ("≈{}", "approximately"),
}

#: the properties that say whom or what a fact is about, by fact kind, in the order shown
ABOUT_PROPS = (
    "yl:about", "yl:alliance", "org:member", "org:organization", "yl:person", "yl:fromOrganization",
    "yl:toOrganization", "yl:designee", "yl:participant", "yl:event", "yl:provider", "yl:recipient",
    "yl:partner", "yl:mentor", "yl:mentee", "yl:runBy", "schema:organizer", "yl:area", "yl:beneficiary",
)
#: date properties, in order of preference: (property, how the date reads)
DATE_PROPS = ("schema:startDate", "yl:date", "yl:since", "yl:period", "yl:periodStart", "yl:asOf")
#: properties a fact links to that are not what it is about (kept out of --about matching)
NOT_ABOUT = {"rdf:type", "yl:source", "yl:unit", "yl:changeUnit", "yl:indicator", "yl:valueQualifier",
             "yl:comparison", "yl:trend", "org:role", "yl:memberRole", "yl:cooperationType", "yl:inProgram",
             "yl:dateInferredFrom", "prov:wasInfluencedBy", "prov:wasGeneratedBy", "yl:topic"}


def _iri(name: str) -> str:
    pfx, local = name.split(":", 1)
    return PREFIXES[pfx] + local


@dataclass
class FactRow:
    """One fact as a row. Dates are as written (2024, 2023-04, 2023-04-17; a period
    2023-01/2023-11, or 2023/.. when open-ended — ISO 8601 intervals); `start`/`end` are the first and last day they cover, for filters."""

    fact: str
    kind: str
    what: str
    about: str
    date: str = ""
    date_inferred: bool = False
    date_inferred_from: str = ""
    value: str = ""
    qualifier: str = ""
    unit: str = ""
    change: str = ""
    change_unit: str = ""
    comparison: str = ""
    base_period: str = ""
    trend: str = ""
    source: str = ""
    quote: str = ""
    label: str = ""
    start: str = field(default="", repr=False)
    end: str = field(default="", repr=False)
    about_iris: list = field(default_factory=list, repr=False)

    @property
    def value_text(self) -> str:
        """The value with its qualifier and unit: 6000+ 例, ≈100 位, 16.76 %."""
        if not self.value:
            return ""
        text = self.value
        for form, word in QUALIFIER_FORMS.values():
            if word == self.qualifier:
                text = form.format(self.value)
        return f"{text} {self.unit}".strip()

    @property
    def change_text(self) -> str:
        if not self.change:
            return ""
        sign = "" if self.change.startswith("-") else "+"
        bits = [f"{sign}{self.change} {self.change_unit}".strip()]
        if self.base_period:
            bits.append(f"vs {self.base_period}")
        elif self.comparison:
            bits.append(self.comparison)
        return " ".join(bits)

    @property
    def date_text(self) -> str:
        return f"{self.date} (inferred)" if self.date and self.date_inferred else self.date


# ---------------------------------------------------------------- dates

_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def date_bounds(text: str) -> tuple[str, str]:
    """The first and last day a partial date covers, as YYYY-MM-DD: '2023' → ('2023-01-01',
    '2023-12-31'); '2023-04' → ('2023-04-01', '2023-04-31') (31 for every month: only
    compared, never printed). Raises UsageError for text that is not a date."""
    m = _DATE.match(text.strip())
    if not m or (m.end() != len(text.strip()) and text.strip()[m.end():][:1] not in ("T", "Z", "+", "-")):
        raise UsageError(f"'{text}' is not a date", hint="give a year (2024), a month (2024-08) or a day (2024-08-30)")
    y, mo, d = m.groups()
    wrong = calendar_problem(y, mo, d)
    if wrong:  # 2024-13 or 2024-02-30 matched nothing silently, or everything after it
        raise UsageError(f"'{text}' is not a date: {wrong}", hint="give a year (2024), a month (2024-08) or a day (2024-08-30)")
    if mo is None:
        return f"{y}-01-01", f"{y}-12-31"
    if d is None:
        return f"{y}-{mo}-01", f"{y}-{mo}-31"
    return f"{y}-{mo}-{d}", f"{y}-{mo}-{d}"


def is_date(text: str) -> bool:
    return bool(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text.strip()))


def sort_key(row: FactRow) -> tuple:
    """Date order: by the date as written, so a partial date comes before the more precise
    dates inside it (2023 < 2023-04 < 2023-04-17 < 2023-05); undated rows last."""
    return (row.date == "", row.date, row.kind, row.what, row.fact)


# ---------------------------------------------------------------- reading facts

class Reader:
    """Labels and lookups, cached for one command."""

    def __init__(self, store: ox.Store):
        self.store = store
        self._labels: dict = {}
        self._files: dict = {}

    def label(self, node, lang: str = "zh") -> str:
        key = (node, lang)
        if key not in self._labels:
            self._labels[key] = label(self.store, node, lang)
        return self._labels[key]

    def file(self, doc) -> str:
        if doc not in self._files:
            rows = list(self.store.quads_for_pattern(doc, ox.NamedNode(YL + "corpusFile"), None))
            self._files[doc] = rows[0].object.value if rows else short(doc)
        return self._files[doc]


def fact_classes(store: ox.Store) -> set[str]:
    """Every subclass of yl:AttestedFact (the kinds of fact nodes), as IRIs."""
    return {s["c"].value for s in query(store, "SELECT ?c WHERE { ?c rdfs:subClassOf* yl:AttestedFact }")}


def props(store: ox.Store, node) -> dict[str, list]:
    """The node's properties as {prefixed name: [objects]} (objects in a stable order)."""
    out: dict[str, list] = {}
    for q in store.quads_for_pattern(node, None, None):
        out.setdefault(short(q.predicate), []).append(q.object)
    for v in out.values():
        v.sort(key=lambda o: (str(o.value)))
    return out


def row_of(reader: Reader, node, p: dict, classes: set[str]) -> FactRow:
    """Read one fact node's properties into a FactRow."""
    types = [t for t in p.get("rdf:type", []) if t.value in classes] or p.get("rdf:type", [])
    kind = ", ".join(reader.label(t, "en") for t in types)

    def first(name):
        v = p.get(name)
        return v[0] if v else None

    def lab(name):
        return "; ".join(reader.label(o) if not isinstance(o, ox.Literal) else o.value for o in p.get(name, []))

    about_iris, about = [], []
    for name in ABOUT_PROPS:
        for o in p.get(name, []):
            if not isinstance(o, ox.Literal) and o not in about_iris:
                about_iris.append(o)
                about.append(reader.label(o))
    t = {t.value for t in types}
    if YL + "Observation" in t:
        what = lab("yl:indicator") or reader.label(node)
    elif YL + "MemberCount" in t:
        bits = [lab("yl:memberKind"), lab("yl:memberRole")]
        what = "member count" + (": " + " ".join(b for b in bits if b) if any(bits) else "")
    elif p.get("yl:designationTitle"):
        what = lab("yl:designationTitle")
    elif p.get("yl:title"):
        what = lab("yl:title")
    elif p.get("org:role"):
        what = lab("org:role")
    elif p.get("yl:cooperationType"):
        what = lab("yl:cooperationType")
    else:
        what = reader.label(node)
    row = FactRow(fact=short(node), kind=kind, what=what, about="; ".join(about), label=reader.label(node))
    row.about_iris = about_iris
    # when
    start = first("yl:periodStart")
    if start is not None:
        end = first("yl:periodEnd")
        row.date = start.value + (f"/{end.value}" if end is not None else "/..")
        row.start = date_bounds(start.value)[0]
        row.end = date_bounds(end.value)[1] if end is not None else "9999-12-31"
    else:
        for name in DATE_PROPS:
            d = first(name)
            if d is not None:
                row.date = d.value
                row.start, row.end = date_bounds(d.value)
                break
    inferred = first("yl:dateInferred")
    row.date_inferred = inferred is not None and inferred.value in ("true", "1")
    if first("yl:dateInferredFrom") is not None:
        row.date_inferred_from = short(first("yl:dateInferredFrom"))
    # how much
    value = first("yl:value") or first("yl:count")
    if value is not None:
        row.value = value.value
    q = first("yl:valueQualifier")
    if q is not None:
        row.qualifier = QUALIFIER_FORMS.get(q.value, ("{}", reader.label(q, "en")))[1]
    row.unit = lab("yl:unit")
    if first("yl:change") is not None:
        row.change = first("yl:change").value
        row.change_unit = lab("yl:changeUnit")
        row.comparison = "; ".join(reader.label(o, "en") for o in p.get("yl:comparison", []))
        row.base_period = lab("yl:basePeriod")
    row.trend = "; ".join(reader.label(o, "en") for o in p.get("yl:trend", []))
    row.source = " ".join(reader.file(d) for d in p.get("yl:source", []))
    row.quote = " … ".join(o.value for o in p.get("yl:quote", []))
    return row


# ---------------------------------------------------------------- --about, --kind, --source

def rollup(store: ox.Store, node) -> list:
    """What `--about node` covers: the node; for a place, its sub-places
    (schema:containedInPlace*) and everything located in them (yl:locatedIn), with their
    departments (org:unitOf); for an alliance, its members (org:member of its yl:Membership nodes)."""
    found = {node.value: node}
    for s in query(store, """SELECT DISTINCT ?x WHERE {
            { ?p schema:containedInPlace* ?n . ?x yl:locatedIn ?p }
            UNION { ?x schema:containedInPlace+ ?n }
            UNION { ?m a/rdfs:subClassOf* yl:Membership ; org:organization ?n ; org:member ?x }
            UNION { ?p schema:containedInPlace* ?n . ?o yl:locatedIn ?p . ?x org:unitOf+ ?o } }""", n=node):
        found.setdefault(s["x"].value, s["x"])
    return list(found.values())


def kind_classes(store: ox.Store, text: str) -> list:
    """The classes --kind TEXT names, with their subclasses: a prefixed name (yl:Posting),
    a local name or a class label in Chinese or English, any case ('posting', '医院')."""
    t = text.strip()
    if ":" in t and t.split(":", 1)[0] in PREFIXES:
        t = t.split(":", 1)[1]
    hits = [s["c"] for s in query(store, """SELECT DISTINCT ?c WHERE { ?c a owl:Class .
            OPTIONAL { ?c rdfs:label ?l }
            FILTER(LCASE(STRAFTER(STR(?c), "#")) = LCASE(?t) || LCASE(STR(?l)) = LCASE(?t)) }""", t=ox.Literal(t))]
    if not hits:
        raise UsageError(f"no kind of thing is called '{text}'",
                         hint="give a class such as yl:Observation, Posting, 医院 or designation (see yilian stats)")
    out = {}
    for c in hits:
        for s in query(store, "SELECT ?s WHERE { ?s rdfs:subClassOf* ?c }", c=c):
            out[s["s"].value] = s["s"]
    return list(out.values())


def source_docs(store: ox.Store, text: str) -> list:
    """The source documents --source TEXT names: yid:doc-001, doc-001, 001, the corpus file
    name (or its start), or part of the title."""
    t = text.strip()
    docs = []
    for s in query(store, """SELECT ?d ?file ?title WHERE { ?d a yl:SourceDocument .
            OPTIONAL { ?d yl:corpusFile ?file } OPTIONAL { ?d rdfs:label ?title } }"""):
        d, f, ti = s["d"], s["file"], s["title"]
        local = d.value.rsplit("/", 1)[-1]
        if (t in (short(d), local, d.value) or (t.isdigit() and local.endswith("-" + t))
                or (f is not None and f.value.startswith(t)) or (ti is not None and len(t) > 1 and t.lower() in ti.value.lower())):
            if d not in docs:
                docs.append(d)
    if not docs:
        raise UsageError(f"no source document matches '{text}'",
                         hint="give doc-001, 001, a corpus file name or part of a title; `yilian stats` lists the documents")
    return docs


# ---------------------------------------------------------------- the rows

def fact_rows(store: ox.Store, *, about=None, rollup_about: bool = True, indicator: str | None = None,
              kind: str | None = None, source: str | None = None, since: str | None = None,
              until: str | None = None, year: str | None = None, dated_only: bool = False) -> list[FactRow]:
    """The facts that pass every filter, in date order (see sort_key).

    about: a node (resolved by the caller); with rollup_about, a place or alliance covers
    what rollup() lists. indicator: text in the indicator's or the fact's name (any case).
    kind: see kind_classes. source: see source_docs. since/until/year: partial dates; a
    fact is kept when its date range overlaps the asked range (undated facts are then left out).
    FactTable.rows gives the same rows from facts read once (for the web pages)."""
    classes = fact_classes(store)
    f = _Filters(store, classes, indicator=indicator, kind=kind, source=source, since=since, until=until,
                 year=year, dated_only=dated_only)
    targets = None
    if about is not None:
        targets = rollup(store, about) if rollup_about else [about]
    nodes: dict[str, ox.NamedNode] = {}
    if targets is not None:
        for t in targets:
            for q in store.quads_for_pattern(None, None, t):
                if short(q.predicate) not in NOT_ABOUT:
                    nodes.setdefault(q.subject.value, q.subject)
    else:
        for c in f.wanted:
            for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(c)):
                nodes.setdefault(q.subject.value, q.subject)
    reader = Reader(store)
    rows = []
    for value, node in nodes.items():
        p = props(store, node)
        types = {t.value for t in p.get("rdf:type", [])}
        if not types & f.wanted:
            continue
        if f.docs is not None and not set(p.get("yl:source", [])) & f.docs:
            continue
        row = row_of(reader, node, p, classes)
        if f.keep(row, lambda: _hay(reader, node, row)):
            rows.append(row)
    rows.sort(key=sort_key)
    return rows


def _hay(reader: Reader, node, row: FactRow) -> str:
    """What --indicator words are looked for in: the fact's what, its label and English label."""
    return " ".join([row.what, row.label, reader.label(node, "en")]).lower()


class _Filters:
    """The filters of fact_rows, checked once (bad kind, source or dates raise UsageError)."""

    def __init__(self, store, classes: set[str], *, indicator=None, kind=None, source=None, since=None,
                 until=None, year=None, dated_only=False):
        self.wanted = set(classes)
        if kind:
            self.wanted = {c.value for c in kind_classes(store, kind)} & classes
            if not self.wanted:
                raise UsageError(f"'{kind}' is not a kind of fact",
                                 hint="give a fact kind such as Observation, Posting, Designation or Event")
        self.docs = set(source_docs(store, source)) if source else None
        lo = hi = None
        if year:
            lo, hi = date_bounds(year)
            if len(year.strip()) != 4:
                raise UsageError(f"--year {year} is not a year",
                                 hint="give four digits, such as 2024; use --since/--until for months and days")
        if since:
            lo = max(lo or "", date_bounds(since)[0])
        if until:
            hi = min(hi or "9999", date_bounds(until)[1])
        self.lo, self.hi = lo, hi
        self.words = indicator.lower().split() if indicator else None
        self.dated_only = dated_only

    def keep(self, row: FactRow, hay) -> bool:
        """Whether the row passes the indicator words and the dates (hay(): see _hay)."""
        if self.words is not None:
            text = hay()
            if not all(w in text for w in self.words):
                return False
        if (self.lo or self.hi or self.dated_only) and not row.date:
            return False
        if self.lo and row.end < self.lo:
            return False
        if self.hi and row.start > self.hi:
            return False
        return True


class FactTable:
    """Every fact of a store read once into FactRows (in date order), with what the filters
    of fact_rows look at indexed, so that a running server or a static site answers a
    filter without reading the graph again. The store must not change afterwards.

    rows(**filters) gives what fact_rows(store, **filters) gives (same rows, same order);
    rollup(node) what rollup(store, node) lists; row(node) the row of one fact node or None.
    Built with one pass over the facts' triples: about 1 s per 10,000 facts."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.classes = fact_classes(store)
        reader = Reader(store)
        nodes: dict[str, object] = {}
        for c in sorted(self.classes):
            for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(c)):
                nodes.setdefault(q.subject.value, q.subject)
        built = []
        for node in nodes.values():
            p = props(store, node)
            row = row_of(reader, node, p, self.classes)
            types = frozenset(t.value for t in p.get("rdf:type", []))
            sources = frozenset(p.get("yl:source", []))
            linked = {o for name, objs in p.items() if name not in NOT_ABOUT
                      for o in objs if not isinstance(o, ox.Literal)}
            built.append((sort_key(row), row, types, sources, _hay(reader, node, row), linked, node))
        built.sort(key=lambda b: b[0])
        self._rows = [b[1] for b in built]
        self._types = [b[2] for b in built]
        self._sources = [b[3] for b in built]
        self._hay = [b[4] for b in built]
        self._by_node = {b[6].value: i for i, b in enumerate(built)}
        self._linked: dict = {}  # a node → the rows that link to it (not through NOT_ABOUT)
        for i, b in enumerate(built):
            for o in b[5]:
                self._linked.setdefault(o, []).append(i)
        self._paths = self._rollup_maps()
        from ..dataset.sources import ONTOLOGY_GRAPH

        #: every subject with a yl:source, and those with one in a data graph (describe reads them)
        self.sourced, self.sourced_in_data = set(), set()
        for q in store.quads_for_pattern(None, ox.NamedNode(YL + "source"), None):
            self.sourced.add(q.subject)
            if q.graph_name != ONTOLOGY_GRAPH:
                self.sourced_in_data.add(q.subject)

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, node) -> FactRow | None:
        """The row of one fact node (a node typed with a kind of fact), or None."""
        i = self._by_node.get(node.value)
        return None if i is None else self._rows[i]

    def rows(self, *, about=None, rollup_about: bool = True, indicator: str | None = None,
             kind: str | None = None, source: str | None = None, since: str | None = None,
             until: str | None = None, year: str | None = None, dated_only: bool = False) -> list[FactRow]:
        """The rows fact_rows(store, …) gives for the same filters, in the same order."""
        f = _Filters(self.store, self.classes, indicator=indicator, kind=kind, source=source, since=since,
                     until=until, year=year, dated_only=dated_only)
        if about is not None:
            targets = self.rollup(about) if rollup_about else [about]
            picked: set[int] = set()
            for t in targets:
                picked.update(self._linked.get(t, ()))
            candidates = sorted(picked)
        else:
            candidates = range(len(self._rows))
        out = []
        every_kind = f.wanted == self.classes
        for i in candidates:
            if not every_kind and not self._types[i] & f.wanted:
                continue
            if f.docs is not None and not self._sources[i] & f.docs:
                continue
            if f.keep(self._rows[i], lambda: self._hay[i]):
                out.append(self._rows[i])
        return out

    def rollup(self, node) -> list:
        """What rollup(store, node) lists (the same nodes), from maps of the graph's places,
        locations, departments and memberships made with the table."""
        inside, located, units, members = self._paths
        found = {node.value: node}
        places = [node]  # containedInPlace*: the node and every place inside it
        seen = {node.value}
        k = 0
        while k < len(places):
            for x in inside.get(places[k], ()):
                if x.value not in seen:
                    seen.add(x.value)
                    places.append(x)
            k += 1
        for x in places[1:]:
            found.setdefault(x.value, x)
        for p in places:
            for o in located.get(p, ()):
                found.setdefault(o.value, o)
                stack, done = [o], set()
                while stack:  # org:unitOf+
                    for u in units.get(stack.pop(), ()):
                        if u.value not in done:
                            done.add(u.value)
                            found.setdefault(u.value, u)
                            stack.append(u)
        for x in members.get(node, ()):
            found.setdefault(x.value, x)
        return list(found.values())

    def _rollup_maps(self):
        store = self.store

        def inverse(prop: str) -> dict:
            out: dict = {}
            for q in store.quads_for_pattern(None, ox.NamedNode(_iri(prop)), None):
                out.setdefault(q.object, []).append(q.subject)
            return out

        inside, located, units = inverse("schema:containedInPlace"), inverse("yl:locatedIn"), inverse("org:unitOf")
        kinds = [s["c"] for s in query(store, "SELECT ?c WHERE { ?c rdfs:subClassOf* yl:Membership }")]
        memberships = {q.subject for c in kinds for q in store.quads_for_pattern(None, RDF_TYPE, c)}
        of: dict = {}  # a membership → its members
        for q in store.quads_for_pattern(None, ox.NamedNode(ORG + "member"), None):
            if q.subject in memberships:
                of.setdefault(q.subject, []).append(q.object)
        members: dict = {}
        for q in store.quads_for_pattern(None, ox.NamedNode(ORG + "organization"), None):
            if q.subject in of:
                members.setdefault(q.object, []).extend(of[q.subject])
        return inside, located, units, members


# ---------------------------------------------------------------- output

CSV_COLUMNS = ["fact", "kind", "what", "about", "date", "date_inferred", "date_inferred_from", "value", "qualifier",
               "unit", "change", "change_unit", "comparison", "base_period", "trend", "source", "quote"]


def render_rows(rows: list[FactRow], fmt: str, *, columns: str = "facts") -> bytes:
    """table: one line per fact (value with qualifier and unit, change with its base);
    csv: value, qualifier and unit in separate columns; json: a list of objects."""
    if fmt == "json":
        docs = []
        for r in rows:
            d = {k: getattr(r, k) for k in CSV_COLUMNS}
            d["value_text"] = r.value_text
            d["label"] = r.label
            docs.append(d)
        return (json.dumps(docs, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([("true" if r.date_inferred else "") if k == "date_inferred" else getattr(r, k)
                        for k in CSV_COLUMNS])
        return buf.getvalue().encode("utf-8")
    if columns == "timeline":
        headers = ["date", "kind", "what", "about", "value", "source"]
        body = [[r.date_text, r.kind, r.what, r.about, r.value_text, r.source] for r in rows]
    else:
        headers = ["what", "about", "date", "value", "change", "source", "quote"]
        body = [[r.what, r.about, r.date_text, r.value_text or r.trend, r.change_text, r.source, _clip(r.quote)]
                for r in rows]
    if not rows:
        return b"no facts match\n"
    out = tables.render(headers, body)
    return (out + f"{len(rows)} fact{'' if len(rows) == 1 else 's'}\n").encode("utf-8")


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
