"""`yilian site`: the browser interface as a static site — the same pages written as
files (search working in the browser from a prebuilt index), so the graph can be published
on any static host. The output is deterministic: the same graph gives the same bytes."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from .. import resources
from ..errors import InputError
from .app import handle
from .pages.common import Site


def _file_for(path: str) -> str:
    """The file a page is written to: '/' → index.html, '/entity/x/' → entity/x/index.html,
    '/facts.csv' → facts.csv."""
    rel = path.strip("/")
    if not rel:
        return "index.html"
    if "." in rel.rsplit("/", 1)[-1]:
        return rel
    return rel + "/index.html"


def pages(site: Site) -> list[str]:
    """Every page of the site, in a fixed order: home, search, facts, timeline (each page of
    them, then their CSV/JSON), the network, an entity page for every IRI that is the
    subject of a triple (the ontology's classes and properties too), an indicator page for
    every indicator with observations. A long list's page N ≥ 2 (…/page/N/) follows its page 1."""
    from .pages import entity, facts, indicator
    from .pages.indicator import INDICATOR

    out = ["/", "/search"]
    for kind in ("facts", "timeline"):
        out += facts.pages(site, kind) + [f"/{kind}.csv", f"/{kind}.json"]
    out += ["/network"]
    subjects = set()
    for q in site.store.quads_for_pattern(None, None, None):
        if isinstance(q.subject, ox.NamedNode):
            subjects.add(q.subject.value)
    indicators = {q.object.value for q in site.store.quads_for_pattern(None, INDICATOR, None)
                  if isinstance(q.object, ox.NamedNode)}
    for s in sorted(subjects):
        out += entity.pages(site, s)
    for i in sorted(indicators):
        out += indicator.pages(site, site.entity_id(i))
    from .pages.network import paths

    out += paths(site)
    return out


def search_index(site: Site) -> bytes:
    """search-index.js: every node of the search index with its names, other texts
    (quotes, notes, titles), kind and page, for site-search.js."""
    from ..explore.search import FIELD_CODES

    index = site.index()
    nodes = {}
    for nid, iri, name, kind, isfact in index.con.execute(
            "SELECT nid, iri, name, kind, isfact FROM node ORDER BY iri"):
        nodes[nid] = {"href": f"entity/{site.entity_id(iri)}/index.html", "names": [name], "texts": [],
                      "kind": kind, "fact": bool(isfact)}
    fields = index.rec_field
    for r, nid in enumerate(index.rec_node):
        node = nodes.get(nid)
        if node is None:
            continue
        text = index.original(r)
        is_name = FIELD_CODES[fields[r]] in ("name", "alt")
        target = node["names"] if is_name else node["texts"]
        if text not in target:
            target.append(text)
    doc = [nodes[k] for k in sorted(nodes, key=lambda k: nodes[k]["href"])]
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return ("window.ylSearchIndex = " + text + ";\n").encode("utf-8")


def check_site_folder(out_dir: str | Path, inputs=()) -> Path:
    """Refuse a folder the site must not replace: a file, a folder that holds an input
    file, or a non-empty folder that is not an earlier yilian site."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("the site folder is a file", where=str(out), hint="name a new or empty folder")
    resolved = out.resolve()
    for f in inputs:
        if resolved == Path(f).resolve() or resolved in Path(f).resolve().parents:
            raise InputError("the site folder holds an input file", where=str(out),
                             hint="write the site to a new folder, e.g. -o public/")
    if out.is_dir() and any(out.iterdir()) and not (out / "static" / "yilian.css").is_file():
        raise InputError("the folder is not empty and is not a yilian site: it would be replaced", where=str(out),
                         hint="name a new or empty folder")
    return out


def write_site(site: Site, out_dir: str | Path, *, progress=None) -> int:
    """Write every page into out_dir (built in a temporary folder beside it and renamed
    into place, so a failure leaves no half site). Returns the number of files written."""
    out = check_site_folder(out_dir)
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".yilian-site-", dir=parent))
    count = 0
    try:
        all_pages = pages(site)
        for i, path in enumerate(all_pages):
            resp = handle(site, "GET", path)
            if resp.status != 200:
                raise InputError(f"page {path} answered {resp.status}", hint="report it with --debug")
            target = tmp / _file_for(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(resp.body)
            count += 1
            if progress:
                progress(i + 1, len(all_pages))
        (tmp / "search-index.js").write_bytes(search_index(site))
        static = tmp / "static"
        static.mkdir()
        for f in sorted(resources.package_file("web", "static").iterdir()):
            if f.is_file():
                shutil.copyfile(f, static / f.name)
                count += 1
        count += 1
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=".yilian-site-old-", dir=parent))
            os.replace(out, old / "site")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count
