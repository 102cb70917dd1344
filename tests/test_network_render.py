"""yilian network export --format svg|png: Chinese labels are drawn with a CJK font, and
without one the command says which font package to install instead of drawing boxes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from yilian.network import view as network_view
from yilian.errors import ExitCode

DATA = Path(__file__).resolve().parent / "data"
ONLY = ["--no-default-graph", "--data", str(DATA / "network.ttl")]


@pytest.fixture
def cjk_font():
    try:
        return network_view.find_cjk_font("测试市中心医院")
    except network_view.MissingFontError:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk; .ci/run does)")


def test_svg_labels_are_real_text_in_a_named_cjk_font(run, tmp_path, cjk_font):
    """SVG labels were glyph outlines: not selectable, not searchable, heavy."""
    out = tmp_path / "net.svg"
    r = run("network", "export", "-o", out, *ONLY)
    assert r.exit_code == 0, r.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "测试市中心医院" in texts and "甲镇卫生院" in texts
    styles = set(re.findall(r"<text style=\"([^\"]*)\"", svg))
    assert styles and all(f"font-family: '{cjk_font.name}'" in st and "sans-serif" in st for st in styles)
    label_group = re.split(r'<g id="label-|<g id="legend', svg.split('<g id="label-yid:n-h1">', 1)[1])[0]
    assert re.search(r"<text[^>]*>测试市中心医院</text>", label_group) and "<use " not in label_group
    assert not re.search(r'<path id="[^"]*-[0-9a-f]+"', svg)  # no glyph definitions at all


def test_svg_layout_is_the_same_on_every_run(tmp_path, cjk_font):
    """The SVG/PNG layout differed on every run: the component layouts followed set order,
    which changes with the interpreter's hash seed. Two processes, two hash seeds, same bytes."""
    import os
    import subprocess
    import sys

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"net{seed}.svg"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "yilian", "network", "export", "--include-isolated", "-o", str(out)],
                       env=env, check=True, capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert b"<dc:date>" not in outs[0]


def test_drawing_fills_the_canvas_and_labels_do_not_overlap(cjk_font):
    """The main cluster filled ~15 % of the canvas and its labels overlapped."""
    from yilian.dataset.sources import Sources
    from yilian.dataset.store import memory_store
    from yilian.network.build import build, undirected
    import networkx as nx

    store = memory_store(Sources())
    for kw in ({}, {"include_isolated": True}, {"mode": "node"}):
        net = build(store, **kw)
        d = network_view.drawing_layout(net, font_name=cjk_font.name)
        assert set(d.pos) == set(net.graph)
        boxes = [b for _, *b in d.labels]
        for i, a in enumerate(boxes):  # no two label boxes overlap, and none leaves the canvas
            assert 0 <= a[0] < a[2] <= d.width and 0 <= a[1] < a[3] <= d.height
            for b in boxes[i + 1:]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
        for n, *a in d.labels:  # nor does a label cover another node
            for m, (x, y) in d.pos.items():
                r = d.radius[m]
                assert m == n or not (a[0] < x + r and x - r < a[2] and a[1] < y + r and y - r < a[3])
        assert len(d.labels) >= 0.9 * len(d.pos)  # thinned, not emptied
        ranked = sorted(d.pos, key=lambda x: -undirected(net.graph).degree(x))
        assert ranked[0] in {n for n, *_ in d.labels}  # the hub is labelled
        # the largest component spreads over a good part of the canvas
        U = undirected(net.graph)
        main = max(nx.connected_components(U), key=len)
        xs, ys = [d.pos[x][0] for x in main], [d.pos[x][1] for x in main]
        assert (max(xs) - min(xs)) * (max(ys) - min(ys)) > 0.2 * d.width * d.height
        assert 1.2 < d.width / d.height < 2.2


def test_png_is_a_real_picture(run, tmp_path, cjk_font):
    from PIL import Image

    out = tmp_path / "net.png"
    r = run("network", "export", "--format", "png", "-o", out, *ONLY)
    assert r.exit_code == 0, r.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.width > 600 and img.height > 400
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # nodes, lines, anti-aliased glyphs: not a blank canvas
    dark = sum(n for n, c in colours if sum(c) < 200)
    assert dark > 500  # text was drawn


def test_no_cjk_font_names_the_package(run, tmp_path, monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    for fmt in ("svg", "png"):
        out = tmp_path / f"net.{fmt}"  # --format svg -o net.png is refused as a contradiction
        r = run("network", "export", "--format", fmt, "-o", out, *ONLY)
        assert r.exit_code == ExitCode.BAD_INPUT
        assert "no installed font has Chinese glyphs" in r.stderr
        assert "apt-get install fonts-noto-cjk" in r.stderr
        assert r.stderr.count("\n") == 1
        assert not out.exists()
