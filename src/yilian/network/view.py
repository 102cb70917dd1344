"""Pictures of the hospital-tie network: a self-contained interactive HTML page (the
vis-network library is read from the installed pyvis package and inlined, so the page
makes no network request) and SVG/PNG drawings with Chinese labels (matplotlib with an
installed CJK font)."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

from .. import resources
from ..errors import InputError, YilianError

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

def vis_network_js() -> tuple[str, str, str]:
    """The vis-network script and stylesheet that the installed pyvis package ships."""
    try:
        import pyvis
    except ImportError:
        raise InputError("the HTML view needs the pyvis package (it ships the vis-network library)",
                         hint="pip install pyvis") from None
    base = Path(pyvis.__file__).resolve().parent
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


def to_image(net, fmt: str, *, seed: int = 7) -> bytes:
    """Draw the network with matplotlib (no pyplot): colour by kind, line style by tie."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    import matplotlib

    from .build import undirected

    G = net.graph
    U = undirected(G)
    n = max(1, U.number_of_nodes())
    big = n > 300
    ranked = sorted(G.nodes, key=lambda x: (-U.degree(x), G.nodes[x]["label"], x))
    labelled = set(ranked[:150]) if big else set(G.nodes)
    kinds = kind_styles(net)
    text = "".join(G.nodes[x]["label"] for x in labelled) + "".join(k["label"] for k in kinds.values()) + "医联机构关系网络"
    font = find_cjk_font(text)
    pos, (width, height) = packed_layout(U, seed)
    scale = min(2.2, 16.0 / max(width, 1e-9))
    fig_w, fig_h = max(8.0, width * scale), max(5.0, height * scale)
    rc = {"font.family": [font.name, "DejaVu Sans"], "svg.fonttype": "path", "svg.hashsalt": "yilian",
          "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(fig_w + 4.2, fig_h + 0.8), dpi=110)
        ax = fig.add_axes((0.005, 0.005, fig_w / (fig_w + 4.2) - 0.01, fig_h / (fig_h + 0.8) - 0.01))
        ax.set_axis_off()
        count: dict[tuple, int] = {}
        for u, v, k, d in sorted(G.edges(keys=True, data=True)):
            st = kinds[k]
            pair = tuple(sorted((u, v)))
            i = count.get(pair, 0)
            count[pair] = i + 1
            rad = 0.0 if i == 0 else (0.12 * ((i + 1) // 2)) * (1 if i % 2 else -1)
            ls = (0, tuple(x / 2 for x in st["dashes"])) if st["dashes"] else "solid"
            if big:
                ax.plot(*zip(pos[u], pos[v]), color=st["color"], lw=0.6, ls=ls, alpha=0.6, zorder=1)
                continue
            ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>" if d["directed"] else "-",
                                         mutation_scale=11, lw=st["width"] * 0.8, color=st["color"], ls=ls,
                                         connectionstyle=f"arc3,rad={rad}", shrinkA=9, shrinkB=9, alpha=0.9,
                                         zorder=1))
        for group in GROUP_COLOURS:
            xs = [x for x in G if G.nodes[x]["group"] == group]
            if not xs:
                continue
            ax.scatter([pos[x][0] for x in xs], [pos[x][1] for x in xs], s=[60 + 40 * U.degree(x) for x in xs],
                       c=GROUP_COLOURS[group], edgecolors="#333333", linewidths=0.6,
                       marker="D" if group == "Alliance" else "o", zorder=2)
        for x in sorted(labelled):
            t = ax.text(pos[x][0], pos[x][1] + 0.09, G.nodes[x]["label"], fontsize=8 if not big else 6,
                        ha="center", va="bottom", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
            t.set_gid("label-" + G.nodes[x]["name"])
        ax.set_xlim(-0.9, width + 0.2)
        ax.set_ylim(-height - 0.1, 0.25)
        handles = [Line2D([], [], marker="D" if g == "Alliance" else "o", ls="", color=GROUP_COLOURS[g],
                          markeredgecolor="#333333", label=f"{GROUP_LABELS[g][0]} {GROUP_LABELS[g][1]}")
                   for g in GROUP_COLOURS if any(G.nodes[x]["group"] == g for x in G)]
        handles += [Line2D([], [], color=s["color"], lw=max(1.2, s["width"]),
                           ls=(0, tuple(x / 2 for x in s["dashes"])) if s["dashes"] else "solid",
                           label=f"{s['label']} {s['id']}") for s in kinds.values()]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(fig_w / (fig_w + 4.2), 0.95), fontsize=9, frameon=False)
        fig.suptitle(f"医联 yilian · 机构关系网络  {G.number_of_nodes()} nodes, {G.number_of_edges()} ties "
                     f"(alliances as {'their leads' if net.mode == 'lead' else 'nodes'})", fontsize=13, x=0.01, ha="left")
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def packed_layout(U, seed: int = 7):
    """Each connected component laid out on its own (Kamada-Kawai where scipy is there,
    else a seeded spring layout) and the components packed in rows, largest first.
    Returns positions and the (width, height) of the drawing; y grows downwards from 0."""
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(U)), key=lambda c: (-len(c), c))
    total = sum(len(c) for c in comps) or 1
    limit = max(6.0, math.sqrt(total) * 1.6)
    pos, x, y, row_h, width = {}, 0.0, 0.0, 0.0, 0.0
    for comp in comps:
        sub = U.subgraph(comp)
        size = len(comp)
        if size == 1:
            local = {comp[0]: (0.0, 0.0)}
        elif size == 2:  # one above the other, so the two labels do not collide
            local = {comp[0]: (0.0, 1.0), comp[1]: (0.0, -1.0)}
        else:
            try:
                local = nx.kamada_kawai_layout(sub) if size <= 300 else nx.spring_layout(sub, seed=seed)
            except ImportError:  # no scipy
                local = nx.spring_layout(sub, seed=seed, iterations=200)
        r = 0.8 * math.sqrt(size) if size > 2 else (0.7 if size == 2 else 0.3)
        if x > 0 and x + 2 * r > limit:
            x, y, row_h = 0.0, y - row_h, 0.0
        cx, cy = x + r, y - r
        for node, (px, py) in local.items():
            pos[node] = (cx + float(px) * r * 0.9, cy + float(py) * r * 0.9)
        x += 2 * r + 1.1
        row_h = max(row_h, 2 * r + 0.45)
        width = max(width, x)
    return pos, (width, -(y - row_h))
