"""Routing the browser interface: a request (method, path, query string) becomes a
`Response`. The same functions serve `yilian serve` and write the static site, so a page
looks the same in both.

Routes (each page is a module of yilian.web.pages):
  /                     home: search box, what the graph holds, the latest facts
  /search?q=            search results, entities first
  /entity/<id>          one entity: names, kind, place, facts with quotes, links, numbers
  /facts, /timeline     the fact and timeline tables with their filters (CSV/JSON too)
  /indicator/<id>       one indicator across subjects and periods, table and chart
  <one of those>/page/N/  page N ≥ 2 of a long list (also ?page=N on the server)
  /network              the interactive network view (a big one: the places, each a view)
  /network/place/<id>   the network of one place
  /sparql               a read-only SPARQL query page (server only)
  /static/<file>        the stylesheet and the small scripts
"""

from __future__ import annotations

import re

from ..errors import LimitError, PolicyError, QueryError, UsageError, YilianError
from .http import STATIC_TYPES, Request, Response, parse

def handle(site, method: str, path_and_query: str) -> Response:
    """Answer one request of the browser interface. `site` is a pages.Site (the store and
    what the pages cache). Errors become pages with the right status (400 bad input, 403
    refused by policy, 404 not found, 405 method, 503 over a limit); never a traceback."""
    from .pages import common

    if method not in ("GET", "HEAD"):
        return common.error_page(site, 405, "this page only answers GET", headers={"Allow": "GET, HEAD"})
    # a download (facts.csv, timeline.json, …) that fails answers one line of text, as the
    # SPARQL endpoint does: a program reads it, not a person in a browser
    download = path_and_query.split("?", 1)[0].rstrip("/").endswith((".csv", ".json"))
    error = _text_error if download else common.error_page
    try:
        req = parse(path_and_query)
    except (UnicodeDecodeError, ValueError):
        return error(site, 400, "the address is not valid UTF-8 percent-encoding")
    try:
        # the graph behind a Site never changes: a page, once rendered, is kept
        return site.cached(("page", path_and_query), lambda: _route(site, req))
    except LimitError as e:
        return error(site, 503, e.render())
    except PolicyError as e:
        return error(site, 403, e.render())
    except (UsageError, QueryError) as e:
        status = 404 if getattr(e, "not_found", False) else 400
        from ..explore.describe import Ambiguous

        if isinstance(e, Ambiguous):  # its hint speaks of the command line's stdout
            e.hint = "give the prefixed name (yid:…) of the one you mean, or search for the name to see them all"
        return error(site, status, e.render())
    except YilianError as e:
        return error(site, 400, e.render())


def _text_error(site, status: int, message: str) -> Response:
    return Response(status, "text/plain; charset=utf-8", (" ".join(message.split()) + "\n").encode("utf-8"))


def warm(site) -> None:
    """Build what every page of a Site shares, before a server forks its workers: the
    search index, the network of ties (and its places, for a network drawn by place), the
    ids of pages outside yid:, the fact table, the names, the home page's summary and the
    compiled templates."""
    from .pages.common import environment
    from .pages.home import summary
    from .pages.network import places

    site.index()
    site.network()
    places(site)
    site.iri_of("x-")
    site.facts()
    site.names()
    summary(site)
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


_ENTITY = re.compile(r"^/entity/(.+?)/?$")
#: page N ≥ 2 of a paginated page: /facts/page/2/, /entity/xiangtan/page/3/
_PAGED = re.compile(r"^(/facts|/timeline|/entity/[^/]+|/indicator/[^/]+)/page/([^/]*)/?$")
_INDICATOR = re.compile(r"^/indicator/(.+?)/?$")
_NETWORK = re.compile(r"^/network/(place/[^/]+|unplaced)/?$")


def _route(site, req: Request) -> Response:
    from .pages import common, entity, facts, home, indicator, network, search, sparql

    path = req.path
    m = _PAGED.match(path)
    if m:
        base, number = m.groups()
        # 0 (no such page) for anything but a plain number: '02', '-1', 'x', 20 digits
        n = int(number) if re.fullmatch(r"[1-9][0-9]{0,8}", number) else 0
        kind, _, rest = base[1:].partition("/")
        if kind in ("facts", "timeline"):
            return facts.page(site, req, kind, "html", page_no=n)
        return (entity if kind == "entity" else indicator).page(site, req, rest, page_no=n)
    if path in ("/", "/index.html"):
        return home.page(site, req)
    if path.rstrip("/") == "/search":
        return search.page(site, req)
    if path.rstrip("/") in ("/facts", "/facts.csv", "/facts.json"):
        return facts.page(site, req, "facts", path.rsplit(".", 1)[1] if "." in path else "html")
    if path.rstrip("/") in ("/timeline", "/timeline.csv", "/timeline.json"):
        return facts.page(site, req, "timeline", path.rsplit(".", 1)[1] if "." in path else "html")
    if path.rstrip("/") == "/network":
        return network.page(site, req)
    m = _NETWORK.match(path)
    if m:
        return network.page(site, req, m.group(1))
    if path.rstrip("/") == "/sparql":
        return sparql.page(site, req)
    m = _ENTITY.match(path)
    if m:
        return entity.page(site, req, m.group(1))
    m = _INDICATOR.match(path)
    if m:
        return indicator.page(site, req, m.group(1))
    if path.startswith("/static/"):
        return static_file(path[len("/static/"):])
    if path == "/favicon.ico":  # asked for by browsers on every page that names no icon
        return static_file("favicon.svg")
    return common.error_page(site, 404, f"no page at {path}")


def static_file(name: str) -> Response:
    """A file of web/static/ (no subfolders, no dot-files)."""
    from .. import resources

    if not re.fullmatch(r"[A-Za-z0-9_-]+\.(css|js|svg|json)", name):
        return Response(404, "text/plain; charset=utf-8", b"not found\n")
    path = resources.package_file("web", "static", name)
    if not path.is_file():
        return Response(404, "text/plain; charset=utf-8", b"not found\n")
    ext = path.suffix
    return Response(200, STATIC_TYPES[ext], path.read_bytes(), {"Cache-Control": "max-age=3600"})
