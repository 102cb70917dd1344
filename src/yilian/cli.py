"""The `yilian` command line: thin wrappers that parse options, call the library and
render results. Errors become one line on stderr and an exit code from errors.ExitCode."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import ExitCode, UsageError, YilianError

RESULT_AND_RDF_FORMATS = ["table", "csv", "tsv", "json", "xml",
                          "turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]
RDF_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]


class YilianGroup(click.Group):
    """Turns library errors into one stderr line and the documented exit code."""

    def invoke(self, ctx):
        debug = "--debug" in sys.argv or bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except YilianError as e:
            if debug:
                raise
            click.echo(f"yilian: error: {e.render()}", err=True)
            ctx.exit(int(e.exit_code))
        except RecursionError:
            if debug:
                raise
            click.echo("yilian: error: the input is nested too deeply to process "
                       "(simplify the query or data)", err=True)
            ctx.exit(int(ExitCode.LIMIT))
        except MemoryError:
            click.echo("yilian: error: out of memory (use a smaller input or a SPARQL server with --endpoint)", err=True)
            ctx.exit(int(ExitCode.LIMIT))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("yilian: interrupted", err=True)
            ctx.exit(130)
        except Exception as e:  # a bug: say so briefly, traceback only with --debug
            if debug:
                raise
            click.echo(f"yilian: internal error: {type(e).__name__}: {e} (rerun with --debug for a traceback "
                       "and report it)", err=True)
            ctx.exit(int(ExitCode.INTERNAL))


def graph_options(f):
    """--data and --no-default-graph: which RDF files make up the graph."""

    @click.option("--data", "data", multiple=True, metavar="PATH|URL",
                  help="Add an RDF file, a folder of them, or an http(s) URL to download "
                       "(repeatable; format from the extension).")
    @click.option("--no-default-graph", is_flag=True, help="Use only the --data files, not the bundled graph.")
    @functools.wraps(f)
    def wrapper(*args, data, no_default_graph, **kwargs):
        from .loading import Sources, is_url

        if no_default_graph and not data:
            raise UsageError("--no-default-graph leaves nothing to work on", hint="add --data PATH")
        if any(is_url(d) for d in data):
            from .remote import fetch  # once, here: the user named these URLs

            data = tuple(str(fetch(d)) if is_url(d) else d for d in data)
        return f(*args, sources=Sources(tuple(data), not no_default_graph), **kwargs)

    return wrapper


def timeout_option(f):
    """--timeout SECONDS: stop the command's work when it runs too long."""
    from .limits import DEFAULT_TIMEOUT

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
        from .loading import open_store

        return open_store(sources)
    from .store import open_store

    return open_store(sources, store_path=store_path)


def bounded(func, timeout, what):
    from .limits import default_timeout, run_bounded

    return run_bounded(func, default_timeout() if timeout is None else timeout, what=what)


def emit(data: bytes, output: str | None, inputs=()) -> None:
    """Write command output to stdout, or atomically to a file."""
    if output and output != "-":
        from .io import check_output, write_atomic

        write_atomic(check_output(output, inputs), data)
    else:
        out = click.get_binary_stream("stdout")
        out.write(data)
        out.flush()


@click.group(cls=YilianGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yilian")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def main(debug: bool) -> None:
    """yilian (医联): query, validate and export the knowledge graph of China's
    health-system reform. Every fact carries its source document and a verbatim quote."""


# ---------------------------------------------------------------- query

@main.command()
@click.argument("query_text", required=False, metavar="[QUERY]")
@click.option("-f", "--file", "query_file", type=click.Path(), help="Read the query from a file ('-' for stdin).")
@click.option("-n", "--name", "name", help="Run a named query (see 'yilian queries').")
@click.option("--format", "fmt", type=click.Choice(RESULT_AND_RDF_FORMATS), default="table", show_default=True,
              help="table/csv/tsv/json/xml for SELECT and ASK; an RDF format for CONSTRUCT and DESCRIBE "
                   "(table means turtle there).")
@click.option("-o", "--output", type=click.Path(), help="Write the results to a file instead of stdout.")
@click.option("--allow-service", multiple=True, metavar="URL",
              help="Allow SERVICE calls to this endpoint (repeatable); all others are refused.")
@click.option("--max-rows", type=click.IntRange(min=0), default=10000, show_default=True,
              help="Refuse to print a table of more rows than this (0: no limit); other formats are not capped.")
@click.option("--endpoint", metavar="URL",
              help="Send the query to this SPARQL 1.1 endpoint instead of loading local files.")
@timeout_option
@store_options
@graph_options
def query(query_text, query_file, name, fmt, output, allow_service, max_rows, timeout, endpoint, store_choice, sources):
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query (read-only).

    \b
    Examples:
      yilian query 'SELECT ?h ?l WHERE { ?h a yl:Hospital ; rdfs:label ?l }'
      yilian query -f question.rq --format csv > answer.csv
      yilian query --name alliance-lead
      yilian query --endpoint http://127.0.0.1:7878/query --name alliance-lead
    Common prefixes (yl, yid, rdfs, skos, org, schema, prov, xsd …) are predeclared.
    """
    from . import querying

    given = [x for x in (query_text, query_file, name) if x]
    if len(given) > 1:
        raise UsageError("give the query once: as an argument, with -f FILE, or with --name")
    if name:
        from .named_queries import get

        text = get(name).text
    elif query_file:
        text = _read_query_file(query_file)
    elif query_text and query_text != "-":
        text = query_text
    else:
        stdin = click.get_text_stream("stdin")
        if query_text != "-" and stdin.isatty():
            raise UsageError("no query given", hint="pass it as an argument, with -f FILE, --name ID, or on stdin")
        text = stdin.read()
    if not text.strip():
        raise UsageError("the query is empty", hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    querying.check_query(text, allow_service=allow_service)  # refuse before loading anything
    rdf_format = "turtle" if fmt in querying.RESULT_FORMATS else fmt
    result_format = fmt if fmt in querying.RESULT_FORMATS else None
    if endpoint:
        if sources.data or not sources.default_graph or store_choice != (None, False):
            raise UsageError("--endpoint queries the server's graph: --data, --no-default-graph, --store "
                             "and --no-store do not apply", hint="load your files into the server instead")
        from .endpoint import RemoteStore
    files = [] if endpoint else sources.files()

    def work():
        store = RemoteStore(endpoint) if endpoint else open_graph(sources, store_choice)
        return querying.run(store, text, fmt=result_format or "table", rdf_format=rdf_format,
                            allow_service=allow_service, rdf_requested=result_format is None,
                            max_rows=max_rows)

    outcome = bounded(work, timeout, "the query")
    emit(outcome.output, output, files)
    if outcome.kind == "ask" and not outcome.boolean:
        sys.exit(int(ExitCode.FALSE))


def _read_query_file(path: str) -> str:
    if path == "-":
        return click.get_text_stream("stdin").read()
    p = Path(path)
    if not p.is_file():
        raise UsageError("no such query file", where=path, hint="check the path")
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError("the query file is not UTF-8 text", where=path, hint="re-encode it as UTF-8") from None


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def queries(fmt):
    """List the named queries and the questions they answer."""
    import json

    from . import tables
    from .named_queries import all_queries

    qs = all_queries()
    if fmt == "json":
        emit((json.dumps([{"id": q.id, "question": q.question} for q in qs], ensure_ascii=False, indent=2) + "\n").encode(), None)
    else:
        emit(tables.render(["id", "question"], [[q.id, q.question] for q in qs]).encode("utf-8"), None)


# ---------------------------------------------------------------- validate

@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write the report to a file.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: each constraint as one SPARQL query over the whole graph (seconds for a "
                   "million triples); pyshacl: the reference implementation (same results, minutes).")
@timeout_option
@graph_options
def validate(fmt, output, engine, timeout, sources):
    """Check the graph against the SHACL shapes.

    Exit 0 when it conforms, 1 when it does not, 2 when validation could not run.

    \b
    Examples:
      yilian validate
      yilian validate --data mine.ttl --format json
      yilian validate --engine pyshacl
    """
    from . import validation

    def work():
        report = validation.validate(sources, engine)
        return report.conforms, validation.render(report, fmt)

    conforms, data = bounded(work, timeout, "validation")
    emit(data, output, sources.files())
    if not conforms:
        sys.exit(int(ExitCode.FALSE))


# ---------------------------------------------------------------- export

@main.command()
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS + ["ttl", "nt", "nq", "json-ld", "xml"]),
              default="turtle", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write to a file instead of stdout (atomically).")
@click.option("--with-ontology", is_flag=True, help="Include the ontology.")
@timeout_option
@graph_options
def export(fmt, output, with_ontology, timeout, sources):
    """Write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

    The same graph always gives the same bytes.

    \b
    Examples:
      yilian export > yilian.ttl
      yilian export --format jsonld --with-ontology -o yilian.jsonld
    """
    from . import exporting, loading

    files = sources.files()

    def work():
        quads = loading.load_files(files).quads
        if with_ontology:
            quads += loading.load_ontology().quads
        return exporting.serialize(quads, fmt)

    emit(bounded(work, timeout, "the export"), output, files)


# ---------------------------------------------------------------- stats

@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@timeout_option
@store_options
@graph_options
def stats(fmt, timeout, store_choice, sources):
    """Count triples, instances by class and facts by source document."""
    from . import inspecting

    def work():
        store = open_graph(sources, store_choice)
        return inspecting.render_stats(inspecting.stats(store), fmt)

    emit(bounded(work, timeout, "stats"), None)


# ---------------------------------------------------------------- describe

@main.command()
@click.argument("thing")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@timeout_option
@store_options
@graph_options
def describe(thing, fmt, timeout, store_choice, sources):
    """Everything about one entity, with the source and quote of each fact.

    THING is an IRI, a prefixed name (yid:xiangtan-central-hospital) or a label in
    Chinese or English (湘潭市中心医院, "Xiangtan Central Hospital").
    """
    from . import inspecting

    def work():
        store = open_graph(sources, store_choice)
        node = inspecting.resolve(store, thing)
        return inspecting.render_description(store, inspecting.describe(store, node), fmt)

    emit(bounded(work, timeout, "describe"), None)


# ---------------------------------------------------------------- fmt

@main.command()
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
@graph_options
def serve(host, port, workers, allow_service, quiet, timeout, sources):
    """Serve the graph from memory as a read-only SPARQL endpoint.

    Loads the graph once and answers SPARQL 1.1 Protocol queries at URL/query until
    stopped (Ctrl-C): the speed of Oxigraph's in-memory store for every later query.
    Updates are refused; common prefixes are predeclared, as in 'yilian query'.

    \b
    Examples:
      yilian serve
      yilian query --endpoint http://127.0.0.1:7878/query --name alliance-lead
      yilian serve --data national.nt --port 8000 --workers 4
    """
    from . import serve as server
    from .limits import default_timeout
    from .store import memory_store

    sock = server.listen(host, port)  # before loading: a taken port fails at once
    try:
        store = memory_store(sources)
        endpoint = server.Endpoint(store, timeout=default_timeout() if timeout is None else timeout,
                                   allow_service=tuple(allow_service), log=not quiet, triples=len(store),
                                   local_only=server.is_loopback(sock))
        workers = workers or server.default_workers()
        click.echo(f"yilian: serving {endpoint.triples:,} triples at {server.describe(sock)} "
                   f"({workers} worker{'s' if workers != 1 else ''}; Ctrl-C stops)", err=True)
    except BaseException:
        sock.close()
        raise
    server.serve_forever(sock, endpoint, workers)
    click.echo("yilian: server stopped", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Only list the files that are not in canonical form; exit 1 if any.")
def fmt(paths, check):
    """Rewrite Turtle files in one canonical, deterministic form.

    PATHS are .ttl files or folders (default: graph, ontology and shapes in the current
    folder). Each rewrite is checked to give the same graph before the file is replaced;
    the leading comment block is kept, comments inside the body are not.

    \b
    Examples:
      yilian fmt graph/
      yilian fmt --check graph ontology shapes
    """
    from .formatting import fmt as run_fmt

    if not paths:
        paths = tuple(p for p in ("graph", "ontology", "shapes") if Path(p).is_dir())
        if not paths:
            raise UsageError("no Turtle files to format here", hint="name the files or folders: yilian fmt graph/")
    result = run_fmt(list(paths), check=check)
    for f in result.changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {f}", err=True)
    total = len(result.changed) + len(result.unchanged)
    verb = "would be reformatted" if check else "reformatted"
    click.echo(f"{len(result.changed)} of {total} files {verb}, {len(result.unchanged)} already canonical.", err=True)
    if check and result.changed:
        sys.exit(int(ExitCode.FALSE))


def _register_optional_commands() -> None:
    """Command groups that live in their own modules (they import their heavy
    dependencies lazily, inside the commands, so `yilian query` stays fast)."""
    import importlib

    for module, name in (("network_cli", "network"), ("synth_cli", "synth")):
        try:
            mod = importlib.import_module(f".{module}", __package__)
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.{module}":
                continue
            raise
        main.add_command(getattr(mod, name))


_register_optional_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
