"""`yilian stats` and `yilian describe`: reading the graph without writing SPARQL."""

from __future__ import annotations

import click

from .options import bounded, emit, graph_options, open_graph, store_options, timeout_option


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@timeout_option
@store_options
@graph_options
def stats(fmt, timeout, store_choice, sources):
    """Count triples, instances by class and facts by source document."""
    from ..explore import stats as explore_stats

    def work():
        store = open_graph(sources, store_choice)
        return explore_stats.render_stats(explore_stats.stats(store), fmt)

    emit(bounded(work, timeout, "stats"), None)


# ---------------------------------------------------------------- describe

@click.command()
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
    from ..explore import describe as explore_describe

    def work():
        store = open_graph(sources, store_choice)
        node = explore_describe.resolve(store, thing)
        return explore_describe.render_description(store, explore_describe.describe(store, node), fmt)

    emit(bounded(work, timeout, "describe"), None)
