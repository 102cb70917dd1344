"""What every page shares: the Site (the store and what pages cache), the Jinja2
templates (web/templates/, autoescaped), links that work on the server and in the static
site, and labels in Chinese and English."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import OrderedDict
from functools import lru_cache

import pyoxigraph as ox

from ... import resources
from ...errors import UsageError
from ...prefixes import PREFIXES, short
from ..http import CSP, Response

YID = PREFIXES["yid"]


class Site:
    """The graph behind the pages and what they cache.

    store: a pyoxigraph Store (the query store or one in memory); files: the data files it
    was loaded from (the search index reads them; None: read the store); index_folder:
    where the search index lives beside an on-disk store (None: built in memory on first use);
    static: True while `yilian site` writes files (links become relative, the SPARQL page
    and form posts are left out); sparql: the limits of the /sparql page (timeout in
    seconds, allowed SERVICE endpoints), None to switch the page off."""

    def __init__(self, store: ox.Store, *, files=None, index_folder=None, static: bool = False,
                 sparql_timeout: float = 30.0, allow_service: tuple = ()):
        self.store = store
        self.files = files
        self.index_folder = index_folder
        self.static = static
        self.sparql_timeout = sparql_timeout
        self.allow_service = allow_service
        self._index = None
        self._network = None
        self._facts = None
        self._names = None
        self._labels: dict[tuple, str] = {}
        self._has_page: dict[str, bool] = {}
        self._ids: dict[str, str] | None = None
        self._cache: OrderedDict = OrderedDict()

    #: page data kept per Site (the graph of a running server never changes)
    CACHED = 128

    def cached(self, key: tuple, compute):
        """compute() once per key (the most recently used CACHED keys are kept)."""
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = compute()
        self._cache[key] = value
        if len(self._cache) > self.CACHED:
            self._cache.popitem(last=False)
        return value

    # ------------------------------------------------------------ cached data

    def index(self):
        """The search index (explore.search), opened once."""
        if self._index is None:
            from ...explore.search import open_index

            self._index = open_index(self.store, self.index_folder, self.files)
        return self._index

    def network(self):
        """The network of ties (every organization, alliances as nodes), built once."""
        if self._network is None:
            from ...network.build import build

            self._network = build(self.store, mode="node")
        return self._network

    def facts(self):
        """Every fact read once (explore.facts.FactTable): the facts, timeline, entity,
        indicator and home pages filter it instead of reading the graph again."""
        if self._facts is None:
            from ...explore.facts import FactTable

            self._facts = FactTable(self.store)
        return self._facts

    def names(self) -> list[tuple]:
        """Every name in the graph as (node, label property, text), read once: a name
        given in a form field is looked up here (explore.describe.candidates)."""
        if self._names is None:
            from ...explore.describe import name_table

            self._names = name_table(self.store)
        return self._names

    def resolve(self, text: str):
        """The node a name, prefixed name or IRI in a form field means (explore.describe.find,
        with the names read once); raises what find raises."""
        from ...explore.describe import find

        return find(self.store, text, names=self.names())[0]

    def label(self, node, lang: str = "zh") -> str:
        """The node's label in `lang` (zh, then en, then any), cached."""
        from ...explore.graph import label

        key = (node.value if hasattr(node, "value") else str(node), lang)
        if key not in self._labels:
            self._labels[key] = label(self.store, node, lang)
        return self._labels[key]

    def labels(self, node) -> tuple[str, str]:
        """(Chinese label, English label or '' when it is the same)."""
        zh, en = self.label(node, "zh"), self.label(node, "en")
        return zh, ("" if en == zh else en)

    # ------------------------------------------------------------ entity ids

    def entity_id(self, iri: str) -> str:
        """The id of an entity page: the local name of a yid: IRI, else 'x-' and a hash."""
        if iri.startswith(YID) and _safe(iri[len(YID):]):
            return iri[len(YID):]
        return "x-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]

    def iri_of(self, entity_id: str) -> str | None:
        """The IRI an entity id stands for, or None."""
        if not entity_id.startswith("x-"):
            return YID + entity_id if _safe(entity_id) else None
        if self._ids is None:
            self._ids = {}
            # the subjects outside yid: (ontology terms, other vocabularies), found by the
            # store rather than by reading every triple in Python
            for sol in self.store.query(
                    'SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "%s")) }' % YID,
                    use_default_graph_as_union=True):
                iri = sol["s"].value
                self._ids.setdefault(self.entity_id(iri), iri)
        return self._ids.get(entity_id)

    def has_page(self, node) -> bool:
        """Whether the node is described in the data (it is the subject of a triple), cached."""
        if not isinstance(node, ox.NamedNode):
            return False
        found = self._has_page.get(node.value)
        if found is None:
            found = self._has_page[node.value] = any(True for _ in self.store.quads_for_pattern(node, None, None))
        return found


#: a local name an entity page is named by: letters and digits of any script, - _ . (\w is
#: exactly str.isalnum() or "_"), not starting with a dot
_LOCAL = re.compile(r"[\w.-]+")


def _safe(local: str) -> bool:
    return _LOCAL.fullmatch(local) is not None and not local.startswith(".")


class NotFound(UsageError):
    """No such page: answered 404."""

    not_found = True


# ---------------------------------------------------------------- pages of a long list

def page_path(base: str, n: int) -> str:
    """The path of page n of a long list: page 1 is `base` itself ('/facts',
    '/entity/xiangtan/'), page n ≥ 2 is base/page/n/ ('/facts/page/2/',
    '/entity/xiangtan/page/3/') — a path, not a query string, so a static host has it as
    a file (base/page/n/index.html) and the server answers the same address."""
    return base if n == 1 else f"{base.rstrip('/')}/page/{n}/"


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill at `per_page` a page (1 when there are none)."""
    return max(1, -(-total // per_page))


def choose_page(req, total: int, per_page: int, in_path: int | None, base: str) -> tuple[int, int]:
    """(page number, pages) of a request. in_path: the number of a base/page/N/ address
    (0 when it is not a number); that page must exist (2 to the last), else NotFound. None:
    the ?page=N of the query string, forgiven as before — 1 when missing or not a number,
    the last page when past it."""
    pages = page_count(total, per_page)
    if in_path is not None:
        if not 2 <= in_path <= pages:
            raise NotFound(f"no page {base.rstrip('/')}/page/{in_path or '…'}/: "
                           f"{'there is one page' if pages == 1 else f'the pages are 1 to {pages}'}",
                           hint=f"page 1 is {base}" + (f", page N ≥ 2 is {page_path(base, 2)[:-2]}N/" if pages > 1 else ""))
        return in_path, pages
    try:
        n = int(req.get("page") or 1)
    except ValueError:
        n = 1
    return min(max(1, n), pages), pages


# ---------------------------------------------------------------- rendering

@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment of web/templates/ (autoescaping on, undefined names fail)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.package_file("web", "templates"))),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


class Links:
    """Builds hrefs for one page: absolute on the server, relative (…/index.html) in the
    static site so it works from any folder of any static host."""

    def __init__(self, site: Site, page_path: str):
        self.site = site
        self.page = page_path

    def __call__(self, path: str) -> str:
        if not self.site.static:
            return path
        target, _, query = path.partition("?")
        if target.endswith("/"):
            target += "index.html"
        elif "." not in posixpath.basename(target):
            target += "/index.html"
        here = self.page
        if here.endswith("/"):
            here += "index.html"
        elif "." not in posixpath.basename(here):
            here += "/index.html"
        rel = posixpath.relpath(target, posixpath.dirname(here) or "/")
        return rel + (("?" + query) if query else "")

    def entity(self, node) -> str:
        iri = node.value if hasattr(node, "value") else str(node)
        return self(f"/entity/{self.site.entity_id(iri)}/")


def term_view(site: Site, node, links: Links) -> dict:
    """A term for a template: text to show, an href when it has a page, the IRI or datatype."""
    if isinstance(node, ox.NamedNode):
        zh, en = site.labels(node)
        href = links.entity(node) if site.has_page(node) else ""
        return {"text": zh, "en": en, "href": href, "iri": node.value, "short": short(node)}
    if isinstance(node, ox.Literal):
        extra = f"@{node.language}" if node.language else ""
        if not node.language and node.datatype.value not in (
                "http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
            extra = "^^" + short(node.datatype)
        return {"text": node.value, "en": "", "href": "", "iri": "", "short": extra}
    return {"text": str(node), "en": "", "href": "", "iri": "", "short": ""}


def render(site: Site, template: str, page_path: str, *, status: int = 200, title: str = "", **context) -> Response:
    """A page from a template, with the navigation, links and headers every page has."""
    links = Links(site, page_path)
    html = environment().get_template(template).render(
        site=site, link=links, title=title, static=site.static, page=page_path, **context)
    return Response(status, "text/html; charset=utf-8", html.encode("utf-8"),
                    {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                     "Referrer-Policy": "no-referrer"})


def error_page(site: Site, status: int, message: str, headers: dict | None = None) -> Response:
    """An error as a page: the status, one line saying what went wrong and how to fix it."""
    resp = render(site, "error.html", "/error", status=status, title=f"{status}", message=message)
    resp.headers.update(headers or {})
    return resp
