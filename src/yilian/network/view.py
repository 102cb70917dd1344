"""Pictures of the hospital-tie network: a self-contained interactive HTML page (the
vis-network library is read from the installed pyvis package and inlined, so the page
makes no network request) and SVG/PNG drawings with Chinese labels (matplotlib with an
installed CJK font)."""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import resources
from ..errors import InputError, YilianError
from ..tables import counted

#: colours of the node groups (network.NODE_GROUPS)
GROUP_COLOURS = {
    "Alliance": "#e15759", "Hospital": "#4e79a7", "PrimaryCareInstitution": "#59a14f",
    "PublicHealthInstitution": "#76b7b2", "HealthInstitution": "#86bcb6", "OrganizationalUnit": "#9c9ede",
    "GovernmentBody": "#f28e2b", "PartyBody": "#b6992d", "University": "#b07aa1",
    "ResearchInstitute": "#d4a6c8", "Person": "#ff9da7", "Organization": "#bab0ac",
}
GROUP_LABELS = {
    "Alliance": ("医联体", "alliance"), "Hospital": ("医院", "hospital"),
    "PrimaryCareInstitution": ("基层医疗卫生机构", "primary-care institution"),
    "PublicHealthInstitution": ("专业公共卫生机构", "public-health institution"),
    "HealthInstitution": ("医疗卫生机构", "health institution"), "OrganizationalUnit": ("内设机构", "unit"),
    "GovernmentBody": ("政府机构", "government body"), "PartyBody": ("党组织", "party body"),
    "University": ("高等院校", "university"), "ResearchInstitute": ("研究机构", "research institute"),
    "Person": ("人物", "person"), "Organization": ("其他组织", "other organization"),
}
#: line style of each tie family (vis-network dash patterns; False is a solid line)
FAMILY_DASHES = {
    "membership": False, "posting": [10, 5], "cooperation": [6, 3], "structure": [2, 4],
    "program": [12, 4, 2, 4], "designation": [3, 3], "participation": [1, 3], "people": [8, 2, 2, 2],
}
FAMILY_WIDTH = {"membership": 3, "posting": 2.5, "cooperation": 2, "structure": 1.2, "program": 1.5,
                "designation": 1.5, "participation": 1.2, "people": 1.2}
#: the colour of every known tie kind (docs/network.md, "What the network holds"), the same
#: in every export (HTML, SVG, PNG, GEXF) whatever the filters: each family is one hue group
#: (membership reds, posting brown, cooperation blues, structure greys, program greens,
#: designation purple, participation olive, people magentas), its kinds shades of it
TIE_COLOURS = {
    # membership: reds
    "lead-role": "#99000d", "joint-role": "#d62728", "collaborating-role": "#ef6548",
    "linked-role": "#fc8d59", "member-role": "#c0392b", "membership": "#e34a33",
    # posting: brown
    "posting": "#8c510a",
    # cooperation: blues and teals
    "referral-channel": "#08519c", "co-building": "#3182bd", "expert-support": "#17becf",
    "remote-service": "#6baed6", "shared-centre-connection": "#00838f", "result-recognition": "#2c3e94",
    "cooperation-result": "#7fa7cc", "cooperation": "#4a6fa5",
    # structure: greys
    "unit-of": "#636363", "sub-organization-of": "#969696", "linked-to": "#252525", "has-unit": "#636363",
    # program: greens
    "runs": "#238b45", "co-runs": "#74c476", "program-beneficiary": "#006d2c",
    # designation, participation
    "designation": "#6a51a3", "participation": "#9a8c1a",
    # people: magentas
    "position": "#c51b7d", "posted-to": "#de77ae", "mentoring": "#7a0177", "founder": "#f768a1",
}
#: the hue range (degrees) of each family, for kinds that are not in TIE_COLOURS
FAMILY_HUES = {"membership": (350, 20), "posting": (25, 40), "cooperation": (185, 230), "structure": None,
               "program": (95, 150), "designation": (255, 285), "participation": (50, 65),
               "people": (300, 335)}
CJK_FONT_PACKAGE = "fonts-noto-cjk"
_CJK_NAME = re.compile(r"CJK|Han Sans|Han Serif|WenQuanYi|WQY|Droid Sans Fallback|AR PL|Noto Sans SC|"
                       r"Noto Serif SC|SimHei|SimSun|Microsoft YaHei|PingFang|Hiragino|Source Han", re.I)
FONT_STACK = ('"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","WenQuanYi Micro Hei",'
              '"Microsoft YaHei","PingFang SC",sans-serif')


class MissingFontError(YilianError):
    """No installed font can draw Chinese characters."""


def tie_colour(kind: str, family: str = "") -> str:
    """The colour of a tie kind as #rrggbb: from TIE_COLOURS for a known kind; for any
    other kind (a new yl:CooperationType, a new property between organizations) derived
    from the kind's name alone (SHA-256), in its family's hue range, so that the same kind
    has the same colour in every export, whatever else the network holds."""
    if kind in TIE_COLOURS:
        return TIE_COLOURS[kind]
    import colorsys
    import hashlib

    h = hashlib.sha256(kind.encode("utf-8")).digest()
    span = FAMILY_HUES.get(family, (0, 360))
    if span is None:  # structure: greys
        grey = 0x40 + h[0] % 0x60
        return f"#{grey:02x}{grey:02x}{grey:02x}"
    lo, hi = span
    width = (hi - lo) % 360 or 360
    hue = (lo + width * (int.from_bytes(h[:2], "big") / 0xFFFF)) % 360
    light = 0.32 + 0.24 * h[2] / 255
    r, g, b = colorsys.hls_to_rgb(hue / 360, light, 0.75)
    return "#" + "".join(f"{round(x * 255):02x}" for x in (r, g, b))


def kind_styles(net) -> dict[str, dict]:
    """Colour, dashes and width of every tie kind in the network: the colour is the
    kind's own (tie_colour), never its position among the kinds present."""
    out = {}
    for k in sorted(net.kinds):
        kind = net.kinds[k]
        out[k] = {"id": k, "label": kind.label, "label_en": kind.label_en, "family": kind.family,
                  "color": tie_colour(k, kind.family), "dashes": FAMILY_DASHES.get(kind.family, False),
                  "width": FAMILY_WIDTH.get(kind.family, 1.5)}
    return out


# ---------------------------------------------------------------- HTML

@lru_cache(maxsize=1)
def vis_network_js() -> tuple[str, str, str]:
    """The vis-network script and stylesheet that the installed pyvis package ships (found
    without importing pyvis, which imports IPython: seconds on a busy machine)."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the HTML view needs the pyvis package (it ships the vis-network library)",
                         hint="pip install pyvis")
    base = Path(list(spec.submodule_search_locations)[0]).resolve()
    found = sorted(base.rglob("vis-network.min.js"), key=lambda p: (_version(p.parent.name), len(p.parts)))
    if not found:
        raise InputError("the installed pyvis package has no vis-network.min.js", where=str(base),
                         hint="reinstall pyvis")
    js = found[-1]
    css = js.with_name("vis-network.css")
    return (js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8") if css.is_file() else "",
            js.parent.name)


def _version(name: str) -> tuple:
    return tuple(int(x) for x in re.findall(r"\d+", name))


def script_json(value) -> str:
    """JSON that is safe inside a <script> element: no </script>, <!--, & or line separators."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _inline(code: str) -> str:
    """Library code inside <script>: it must not close the element early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.I)


def view_data(net) -> dict:
    """Everything the page draws, as plain JSON: every organization, those without ties
    (net.isolated, or of degree 0 with include_isolated) flagged `isolated` so that the
    page can hide them behind a tick box that says how many there are; every alliance of
    the network's alliance table in the menu, whether or not it has ties."""
    G = net.graph
    from .build import undirected

    U = undirected(G)
    kinds = kind_styles(net)
    nodes = []
    everyone = [(n, d, U.degree(n)) for n, d in G.nodes(data=True)] + [(n, d, 0) for n, d in net.isolated.items()]
    for n, d, degree in sorted(everyone, key=lambda x: x[0]):
        nodes.append({"id": n, "label": d["label"], "label_en": d["label_en"], "name": d["name"],
                      "alt": d["alt_labels"], "kind": d["kind"], "kind_label": d["kind_label"], "group": d["group"],
                      "place": d["place"], "alliances": d["alliances"], "leads": d["leads"],
                      "sources": d["sources"], "degree": degree, "isolated": degree == 0})
    edges = []
    seen: dict[tuple, int] = {}
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        pair = tuple(sorted((u, v)))
        seen[pair] = seen.get(pair, 0) + 1
        edges.append({"id": f"{u}|{k}|{v}", "from": u, "to": v, "kind": k, "directed": d["directed"],
                      "via": d["via"], "bend": seen[pair] - 1, "date": d["date"],
                      "facts": [{x: f.get(x, "") for x in ("iri", "label", "sources", "files", "quotes", "date", "person", "title")}
                                for f in d["facts"]]})
    labels = {n: d["label"] for n, d, _ in everyone}
    alliances = {row["alliance"]: row["label"] for row in net.alliances}
    for n, d, _ in everyone:  # the alliances named on nodes and ties, in case the table lacks one
        for a in d["alliances"]:
            if a in labels and G.nodes.get(a, net.isolated.get(a, {})).get("group") == "Alliance":
                alliances.setdefault(a, labels[a])
    for a in net.drawn_as:
        alliances.setdefault(a, labels.get(a, a))
    groups = sorted({d["group"] for _, d, _ in everyone},
                    key=lambda g: list(GROUP_COLOURS).index(g) if g in GROUP_COLOURS else 99)
    return {
        "nodes": nodes, "edges": edges, "kinds": [kinds[k] for k in sorted(kinds)],
        "groups": [{"id": g, "label": GROUP_LABELS.get(g, (g, g))[0], "label_en": GROUP_LABELS.get(g, (g, g))[1],
                    "color": GROUP_COLOURS.get(g, "#999999")} for g in groups],
        "alliances": sorted(({"iri": a, "label": lab} for a, lab in alliances.items()), key=lambda x: (x["label"], x["iri"])),
        "mode": net.mode, "fontFace": FONT_STACK, "showIsolated": bool(net.include_isolated),
    }


def _static(name: str) -> str:
    """A file of the page's own code (network/static/), shipped as package data."""
    return resources.package_file("network", "static", name).read_text(encoding="utf-8")


def _template():
    """The page template (network/templates/network.html); Jinja2 escapes every value
    unless it is marked safe (the inlined scripts and JSON, escaped for <script> above)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.package_file("network", "templates"))),
        autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.get_template("network.html")


def to_html(net, title: str = "yilian 医联 · 机构关系网络", home: str | None = None) -> bytes:
    """One self-contained page: the vis-network library, the data and our script inlined.
    `home`: a link back to the web interface's home page (the page inside `yilian serve`
    and `yilian site`), none in a standalone export."""
    js, css, version = vis_network_js()
    data = view_data(net)
    filters = "; ".join(f"{k}={','.join(v) if isinstance(v, (list, tuple)) else v}" for k, v in net.filters.items())
    csp = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
           "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
    page = _template().render(
        title=title, home=home, filters=filters, csp=csp, version=version, font=FONT_STACK,
        library_css=_inline(css), page_css=_static("network.css"),
        data=script_json(data), library_js=_inline(js), page_js=_inline(_static("network.js")),
    )
    return page.encode("utf-8")


# ---------------------------------------------------------------- SVG / PNG

def find_cjk_font(text: str = "医院"):
    """The matplotlib font entry of an installed font that has Chinese glyphs, or
    MissingFontError naming the Debian package to install."""
    from matplotlib import font_manager as fm

    needed = {ord(c) for c in text if _is_cjk(c)} or {ord("医")}

    def covering(entries):
        named = [e for e in entries if _CJK_NAME.search(e.name or "")]
        others = [e for e in entries if e not in named]
        # prefer sans-serif Simplified Chinese faces, then anything that covers the text
        named.sort(key=lambda e: ("Sans" not in e.name, "SC" not in e.name, e.weight != 400, e.name, e.fname))
        for e in named + others[:200]:
            try:
                cmap = _charmap(e.fname)
            except Exception:  # an unreadable font file is skipped
                continue
            if needed <= cmap:
                return e
        return None

    entry = covering(list(fm.fontManager.ttflist))
    if entry is None:
        # the font cache may predate a font installed since: look at the system folders once
        for path in fm.findSystemFonts():
            if _CJK_NAME.search(Path(path).name) or re.search(r"noto.*cjk|wqy|droid", path, re.I):
                try:
                    fm.fontManager.addfont(path)
                except Exception:
                    continue
        entry = covering(list(fm.fontManager.ttflist))
    if entry is None:
        raise MissingFontError(
            "no installed font has Chinese glyphs, so the labels would be drawn as empty boxes",
            hint=f"install one, e.g. 'apt-get install {CJK_FONT_PACKAGE}' on Debian/Ubuntu, "
                 "or use --format html")
    return entry


_CHARMAPS: dict[str, set[int]] = {}


def _charmap(path: str) -> set[int]:
    if path not in _CHARMAPS:
        from matplotlib.ft2font import FT2Font

        _CHARMAPS[path] = set(FT2Font(path).get_charmap())
    return _CHARMAPS[path]


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF


#: the drawing: a label's font size (points), the font stack named in SVG text (the first is
#: the installed CJK font find_cjk_font picks), how many labels a large network gets
LABEL_SIZE = 8
SVG_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "PingFang SC", "DejaVu Sans")
MAX_LABELS = 150
#: above this many nodes a component is laid out by breadth-first layers, not by forces;
#: above this many components they are packed in plain shelves
LARGE_COMPONENT = 2000
MANY_COMPONENTS = 1000
#: inches per unit of the component layouts (about one tie's length), and the canvas bounds
UNIT_INCHES = 1.25
CANVAS_INCHES = (8.0, 36.0)
LEGEND_INCHES = 3.6


@dataclass
class Drawing:
    """Where everything goes in a drawing of the network, in inches from the bottom-left
    corner of the drawing area (the legend and title are outside it).

    pos: node -> (x, y); radius: node -> marker radius; labels: the labels placed, highest
    degree first, each (node, x0, y0, x1, y1) — the box of its text, which overlaps no other
    label's box; skipped: the nodes whose label found no free place."""

    width: float
    height: float
    pos: dict
    radius: dict
    labels: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def _simple(U, nodes=None):
    """A copy of (part of) the undirected graph whose node and edge order is sorted, so that
    layouts do not depend on set order (PYTHONHASHSEED) — the same input gives the same drawing."""
    import networkx as nx

    keep = set(U) if nodes is None else set(nodes)
    H = nx.Graph()
    H.add_nodes_from(sorted(keep))
    H.add_edges_from(sorted(tuple(sorted((u, v))) for u, v in U.edges() if u in keep and v in keep))
    return H


def _text_size(text: str, prop) -> tuple[float, float]:
    """Width and height of a text in inches (matplotlib's own metrics of the font)."""
    from matplotlib.backends.backend_agg import RendererAgg

    global _RENDERER
    if _RENDERER is None:
        _RENDERER = RendererAgg(10, 10, 72)
    w, h, _ = _RENDERER.get_text_width_height_descent(text, prop, ismath=False)
    return w / 72, h / 72


_RENDERER = None


def drawing_font(net) -> str | None:
    """The name of the installed CJK font the drawing measures and draws its labels with,
    or None when there is none (the GEXF positions then measure labels in the default font)."""
    try:
        return find_cjk_font(_drawing_text(net)).name
    except MissingFontError:
        return None


def _drawing_text(net) -> str:
    kinds = kind_styles(net)
    return ("".join(d["label"] for _, d in net.graph.nodes(data=True)) + "".join(k["label"] for k in kinds.values())
            + "医联机构关系网络")


def drawing_layout(net, seed: int = 7, font_name: str | None = None, labels: bool = True) -> Drawing:
    """A seeded, reproducible layout that fills the canvas, with labels that do not overlap.

    Each connected component is laid out on its own (Kamada-Kawai up to 300 nodes, a
    spring layout seeded with `seed` up to LARGE_COMPONENT, breadth-first layers from the
    hub above), scaled so that a typical tie is about UNIT_INCHES
    long and stretched sideways (labels are wide); the components are packed in shelves into
    the strip width whose canvas is closest to 16:10. Labels are placed greedily, highest
    degree first (ties broken by label and IRI): above, below, right or left of the node,
    the first place whose box stays on the canvas and overlaps no label already placed and
    no other node; a label that finds no place is left out (listed in `skipped`). A large
    network (more than 300 nodes) labels at most MAX_LABELS nodes. `labels=False` skips
    placing them (the positions do not depend on it)."""
    import statistics

    import networkx as nx
    from matplotlib.font_manager import FontProperties

    from .build import undirected

    G = net.graph
    U = _simple(undirected(G))
    prop = FontProperties(family=[font_name] if font_name else ["sans-serif"], size=LABEL_SIZE)
    big = U.number_of_nodes() > 300
    degree = dict(U.degree())
    radius = {n: math.sqrt(min(60 + 40 * degree[n], 700)) / 2 / 72 for n in U}
    label_of = {n: G.nodes[n]["label"] for n in U}
    ranked = sorted(U, key=lambda x: (-degree[x], label_of[x], x))
    to_label = ranked[:MAX_LABELS] if big else ranked
    size_of = {n: _text_size(label_of[n], prop) for n in to_label}
    # 1. each component in layout units (about one tie long), y up
    comps = sorted((sorted(c) for c in nx.connected_components(U)), key=lambda c: (-len(c), c))
    boxes = []
    stretch = 1.6
    for comp in comps:
        if len(comp) == 1:
            local = {comp[0]: (0.0, 0.0)}
        elif len(comp) == 2:  # one above the other, so the two labels do not collide
            local = {comp[0]: (0.0, 0.5), comp[1]: (0.0, -0.5)}
        else:
            sub = _simple(U, comp)
            try:
                if len(comp) <= 300:
                    raw = nx.kamada_kawai_layout(sub)
                elif len(comp) <= LARGE_COMPONENT:
                    raw = nx.spring_layout(sub, seed=seed)
                else:  # force layouts cost nodes² per step: layers of a breadth-first search instead
                    hub = min(comp, key=lambda x: (-degree[x], x))
                    raw = nx.bfs_layout(sub, hub)
            except ImportError:  # no scipy
                raw = nx.spring_layout(sub, seed=seed, iterations=200)
            lengths = [math.dist(raw[u], raw[v]) for u, v in sub.edges()]
            unit = statistics.median(lengths) or 1.0
            local = {x: (float(p[0]) / unit * stretch, float(p[1]) / unit) for x, p in raw.items()}
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        half = max((size_of.get(x, (0.0, 0.0))[0] / UNIT_INCHES / 2 for x in comp), default=0.0)
        pad_x, pad_y = max(0.5, half + 0.15), 0.5
        boxes.append((comp, local, min(xs) - pad_x, min(ys) - pad_y, max(xs) + pad_x, max(ys) + pad_y))
    # 2. pack the boxes into a strip (skyline, bottom-left first: each box, largest first,
    #    where it sits highest, then leftmost) of the width whose canvas is closest to 16:10
    order = sorted(range(len(boxes)), key=lambda i: (-(boxes[i][4] - boxes[i][2]) * (boxes[i][5] - boxes[i][3]), i))

    def shelves(strip: float):
        placed, x, y, row_h, width = {}, 0.0, 0.0, 0.0, 0.0
        for i in order:
            w, h = boxes[i][4] - boxes[i][2], boxes[i][5] - boxes[i][3]
            if x > 0 and x + w > strip:
                x, y, row_h = 0.0, y + row_h, 0.0
            placed[i] = (x, y)
            x += w
            row_h = max(row_h, h)
            width = max(width, x)
        return placed, width, y + row_h

    def pack(strip: float):
        if len(boxes) > MANY_COMPONENTS:  # the skyline costs components × segments: plain shelves
            return shelves(strip)
        sky = [(0.0, strip, 0.0)]  # segments (x, width, depth reached), left to right
        placed, width, depth = {}, 0.0, 0.0
        for i in order:
            w, h = boxes[i][4] - boxes[i][2], boxes[i][5] - boxes[i][3]
            best_at = None
            for j, (sx, _, _) in enumerate(sky):
                if sx + w > strip + 1e-9 and sx > 0:
                    break
                top, k = 0.0, j
                while k < len(sky) and sky[k][0] < sx + w - 1e-9:
                    top = max(top, sky[k][2])
                    k += 1
                if best_at is None or (top, sx) < best_at[:2]:
                    best_at = (top, sx)
            y, x = best_at
            placed[i] = (x, y)
            width, depth = max(width, x + w), max(depth, y + h)
            new_sky = []
            for sx, sw, sd in sky:  # cut the segments under the box, put the box's top in
                if sx + sw <= x or sx >= x + w:
                    new_sky.append((sx, sw, sd))
                    continue
                if sx < x:
                    new_sky.append((sx, x - sx, sd))
                if sx + sw > x + w:
                    new_sky.append((x + w, sx + sw - x - w, sd))
            new_sky.append((x, w, y + h))
            sky = sorted(new_sky)
        return placed, width, depth

    widest = max((b[4] - b[2] for b in boxes), default=1.0)
    total = sum(b[4] - b[2] for b in boxes) or 1.0
    area = sum((b[4] - b[2]) * (b[5] - b[3]) for b in boxes)
    strips = [max(widest, math.sqrt(area * 1.6) * f / 10) for f in range(6, 17)]
    if len(boxes) <= MANY_COMPONENTS:
        strips += [widest + (total - widest) * step / 40 for step in range(41)]
    best = None
    for strip in sorted(set(strips)):
        placed, w, h = pack(strip)
        score = (abs(math.log((w / max(h, 1e-9)) / 1.6)), strip)
        if best is None or score < best[0]:
            best = (score, placed, w, h)
    _, placed, width_u, height_u = best
    # 3. to inches, within the canvas bounds
    scale = UNIT_INCHES
    lo, hi = CANVAS_INCHES
    if width_u * scale > hi:
        scale = hi / width_u
    if width_u * scale < lo:
        scale = lo / width_u
    pos = {}
    for i, (comp, local, x0, y0, x1, y1) in enumerate(boxes):
        ox_, oy_ = placed[i]
        for x in comp:  # shelves go down from the top
            pos[x] = ((ox_ + local[x][0] - x0) * scale, (height_u - oy_ - (y1 - local[x][1])) * scale)
    width, height = max(width_u * scale, 1.0), max(height_u * scale, 1.0)
    drawing = Drawing(width, height, pos, radius)
    if not labels:
        return drawing
    # 4. labels, greedily by importance
    gap, pad = 0.03, 0.02
    markers = {n: (pos[n][0] - radius[n], pos[n][1] - radius[n], pos[n][0] + radius[n], pos[n][1] + radius[n]) for n in U}
    cell = 1.0
    grid: dict[tuple, list] = {}

    def cells(b):
        return [(i, j) for i in range(int(b[0] // cell), int(b[2] // cell) + 1)
                for j in range(int(b[1] // cell), int(b[3] // cell) + 1)]

    for n, b in markers.items():
        for c in cells(b):
            grid.setdefault(c, []).append(("node", n, b))

    def hits(b, own):
        for c in cells(b):
            for what, other, ob in grid.get(c, ()):
                if other == own:
                    continue
                if b[0] < ob[2] and ob[0] < b[2] and b[1] < ob[3] and ob[1] < b[3]:
                    return True
        return False

    for n in to_label:
        w, h = size_of[n]
        x, y = pos[n]
        r = radius[n]
        tries = [(x - w / 2, y + r + gap), (x - w / 2, y - r - gap - h), (x + r + gap, y - h / 2), (x - r - gap - w, y - h / 2)]
        chosen = None
        for bx, by in tries:
            b = (bx - pad, by - pad, bx + w + pad, by + h + pad)
            if b[0] >= 0 and b[1] >= 0 and b[2] <= width and b[3] <= height and not hits(b, n):
                chosen = b
                break
        if chosen is None:
            drawing.skipped.append(n)
            continue
        drawing.labels.append((n, *chosen))
        for c in cells(chosen):
            grid.setdefault(c, []).append(("label", n, chosen))
    return drawing


def to_image(net, fmt: str, *, seed: int = 7) -> bytes:
    """Draw the network with matplotlib (no pyplot): nodes coloured by kind, ties by the
    kind's own colour and the family's line style, labels that do not overlap (drawing_layout).
    SVG labels are real text in the installed CJK font (named, with fallbacks, so that any
    viewer renders Chinese); the same network gives the same bytes (fixed svg.hashsalt,
    no dates)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    import matplotlib

    G = net.graph
    kinds = kind_styles(net)
    font = find_cjk_font(_drawing_text(net))
    rc = {"font.family": ["sans-serif"], "font.sans-serif": [font.name, *[f for f in SVG_FONTS if f != font.name]],
          "svg.fonttype": "none", "svg.hashsalt": "yilian", "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        d = drawing_layout(net, seed, font.name)
        pos = d.pos
        big = len(pos) > 300
        top = 0.7
        fig_w, fig_h = d.width + LEGEND_INCHES, d.height + top
        fig = Figure(figsize=(fig_w, fig_h), dpi=110)
        ax = fig.add_axes((0, 0, d.width / fig_w, d.height / fig_h))
        ax.set_axis_off()
        ax.set_xlim(0, d.width)
        ax.set_ylim(0, d.height)
        count: dict[tuple, int] = {}
        for u, v, k, e in sorted(G.edges(keys=True, data=True)):
            st = kinds[k]
            pair = tuple(sorted((u, v)))
            i = count.get(pair, 0)
            count[pair] = i + 1
            rad = 0.0 if i == 0 else (0.12 * ((i + 1) // 2)) * (1 if i % 2 else -1)
            ls = (0, tuple(x / 2 for x in st["dashes"])) if st["dashes"] else "solid"
            if big:
                ax.plot(*zip(pos[u], pos[v]), color=st["color"], lw=0.6, ls=ls, alpha=0.6, zorder=1)
                continue
            ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>" if e["directed"] else "-",
                                         mutation_scale=11, lw=st["width"] * 0.8, color=st["color"], ls=ls,
                                         connectionstyle=f"arc3,rad={rad}", shrinkA=d.radius[u] * 72 + 1,
                                         shrinkB=d.radius[v] * 72 + 1, alpha=0.9, zorder=1))
        for group in GROUP_COLOURS:
            xs = sorted(x for x in G if G.nodes[x]["group"] == group)
            if not xs:
                continue
            ax.scatter([pos[x][0] for x in xs], [pos[x][1] for x in xs], s=[(d.radius[x] * 2 * 72) ** 2 for x in xs],
                       c=GROUP_COLOURS[group], edgecolors="#333333", linewidths=0.6,
                       marker="D" if group == "Alliance" else "o", zorder=2)
        for n, x0, y0, x1, y1 in d.labels:
            t = ax.text((x0 + x1) / 2, (y0 + y1) / 2, G.nodes[n]["label"], fontsize=LABEL_SIZE, ha="center",
                        va="center", zorder=3,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75})
            t.set_gid("label-" + G.nodes[n]["name"])
        handles = [Line2D([], [], marker="D" if g == "Alliance" else "o", ls="", color=GROUP_COLOURS[g],
                          markeredgecolor="#333333", label=f"{GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]}")
                   for g in GROUP_COLOURS if any(G.nodes[x]["group"] == g for x in G)]
        handles += [Line2D([], [], color=s["color"], lw=max(1.2, s["width"]),
                           ls=(0, tuple(x / 2 for x in s["dashes"])) if s["dashes"] else "solid",
                           label=f"{s['label']} {s['id']}") for s in kinds.values()]
        legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(d.width / fig_w, d.height / fig_h),
                            fontsize=9, frameon=False)
        legend.set_gid("legend")
        shown = f"{len(d.labels)} of {len(pos)} labelled" if len(d.labels) < len(pos) else "all labelled"
        fig.suptitle(f"医联 yilian · 机构关系网络  {counted(G.number_of_nodes(), 'node')}, "
                     f"{counted(G.number_of_edges(), 'tie')} "
                     f"(alliances as {'their leads' if net.mode == 'lead' else 'nodes'}; {shown})",
                     fontsize=13, x=0.01, y=1 - 0.15 / fig_h, ha="left", va="top")
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
