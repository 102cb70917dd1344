"""Geometry for the SVG pictures the pages draw on the server (templates/svg.html draws
them): a line chart of an indicator's values over its periods, and an entity's
neighbourhood in the network of ties. No chart library and no script: the page is
complete without JavaScript."""

from __future__ import annotations

import math
import re

#: one colour per series, in order (colour-blind-safe Okabe–Ito palette)
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def number(text: str) -> float | None:
    """A plain decimal value as a float, else None (values with words are not plotted)."""
    text = (text or "").strip()
    return float(text) if _NUMBER.match(text) else None


def line_chart(series: dict[str, list[tuple[str, float]]], *, unit: str = "", width: int = 640,
               height: int = 260) -> dict | None:
    """Series name → [(period as written, value)] → the chart's geometry: the periods in
    order on the x axis (partial dates sort as text: 2023 < 2023-01 < 2024), values on a
    y axis from 0 (or the minimum when negative) to the maximum with 4 ticks. None when no
    series has two points (one value is a table row, not a trend)."""
    series = {k: sorted(v) for k, v in series.items() if v}
    if not any(len(v) >= 2 for v in series.values()):
        return None
    periods = sorted({p for pts in series.values() for p, _ in pts})
    values = [v for pts in series.values() for _, v in pts]
    lo, hi = min(0.0, min(values)), max(values)
    if hi == lo:
        hi = lo + 1
    step = _nice((hi - lo) / 4)
    hi = math.ceil(hi / step) * step
    lo = math.floor(lo / step) * step
    left, right, top, bottom = 56, 16, 16, 40
    pw, ph = width - left - right, height - top - bottom

    def x(p: str) -> float:
        return left + (pw * (periods.index(p) + 0.5) / len(periods))

    def y(v: float) -> float:
        return top + ph * (1 - (v - lo) / (hi - lo))

    ticks = []
    t = lo
    while t <= hi + step / 2:
        ticks.append({"y": round(y(t), 1), "label": f"{t:g}"})
        t += step
    out = []
    for i, (name, pts) in enumerate(sorted(series.items())):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        points = [{"x": round(x(p), 1), "y": round(y(v), 1), "label": f"{v:g}", "period": p} for p, v in pts]
        out.append({"name": name, "colour": colour, "points": points,
                    "path": " ".join(f"{pt['x']},{pt['y']}" for pt in points)})
    return {"width": width, "height": height, "left": left, "top": top, "bottom": top + ph, "right": left + pw,
            "ticks": ticks, "xlabels": [{"x": round(x(p), 1), "label": p} for p in periods],
            "series": out, "unit": unit}


def _nice(raw: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) at least `raw`."""
    if raw <= 0:
        return 1.0
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= raw:
            return m * 10 ** exp
    return 10 ** (exp + 1)


def neighbourhood(centre: dict, neighbours: list[dict], *, width: int = 720, height: int = 440,
                  limit: int = 24) -> dict:
    """The centre in the middle and up to `limit` neighbours on a circle, in the given
    order (the caller sorts them); each neighbour {label, href, kinds, colour}. The rest
    are counted, not drawn."""
    shown = neighbours[:limit]
    cx, cy = width / 2, height / 2
    # an ellipse that leaves room for labels (about 12 CJK characters) left and right
    rx, ry = width / 2 - 170, height / 2 - 40
    nodes = []
    for i, n in enumerate(shown):
        a = -math.pi / 2 + 2 * math.pi * i / max(1, len(shown))
        nx_, ny = cx + rx * math.cos(a), cy + ry * math.sin(a)
        anchor = "start" if math.cos(a) > 0.2 else ("end" if math.cos(a) < -0.2 else "middle")
        dy = -12 if anchor == "middle" and math.sin(a) < 0 else (20 if anchor == "middle" else 4)
        dx = 12 if anchor == "start" else (-12 if anchor == "end" else 0)
        lx, ly = nx_ + dx, ny + dy
        nodes.append({**n, "x": round(nx_, 1), "y": round(ny, 1), "lx": round(lx, 1), "ly": round(ly, 1),
                      "anchor": anchor})
    return {"width": width, "height": height, "cx": cx, "cy": cy, "centre": centre, "nodes": nodes,
            "hidden": max(0, len(neighbours) - len(shown))}
