"""Routing the browser interface: a request (method, path, query string) becomes a
`Response`. The same functions serve `yilian serve` and write the static site, so a page
looks the same in both.

Routes (each page is a module of yilian.web.pages):
  /                     home: search box, what the graph holds, the latest facts
  /search?q=            search results, entities first
  /entity/<id>          one entity: names, kind, place, facts with quotes, links, numbers
  /facts, /timeline     the fact and timeline tables with their filters (CSV/JSON too)
  /indicator/<id>       one indicator across subjects and periods, table and chart
  /network              the interactive network view
  /sparql               a read-only SPARQL query page (server only)
  /static/<file>        the stylesheet and the small scripts
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from ..errors import LimitError, PolicyError, QueryError, UsageError, YilianError

#: what every page may load: only this server (or this site's folder), nothing else
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: the network view inlines vis-network and its data (it is also a standalone file)
CSP_INLINE = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
              "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")

_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml", ".json": "application/json"}


@dataclass
class Response:
    """What a route answers: an HTTP status, a media type and the body bytes."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    """A GET request as the pages see it: the path and the query parameters (each a list)."""

    path: str
    params: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[0].strip() if values else default


def parse(path_and_query: str) -> Request:
    """'/facts?about=湘潭县&year=2024' → Request (percent-decoded, UTF-8)."""
    parts = urllib.parse.urlsplit(path_and_query)
    path = urllib.parse.unquote(parts.path, errors="strict") or "/"
    params = urllib.parse.parse_qs(parts.query, keep_blank_values=False, errors="strict")
    return Request(path, params)


def handle(site, method: str, path_and_query: str) -> Response:
    """Answer one request of the browser interface. `site` is a pages.Site (the store and
    what the pages cache). Errors become pages with the right status (400 bad input, 403
    refused by policy, 404 not found, 405 method, 503 over a limit); never a traceback."""
    from .pages import common

    if method not in ("GET", "HEAD"):
        return common.error_page(site, 405, "this page only answers GET", headers={"Allow": "GET, HEAD"})
    try:
        req = parse(path_and_query)
    except (UnicodeDecodeError, ValueError):
        return common.error_page(site, 400, "the address is not valid UTF-8 percent-encoding")
    try:
        return _route(site, req)
    except LimitError as e:
        return common.error_page(site, 503, e.render())
    except PolicyError as e:
        return common.error_page(site, 403, e.render())
    except (UsageError, QueryError) as e:
        status = 404 if getattr(e, "not_found", False) else 400
        return common.error_page(site, status, e.render())
    except YilianError as e:
        return common.error_page(site, 400, e.render())


_ENTITY = re.compile(r"^/entity/(.+?)/?$")
_INDICATOR = re.compile(r"^/indicator/(.+?)/?$")


def _route(site, req: Request) -> Response:
    from .pages import common, entity, facts, home, indicator, network, search, sparql

    path = req.path
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
    return Response(200, _STATIC_TYPES[ext], path.read_bytes(), {"Cache-Control": "max-age=3600"})
