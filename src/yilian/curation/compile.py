"""`yilian add`: compile a curated fact sheet into canonical Turtle in the user's folder.

Before anything is written, every accepted block is checked: its keys (an unknown key is a
typo), its required values, its quote (verbatim in the registered source's text, whose
hash must match the registered yl:textSha256), its references (a yid: IRI the graph has,
or the id of an accepted block of the sheet), its dates (a day only where the quote prints
one) and its numbers; then the compiled triples are validated with the shapes together
with the rest of the graph. Any problem refuses the whole sheet, one line per problem.

IRIs: fact nodes are yid:f{KEY}-{id} (KEY from yid:doc-KEY; the graph's own convention,
yid:f004-…); new organizations and people are yid:{id} (pinyin proposed by `draft`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import InputError
from . import dates
from .gazetteer import YID, Gazetteer
from .graphfiles import Plan
from .sheet import COMMON, KINDS, Row, Sheet
from .text import find_quote, read_article

YL_NS = "https://w3id.org/yilian/ontology#"
QUALIFIERS = {"more-than": "MoreThan", "at-least": "AtLeast", "at-most": "AtMost", "approximately": "Approximately"}
COMPARISONS = {"year-on-year": "YearOnYear", "against-base-period": "AgainstBasePeriod"}
TRENDS = {"rising": "Rising", "falling": "Falling", "within-target": "WithinTarget"}
ROLES = {"lead": "LeadRole", "joint": "JointRole", "collaborating": "CollaboratingRole", "linked": "LinkedRole",
         "member": "MemberRole"}
DATE_FIELDS = {"observation": ("period", "period_start", "period_end", "as_of", "base_period"),
               "position": ("as_of",), "event": ("start_date", "end_date")}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass
class Problem:
    """One reason the sheet is refused: where (sheet line), which block and field, what,
    and how to fix it."""

    line: int
    block: str
    field: str
    what: str
    fix: str

    def render(self, sheet: Path) -> str:
        where = f"{sheet}:{self.line}" if self.line else str(sheet)
        block = f"{self.block} " if self.block else ""
        fld = f"{self.field}: " if self.field else ""
        return f"{where}: {block}{fld}{self.what} ({self.fix})"


class SheetRefused(InputError):
    """The sheet has problems; nothing was added. Rendered as one line per problem."""

    def __init__(self, sheet: Path, problems: list[Problem]):
        n = len(problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the fact sheet; nothing was added",
                         where=str(sheet),
                         detail="\n".join(p.render(sheet) for p in problems))
        self.sheet = sheet
        self.problems = problems

    def __reduce__(self):  # raised in the child process of --timeout and pickled to the parent
        return (SheetRefused, (self.sheet, self.problems))


@dataclass
class Compiled:
    """What `add` will write."""

    plan: Plan
    path: Path
    facts: int
    entities: int
    mentions: int
    skipped: int
    document: str
    rows: dict = field(default_factory=dict)  # compact IRI of a compiled node -> its sheet row


class _Compiler:
    def __init__(self, sheet: Sheet, gaz: Gazetteer, doc_iri: str, squashed: str, file_name: str,
                 published: str | None = None):
        from rdflib import Namespace

        self.published = published
        self.sheet, self.gaz, self.doc_iri = sheet, gaz, doc_iri
        self.squashed, self.file_name = squashed, file_name
        self.key = doc_iri[len(YID):].removeprefix("doc-")
        self.problems: list[Problem] = []
        self.triples: list[tuple] = []
        self.YL = Namespace(YL_NS)
        self.accepted = [r for r in sheet.rows if r.fields.get("accept") is True]
        self.ids: dict[str, Row] = {}
        self.all_ids: dict[str, Row] = {}
        for r in sheet.rows:
            if isinstance(r.id, str):
                self.all_ids.setdefault(r.id, r)
        self.row_of_iri: dict[str, Row] = {}

    # -------------------------------------------------------------- helpers

    def problem(self, row: Row | None, fld: str, what: str, fix: str) -> None:
        self.problems.append(Problem(row.line if row else 0, (row.id or "") if row else "", fld, what, fix))

    def iri_of(self, row: Row) -> str:
        if row.kind in ("organization", "person"):
            return YID + row.id
        return YID + f"f{self.key}-{row.id}"

    def ref(self, row: Row, fld: str, value, cls: str | None = None, required: bool = True):
        """Resolve a reference: a yid:/IRI the graph has, or the id of an accepted block."""
        from rdflib import URIRef

        if value is None or value == "":
            if required:
                self.problem(row, fld, "is empty", "name the entity: a yid: IRI of the graph or the id of a block")
            return None
        if not isinstance(value, str):
            self.problem(row, fld, f"'{value}' is not a reference", "write a yid: IRI or a block id")
            return None
        v = value.strip()
        if v in self.ids:
            target = self.ids[v]
            iri = self.iri_of(target)
            if cls and not self._row_is(target, cls):
                self.problem(row, fld, f"{v} is a {target.kind}, not a {cls}", "refer to an entity of the right kind")
            return URIRef(iri)
        if v in self.all_ids and v not in self.ids:
            self.problem(row, fld, f"refers to {v}, which is not accepted (accept: false)",
                         f"set accept: true on {v}, or refer to an entity of the graph")
            return None
        iri = None
        if v.startswith("yid:"):
            iri = YID + v[4:]
        elif v.startswith("<") and v.endswith(">"):
            iri = v[1:-1]
        elif v.startswith(("http://", "https://")):
            iri = v
        if iri is None or iri not in self.gaz.subjects:
            names = self.gaz.lookup("organization", v) + self.gaz.lookup("person", v) + self.gaz.lookup("place", v)
            hint = ("did you mean " + ", ".join(e.curie for e in names) + "?") if names else \
                "use a yid: IRI of the graph, as `yilian describe NAME` shows it, or the id of a block of this sheet"
            self.problem(row, fld, f"unknown entity '{v}'", hint)
            return None
        if cls and not self.gaz.is_a(iri, cls):
            self.problem(row, fld, f"{v} is not a {cls}", f"refer to a {cls}")
        return URIRef(iri)

    def _row_is(self, row: Row, cls: str) -> bool:
        own = {"organization": row.fields.get("class"), "person": "yl:Person", "event": row.fields.get("class")}
        c = own.get(row.kind)
        if not isinstance(c, str):
            return False
        return cls in self.gaz.superclasses.get(c, {c})

    def klass(self, row: Row, fld: str, value, root: str):
        from rdflib import URIRef

        if not isinstance(value, str) or not value.startswith("yl:"):
            self.problem(row, fld, f"'{value}' is not an ontology class", f"write a subclass of {root}, e.g. yl:Hospital")
            return None
        if root not in self.gaz.superclasses.get(value, set()):
            self.problem(row, fld, f"{value} is not a subclass of {root}", f"use a subclass of {root} from ontology/yilian.ttl")
            return None
        return URIRef(YL_NS + value[3:])

    def date(self, row: Row, fld: str, value):
        if value is None:
            return None
        parsed = dates.parse(value)
        if parsed is None:
            self.problem(row, fld, f"'{value}' is not a date", "write YYYY, YYYY-MM or YYYY-MM-DD, as precise as the text")
            return None
        if parsed[1] == "date" and parsed[0] != self.published:  # the publication date is printed on the page
            y, m, d = (int(x) for x in parsed[0].split("-"))
            quote = row.fields.get("quote") or ""
            if not dates.day_printed(str(quote), m, d):
                self.problem(row, fld, f"{value} has a day, but the quote prints no day {d}日, nor is it the "
                             "publication date",
                             f"write {y}-{m:02d} if the text gives the month only, or quote the passage that prints the day")
                return None
        return dates.literal(value)

    def number(self, row: Row, fld: str, value):
        from rdflib import Literal
        from rdflib.namespace import XSD

        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.problem(row, fld, f"'{value}' is not a number", "write the number as printed, e.g. 67.36")
            return None
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            self.problem(row, fld, f"'{value}' is not a number", "write the number as printed, e.g. 67.36")
            return None
        if isinstance(value, int) or d == d.to_integral_value() and "." not in str(value):
            return Literal(str(int(d)), datatype=XSD.integer)
        return Literal(str(value), datatype=XSD.decimal)

    def zh(self, text):
        from rdflib import Literal

        return Literal(str(text), lang="zh")

    def note(self, text):
        from rdflib import Literal

        t = str(text)
        return Literal(t, lang=note_language(t))

    def add(self, s, p, o):
        if o is not None and s is not None:
            self.triples.append((s, p, o))

    # -------------------------------------------------------------- the pass

    def run(self):
        from rdflib import URIRef

        for row in self.sheet.rows:
            self.check_shape(row)
        for row in self.accepted:
            if isinstance(row.id, str):
                if row.id in self.ids:
                    self.problem(row, "id", f"{row.id} is used by another block (line {self.ids[row.id].line})",
                                 "give each block its own id")
                else:
                    self.ids[row.id] = row
        for row in self.accepted:
            if not isinstance(row.id, str) or not _ID.match(row.id) or row.kind not in KINDS:
                continue
            iri = self.iri_of(row)
            self.row_of_iri[iri] = row
            if iri in self.gaz.subjects:
                self.problem(row, "id", f"yid:{iri[len(YID):]} already exists in the graph",
                             "choose another id (or refer to the existing entity instead of defining it again)")
        for row in self.accepted:
            if row.kind not in KINDS or not isinstance(row.id, str) or not _ID.match(row.id):
                continue
            quote = row.fields.get("quote")
            if not isinstance(quote, str) or not quote.strip():
                self.problem(row, "quote", "is empty", f"copy the passage of {self.file_name} that states the fact")
            elif not find_quote(quote, self.squashed):
                self.problem(row, "quote", f"“{_short(quote)}” is not in {self.file_name}",
                             "copy the passage verbatim from the article; whitespace may differ, nothing else")
            getattr(self, "kind_" + row.kind)(row, URIRef(self.iri_of(row)))

    def check_shape(self, row: Row) -> None:
        f = row.fields
        if f.get("accept") not in (True, False):
            self.problem(row, "accept", f"'{f.get('accept')}' is not true or false", "write accept: true or accept: false")
        if f.get("accept") is not True:
            return
        kind = f.get("kind")
        if kind not in KINDS:
            self.problem(row, "kind", f"unknown kind '{kind}'", "use one of: " + ", ".join(KINDS))
            return
        if not isinstance(row.id, str) or not _ID.match(row.id):
            self.problem(row, "id", f"'{row.id}' cannot be part of an IRI", "use lower-case letters, digits and hyphens")
        required, optional = KINDS[kind]
        for k in f:
            if k not in COMMON and k not in required and k not in optional:
                self.problem(row, k, f"unknown key for a {kind}", "keys: " + ", ".join(COMMON + required + optional))
        for k in required:
            if f.get(k) in (None, "", []):
                self.problem(row, k, "is missing", _fill_hint(kind, k))

    # -------------------------------------------------------------- kinds

    def fact(self, node, row, cls, label: str | None):
        """The triples every fact node has: its class (a yl: local name or a URIRef), yl:source,
        yl:quote, its Chinese label and note."""
        from rdflib import RDF, RDFS, URIRef

        self.add(node, RDF.type, cls if isinstance(cls, URIRef) else URIRef(YL_NS + cls))
        self.add(node, self.YL["source"], URIRef(self.doc_iri))
        if isinstance(row.fields.get("quote"), str):
            self.add(node, self.YL["quote"], self.zh(row.fields["quote"].strip()))
        if label:
            self.add(node, RDFS.label, self.zh(label))
        if row.fields.get("note"):
            self.add(node, self.YL["note"], self.note(row.fields["note"]))

    def kind_mention(self, row, node):
        target = self.ref(row, "entity", row.fields.get("entity"))
        if target is not None:
            from rdflib import URIRef

            self.add(target, self.YL["mentionedIn"], URIRef(self.doc_iri))

    def kind_organization(self, row, node):
        from rdflib import RDF, RDFS, Literal, URIRef
        from rdflib.namespace import SKOS

        f = row.fields
        cls = self.klass(row, "class", f.get("class"), "yl:Organization")
        self.add(node, RDF.type, cls)
        if f.get("name"):
            self.add(node, RDFS.label, self.zh(f["name"]))
        if f.get("en"):
            self.add(node, RDFS.label, Literal(str(f["en"]), lang="en"))
        for alt in f.get("alt_names") or []:
            self.add(node, SKOS.altLabel, self.zh(alt))
        if f.get("located_in"):
            self.add(node, self.YL["locatedIn"], self.ref(row, "located_in", f["located_in"], "yl:Place"))
        if f.get("part_of"):
            from rdflib import Namespace

            ORG = Namespace("http://www.w3.org/ns/org#")
            self.add(node, ORG.subOrganizationOf, self.ref(row, "part_of", f["part_of"], "yl:Organization"))
        if f.get("level"):
            self.add(node, self.YL["level"], URIRef(YL_NS + str(f["level"]).removeprefix("yl:")))
        if f.get("note"):
            self.add(node, self.YL["note"], self.note(f["note"]))
        self.add(node, self.YL["mentionedIn"], URIRef(self.doc_iri))

    def kind_person(self, row, node):
        from rdflib import RDF, RDFS, Literal, URIRef

        f = row.fields
        self.add(node, RDF.type, self.YL["Person"])
        if f.get("name"):
            self.add(node, RDFS.label, self.zh(f["name"]))
        if f.get("en"):
            self.add(node, RDFS.label, Literal(str(f["en"]), lang="en"))
        self.add(node, self.YL["mentionedIn"], URIRef(self.doc_iri))

    def _name(self, ref) -> str:
        if ref is None:
            return "?"
        iri = str(ref)
        row = self.row_of_iri.get(iri)
        if row is not None and row.fields.get("name"):
            return str(row.fields["name"])
        if row is not None and row.fields.get("label"):
            return str(row.fields["label"])
        return self.gaz.label(iri) or iri[len(YID):]

    def kind_position(self, row, node):
        from rdflib import Namespace

        ORG = Namespace("http://www.w3.org/ns/org#")
        f = row.fields
        person = self.ref(row, "person", f.get("person"), "yl:Person")
        org = self.ref(row, "organization", f.get("organization"), "yl:Organization")
        label = f.get("label") or f"{self._name(person)}：{self._name(org)}{f.get('title') or ''}"
        self.fact(node, row, "PositionHolding", label)
        self.add(node, ORG.member, person)
        self.add(node, ORG.organization, org)
        if f.get("title"):
            self.add(node, self.YL["title"], self.zh(f["title"]))
        self.add(node, self.YL["asOf"], self.date(row, "as_of", f.get("as_of")))

    def kind_event(self, row, node):
        from rdflib import Literal, Namespace

        SCHEMA = Namespace("https://schema.org/")
        f = row.fields
        cls = self.klass(row, "class", f.get("class"), "yl:Event")
        self.fact(node, row, cls if cls is not None else "Event", f.get("label"))
        if f.get("label_en"):
            from rdflib import RDFS

            self.add(node, RDFS.label, Literal(str(f["label_en"]), lang="en"))
        self.add(node, SCHEMA.startDate, self.date(row, "start_date", f.get("start_date")))
        self.add(node, SCHEMA.endDate, self.date(row, "end_date", f.get("end_date")))
        if f.get("location"):
            self.add(node, SCHEMA.location, self.ref(row, "location", f["location"]))
        if f.get("organizer"):
            self.add(node, SCHEMA.organizer, self.ref(row, "organizer", f["organizer"]))
        if f.get("topic"):
            self.add(node, self.YL["topic"], self.zh(f["topic"]))

    def kind_membership(self, row, node):
        from rdflib import Namespace, URIRef

        ORG = Namespace("http://www.w3.org/ns/org#")
        f = row.fields
        alliance = self.ref(row, "alliance", f.get("alliance"), "yl:Organization")
        member = self.ref(row, "member", f.get("member"))
        role = ROLES.get(f.get("role"))
        if f.get("role") and role is None:
            self.problem(row, "role", f"unknown role '{f.get('role')}'", "use one of: " + ", ".join(ROLES))
        label = f.get("label") or f"{self._name(member)}：{self._name(alliance)}成员"
        self.fact(node, row, "Membership", label)
        self.add(node, ORG.organization, alliance)
        self.add(node, ORG.member, member)
        if role:
            self.add(node, ORG.role, URIRef(YL_NS + role))

    def kind_member_count(self, row, node):
        from rdflib import URIRef

        f = row.fields
        alliance = self.ref(row, "alliance", f.get("alliance"), "yl:Organization")
        count = f.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            self.problem(row, "count", f"'{count}' is not a whole number", "write the count as printed, e.g. 24")
            count = None
        role = ROLES.get(f.get("role")) if f.get("role") else None
        if f.get("role") and role is None:
            self.problem(row, "role", f"unknown role '{f.get('role')}'", "use one of: " + ", ".join(ROLES))
        label = f.get("label") or f"{self._name(alliance)}成员数{count}"
        self.fact(node, row, "MemberCount", label)
        self.add(node, self.YL["alliance"], alliance)
        if count is not None:
            self.add(node, self.YL["count"], self.number(row, "count", count))
        if role:
            self.add(node, self.YL["memberRole"], URIRef(YL_NS + role))
        if f.get("member_kind"):
            self.add(node, self.YL["memberKind"], self.zh(f["member_kind"]))

    def kind_observation(self, row, node):
        from rdflib import RDF, RDFS, Literal, URIRef
        from rdflib.namespace import SKOS

        f = row.fields
        ind = f.get("indicator")
        ind_ref = None
        ind_label = None
        if isinstance(ind, dict):
            iid, zh, en, definition = ind.get("id"), ind.get("zh"), ind.get("en"), ind.get("definition")
            unknown = set(ind) - {"id", "zh", "en", "definition"}
            if unknown:
                self.problem(row, "indicator", f"unknown key {sorted(unknown)[0]} in a new indicator",
                             "a new indicator has id, zh, en and definition")
            if not isinstance(iid, str) or not _ID.match(iid.removeprefix("ind-")) or not zh:
                self.problem(row, "indicator", "a new indicator needs an id (ind-…) and a Chinese name (zh)",
                             "write indicator: {id: ind-…, zh: …, en: …, definition: …}")
            else:
                iid = iid if iid.startswith("ind-") else "ind-" + iid
                ind_ref = URIRef(YID + iid)
                ind_label = str(zh)
                if str(ind_ref) not in self.gaz.subjects and not any(
                        t[0] == ind_ref and t[1] == RDF.type for t in self.triples):
                    self.add(ind_ref, RDF.type, self.YL["Indicator"])
                    self.add(ind_ref, SKOS.inScheme, self.YL["Indicators"])
                    self.add(ind_ref, RDFS.label, self.zh(zh))
                    if en:
                        self.add(ind_ref, RDFS.label, Literal(str(en), lang="en"))
                    if definition:
                        self.add(ind_ref, SKOS.definition, Literal(str(definition), lang="en"))
                elif str(ind_ref) in self.gaz.subjects:
                    self.problem(row, "indicator", f"yid:{iid} already exists in the graph",
                                 f"refer to it as indicator: yid:{iid}")
        elif ind is not None:
            ind_ref = self.ref(row, "indicator", ind, "yl:Indicator")
            ind_label = self.gaz.label(str(ind_ref)) if ind_ref is not None else None
        about = self.ref(row, "about", f.get("about"))
        value = self.number(row, "value", f.get("value"))
        change = self.number(row, "change", f.get("change"))
        unit = self.ref(row, "unit", f.get("unit"), "yl:Unit", required=value is not None)
        change_unit = self.ref(row, "change_unit", f.get("change_unit"), "yl:Unit", required=change is not None)
        trend = TRENDS.get(f.get("trend")) if f.get("trend") else None
        if f.get("trend") and trend is None:
            self.problem(row, "trend", f"unknown trend '{f.get('trend')}'", "use one of: " + ", ".join(TRENDS))
        if value is None and change is None and trend is None:
            self.problem(row, "value", "the observation reports nothing: no value, change or trend",
                         "fill value (with unit), change (with change_unit) or trend")
        label = f.get("label") or f"{ind_label or '指标'}：{f.get('printed') or f.get('value') or f.get('change')}"
        self.fact(node, row, "Observation", label)
        self.add(node, self.YL["indicator"], ind_ref)
        self.add(node, self.YL["about"], about)
        self.add(node, self.YL["value"], value)
        self.add(node, self.YL["unit"], unit if value is not None else None)
        self.add(node, self.YL["change"], change)
        self.add(node, self.YL["changeUnit"], change_unit if change is not None else None)
        for fld, table, prop in (("qualifier", QUALIFIERS, "valueQualifier"), ("comparison", COMPARISONS, "comparison")):
            v = f.get(fld)
            if v is None:
                continue
            if v not in table:
                self.problem(row, fld, f"unknown {fld} '{v}'", "use one of: " + ", ".join(table))
            else:
                self.add(node, self.YL[prop], URIRef(YL_NS + table[v]))
        if trend:
            self.add(node, self.YL["trend"], URIRef(YL_NS + trend))
        for fld, prop in (("period", "period"), ("period_start", "periodStart"), ("period_end", "periodEnd"),
                          ("as_of", "asOf"), ("base_period", "basePeriod")):
            self.add(node, self.YL[prop], self.date(row, fld, f.get(fld)))


def note_language(text: str) -> str:
    """'zh' when most letters of a note are Chinese characters, else 'en'."""
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "zh" if cjk * 2 > latin else "en"


def _short(text: str, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _fill_hint(kind: str, key: str) -> str:
    hints = {
        "indicator": "name the indicator: yid:ind-… of the graph, or a new one {id: ind-…, zh: …, en: …, definition: …}",
        "about": "name what the number describes: a place, organization, alliance or program (yid:… or a block id)",
        "entity": "pick the entity the name refers to (yid:…)",
        "class": "give the ontology class, e.g. yl:Hospital",
    }
    return hints.get(key, f"fill in {key}")


def compile_sheet(sheet: Sheet, gaz: Gazetteer, folder: Path, *, article_path: Path | None = None,
                  encoding: str | None = None) -> Compiled:
    """Check and compile `sheet` against the graph of `gaz`; raise SheetRefused with every
    problem found, or return the plan of the facts file to write (not yet validated with
    the shapes: see validate_plan)."""
    h = sheet.header
    problems: list[Problem] = []
    src = h.get("source")
    if not isinstance(src, str) or not src.startswith("yid:"):
        raise SheetRefused(sheet.path, [Problem(1, "", "source", f"'{src}' is not a registered source document",
                                                "register the article with `yilian source add`, then write its IRI "
                                                "(yid:doc-…) in source:")])
    doc_iri = YID + src[4:]
    doc = gaz.documents.get(doc_iri)
    if doc is None:
        raise SheetRefused(sheet.path, [Problem(1, "", "source", f"{src} is not a yl:SourceDocument of the graph",
                                                "add --data FOLDER (where `source add` wrote it), or register it")])
    if article_path is None:
        art = h.get("article")
        if not isinstance(art, str) or not art:
            raise SheetRefused(sheet.path, [Problem(1, "", "article", "no article file", "write the path of the "
                                                    "article's text (relative to the sheet) in article:")])
        article_path = (sheet.path.parent / art) if not Path(art).is_absolute() else Path(art)
    article = read_article(article_path, encoding)
    digest = article.sha256
    if doc.sha256 and doc.sha256 != digest:
        problems.append(Problem(1, "", "article", f"the hash of {article_path} ({digest[:12]}…) does not match the one "
                                f"registered for {src} ({doc.sha256[:12]}…)",
                                "use the text that was registered; if the article was corrected, register it again"))
    if h.get("sha256") not in (None, digest):
        problems.append(Problem(1, "", "sha256", f"the sheet was drafted from another text ({str(h.get('sha256'))[:12]}…)",
                                "draft the sheet again from the registered text"))
    if problems:
        raise SheetRefused(sheet.path, problems)
    comp = _Compiler(sheet, gaz, doc_iri, article.squashed, doc.file or article_path.name, doc.published)
    comp.run()
    if comp.problems:
        raise SheetRefused(sheet.path, comp.problems)
    plan = Plan(folder)
    facts = sum(1 for r in comp.accepted if r.kind not in ("mention", "organization", "person"))
    entities = sum(1 for r in comp.accepted if r.kind in ("organization", "person"))
    mentions = sum(1 for r in comp.accepted if r.kind == "mention")
    header = [f"Facts of {src} ({doc.file or article_path.name}), compiled by `yilian add` from {sheet.path.name}.",
              "Every fact carries yl:source and a yl:quote checked verbatim against the registered text."]
    path = plan.add(f"facts-{comp.key}.ttl", header, comp.triples)
    rows = {"yid:" + iri[len(YID):]: row for iri, row in comp.row_of_iri.items()}
    return Compiled(plan, path, facts, entities, mentions, len(sheet.rows) - len(comp.accepted), src, rows)


def locate(findings, compiled_rows: dict[str, Row], sheet: Path) -> list[Problem]:
    """SHACL violations as sheet problems: the row whose node is the focus, when there is one."""
    out = []
    for f in findings:
        row = compiled_rows.get(f.focus)
        out.append(Problem(row.line if row else 0, row.id if row else f.focus, f.path,
                           f.message.rstrip("."), f"shape {f.shape}" + (f"; value {f.value}" if f.value else "")))
    return out
