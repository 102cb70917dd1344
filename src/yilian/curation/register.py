"""`yilian source add`: register a source document in the user's graph folder.

The document becomes a yl:SourceDocument with the properties the bundled documents use
(rdfs:label and schema:headline, schema:alternativeHeadline, schema:author, schema:isPartOf
its yl:PublicationIssue, schema:datePublished, yl:corpusFile) plus yl:textSha256, the
SHA-256 of its normalised text (text.py). The text itself stays where the user keeps it.

Dates are kept as precise as they are known: a day is schema:datePublished; a month or a
year only is yl:estimatedDate with a yl:note; "unknown" is a yl:note saying so (the
bundled documents 002 and 003 are recorded the same way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError
from . import dates
from .gazetteer import YID, Gazetteer
from .graphfiles import Plan
from .slugs import english_name, slug
from .text import Article

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")


@dataclass
class Registration:
    """What `source add` will write: the document IRI, its key and the plan."""

    iri: str
    key: str
    plan: Plan
    path: Path
    new_entities: list[str]


def document_key(article: Article, given: str | None) -> str:
    """The key of the document's IRI (yid:doc-KEY) and file names: --id, else the leading
    digits of the file name (005_…txt -> 005), else its ASCII name, else the hash's first
    eight digits."""
    if given:
        key = given.lower().removeprefix("doc-")
        if not _KEY.match(key):
            raise UsageError(f"--id '{given}' is not usable in an IRI", hint="use lower-case letters, digits and hyphens")
        return key
    stem = article.path.stem
    m = re.match(r"^(\d+)", stem)
    if m:
        return m.group(1)
    ascii_stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return ascii_stem[:40] if ascii_stem else article.sha256[:8]


def _lit(text: str, lang: str | None = None):
    from rdflib import Literal

    return Literal(text, lang=lang)


def _note_lang(text: str) -> str:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return "zh" if cjk * 2 > len(re.findall(r"[A-Za-z]", text)) else "en"


def plan_registration(article: Article, gaz: Gazetteer, folder: Path, *, title: str, date: str,
                      subtitle: str | None = None, publication: str | None = None, issue: str | None = None,
                      authors: tuple[str, ...] = (), key: str | None = None, note: str | None = None) -> Registration:
    """The triples that register `article`, checked against what the graph already holds.

    Raises UsageError for a date that is neither YYYY-MM-DD, YYYY-MM, YYYY nor 'unknown', an
    issue without a publication or without a full date, and a document already registered
    (same text, or same key for another text); InputError for a file name the corpus
    convention does not allow (plain name ending in .txt, no spaces)."""
    from rdflib import RDF, RDFS, Literal, Namespace, URIRef

    YL = Namespace("https://w3id.org/yilian/ontology#")
    SCHEMA = Namespace("https://schema.org/")
    XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

    name = article.path.name
    if not re.fullmatch(r"[^/\s]+\.txt", name):
        raise InputError("the article's file name must end in .txt and contain no spaces (it is recorded as "
                         "yl:corpusFile)", where=str(article.path), hint="rename the file, e.g. 005_article.txt")
    if not title.strip():
        raise UsageError("--title is empty", hint="give the headline as printed")
    digest = article.sha256
    same = gaz.document_by_hash(digest)
    if same:
        raise UsageError(f"this text is already registered as {_curie(same.iri)}", where=str(article.path),
                         hint=f"draft from it with: yilian draft {article.path} --data FOLDER")
    key = document_key(article, key)
    iri = YID + "doc-" + key
    if iri in gaz.documents or iri in gaz.subjects:
        raise UsageError(f"{_curie(iri)} already exists in the graph (another text)", where=str(article.path),
                         hint="choose another key with --id")
    doc = URIRef(iri)
    t: list[tuple] = [
        (doc, RDF.type, YL["SourceDocument"]),
        (doc, RDFS.label, _lit(title.strip(), "zh")),
        (doc, SCHEMA.headline, _lit(title.strip(), "zh")),
        (doc, YL["corpusFile"], Literal(name)),
        (doc, YL["textSha256"], Literal(digest)),
    ]
    if subtitle:
        t.append((doc, SCHEMA.alternativeHeadline, _lit(subtitle, "zh")))
    notes = [note] if note else []
    full_date = None
    if date.lower() == "unknown":
        if not note:
            notes.append("The publication date is not printed and not known.")
    else:
        parsed = dates.parse(date)
        if parsed is None:
            raise UsageError(f"--date '{date}' is not a date", hint="give YYYY-MM-DD, YYYY-MM, YYYY or 'unknown'")
        if parsed[1] == "date":
            full_date = parsed[0]
            t.append((doc, SCHEMA.datePublished, dates.literal(date)))
        else:
            t.append((doc, YL["estimatedDate"], dates.literal(date)))
            precision = "year" if parsed[1] == "gYear" else "year and month"
            if not note:
                notes.append(f"Only the {precision} of publication ({date}) is known; recorded as yl:estimatedDate.")
    for n in notes:
        t.append((doc, YL["note"], _lit(n, _note_lang(n))))
    new_entities: list[str] = []
    if issue and not publication:
        raise UsageError("--issue needs --publication", hint="name the newspaper the issue belongs to")
    if publication:
        pubs = gaz.lookup("publication", publication)
        if pubs:
            pub = URIRef(pubs[0].iri)
        else:
            pub = URIRef(YID + _fresh(gaz, slug(publication) or "publication-" + key))
            t += [(pub, RDF.type, YL["Publication"]), (pub, RDFS.label, _lit(publication, "zh"))]
            new_entities.append(_curie(str(pub)))
        if issue:
            if not full_date:
                raise UsageError("--issue needs the day of publication in --date (YYYY-MM-DD)",
                                 hint="an issue has a printed date; without one, leave out --issue")
            existing = gaz.issue(str(pub), issue)
            if existing:
                if existing[1] and existing[1] != full_date:
                    raise UsageError(f"issue {issue} of {publication} is dated {existing[1]} in the graph, "
                                     f"not {full_date}", hint="check --date and --issue")
                iss = URIRef(existing[0])
            else:
                iss = URIRef(YID + _fresh(gaz, _issue_local(gaz, str(pub), str(issue))))
                t += [(iss, RDF.type, YL["PublicationIssue"]), (iss, RDFS.label, _lit(f"{publication}第{issue}期", "zh")),
                      (iss, SCHEMA.datePublished, Literal(full_date, datatype=XSD.date)),
                      (iss, SCHEMA.isPartOf, pub), (iss, SCHEMA.issueNumber, Literal(str(issue)))]
                new_entities.append(_curie(str(iss)))
            t.append((doc, SCHEMA.isPartOf, iss))
        else:
            t.append((doc, YL["note"], _lit(f"Published in {publication}; the issue is not recorded.", "en")))
    for author in authors:
        people = gaz.lookup("person", author)
        if len(people) > 1:
            raise UsageError(f"several people in the graph are named {author}: "
                             + ", ".join(p.curie for p in people), hint="register the source, then link the author by hand")
        if people:
            person = URIRef(people[0].iri)
        else:
            person = URIRef(YID + _fresh(gaz, slug(author, person=True) or "person"))
            t += [(person, RDF.type, YL["Person"]), (person, RDFS.label, _lit(author, "zh")),
                  (person, RDFS.label, _lit(english_name(author), "en"))]
            new_entities.append(_curie(str(person)))
        t += [(doc, SCHEMA.author, person), (person, YL["mentionedIn"], doc)]
    plan = Plan(folder)
    header = [f"Source document {_curie(iri)}: {title.strip()}",
              f"Registered with `yilian source add`; the text is {name} (yl:textSha256 of its normalised text)."]
    path = plan.add(f"source-{key}.ttl", header, t)
    return Registration(iri, key, plan, path, new_entities)


def _issue_local(gaz: Gazetteer, pub: str, issue: str) -> str:
    """The IRI local name of a new issue, named like the publication's other issues
    (yid:dzwsb-3214 -> yid:dzwsb-3221), else publication-number."""
    for (p, number), (iri, _) in sorted(gaz.issues.items()):
        local = iri[len(YID):] if iri.startswith(YID) else ""
        if p == pub and local.endswith(number):
            return local[: -len(number)] + issue
    return f"{pub[len(YID):]}-{issue}"


def _fresh(gaz: Gazetteer, local: str) -> str:
    """`local`, or local-2, local-3 … if the graph already uses that IRI."""
    cand, n = local, 1
    while YID + cand in gaz.subjects:
        n += 1
        cand = f"{local}-{n}"
    return cand


def _curie(iri: str) -> str:
    return "yid:" + iri[len(YID):] if iri.startswith(YID) else f"<{iri}>"
