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


def test_svg_draws_chinese_labels_as_glyphs(run, tmp_path, cjk_font):
    out = tmp_path / "net.svg"
    r = run("network", "export", "-o", out, *ONLY)
    assert r.exit_code == 0, r.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # node labels are drawn as glyph outlines of the CJK font (ids: font name - glyph index)
    from matplotlib import font_manager

    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family=cjk_font.name)))
    glyph_ids = set(re.findall(r'<path id="([^"]+)"', svg))
    for ch in "医院卫生测":
        gid = f"{font.postscript_name}-{font.get_char_index(ord(ch)):x}"
        assert font.get_char_index(ord(ch)) != 0 and gid in glyph_ids, (ch, gid)
    assert '<g id="label-yid:n-h1">' in svg
    label_group = re.split(r'<g id="label-|<g id="legend', svg.split('<g id="label-yid:n-h1">', 1)[1])[0]
    assert label_group.count("<use ") >= len("测试市中心医院")
    # the same network gives the same bytes
    again = tmp_path / "again.svg"
    assert run("network", "export", "-o", again, *ONLY).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


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
    out = tmp_path / "net.png"
    for fmt in ("svg", "png"):
        r = run("network", "export", "--format", fmt, "-o", out, *ONLY)
        assert r.exit_code == ExitCode.BAD_INPUT
        assert "no installed font has Chinese glyphs" in r.stderr
        assert "apt-get install fonts-noto-cjk" in r.stderr
        assert r.stderr.count("\n") == 1
        assert not out.exists()
