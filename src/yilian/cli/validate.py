"""`yilian validate`: check the graph against the SHACL shapes."""

from __future__ import annotations

import sys

import click

from ..errors import ExitCode
from .options import bounded, emit, graph_options, timeout_option


@click.command()
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
    from ..shacl import validate as validation

    def work():
        report = validation.validate(sources, engine)
        return report.conforms, validation.render(report, fmt)

    conforms, data = bounded(work, timeout, "validation")
    emit(data, output, sources.files())
    if not conforms:
        sys.exit(int(ExitCode.FALSE))
