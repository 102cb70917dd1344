"""Options and helpers that every command shares: which files make up the graph (--data,
--no-default-graph), --timeout and --max-memory, the query store (--store, --no-store), and
writing output."""

from __future__ import annotations

import functools

import click

from ..errors import UsageError


class Command(click.Command):
    """A yilian command: click's, and an option left without its value because the next
    word is another option is an error that says so. click takes `--about --kind posting`
    as about="--kind" and then reports "unexpected extra argument (posting)"."""

    def parse_args(self, ctx, args):
        names = {}
        for p in self.get_params(ctx):  # --help / -h too
            if isinstance(p, click.Option):
                for o in (*p.opts, *p.secondary_opts):
                    names[o] = p
        end = args.index("--") if "--" in args else len(args)
        for here, following in zip(args[:end], args[1:end + 1]):  # the `--` that ends the options too
            p = names.get(here)
            if p is None or p.is_flag or p.count or p.nargs != 1:
                continue
            if following == "--" or (following.startswith("-") and following.split("=", 1)[0] in names):
                literal = f" ({here}={following} if that text is the value)" if here.startswith("--") else ""
                what = "the end of the options" if following == "--" else "an option"
                raise click.UsageError(f"option '{here}' has no value: the word after it, '{following}', is "
                                       f"{what}; give the value after {here}{literal}", ctx=ctx)
        return super().parse_args(ctx, args)


class Group(click.Group):
    """A group of yilian commands (`yilian network`, `yilian source`)."""

    command_class = Command


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

            urls = [d for d in data if is_url(d)]  # redirects may go to these origins only
            data = tuple(str(fetch(d, named=urls)) if is_url(d) else d for d in data)
        return f(*args, sources=Sources(tuple(data), not no_default_graph), **kwargs)

    return wrapper


def timeout_option(f):
    """--timeout SECONDS and --max-memory SIZE: stop the command's work when it runs too
    long or holds too much memory (see yilian.limits). --max-memory is kept in the click
    context, where `bounded` finds it, so commands need no parameter for it."""
    from ..limits import DEFAULT_TIMEOUT

    f = click.option(
        "--max-memory", type=str, default=None, metavar="SIZE", expose_value=False, callback=_max_memory,
        help="Stop when the work holds more memory than this (e.g. 2G, 512M; default half of this "
             "machine's memory, or $YILIAN_MAX_MEMORY; 0: no cap).",
    )(f)
    return click.option(
        "--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
        help=f"Stop after this many seconds (default {DEFAULT_TIMEOUT:g}, or $YILIAN_TIMEOUT; 0: no limit).",
    )(f)


def _max_memory(ctx, param, value):
    if value is None:
        return None
    from ..limits import parse_size

    try:
        size = parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from None
    ctx.meta["yilian.max_memory"] = size
    return size


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
    """func() in a child process under the command's --timeout and --max-memory."""
    from ..limits import default_max_memory, default_timeout, run_bounded

    ctx = click.get_current_context(silent=True)
    cap = ctx.meta.get("yilian.max_memory") if ctx is not None else None
    return run_bounded(func, default_timeout() if timeout is None else timeout, what=what,
                       max_memory=default_max_memory() if cap is None else cap)


def check_output(output: str | None, inputs=()) -> None:
    """Every check of an -o path (folder exists and is writable, not a folder, not an
    input), run before the command's work starts; stdout ('-' or none) needs none."""
    if output and output != "-":
        from ..output import check_output as check

        check(output, inputs)


def emit(data: bytes, output: str | None, inputs=()) -> None:
    """Write command output to stdout, or to the -o file by the rules of yilian.output."""
    if output and output != "-":
        from ..output import check_output as check, write_atomic

        write_atomic(check(output, inputs), data)
    else:
        try:
            out = click.get_binary_stream("stdout")
        except RuntimeError:  # `yilian … >&-`: there is no stdout
            raise UsageError("standard output is closed", hint="redirect it to a file, or use -o FILE") from None
        out.write(data)
        out.flush()
