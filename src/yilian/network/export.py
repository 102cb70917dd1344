"""Writing the hospital-tie network in exchange formats (GraphML and GEXF for Gephi, JSON,
DOT) and, through network.view, as HTML, SVG or PNG."""

from __future__ import annotations

import json

from ..errors import UsageError
from .build import Network


def flat(value):
    """A GraphML/GEXF attribute value: one scalar type per key (lists joined by ' | ')."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return " | ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def flat_graph(G):
    """A copy whose attributes are all scalars, every key present on every node/edge."""
    import networkx as nx

    H = nx.MultiDiGraph()
    H.graph.update({k: flat(v) for k, v in G.graph.items()})
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: flat(v) for k, v in d.items()})
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **{a: flat(x) for a, x in d.items()})
    return H


def to_json(net: Network) -> bytes:
    import networkx as nx

    data = nx.node_link_data(net.graph, edges="edges")
    data["tie_kinds"] = {k: v.__dict__ for k, v in sorted(net.kinds.items())}
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def from_json(data: bytes | str):
    import networkx as nx

    doc = json.loads(data)
    doc.pop("tie_kinds", None)
    return nx.node_link_graph(doc, edges="edges", multigraph=True, directed=True)


def to_graphml(net: Network) -> bytes:
    import io

    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(flat_graph(net.graph), buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def _rgb(colour: str) -> dict:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


def to_gexf(net: Network) -> bytes:
    """GEXF 1.2 for Gephi: every attribute flat (one type per key), and the drawing's
    visual data — viz:color of a node from its group (view.GROUP_COLOURS) and of a tie from
    its kind (view.tie_colour), viz:position (points, y up) from the same seeded layout as
    the SVG/PNG drawing (view.drawing_layout), viz:size and viz:thickness. The graph is
    directed by default and an undirected tie (a referral channel between partners …) is an
    edge with type="undirected", as GEXF allows: Gephi reads a mixed graph. networkx's
    read_gexf does not read mixed graphs (it raises "Undirected edge found in directed
    graph"); GraphML and JSON are the formats for networkx."""
    import io

    import networkx as nx

    from . import view

    H = flat_graph(net.graph)
    drawing = view.drawing_layout(net, font_name=view.drawing_font(net), labels=False)
    for n, d in H.nodes(data=True):
        x, y = drawing.pos[n]
        d["viz"] = {"color": _rgb(view.GROUP_COLOURS.get(d["group"], "#999999")),
                    "position": {"x": round(x * 72, 2), "y": round(y * 72, 2), "z": 0.0},
                    "size": round(drawing.radius[n] * 144, 2)}
    styles = view.kind_styles(net)
    for u, v, k, d in H.edges(keys=True, data=True):
        d["id"] = f"{u} {k} {v}"  # unique edge ids across parallel ties
        d["viz"] = {"color": _rgb(styles[k]["color"]), "thickness": styles[k]["width"]}
        if not net.graph.edges[u, v, k]["directed"]:
            d["type"] = "undirected"
    buf = io.BytesIO()
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
    # networkx stamps <meta lastmodifieddate> with today's date, so the same graph gave
    # other bytes the next day; the attribute is optional in GEXF 1.2 and left out
    writer.xml.find("meta").attrib.pop("lastmodifieddate", None)
    writer.add_graph(H)
    writer.write(buf)
    return buf.getvalue()


def _dot_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(net: Network) -> bytes:
    G = net.graph
    lines = ["digraph yilian {", '  graph [charset="UTF-8", overlap=false];',
             '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", fontname="Noto Sans CJK SC"];']
    for n, d in sorted(G.nodes(data=True)):
        lines.append(f"  {_dot_str(n)} [label={_dot_str(d['label'])}, group={_dot_str(d['group'])}];")
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        attrs = [f"label={_dot_str(d['kind_label'])}", f"kind={_dot_str(k)}"]
        if not d["directed"]:
            attrs.append("dir=none")
        if d["sources"]:
            attrs.append(f"sources={_dot_str(', '.join(d['sources']))}")
        lines.append(f"  {_dot_str(u)} -> {_dot_str(v)} [{', '.join(attrs)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


EXPORT_FORMATS = ("html", "svg", "png", "graphml", "gexf", "json", "dot")


def export(net: Network, fmt: str) -> bytes:
    if fmt == "graphml":
        return to_graphml(net)
    if fmt == "gexf":
        return to_gexf(net)
    if fmt == "json":
        return to_json(net)
    if fmt == "dot":
        return to_dot(net)
    from . import view as network_view

    if fmt == "html":
        return network_view.to_html(net)
    if fmt in ("svg", "png"):
        return network_view.to_image(net, fmt)
    raise UsageError(f"unknown network format '{fmt}'", hint="one of: " + ", ".join(EXPORT_FORMATS))
