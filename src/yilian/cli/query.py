"""`yilian query` (SPARQL, read-only) and `yilian queries` (the named questions)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode, UsageError
from .options import Command, bounded, check_output, emit, graph_options, open_graph, store_options, timeout_option

RESULT_AND_RDF_FORMATS = ["table", "csv", "tsv", "json", "xml",
                          "turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]


@click.command(cls=Command)
@click.argument("query_text", required=False, metavar="[QUERY]")
@click.option("-f", "--file", "query_file", type=click.Path(), help="Read the query from a file ('-' for stdin).")
@click.option("-n", "--name", "name", help="Run a named query (see 'yilian queries').")
@click.option("--format", "fmt", type=click.Choice(RESULT_AND_RDF_FORMATS), default=None,
              help="table/csv/tsv/json/xml for SELECT and ASK; an RDF format for CONSTRUCT and DESCRIBE "
                   "(table means turtle there) [default: from the -o extension, else table].")
@click.option("-o", "--output", type=click.Path(),
              help="Write the results to a file instead of stdout; its extension sets the format: "
                   ".csv .tsv .json/.srj .xml/.srx (SELECT, ASK), .ttl .nt .nq .trig .jsonld .rdf/.xml "
                   "(CONSTRUCT, DESCRIBE), .txt or none: table.")
@click.option("--allow-service", multiple=True, metavar="URL",
              help="Allow SERVICE calls to this endpoint (repeatable); all others are refused.")
@click.option("--max-rows", type=click.IntRange(min=0), default=10000, show_default=True,
              help="Refuse to print a table of more rows than this (0: no limit); other formats are not capped.")
@click.option("--endpoint", metavar="URL",
              help="Send the query to this SPARQL 1.1 endpoint instead of loading local files.")
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="rdfs: add what RDFS entails (super-classes, super-properties, domains and ranges) "
                   "before the query runs; loads the graph into memory (slower on big graphs).")
@timeout_option
@store_options
@graph_options
def query(query_text, query_file, name, fmt, output, allow_service, max_rows, timeout, endpoint, inference,
          store_choice, sources):
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query (read-only).

    \b
    Examples:
      yilian query 'SELECT ?h ?l WHERE { ?h a/rdfs:subClassOf* yl:Hospital ; rdfs:label ?l }'
      yilian query -f question.rq --format csv > answer.csv
      yilian query --name alliance-lead
      yilian query --endpoint http://127.0.0.1:7878/query --name alliance-lead
    Common prefixes (yl, yid, rdfs, skos, org, schema, prov, xsd …) are predeclared.

    Queries compare and return values, as stores do: the query store holds numbers,
    booleans, dates, times and durations in canonical form, so CONSTRUCT and DESCRIBE
    results (and SELECT cells) show them normalised - 060 as 60, "1"^^xsd:boolean as
    true, "007"^^xsd:int as "7"^^xsd:integer, 1.0E0 as "1"^^xsd:double (the full list is
    in the README). 'yilian export' writes the terms exactly as the files have them.

    Without --inference, '?h a yl:Hospital' finds only what is typed yl:Hospital itself;
    'a/rdfs:subClassOf*' (or --inference rdfs) also finds its subclasses (yl:GeneralHospital,
    yl:TCMHospital …).
    A term of a known vocabulary (yl, rdf, rdfs, owl, xsd, skos, org, prov, qb, time, dcterms,
    sh, schema) that is neither a standard term, nor in the ontology, nor in the data gets a
    warning on stderr with the closest existing name (rdfs:lable: did you mean rdfs:label?);
    the query still runs. Not checked with --endpoint.
    """
    from ..sparql import policy, run as querying

    given = [x for x in (query_text, query_file, name) if x]
    if len(given) > 1:
        raise UsageError("give the query once: as an argument, with -f FILE, or with --name")
    if name:
        from ..sparql.named import get

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
    tokens = policy.check_query(text, allow_service=allow_service)  # refuse before loading anything
    fmt = _output_format(fmt, output, _form(tokens))
    rdf_format = "turtle" if fmt in querying.RESULT_FORMATS else fmt
    result_format = fmt if fmt in querying.RESULT_FORMATS else None
    if endpoint:
        if sources.data or not sources.default_graph or store_choice != (None, False):
            raise UsageError("--endpoint queries the server's graph: --data, --no-default-graph, --store "
                             "and --no-store do not apply", hint="load your files into the server instead")
        from ..sparql.endpoint import RemoteStore
    if inference != "none" and (endpoint or store_choice[0]):
        raise UsageError(f"--inference {inference} loads the graph into memory: --endpoint and --store do not apply",
                         hint="drop --inference and write the subclass test into the query (a/rdfs:subClassOf*)")
    files = [] if endpoint else sources.files()
    # before the work: a bad -o path fails at once (the query file is an input too)
    check_output(output, [*files, *([Path(query_file)] if query_file and query_file != "-" else [])])

    def work():
        if inference == "rdfs":
            from ..sparql.inference import rdfs_closure

            store = open_graph(sources, (None, True))
            rdfs_closure(store)
        else:
            store = RemoteStore(endpoint) if endpoint else open_graph(sources, store_choice)
        outcome = querying.run(store, text, fmt=result_format or "table", rdf_format=rdf_format,
                               allow_service=allow_service, rdf_requested=result_format is None,
                               max_rows=max_rows)
        if endpoint:
            return outcome, []
        from ..sparql.vocabulary import unknown_terms

        return outcome, unknown_terms(store, text)

    outcome, warnings = bounded(work, timeout, "the query")
    for warning in warnings:
        click.echo(f"yilian: warning: {warning}", err=True)
    emit(outcome.output, output, files)
    if outcome.kind == "ask" and not outcome.boolean:
        sys.exit(int(ExitCode.FALSE))


def _form(tokens) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query form (its first keyword of these)."""
    return next((t.text.upper() for t in tokens
                 if t.kind == "word" and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), "SELECT")


def _output_format(given: str | None, output: str | None, form: str) -> str:
    """--format, else the -o extension's format for this query form, else table (cli/formats.py).

    A SELECT or ASK answer goes to .csv .tsv .json .srj .xml .srx .txt; a CONSTRUCT or
    DESCRIBE graph to an RDF extension, .xml meaning RDF/XML there."""
    from .formats import RDF_EXTENSIONS, RESULT_EXTENSIONS, choose

    if form in ("SELECT", "ASK"):
        refused = {ext: f"{ext} is for RDF, and a {form} answer is not a graph (CONSTRUCT and DESCRIBE make graphs)"
                   for ext in RDF_EXTENSIONS if ext not in RESULT_EXTENSIONS}
        return choose(given, output, RESULT_EXTENSIONS, "table", refused)
    # .txt: the default, which means Turtle for a graph
    refused = {ext: f"{ext} is for SELECT and ASK answers, and a {form} result is a graph"
               for ext in RESULT_EXTENSIONS if ext not in RDF_EXTENSIONS and ext != ".txt"}
    if given == "table":
        given = "turtle"  # table means turtle for a graph
    return choose(given, output, RDF_EXTENSIONS, "table", refused, default_extensions=("", ".txt"))


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


@click.command(cls=Command)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def queries(fmt):
    """List the named queries and the questions they answer."""
    import json

    from .. import tables
    from ..sparql.named import all_queries

    qs = all_queries()
    if fmt == "json":
        emit((json.dumps([{"id": q.id, "question": q.question} for q in qs], ensure_ascii=False, indent=2) + "\n").encode(), None)
    else:
        emit(tables.render(["id", "question"], [[q.id, q.question] for q in qs]).encode("utf-8"), None)
