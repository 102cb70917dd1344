"""`/network`: the interactive network view (network.view: vis-network read from the
installed pyvis, inlined, so the page makes no request to another host)."""

from __future__ import annotations

from ..http import CSP_INLINE, Response
from .common import Site


def page(site: Site, req) -> Response:
    from ...network.view import to_html

    body = getattr(site, "_network_html", None)
    if body is None:
        body = to_html(site.network(), home="../index.html" if site.static else "/")
        site._network_html = body
    return Response(200, "text/html; charset=utf-8", body,
                    {"Content-Security-Policy": CSP_INLINE, "X-Content-Type-Options": "nosniff",
                     "Referrer-Policy": "no-referrer"})
