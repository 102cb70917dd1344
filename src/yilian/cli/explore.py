"""`yilian stats`, `describe`, `search`, `facts` and `timeline`: reading the graph without writing SPARQL."""

from __future__ import annotations

import click

from ..errors import UsageError

from .options import Command, bounded, emit, graph_options, open_graph, store_options, timeout_option


@click.command(cls=Command)
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

@click.command(cls=Command)
@click.argument("thing")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True,
              help="List every candidate a name fits and every incoming link (otherwise long lists are cut, with a count).")
@timeout_option
@store_options
@graph_options
def describe(thing, fmt, show_all, timeout, store_choice, sources):
    """Everything about one entity, with the source and quote of each fact.

    THING is an IRI, a prefixed name (yid:xiangtan-central-hospital), a label in
    Chinese or English (湘潭市中心医院, "Xiangtan Central Hospital"), or a date
    (2024-08-30: what happened that day). When a name fits several things, an entity
    wins over a fact node and an exact name over a partial one; the others are listed
    by kind (--all: every one). A place or an alliance also shows the facts about what
    it holds (`yilian facts --about THING` lists them all).
    """
    from ..explore import describe as explore_describe

    if not thing.strip():  # an empty name would fit every label
        raise UsageError("nothing to describe", hint="give a name, a prefixed name or an IRI, such as 湘潭市中心医院")

    def work():
        store = open_graph(sources, store_choice)
        from ..explore.facts import is_date

        if is_date(thing) and fmt != "turtle" and not any(
                c.match < 2 for c in explore_describe.candidates(store, thing.strip())):
            return explore_describe.describe_date(store, thing.strip(), fmt), None  # nothing is named so: a date
        try:
            node, others = explore_describe.find(store, thing, show_all)
        except explore_describe.Ambiguous as e:
            e.hint = "the list by kind is on stdout; give the IRI or prefixed name of the one you mean"
            return (e.candidates_json if fmt == "json" else e.listing), e
        d = explore_describe.describe(store, node, others, thing)
        return explore_describe.render_description(store, d, fmt, show_all), None

    data, error = bounded(work, timeout, "describe")
    emit(data, None)
    if error is not None:
        raise error


# ---------------------------------------------------------------- search

FORMATS = click.Choice(["table", "csv", "json"])


@click.command(cls=Command)
@click.argument("text", nargs=-1, required=True)
@click.option("--kind", metavar="KIND", help="Only things of this kind (a class: Hospital, 医院, yl:Posting; subclasses included).")
@click.option("--source", metavar="DOC", help="Only things from this source document (doc-001, 001, a file name or part of a title).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="At most this many entities and this many facts (the totals are shown).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@timeout_option
@store_options
@graph_options
def search(text, kind, source, limit, fmt, timeout, store_choice, sources):
    """Full-text search of names, alternate names, titles, quotes and notes.

    Every word must occur (Chinese: as a substring, no segmentation needed; English:
    any case). Entities come first (exact name, alternate name, partial name), each
    with its kind and a one-line summary; then the facts whose quote, note or name
    matches, with the passage marked 【…】 and the source file.
    """
    from ..explore import search as explore_search

    def work():
        store_path, no_store = store_choice
        if not (kind or source or no_store):
            # a store built before with its index: the index alone answers, and the
            # database is not opened
            from ..dataset.store import warm_folder

            folder = warm_folder(sources, store_path=store_path)
            index = explore_search.open_built(folder) if folder is not None else None
            if index is not None:
                return explore_search.render(explore_search.search(index, list(text), limit=limit), fmt)
        store = open_graph(sources, store_choice)
        from ..dataset.store import inputs_for, opened_folders

        kinds = docs = None
        if kind or source:
            from ..explore.facts import kind_classes, source_docs

            kinds = kind_classes(store, kind) if kind else None
            docs = source_docs(store, source) if source else None
        entry = opened_folders.get(id(store))
        index = explore_search.open_index(store, entry[1] if entry and entry[0] is store else None,
                                          inputs_for(sources).data)
        res = explore_search.search(index, list(text), kinds=kinds, docs=docs, limit=limit)
        return explore_search.render(res, fmt)

    emit(bounded(work, timeout, "search"), None)


# ---------------------------------------------------------------- facts, timeline

def fact_filters(f):
    """The filters facts and timeline share."""
    for opt in reversed([
        click.option("--about", metavar="THING", help="Facts about this entity (a name, prefixed name or IRI, as for describe); "
                     "a place includes what is located in it and its sub-places, an alliance its members."),
        click.option("--no-rollup", is_flag=True, help="With --about: only facts that name THING itself."),
        click.option("--indicator", metavar="TEXT", help="Only facts whose indicator or name contains TEXT (every word, any case)."),
        click.option("--kind", metavar="KIND", help="Only this kind of fact (Observation, Posting, PositionHolding, Designation, Event …)."),
        click.option("--source", metavar="DOC", help="Only facts from this source document (doc-001, 001, a file name or part of a title)."),
        click.option("--since", metavar="DATE", help="Only facts dated on or after DATE (2023, 2023-04, 2023-04-17; a period that overlaps counts)."),
        click.option("--until", metavar="DATE", help="Only facts dated on or before DATE."),
        click.option("--year", metavar="YEAR", help="Only facts dated in YEAR (or a period that overlaps it)."),
        click.option("--format", "fmt", type=FORMATS, default="table", show_default=True),
        click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of stdout."),
    ]):
        f = opt(f)
    return f


def _rows(store, about, no_rollup, dated_only, **kw):
    from ..explore import describe as explore_describe
    from ..explore.facts import fact_rows

    node = None
    if about:
        try:
            node = explore_describe.resolve(store, about)
        except explore_describe.Ambiguous as e:
            raise UsageError(e.message, hint=f"`yilian describe {about}` lists them by kind; give the IRI or "
                             "prefixed name of the one you mean") from None
    return fact_rows(store, about=node, rollup_about=not no_rollup, dated_only=dated_only, **kw)


@click.command(cls=Command)
@fact_filters
@timeout_option
@store_options
@graph_options
def facts(about, no_rollup, indicator, kind, source, since, until, year, fmt, output, timeout, store_choice, sources):
    """One readable row per fact: what, about whom, when, value, change, source, quote.

    Values are printed with their qualifier (6000余 → 6000+, 近百 → ≈100, 以上 → ≥) and
    unit; dates as precise as the source (2024, 2023-04, a period 2023-01/2023-11).
    --format csv keeps value, qualifier and unit in separate columns.
    """
    from ..explore.facts import render_rows

    def work():
        store = open_graph(sources, store_choice)
        rows = _rows(store, about, no_rollup, False, indicator=indicator, kind=kind, source=source,
                     since=since, until=until, year=year)
        return render_rows(rows, fmt)

    emit(bounded(work, timeout, "facts"), output, sources.files() if output else ())


@click.command(cls=Command)
@fact_filters
@timeout_option
@store_options
@graph_options
def timeline(about, no_rollup, indicator, kind, source, since, until, year, fmt, output, timeout, store_choice, sources):
    """Dated facts in date order: events, designations, postings, posts, programs and
    dated observations.

    A partial date sorts before the more precise dates inside it (2023, then 2023-04,
    then 2023-04-17) and prints as written; a period sorts by its start. Dates the
    graph inferred (yl:dateInferred) are marked "(inferred)".
    """
    from ..explore import timeline as explore_timeline

    def work():
        store = open_graph(sources, store_choice)
        rows = _rows(store, about, no_rollup, True, indicator=indicator, kind=kind, source=source,
                     since=since, until=until, year=year)
        return explore_timeline.render(rows, fmt)

    emit(bounded(work, timeout, "timeline"), output, sources.files() if output else ())
