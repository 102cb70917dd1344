"""`yilian synth`: write a synthetic health system for tests and benchmarks."""

from __future__ import annotations

import sys

import click

from ..tables import counted
from .options import Command


@click.command(cls=Command)
@click.option("--institutions", "-n", type=click.IntRange(min=10), required=True,
              help="How many health institutions (10 to 1,000,000 or more).")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed always gives the same bytes.")
@click.option("-o", "--output", type=click.Path(), required=True,
              help="The file to write (.nt or .ttl; '-' for stdout). Written atomically.")
@click.option("--format", "fmt", type=click.Choice(["ntriples", "turtle", "nt", "ttl"]),
              help="Output format (default: from the extension; N-Triples for stdout).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on stderr.")
def synth(institutions, seed, output, fmt, quiet):
    """Write a synthetic health system that conforms to the shapes.

    Provinces, cities and county-level divisions; institutions of every kind in realistic
    proportions; alliances of every type with memberships and declared counts; people in
    posts, postings, events, designations and yearly observations, each with a source
    document and a quote. Memory stays bounded: it is written one city at a time.

    \b
    Examples:
      yilian synth --institutions 5000 --seed 1 -o synth.nt
      yilian query --data synth.nt 'SELECT (COUNT(*) AS ?n) WHERE { ?m a yl:Membership }'
    """
    from ..synth import generator as synth_mod

    show = not quiet and output != "-" and sys.stderr.isatty()
    if show:
        with click.progressbar(length=institutions, label="synth", file=sys.stderr) as bar:
            done = [0]

            def progress(n: int) -> None:
                bar.update(n - done[0])
                done[0] = n

            summary = synth_mod.synthesize(institutions, seed, output, fmt=fmt, progress=progress)
    else:
        summary = synth_mod.synthesize(institutions, seed, output, fmt=fmt)
    if not quiet:
        click.echo(f"yilian: wrote {counted(summary.triples, 'triple')}: "
                   f"{counted(summary.institutions, 'institution')} in {counted(summary.provinces, 'province')}, "
                   f"{counted(summary.cities, 'city', 'cities')}, "
                   f"{counted(summary.counties, 'county-level division')} to {summary.path}", err=True)
