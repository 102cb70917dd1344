"""`yilian validate`: check the graph against the SHACL shapes."""

from __future__ import annotations

import contextlib
import io
import sys

import click

from ..errors import ExitCode
from .options import Command, bounded, check_output, emit, graph_options, timeout_option


@click.command(cls=Command)
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default=None,
              help="The report's format [default: from the -o extension (.txt .ttl .json), else text].")
@click.option("-o", "--output", type=click.Path(), help="Write the report to a file; its extension sets the format.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True,
              help="sparql: each constraint as one SPARQL query over the whole graph (seconds for a "
                   "million triples); pyshacl: the reference implementation (same results, minutes).")
@click.option("--shapes", "shapes", multiple=True, metavar="PATH",
              help="Validate against these SHACL shapes (a file or a folder of them; repeatable) instead of the "
                   "bundled shapes. Shapes in --data files are data, not shapes.")
@timeout_option
@graph_options
def validate(fmt, output, engine, shapes, timeout, sources):
    """Check the graph against the SHACL shapes.

    Exit 0 when there are no violations (warnings are advisory), 1 when there are, 2 when
    validation could not run (bad input, or shapes SHACL says must be refused), 3 when the
    shapes ask for something refused by policy (SERVICE or FROM in a SPARQL constraint).

    With --shapes, the bundled shapes are not used, and neither are the bundled ontology's
    axioms unless the bundled graph is validated too: with --no-default-graph and --data it
    is a general SHACL validator.

    \b
    Examples:
      yilian validate
      yilian validate --data mine.ttl --format json
      yilian validate --engine pyshacl
      yilian validate --no-default-graph --data mine.ttl --shapes my-shapes.ttl
    """
    from ..dataset.sources import collect_files
    from ..shacl import validate as validation
    from .formats import RDF_EXTENSIONS, choose

    fmt = choose(fmt, output, {".txt": "text", ".ttl": "turtle", ".turtle": "turtle", ".json": "json"}, "text",
                 {ext: f"{ext} is not a report format (text, Turtle or JSON)"
                  for ext in RDF_EXTENSIONS if ext not in (".ttl", ".turtle")}, names={"json": "JSON"})

    shapes_files = collect_files(shapes) if shapes else None
    files = [*sources.files(), *(shapes_files or [])]
    check_output(output, files)  # before the work: a bad -o path fails at once

    def work():
        # notes (a fallback to pySHACL) are written by the parent: the child's stderr is not
        # the command's when it runs in-process (tests)
        notes = io.StringIO()
        with contextlib.redirect_stderr(notes):
            report = validation.validate(sources, engine, shapes_files=shapes_files)
        return report.conforms, validation.render(report, fmt), notes.getvalue()

    conforms, data, notes = bounded(work, timeout, "validation")
    if notes:
        click.echo(notes, err=True, nl=False)
    emit(data, output, files)
    if not conforms:
        sys.exit(int(ExitCode.FALSE))
