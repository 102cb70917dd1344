"""`yilian network`: the hospital-tie network — measures, exports and paths.

Thin wrappers over yilian.network; networkx, matplotlib and pyvis are imported only
inside the commands so that `yilian query` never loads them."""

from __future__ import annotations

import functools
import sys

import click

from ..errors import ExitCode, UsageError
from .options import Group, bounded, check_output, emit, graph_options, timeout_option

EXPORT_FORMATS = ["html", "svg", "png", "graphml", "gexf", "json", "dot"]
_SUFFIXES = {".html": "html", ".htm": "html", ".svg": "svg", ".png": "png", ".graphml": "graphml",
             ".gexf": "gexf", ".json": "json", ".dot": "dot", ".gv": "dot"}


def network_options(f):
    """Which network to build: alliance mode, people, and the filters."""

    @click.option("--alliances", "mode", type=click.Choice(["lead", "node"]), default="lead", show_default=True,
                  help="lead: an alliance is drawn as its lead hospital (lead -> member ties); "
                       "node: alliances are nodes (member -> alliance ties).")
    @click.option("--people", is_flag=True, help="Add people: posts held, postings, mentoring.")
    @click.option("--place", multiple=True, metavar="PLACE", help="Keep organizations in this place or places inside it (repeatable).")
    @click.option("--alliance", "alliance", multiple=True, metavar="ALLIANCE",
                  help="Keep the members (and shared centres) of this alliance (repeatable).")
    @click.option("--tie", multiple=True, metavar="KIND",
                  help="Keep ties of this kind (lead-role, posting, referral-channel …) or family "
                       "(membership, cooperation, structure, program …); repeatable.")
    @click.option("--source", multiple=True, metavar="DOC", help="Keep ties reported by this source document (doc-004, 004, a file name or part of a title; repeatable).")
    @click.option("--since", metavar="DATE", help="Keep ties dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
    @click.option("--until", metavar="DATE", help="Keep ties dated on or before DATE.")
    @click.option("--include-isolated", is_flag=True, help="Keep organizations without ties too.")
    @timeout_option
    @graph_options
    @functools.wraps(f)
    def wrapper(*args, mode, people, place, alliance, tie, source, since, until, include_isolated, timeout, sources,
                **kwargs):
        spec = dict(mode=mode, people=people, place=place, alliance=alliance, tie=tie, source=source,
                    since=since, until=until, include_isolated=include_isolated)
        return f(*args, spec=spec, sources=sources, timeout=timeout, **kwargs)

    return wrapper


def _needs_store(spec: dict) -> bool:
    """Whether the filters name things that must be looked up in a store (places,
    alliances and sources are given as labels or prefixed names)."""
    return bool(spec["place"] or spec["alliance"] or spec["source"])


def _stats_net(spec: dict, sources):
    """The network `stats` measures. Without filters that name things, the files are
    read in one streamed pass into plain tables (network.triples) and the network is built
    without the per-tie evidence, which stats does not show: at 12 M triples the in-memory
    store alone held 5.4 GB (bench/NATIONAL.md). With them, as the other commands."""
    if _needs_store(spec):
        return _build(spec, sources, evidence=False)[1]
    from ..dataset.store import inputs_for
    from ..network import build as network
    from ..network import triples

    inputs = inputs_for(sources)
    filters = network.Filters(kinds=tuple(spec["tie"]), since=network.check_date(spec["since"]),
                              until=network.check_date(spec["until"]))
    tables = triples.from_files(inputs.data, inputs.ontology)
    return network.build(tables, mode=spec["mode"], people=spec["people"], filters=filters,
                         include_isolated=spec["include_isolated"], evidence=False)


def _build(spec: dict, sources, evidence: bool = True):
    from ..network import build as network
    from ..dataset.store import memory_store
    from ..explore import describe as inspecting
    from ..explore.facts import source_docs

    store = memory_store(sources, progress=False)

    def named(kind: str, given: str) -> str:
        node = inspecting.resolve(store, given)
        network.check_filter_kind(store, node, kind, given)
        return node.value

    filters = network.Filters(
        places=tuple(named("place", p) for p in spec["place"]),
        alliances=tuple(named("alliance", a) for a in spec["alliance"]),
        kinds=tuple(spec["tie"]),
        # the document forms facts and search take (doc-004, 004, a file name, part of a title)
        sources=tuple(dict.fromkeys(d.value for s in spec["source"] for d in source_docs(store, s))),
        since=network.check_date(spec["since"]), until=network.check_date(spec["until"]))
    net = network.build(store, mode=spec["mode"], people=spec["people"], filters=filters,
                        include_isolated=spec["include_isolated"], evidence=evidence)
    return store, net


def _notes(lines: list[str]) -> None:
    """What the network leaves out (network.build.notes), on stderr: the output itself
    stays the data."""
    for line in lines:
        click.echo(f"yilian: note: {line}", err=True)


@click.group(cls=Group)
def network():
    """The network of ties between institutions: who leads whom, postings, referrals,
    co-building, shared centres … with the facts and sources behind each tie."""


@network.command()
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="How many nodes to rank.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@network_options
def stats(top, fmt, spec, sources, timeout):
    """Hubs, components, bridges and alliance counts of the network.

    Degree and betweenness centrality (top N; betweenness is sampled, and says so, on
    large networks), connected components, bridges and articulation points, organizations
    in several alliances, and each alliance's named members against its declared counts.

    \b
    Examples:
      yilian network stats
      yilian network stats --alliances node --top 5 --format json
      yilian network stats --place 湘潭县 --tie cooperation
    """
    from ..network import analysis

    def work():
        from ..network.build import notes
        from ..network.triples import no_gc

        with no_gc():  # millions of small containers, none in cycles (network.triples.no_gc)
            net = _stats_net(spec, sources)
            return analysis.render_stats(analysis.analyse(net, top), fmt, top), notes(net)

    data, lines = bounded(work, timeout, "the network statistics")
    _notes(lines)  # before the data: a reader of both streams sees them in this order
    emit(data, None)


@network.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default=None,
              help="Output format (default: from the -o file extension).")
@click.option("-o", "--output", type=click.Path(), help="Write to this file (atomically) instead of stdout.")
@network_options
def export(fmt, output, spec, sources, timeout):
    """Write the network as an interactive HTML page, an SVG/PNG picture, or GraphML,
    GEXF, node-link JSON or Graphviz DOT.

    The HTML page is one self-contained file that works offline.

    \b
    Examples:
      yilian network export -o network.html
      yilian network export --format gexf -o ties.gexf        # for Gephi
      yilian network export --alliances node -o network.svg
    """
    from ..network import export as network_export
    from .formats import choose

    files = sources.files()
    check_output(output, files)  # a folder, a missing folder or an input as -o: said first
    if fmt is None and (not output or output == "-"):
        raise UsageError("say which format to write", hint="add --format html|svg|png|graphml|gexf|json|dot or -o FILE.html")
    # --format html -o ties.gexf wrote HTML into a .gexf file: a contradiction is an error,
    # as for query and export
    fmt = choose(fmt, output, _SUFFIXES, default="html",
                 names={k: k.upper() if k != "graphml" else "GraphML" for k in EXPORT_FORMATS})
    if fmt == "png" and not output and sys.stdout.isatty():
        raise UsageError("refusing to write a PNG to the terminal", hint="add -o FILE.png")

    def work():
        from ..network.build import notes

        _, net = _build(spec, sources)
        return network_export.export(net, fmt), notes(net)

    data, lines = bounded(work, timeout, "the network export")
    _notes(lines)
    emit(data, output, files)


@network.command()
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@network_options
def path(a, b, fmt, spec, sources, timeout):
    """How two organizations are connected: the shortest chain of ties, with the facts,
    sources and quotes along the way. Exit 1 when they are not connected.

    A and B are IRIs, prefixed names or labels (湘潭市中心医院, "Xiangtan Central Hospital").

    \b
    Examples:
      yilian network path 湘乡市人民医院 韶山市人民医院
      yilian network path yid:xiangtan-central-hospital 谭家山镇卫生院 --format json
    """
    from ..network import analysis

    def work():
        store, net = _build(spec, sources)
        notes: list[str] = []
        ends = [_endpoint(store, net, x, notes) for x in (a, b)]
        steps = analysis.path(net, ends[0], ends[1])
        ref = lambda n: {"iri": n, "name": net.graph.nodes[n]["name"], "label": net.graph.nodes[n]["label"]}  # noqa: E731
        return notes, analysis.render_path(steps, ref(ends[0]), ref(ends[1]), fmt), steps is not None

    notes, data, connected = bounded(work, timeout, "the path search")
    for note in notes:  # the work ran in a child process: its messages are printed here
        click.echo(note, err=True)
    emit(data, None)
    if not connected:
        sys.exit(int(ExitCode.FALSE))


def _endpoint(store, net, text: str, notes: list[str]) -> str:
    """The network node a name stands for (an alliance merged into its lead stands for the lead)."""
    from ..explore import describe as inspecting

    node = inspecting.resolve(store, text).value
    G = net.graph
    if node in G:
        return node
    leads = sorted(n for n, d in G.nodes(data=True) if node in d.get("leads", ()))
    if leads:
        notes.append(f"yilian: note: {inspecting.label(store, inspecting.resolve(store, text))} is drawn as its lead, "
                     f"{G.nodes[leads[0]]['label']} (use --alliances node to keep alliances apart)")
        return leads[0]
    name = inspecting.label(store, inspecting.resolve(store, text))
    if node in net.isolated:
        tips = (["loosen the filters"] if net.filters else []) + (
            ["--alliances node ties it to the alliances it belongs to"]
            if net.mode == "lead" and net.isolated[node]["alliances"] else [])
        raise UsageError(f"{name} ({text}) has no ties in this network",
                         hint="no tie links it to another organization" + (f"; {'; '.join(tips)}" if tips else ""))
    raise UsageError(f"{name} ({text}) has no ties in this network",
                     hint="it may not be an organization, the filters may leave it out, or try --alliances node")
