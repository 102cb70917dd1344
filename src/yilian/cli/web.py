"""`yilian site`: the browser interface written as a static site."""

from __future__ import annotations

import click

from .options import Command, bounded, graph_options, open_graph, store_options, timeout_option
from ..tables import counted


@click.command(cls=Command)
@click.option("-o", "--output", "out_dir", type=click.Path(), required=True, metavar="DIR",
              help="The folder to write (replaced as a whole when the site is complete).")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@timeout_option
@store_options
@graph_options
def site(out_dir, quiet, timeout, store_choice, sources):
    """Write the web interface as a static site: every page as a file, search working in
    the browser from a prebuilt index; publish DIR on any static host or open
    DIR/index.html. The same graph always gives the same files.

    \b
    Examples:
      yilian site -o public/
      yilian site --data mine.ttl -o public/
    """
    from ..web.pages.common import Site
    from ..web.site import check_site_folder, write_site

    check_site_folder(out_dir, sources.files())  # before any work

    def work():
        store = open_graph(sources, store_choice)
        from ..dataset.store import opened_folders

        entry = opened_folders.get(id(store))
        folder = entry[1] if entry and entry[0] is store else None
        return write_site(Site(store, files=sources.files(), index_folder=folder, static=True), out_dir)

    count = bounded(work, timeout, "writing the site")
    if not quiet:
        click.echo(f"yilian: wrote {counted(count, 'file')} to {out_dir}", err=True)
