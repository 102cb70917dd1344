"""`yilian export` (the graph in any RDF format) and `yilian fmt` (canonical Turtle files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode, UsageError
from ..tables import counted
from .options import Command, bounded, check_output, emit, graph_options, timeout_option

RDF_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]


@click.command(cls=Command)
@click.option("--format", "fmt", type=click.Choice(RDF_FORMATS + ["ttl", "nt", "nq", "json-ld", "xml"]),
              default=None, help="The RDF format [default: from the -o extension (.ttl .nt .nq .trig .jsonld "
                                  ".rdf …), else turtle].")
@click.option("-o", "--output", type=click.Path(),
              help="Write to a file instead of stdout (atomically); its extension sets the format.")
@click.option("--with-ontology", is_flag=True, help="Include the ontology.")
@timeout_option
@graph_options
def export(fmt, output, with_ontology, timeout, sources):
    """Write the graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

    Every term is written exactly as the input files have it (lexical form, datatype,
    language tag), with the prefixes their Turtle and TriG declare, and the output is read back and compared term for term before it is
    written. The same graph always gives the same bytes.

    \b
    Examples:
      yilian export > yilian.ttl
      yilian export -o yilian.nt
      yilian export --with-ontology -o yilian.jsonld
    """
    from ..dataset.parse import load_files, load_ontology
    from ..rdf import export as exporting
    from .formats import RDF_EXTENSIONS, RESULT_EXTENSIONS, choose

    refused = {ext: f"{ext} is not an RDF file (export writes RDF)" for ext in RESULT_EXTENSIONS}
    fmt = choose(exporting.canonical_format(fmt) if fmt else None, output, RDF_EXTENSIONS, "turtle", refused)
    files = sources.files()
    check_output(output, files)  # before the work: a bad -o path fails at once

    def work():
        loaded = load_files(files)
        quads, prefixes = loaded.quads, loaded.prefixes
        if with_ontology:
            ontology = load_ontology()
            quads += ontology.quads
            prefixes = {**ontology.prefixes, **prefixes}
        return exporting.serialize(quads, fmt, prefixes)

    emit(bounded(work, timeout, "the export"), output, files)




@click.command(cls=Command)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Only list the files that are not in canonical form; exit 1 if any.")
@timeout_option
def fmt(paths, check, timeout):
    """Rewrite Turtle files in one canonical, deterministic form.

    PATHS are .ttl files or folders (default: graph, ontology and shapes in the current
    folder). Each rewrite is checked to give the same graph before the file is replaced;
    the leading comment block is kept, comments inside the body are not.

    \b
    Examples:
      yilian fmt graph/
      yilian fmt --check graph ontology shapes
    """
    from ..rdf.fmt import fmt as run_fmt

    if not paths:
        paths = tuple(p for p in ("graph", "ontology", "shapes") if Path(p).is_dir())
        if not paths:
            raise UsageError("no Turtle files to format here", hint="name the files or folders: yilian fmt graph/")
    result = bounded(lambda: run_fmt(list(paths), check=check), timeout, "fmt")
    for f in result.changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {f}", err=True)
    total = len(result.changed) + len(result.unchanged)
    verb = "would be reformatted" if check else "reformatted"
    click.echo(f"{len(result.changed)} of {counted(total, 'file')} {verb}, {len(result.unchanged)} already canonical.",
               err=True)
    if check and result.changed:
        sys.exit(int(ExitCode.FALSE))
