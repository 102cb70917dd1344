"""The browser interface, in-process: every route answers with the right status and real
content, labels are escaped, no page refers to another host, and `yilian site` writes a
deterministic static site whose links all resolve."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store
from yilian.web.app import handle
from yilian.web.pages.common import Site

from conftest import DATA

HOSTILE = "</script><script>alert(1)</script>"


@pytest.fixture(scope="module")
def site():
    return Site(memory_store(Sources(), progress=False))


def get(site, path):
    resp = handle(site, "GET", path)
    return resp, resp.body.decode("utf-8")


def external_refs(html: str) -> list[str]:
    """src/href/action attributes that point to another host (or any scheme but data:)."""
    refs = re.findall(r"""\b(?:src|href|action)\s*=\s*["']([^"']*)["']""", html, re.I)
    return [r for r in refs if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", r, re.I) and not r.startswith("data:")]


@pytest.mark.parametrize("path, status, words", [
    ("/", 200, ["来源文献", "让健康之花，开满红色大地", "000_633512ee8592b204.txt", "最新事实"]),
    ("/search?q=第一书记", 200, ["<mark>第一书记</mark>", "林芳"]),
    ("/search?q=门可罗雀", 200, ["<mark>门可罗雀</mark>"]),
    ("/entity/xiangtan-central-hospital/", 200, ["湘潭市中心医院", "Xiangtan Central Hospital", "“在城区，由湘潭市中心医院牵头”",
                                                "004_fe1569b424d83979.txt", "<svg"]),
    ("/entity/lin-fang", 200, ["林芳", "谭家山镇卫生院", "“新任卫生院第一书记、湘潭县人民医院呼吸科主任林芳”"]),
    ("/facts?about=湘潭县", 200, ["16.76"]),
    ("/facts?about=湘潭县&no_rollup=1", 200, []),
    ("/timeline?year=2023", 200, ["2023-04-17"]),
    ("/indicator/ind-primary-care-visit-share/", 200, ["67.36", "68.5", "<svg", "2023-01/2023-11"]),
    ("/sparql?name=alliance-lead", 200, ["湘潭市中心医院", "24"]),
    ("/sparql", 200, ["<textarea", "alliance-lead"]),
    ("/static/yilian.css", 200, ["font-family"]),
])
def test_routes_answer_with_content(site, path, status, words):
    resp, html = get(site, path)
    assert resp.status == status, html[:500]
    for w in words:
        assert w in html, (path, w)
    if resp.content_type.startswith("text/html"):
        assert external_refs(html) == []
        assert "'unsafe-inline'" not in resp.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path, status, words", [
    ("/nope", 404, ["no page at /nope"]),
    ("/entity/no-such-thing/", 404, ["no entity"]),
    ("/indicator/xiangtan/", 404, ["no indicator"]),
    ("/facts?about=不存在的东西", 400, ["nothing in the graph is named"]),
    ("/facts?year=20x4", 400, ["is not a date"]),
    ("/sparql?query=DELETE%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D", 403, ["read-only"]),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%7D", 400, ["syntax error"]),
    ("/sparql?query=SELECT%20*%20%7BSERVICE%20%3Chttp%3A%2F%2Fexample.org%2F%3E%20%7B%3Fs%20%3Fp%20%3Fo%7D%7D", 403,
     ["SERVICE"]),
    ("/search?q=%ff", 400, ["UTF-8"]),
])
def test_bad_requests_are_pages_with_a_status(site, path, status, words):
    resp, html = get(site, path)
    assert resp.status == status
    for w in words:
        assert w in html
    assert "Traceback" not in html


def test_post_is_refused(site):
    resp = handle(site, "POST", "/facts")
    assert resp.status == 405 and resp.headers["Allow"] == "GET, HEAD"


def test_downloads_are_the_facts_commands_output(site, run):
    resp, text = get(site, "/facts.csv?about=湘潭县")
    assert resp.status == 200 and resp.content_type.startswith("text/csv")
    cli = run("facts", "--about", "湘潭县", "--format", "csv")
    assert text == cli.stdout
    resp, text = get(site, "/timeline.json?year=2023")
    assert resp.status == 200 and text == run("timeline", "--year", "2023", "--format", "json").stdout


def test_network_page_is_offline_and_links_home(site):
    resp, html = get(site, "/network")
    assert resp.status == 200 and "vis-network" in html and 'href="/"' in html
    assert external_refs(html) == []


def test_hostile_labels_are_escaped(tmp_path):
    data = tmp_path / "hostile.ttl"
    data.write_text(f"""@prefix yl: <https://w3id.org/yilian/ontology#> .
@prefix yid: <https://w3id.org/yilian/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
yid:evil a yl:Hospital ; rdfs:label "{HOSTILE}"@zh , "x\\" onmouseover=\\"alert(2)"@en ;
    yl:locatedIn yid:xiangtan .
""", encoding="utf-8")
    site = Site(memory_store(Sources((str(data),)), progress=False))
    for path in ("/entity/evil/", "/search?q=alert", "/entity/xiangtan/", f"/search?q={HOSTILE}",
                 "/sparql?query=SELECT%20?l%20{yid:evil%20rdfs:label%20?l}"):
        resp, html = get(site, path)
        assert resp.status == 200, path
        assert "<script>alert" not in html and 'onmouseover="alert' not in html, path
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in get(site, "/entity/evil/")[1]


def test_static_site_is_deterministic_and_its_links_resolve(run, tmp_path, monkeypatch):
    from yilian.web.pages import entity, facts

    # one row and one fact a page, so the tiny graph has pages past the first too
    monkeypatch.setattr(facts, "ROWS_PER_PAGE", 1)
    monkeypatch.setattr(entity, "FACTS_PER_PAGE", 1)
    mini = ["--no-default-graph", "--data", str(DATA / "mini.ttl"), "--no-store"]
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("site", "-o", a, *mini).exit_code == 0
    assert run("site", "-o", b, *mini).exit_code == 0
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    assert Path("index.html") in files_a and Path("search-index.js") in files_a
    assert Path("entity/t-group/index.html") in files_a
    assert {Path("facts/page/2/index.html"), Path("entity/t-group/page/2/index.html")} <= set(files_a)
    assert _links_resolve(a) == len([f for f in files_a if f.suffix == ".html"])


def _links_resolve(root: Path) -> int:
    """Assert that every src/href of every page of a static site is a file of it; the pages checked."""
    checked = 0
    for page in root.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert external_refs(html) == [], page
        for ref in re.findall(r"""\b(?:src|href)="([^"#]+)""", html):
            assert "?" not in ref and (page.parent / ref).resolve().is_file(), (page.relative_to(root), ref)
        checked += 1
    return checked


def test_static_site_of_a_synthetic_graph_has_every_page_and_every_fact_once(run, tmp_path, monkeypatch):
    """Pages past the first of the facts, timeline, entity and indicator pages are written
    (small pages, so a small synthetic graph has several of each), every link of every page
    resolves, and each fact is on exactly one page of each list that holds it."""
    from yilian.synth.generator import synthesize
    from yilian.web.pages import entity, facts

    monkeypatch.setattr(facts, "ROWS_PER_PAGE", 10)
    monkeypatch.setattr(entity, "FACTS_PER_PAGE", 4)
    graph = tmp_path / "synth.nt"
    synthesize(40, 1, graph)
    out = tmp_path / "site"
    r = run("site", "-o", out, "--no-default-graph", "--data", graph, "--no-store")
    assert r.exit_code == 0, r.stderr
    assert _links_resolve(out) == len(list(out.rglob("index.html")))

    def on_pages(base: Path, pattern: str) -> list[str]:
        """What `pattern` finds on base/index.html, base/page/2/index.html, … in page order."""
        found, n = [], 1
        while (page := base / "index.html" if n == 1 else base / "page" / str(n) / "index.html").is_file():
            found += [(page.parent / h).resolve().parent.name for h in re.findall(pattern, page.read_text(encoding="utf-8"))]
            n += 1
        assert not (base / "page" / "1").exists() and n > 1
        return found

    for kind in ("facts", "timeline"):
        rows = _csv_rows((out / f"{kind}.csv").read_text(encoding="utf-8"))
        assert len(rows) > 3 * 10 and (out / kind / "page" / str(-(-len(rows) // 10))).is_dir()
        seen = on_pages(out / kind, r'<td><a href="([^"]+)">')
        assert seen == [row["fact"].split(":", 1)[1] for row in rows], kind
    # every entity page with more facts than one page holds: each fact on exactly one of its pages
    site = Site(memory_store(Sources((str(graph),), default_graph=False), progress=False), static=True)
    import pyoxigraph as ox

    from yilian.explore.describe import describe

    long = 0
    for folder in sorted((out / "entity").iterdir()):
        if not (folder / "page").is_dir():
            continue
        node = ox.NamedNode(site.iri_of(folder.name))
        expected = [site.entity_id(f.value) for f, _ in describe(site.store, node, table=site.facts(), fact_props=False).facts]
        assert len(expected) > 4
        assert on_pages(folder, r'<article class="fact"[^>]*>\n<h3><a href="([^"]+)"') == expected, folder.name
        long += 1
    assert long > 10
    indicators = [f for f in sorted((out / "indicator").iterdir()) if (f / "page").is_dir()]
    assert indicators
    for folder in indicators:
        seen = on_pages(folder, r'<td><a href="([^"]+)">')
        assert len(seen) == len(set(seen)) > 10 and f"{len(seen)} observations." in (folder / "index.html").read_text()


def test_site_refuses_a_folder_it_must_not_replace(run, tmp_path):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "mine.txt").write_text("keep me")
    r = run("site", "-o", keep, "--no-default-graph", "--data", DATA / "mini.ttl", "--no-store")
    assert r.exit_code == 2 and "not a yilian site" in r.stderr
    assert (keep / "mine.txt").read_text() == "keep me"
    r = run("site", "-o", DATA, "--no-default-graph", "--data", DATA / "mini.ttl", "--no-store")
    assert r.exit_code == 2 and "holds an input file" in r.stderr


def test_every_entity_and_indicator_page_of_the_bundled_graph_renders(site):
    from yilian.web.site import pages

    paths = pages(site)
    assert len([p for p in paths if p.startswith("/entity/")]) > 500
    for path in paths:
        if path.startswith(("/entity/", "/indicator/")):
            resp = handle(site, "GET", path)
            assert resp.status == 200, path


def _fact_links(html: str) -> list[str]:
    """The fact pages linked from the rows of a facts/timeline table, in order."""
    body = html.split('<table class="facts">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td><a href="(/entity/[^"]+)">', body)


def test_facts_table_is_paginated_and_every_fact_is_reachable(site, run):
    from yilian.web.pages.facts import ROWS_PER_PAGE

    total = len(_csv_rows(run("facts", "--format", "csv").stdout))
    assert total > ROWS_PER_PAGE  # the bundled graph has more facts than one page holds
    resp, html = get(site, "/facts")
    assert resp.status == 200
    assert f"showing 1–{ROWS_PER_PAGE} of {total}" in html
    assert '<a href="/facts/page/2/" rel="next">' in html and "rel=\"prev\"" not in html
    seen = []
    pages = -(-total // ROWS_PER_PAGE)
    for n in range(1, pages + 1):
        html = get(site, "/facts" if n == 1 else f"/facts/page/{n}/")[1]
        assert html == get(site, f"/facts?page={n}")[1]  # ?page=N (bookmarks) is the same page
        seen += _fact_links(html)
    last = get(site, f"/facts/page/{pages}/")[1]
    assert f"showing {(pages - 1) * ROWS_PER_PAGE + 1}–{total} of {total}" in last
    assert '<a href="/facts" rel="first">' in last and 'rel="next"' not in last
    # every fact of the CSV download is on exactly one page, in the same order
    expected = [f"/entity/{r['fact'].split(':', 1)[1]}/" for r in _csv_rows(get(site, "/facts.csv")[1])]
    assert seen == expected and len(set(seen)) == total


def test_facts_pages_keep_the_filters_and_a_wrong_page_number_is_forgiven(site):
    resp, html = get(site, "/timeline?since=1900")
    assert resp.status == 200 and '<a href="/timeline/page/2/?since=1900" rel="next">' in html
    second = get(site, "/timeline/page/2/?since=1900")[1]
    assert "第 page 2 / 2" in second and '<a href="/timeline?since=1900" rel="prev">' in second
    assert get(site, "/timeline?since=1900&page=abc")[1].count("第 page 1 /") == 2
    assert "第 page 2 / 2" in get(site, "/timeline?since=1900&page=99")[1]
    # one page only: no pager
    html = get(site, "/facts?year=2023")[1]
    assert 'class="pager"' not in html and "下一页" not in html


@pytest.fixture(scope="module")
def static_site():
    """The bundled graph as `yilian site` renders it (links relative, no query strings)."""
    return Site(memory_store(Sources(), progress=False), static=True)


def _static_target(page_path: str, href: str) -> str:
    """The site path a relative link of a static page points to ('../../entity/x/index.html'
    on /facts/page/2/ → '/entity/x/')."""
    import posixpath

    here = page_path if page_path.endswith("/") else page_path + "/"
    target = posixpath.normpath(posixpath.join(here, href))
    return target[:-len("index.html")] if target.endswith("/index.html") else target


def test_static_facts_pages_hold_every_fact_once(static_site):
    """The static facts and timeline pages put every row on one page (70,000 rows at a
    million triples); now they have the server's pages, at /facts/page/N/."""
    from yilian.web.pages.facts import ROWS_PER_PAGE
    from yilian.web.site import pages

    paths = pages(static_site)
    for kind in ("facts", "timeline"):
        mine = [p for p in paths if p == f"/{kind}" or p.startswith(f"/{kind}/page/")]
        csv_rows = _csv_rows(get(static_site, f"/{kind}.csv")[1])
        assert len(csv_rows) > ROWS_PER_PAGE and len(mine) == -(-len(csv_rows) // ROWS_PER_PAGE)
        assert mine == [f"/{kind}"] + [f"/{kind}/page/{n}/" for n in range(2, len(mine) + 1)]
        seen = []
        for path in mine:
            resp, html = get(static_site, path)
            assert resp.status == 200 and "?" not in "".join(re.findall(r'href="([^"]*)"', html)), path
            seen += [_static_target(path, h) for h in _fact_links_static(html)]
        expected = [f"/entity/{r['fact'].split(':', 1)[1]}/" for r in csv_rows]
        assert seen == expected and len(set(seen)) == len(csv_rows), kind


def test_static_entity_pages_hold_every_fact_once(static_site):
    """The static entity page listed the first 40 facts and left the rest unreachable."""
    from yilian.explore.describe import describe
    from yilian.web.pages.entity import FACTS_PER_PAGE
    from yilian.web.site import pages

    paths = pages(static_site)
    node = static_site.resolve("yid:xiangtan")
    facts = describe(static_site.store, node, table=static_site.facts(), fact_props=False).facts
    assert len(facts) > 2 * FACTS_PER_PAGE
    mine = [p for p in paths if p.startswith("/entity/xiangtan/")]
    assert mine == ["/entity/xiangtan/"] + [f"/entity/xiangtan/page/{n}/" for n in range(2, len(mine) + 1)]
    assert len(mine) == -(-len(facts) // FACTS_PER_PAGE)
    seen = []
    for path in mine:
        resp, html = get(static_site, path)
        assert resp.status == 200 and "the static site lists" not in html, path
        seen += [_static_target(path, h) for h in re.findall(r'<article class="fact"[^>]*>\n<h3><a href="([^"]+)"', html)]
    assert seen == [f"/entity/{static_site.entity_id(f.value)}/" for f, _ in facts]


@pytest.mark.parametrize("path", ["/facts/page/1/", "/facts/page/3/", "/facts/page/02/", "/facts/page/x/",
                                  "/timeline/page/0/", "/entity/xiangtan/page/4/", "/entity/lin-fang/page/2/",
                                  "/indicator/ind-primary-care-visit-share/page/2/",
                                  "/facts/page/99999999999999999999999/", "/entity/%E6%B9%98%E6%BD%AD%E5%8E%BF/page/x/"])
def test_a_page_number_past_the_last_or_malformed_in_the_path_is_404(site, path):
    resp, html = get(site, path)
    assert resp.status == 404 and "no page" in html and "Traceback" not in html, path


def test_a_name_with_a_page_number_redirects_to_that_page(site):
    r, _ = get(site, "/entity/" + quote("湘潭县") + "/page/2/")
    assert r.status == 302 and r.headers["Location"] == "/entity/xiangtan-county/page/2/"


def _fact_links_static(html: str) -> list[str]:
    body = html.split('<table class="facts">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td><a href="([^"]+)">', body)


def _csv_rows(text: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_a_network_too_big_to_draw_is_opened_by_place_and_every_organization_is_reachable(monkeypatch):
    from yilian.web.pages import network
    from yilian.web.pages.network import _everyone
    from yilian.web.site import pages

    monkeypatch.setattr(network, "DRAWN_AT_MOST", 20)
    site = Site(memory_store(Sources(), progress=False))
    resp, html = get(site, "/network")
    everyone = _everyone(site)
    assert resp.status == 200 and "vis-network" not in html
    assert f"The network has {len(everyone)} organizations" in html
    links = re.findall(r'href="(/network/(?:place/[^/"]+|unplaced)/)"', html)
    assert "/network/place/xiangtan-county/" in links and "/network/unplaced/" in links
    assert sorted(set(links)) == [p for p in pages(site) if p.startswith("/network/")]
    drawn = set()
    for link in links:
        resp, view = get(site, link)
        assert resp.status == 200 and "vis-network" in view and external_refs(view) == [], link
        drawn |= {n for n in everyone if f'"id": "{n}"' in view}
    assert drawn == set(everyone)
    # a place's view holds what `network --place` keeps: the nodes located there, the ties between them
    from networkx.utils import graphs_equal

    from yilian.web.pages.network import _inside, _part, _tree

    net = site.network()
    inside = _inside(_tree(site)[0], "https://w3id.org/yilian/id/xiangtan")
    keep = {n for n, d in everyone.items() if d.get("place_iri") in inside}
    assert graphs_equal(_part(net, keep, "yid:xiangtan").graph, net.graph.subgraph(keep & set(net.graph)).copy())
    county = get(site, "/network/place/xiangtan-county/")[1]
    assert '"id": "https://w3id.org/yilian/id/zhuzhou' not in county
    assert get(site, "/network/place/no-such-place/")[0].status == 404
    assert get(site, "/network/elsewhere/")[0].status == 404


def test_a_small_network_is_drawn_whole(site):
    resp, html = get(site, "/network")
    assert "vis-network" in html and "one place at a time" not in html


def test_indicator_page_is_paginated_and_says_when_a_chart_would_have_too_many_lines(monkeypatch, tmp_path):
    from yilian.web.pages import facts, indicator

    obs = []
    for i, who in enumerate(("xiangtan", "zhuzhou", "shaoshan")):
        for year in (2022, 2023):
            obs.append(f"""yid:t-obs-{i}-{year} a yl:Observation ; yl:indicator yid:t-ind ; yl:about yid:{who} ;
    yl:value "{i + year - 2000}"^^xsd:decimal ; yl:period "{year}"^^xsd:gYear .""")
    data = tmp_path / "ind.ttl"
    data.write_text("""@prefix yl: <https://w3id.org/yilian/ontology#> .
@prefix yid: <https://w3id.org/yilian/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
yid:t-ind a yl:Indicator ; rdfs:label "测试指标"@zh .
""" + "\n".join(obs) + "\n", encoding="utf-8")
    site = Site(memory_store(Sources((str(data),)), progress=False))
    html = get(site, "/indicator/t-ind/")[1]
    assert "<svg" in html and "6 observations." in html and 'class="pager"' not in html
    monkeypatch.setattr(facts, "ROWS_PER_PAGE", 4)
    monkeypatch.setattr(indicator, "CHART_AT_MOST", 2)
    site = Site(memory_store(Sources((str(data),)), progress=False))
    first = get(site, "/indicator/t-ind/")[1]
    second = get(site, "/indicator/t-ind/page/2/")[1]
    assert "showing 1–4 of 6" in first and "showing 5–6 of 6" in second
    assert '<a href="/indicator/t-ind/page/2/" rel="next">' in first
    assert get(site, "/indicator/t-ind/?page=2")[1] == second
    assert get(site, "/indicator/t-ind/page/3/")[0].status == 404
    assert "3 subjects: more lines than one chart shows (2 at most)" in first and "<svg" not in first
    links = _fact_links(first) + _fact_links(second)
    assert sorted(links) == sorted(f"/entity/t-obs-{i}-{y}/" for i in range(3) for y in (2022, 2023))


def test_entity_by_its_chinese_or_english_name_redirects_to_its_page(site):
    """/entity/湘潭县/ answered 404 although 湘潭县 names one entity."""
    for name in ("湘潭县", "Xiangtan County"):
        r, body = get(site, "/entity/" + quote(name) + "/")
        assert r.status == 302 and r.headers["Location"] == "/entity/xiangtan-county/"
    r, body = get(site, "/entity/" + quote("湘") + "/")  # fits many: the search for it
    assert r.status == 302 and r.headers["Location"] == "/search?q=%E6%B9%98"


def test_misspelt_entity_page_suggests_close_names(site):
    """/entity/<misspelt>/ was a bare 404."""
    r, body = get(site, "/entity/" + quote("湘谭县") + "/")
    assert r.status == 404 and "did you mean &#39;湘潭县&#39;?" in body
    r, body = get(site, "/entity/xiangtan-conty/")
    assert r.status == 404 and "yid:xiangtan-county" in body


def test_failed_download_answers_text_not_html(site):
    """/facts.csv?about=<misspelt> answered 400 as text/html."""
    r, body = get(site, "/facts.csv?about=%FF")  # not UTF-8: refused before the page is known
    assert r.status == 400 and r.content_type == "text/plain; charset=utf-8"
    assert body == "the address is not valid UTF-8 percent-encoding\n"
    for path in ("/facts.csv?about=" + quote("湘谭"), "/timeline.json?about=" + quote("湘谭")):
        r, body = get(site, path)
        assert r.status == 400 and r.content_type == "text/plain; charset=utf-8"
        assert body == "nothing in the graph is named '湘谭' (did you mean '湘潭' or '三湘'?)\n"


def test_ambiguous_name_on_a_page_is_not_told_about_stdout(site):
    """/facts?about=湘 said "the list by kind is on stdout" (the command line's words)."""
    body = get(site, "/facts?about=" + quote("湘"))[1]
    assert "stdout" not in body and "search for the name" in body
