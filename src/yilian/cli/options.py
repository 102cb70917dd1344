"""Options and helpers that every command shares: which files make up the graph (--data,
--no-default-graph), --timeout, the query store (--store, --no-store), and writing output."""

from __future__ import annotations

import functools

import click

from ..errors import UsageError


def graph_options(f):
    """--data and --no-default-graph: which RDF files make up the graph."""

    @click.option("--data", "data", multiple=True, metavar="PATH|URL",
                  help="Add an RDF file, a folder of them, or an http(s) URL to download "
                       "(repeatable; format from the extension).")
    @click.option("--no-default-graph", is_flag=True, help="Use only the --data files, not the bundled graph.")
    @functools.wraps(f)
    def wrapper(*args, data, no_default_graph, **kwargs):
        from ..dataset.formats import is_url
        from ..dataset.sources import Sources

        if no_default_graph and not data:
            raise UsageError("--no-default-graph leaves nothing to work on", hint="add --data PATH")
        if any(is_url(d) for d in data):
            from ..dataset.download import fetch  # once, here: the user named these URLs

            data = tuple(str(fetch(d)) if is_url(d) else d for d in data)
        return f(*args, sources=Sources(tuple(data), not no_default_graph), **kwargs)

    return wrapper


def timeout_option(f):
    """--timeout SECONDS: stop the command's work when it runs too long."""
    from ..limits import DEFAULT_TIMEOUT

    return click.option(
        "--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
        help=f"Stop after this many seconds (default {DEFAULT_TIMEOUT:g}, or $YILIAN_TIMEOUT; 0: no limit).",
    )(f)


def store_options(f):
    """--store PATH and --no-store: where the graph is loaded for querying."""

    @click.option("--store", "store_path", type=click.Path(file_okay=False), metavar="PATH",
                  help="Keep the on-disk query store in this folder (default: one per set of input files under "
                       "$XDG_CACHE_HOME/yilian, rebuilt when the files change).")
    @click.option("--no-store", is_flag=True, help="Load the files into memory instead of the on-disk store.")
    @functools.wraps(f)
    def wrapper(*args, store_path, no_store, **kwargs):
        if store_path and no_store:
            raise UsageError("--store and --no-store contradict each other", hint="give one of them")
        return f(*args, store_choice=(store_path, no_store), **kwargs)

    return wrapper


def open_graph(sources, store_choice):
    """The graph to query: the persistent store (default), or in memory with --no-store."""
    store_path, no_store = store_choice
    if no_store:
        from ..dataset.store import memory_store

        return memory_store(sources, progress=False)
    from ..dataset.store import open_store

    return open_store(sources, store_path=store_path)


def bounded(func, timeout, what):
    from ..limits import default_timeout, run_bounded

    return run_bounded(func, default_timeout() if timeout is None else timeout, what=what)


def emit(data: bytes, output: str | None, inputs=()) -> None:
    """Write command output to stdout, or atomically to a file."""
    if output and output != "-":
        from ..output import check_output, write_atomic

        write_atomic(check_output(output, inputs), data)
    else:
        out = click.get_binary_stream("stdout")
        out.write(data)
        out.flush()
