"""What the pages and the router share: the request and response of the browser
interface, and the Content-Security-Policy every page is sent with."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

#: what every page may load: only this server (or this site's folder), nothing else
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: the network view inlines vis-network and its data (it is also a standalone file)
CSP_INLINE = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
              "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")

STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
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
