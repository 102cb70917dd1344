"""`yilian serve`: the graph in memory behind a read-only SPARQL 1.1 endpoint."""

from __future__ import annotations

import os

import click

from .options import Command, graph_options


#: above this many triples serve says that it is preparing the web pages (about a minute of
#: CPU per million triples, bench/WEB.md)
WARM_NOTE_TRIPLES = 200_000


def _size(ctx, param, value):
    """--max-memory SIZE as bytes (None: not given)."""
    if value is None:
        return None
    from ..limits import parse_size

    try:
        return parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@click.command(cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another machine can connect only if you name a public address).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Queries answered at the same time (default: the number of CPUs).")
@click.option("--allow-service", multiple=True, metavar="URL",
              help="Allow SERVICE calls to this endpoint (repeatable); all others are refused.")
@click.option("--quiet", is_flag=True, help="Do not log each request on stderr.")
@click.option("--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Stop a query after this many seconds and answer 503 (default 600, or $YILIAN_TIMEOUT; 0: no limit).")
@click.option("--max-memory", "max_memory", default=None, metavar="SIZE", callback=_size,
              help="Memory a worker may use (resident, e.g. 2G or 512M); a query that needs more gets 503 "
                   "and its worker is replaced (default: half the machine's RAM, or $YILIAN_MAX_MEMORY).")
@click.option("--web/--no-web", default=True, show_default=True,
              help="Also serve the web pages (search, entities, facts, network…) on other paths; their "
                   "shared indexes are built before the server is ready (minutes on millions of triples). "
                   "--no-web: the SPARQL endpoint only, ready as soon as the graph is loaded.")
@graph_options
def serve(host, port, workers, allow_service, quiet, timeout, max_memory, web, sources):
    """Serve the graph from memory as a read-only SPARQL endpoint.

    Loads the graph once and answers SPARQL 1.1 Protocol queries at URL/query until
    stopped (Ctrl-C): the speed of Oxigraph's in-memory store for every later query.
    Updates are refused; common prefixes are predeclared, as in 'yilian query'.

    \b
    Examples:
      yilian serve
      yilian query --endpoint http://127.0.0.1:7878/query --name alliance-lead
      yilian serve --data national.nt --port 8000 --workers 4 --no-web
    """
    from ..server import sparql_endpoint as server
    from ..errors import LimitError
    from ..limits import default_max_memory, default_timeout, rss_bytes
    from ..dataset.store import memory_store

    sock = server.listen(host, port)  # before loading: a taken port fails at once
    try:
        store = memory_store(sources)
        cap = default_max_memory() if max_memory is None else max_memory
        loaded = rss_bytes(os.getpid())
        if loaded > cap:  # every worker starts as big as the loaded server
            raise LimitError(f"the loaded graph takes {server.size_text(loaded)} of memory, more than the "
                             f"{server.size_text(cap)} a worker may use",
                             hint="give a larger --max-memory (or $YILIAN_MAX_MEMORY), or serve less data")
        endpoint = server.Endpoint(store, timeout=default_timeout() if timeout is None else timeout,
                                   allow_service=tuple(allow_service), log=not quiet, triples=len(store),
                                   local_only=server.is_loopback(sock), max_memory=cap)
        endpoint.web = web
        if web:
            from ..web.app import warm
            from ..web.pages.common import Site

            # the search index, the network, the fact table and the home page's summary are
            # built before the workers are forked, so they share them and no page waits for them
            if endpoint.triples > WARM_NOTE_TRIPLES:
                click.echo("yilian: building the web pages' search index, network and fact table "
                           "(--no-web serves SPARQL only and skips this)…", err=True)
            endpoint.site = Site(store, files=sources.files(), sparql_timeout=endpoint.timeout,
                                 allow_service=endpoint.allow_service)
            warm(endpoint.site)
        workers = workers or server.default_workers()
        click.echo(f"yilian: serving {endpoint.triples:,} triples at {server.describe(sock)} "
                   f"({workers} worker{'s' if workers != 1 else ''}; Ctrl-C stops)", err=True)
    except BaseException:
        sock.close()
        raise
    server.serve_forever(sock, endpoint, workers)
    click.echo("yilian: server stopped", err=True)
