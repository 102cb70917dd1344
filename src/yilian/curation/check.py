"""`yilian check --sources DIR`: every fact of the graph against the texts it quotes.

For the whole graph (bundled plus --data):

- every fact node (an instance of yl:AttestedFact or any of its subclasses, or any node
  with yl:source or yl:quote) has at least one yl:source and one yl:quote;
- every yl:source is a yl:SourceDocument with a yl:corpusFile found in one of the --sources
  folders;
- every source whose yl:textSha256 is recorded has that hash (of its normalised text, see
  text.py);
- every yl:quote occurs in the text of one of the node's sources, whitespace-insensitively
  (text.squash: the rule tests/test_graph.py applies), and every source a node names is
  backed by at least one of its quotes.

Outcome: exit 0 when all is well, 1 when there are problems, 2 when the check cannot run
(a --sources folder that does not exist, a graph file that does not parse).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, UsageError
from ..prefixes import PREFIXES, short
from .text import read_article, squash
from ..tables import counted

_HEAD = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

_FACTS = _HEAD + """
SELECT DISTINCT ?f WHERE {
  { ?f a ?c . ?c rdfs:subClassOf* yl:AttestedFact } UNION { ?f yl:source ?s } UNION { ?f yl:quote ?q }
}"""
_DOCS = _HEAD + """
SELECT ?d ?file ?hash WHERE {
  ?d a yl:SourceDocument OPTIONAL { ?d yl:corpusFile ?file } OPTIONAL { ?d yl:textSha256 ?hash } }"""


@dataclass
class CheckProblem:
    kind: str  # missing-source, missing-quote, not-a-document, no-corpus-file, file-not-found, unreadable,
    #            hash-mismatch, quote-not-found, source-without-quote
    node: str
    message: str
    source: str = ""
    file: str = ""
    quote: str = ""


@dataclass
class CheckReport:
    facts: int = 0
    quotes: int = 0
    documents: int = 0
    texts: int = 0
    hashes: int = 0
    problems: list[CheckProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(quads, ontology_quads, source_dirs: list[Path], encoding: str | None = None) -> CheckReport:
    """Check every fact of the graph made of `quads` against the texts in `source_dirs`."""
    for d in source_dirs:
        if not d.exists():
            raise UsageError("no such folder (--sources names the folder of source texts)", where=str(d),
                             hint="check the path; the corpus is the folder that holds 000_….txt, 001_….txt …")
        if not d.is_dir():
            raise UsageError("--sources must name a folder of source texts, not a file", where=str(d),
                             hint="give the folder that holds the corpus files")
    store = ox.Store()
    store.extend(quads)
    store.extend(ontology_quads)
    rep = CheckReport()
    docs: dict[str, tuple[str | None, str | None]] = {}
    for row in store.query(_DOCS):
        docs[row["d"].value] = (row["file"].value if row["file"] else None, row["hash"].value if row["hash"] else None)
    rep.documents = len(docs)
    texts: dict[str, str | None] = {}
    doc_problem: dict[str, CheckProblem | None] = {}

    def text_of(doc: str) -> str | None:
        if doc in texts:
            return texts[doc]
        file, digest = docs[doc]
        text = None
        problem = None
        if not file:
            problem = CheckProblem("no-corpus-file", short(ox.NamedNode(doc)), "the source document has no yl:corpusFile",
                                   source=short(ox.NamedNode(doc)))
        else:
            found = [d / file for d in source_dirs if (d / file).is_file()]
            if not found:
                problem = CheckProblem("file-not-found", short(ox.NamedNode(doc)),
                                       f"{file} is in none of the --sources folders "
                                       f"({', '.join(str(d) for d in source_dirs)})",
                                       source=short(ox.NamedNode(doc)), file=file)
            else:
                try:
                    article = read_article(found[0], encoding)
                except InputError as e:
                    problem = CheckProblem("unreadable", short(ox.NamedNode(doc)), e.render(),
                                           source=short(ox.NamedNode(doc)), file=file)
                else:
                    rep.texts += 1
                    if digest:
                        rep.hashes += 1
                        if article.sha256 != digest:
                            problem = CheckProblem(
                                "hash-mismatch", short(ox.NamedNode(doc)),
                                f"the text of {found[0]} has SHA-256 {article.sha256}, the graph records {digest}: "
                                "the file changed since it was registered", source=short(ox.NamedNode(doc)), file=file)
                    text = article.squashed if problem is None else None
        texts[doc] = text
        doc_problem[doc] = problem
        if problem:
            rep.problems.append(problem)
        return text

    for doc, (_, digest) in sorted(docs.items()):
        if digest:
            text_of(doc)  # every recorded hash is checked, whether or not a fact quotes the document
    facts = sorted(row["f"].value if isinstance(row["f"], ox.NamedNode) else "_:" + row["f"].value
                   for row in store.query(_FACTS))
    rep.facts = len(facts)
    for f in facts:
        node = ox.NamedNode(f) if not f.startswith("_:") else ox.BlankNode(f[2:])
        name = short(node)
        sources = [q.object for q in store.quads_for_pattern(node, ox.NamedNode(PREFIXES["yl"] + "source"), None)]
        quotes = [q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(PREFIXES["yl"] + "quote"), None)
                  if isinstance(q.object, ox.Literal)]
        rep.quotes += len(quotes)
        if not sources:
            rep.problems.append(CheckProblem("missing-source", name, "the fact has no yl:source "
                                             "(add yl:source yid:doc-… for the document that reports it)"))
        if not quotes:
            rep.problems.append(CheckProblem("missing-quote", name, "the fact has no yl:quote "
                                             "(add the verbatim passage that states it)"))
        usable: list[tuple[str, str, str]] = []  # (document, file, squashed text)
        for s in sources:
            if not isinstance(s, ox.NamedNode) or s.value not in docs:
                rep.problems.append(CheckProblem("not-a-document", name, f"yl:source {short(s)} is not a "
                                                 "yl:SourceDocument of the graph (register it with `yilian source add`)",
                                                 source=short(s)))
                continue
            t = text_of(s.value)
            if t is not None:
                usable.append((s.value, docs[s.value][0] or "", t))
        if not usable:
            continue  # nothing to compare against; the reason is reported once per document
        missing = False
        for q in quotes:
            sq = squash(q)
            if not sq or not any(sq in t for _, _, t in usable):
                missing = True
                files = ", ".join(f for _, f, _ in usable)
                rep.problems.append(CheckProblem("quote-not-found", name,
                                                 f"the quote is not in {files} (copy it verbatim from the text)",
                                                 source=", ".join(short(ox.NamedNode(d)) for d, _, _ in usable),
                                                 file=files, quote=q))
        for d, file, t in usable:
            if missing:
                break  # the quote that is not found is the problem to fix first
            if quotes and not any(squash(q) and squash(q) in t for q in quotes):
                rep.problems.append(CheckProblem("source-without-quote", name,
                                                 f"none of the fact's quotes is from {file}, yet it names "
                                                 f"{short(ox.NamedNode(d))} as a source (add a quote from it or "
                                                 "remove the source)", source=short(ox.NamedNode(d)), file=file))
    rep.problems.sort(key=lambda p: (p.node, p.kind, p.quote))
    return rep


def render(rep: CheckReport, fmt: str) -> bytes:
    """The report as text (one line per problem, then a summary, like `validate`) or JSON."""
    if fmt == "json":
        doc = {"ok": rep.ok, "facts": rep.facts, "quotes": rep.quotes, "documents": rep.documents,
               "texts": rep.texts, "hashes": rep.hashes, "problems": [asdict(p) for p in rep.problems]}
        return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    lines = []
    for p in rep.problems:
        q = f" “{p.quote}”" if p.quote else ""
        lines.append(f"Problem: {p.node} [{p.kind}]: {p.message}{q}")
    summary = (f"{counted(rep.facts, 'fact')}, {counted(rep.quotes, 'quote')} checked against "
               f"{counted(rep.texts, 'source text')} ({rep.hashes} with a recorded hash)")
    if rep.ok:
        lines.append(f"All quotes verbatim: {summary}.")
    else:
        lines.append(f"{counted(len(rep.problems), 'problem')}: {summary}.")
    return ("\n".join(lines) + "\n").encode("utf-8")
