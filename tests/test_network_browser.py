"""The HTML view in a real browser (Debian's headless Chromium driven by Playwright): it
makes no network request, draws every node and tie, finds Chinese labels, and shows
hostile labels and IRIs as text."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from yilian.dataset.sources import Sources
from yilian.dataset.store import memory_store
from yilian.network.build import build
from yilian.network.view import GROUP_COLOURS

DATA = Path(__file__).resolve().parent / "data"
NET = DATA / "network.ttl"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)")


class Page:
    """A page opened from a file; every request that is not for the file is blocked and recorded."""

    def __init__(self, playwright, html: Path, profile: Path):
        self.url = html.resolve().as_uri()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1600, "height": 1000}, offline=True)
        self.context.route("**/*", self._route)
        self.context.on("request", self._seen)
        self.page = self.context.new_page()
        self.page.on("websocket", lambda ws: self.outside.append(ws.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)
        # poll with evaluate (the DevTools protocol): wait_for_function polls with eval, which
        # the page's Content-Security-Policy forbids once the first check finds it not ready
        deadline = time.monotonic() + 60
        while not self.page.evaluate("() => !!(window.ylNetwork && window.ylNetwork.ready())"):
            assert time.monotonic() < deadline, "the network page was not ready within 60 s"
            self.page.wait_for_timeout(100)

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _seen(self, request):
        if request.url != self.url and request.url not in self.outside:
            self.outside.append(request.url)

    def js(self, expr: str):
        return self.page.evaluate(expr)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright  # in the test extra

    opened = []
    with sync_playwright() as p:
        def open_page(html: Path, profile: Path) -> Page:
            page = Page(p, html, profile)
            opened.append(page)
            return page

        yield open_page
        for page in opened:
            page.context.close()


def test_html_view_on_the_bundled_graph(run, tmp_path, browser):
    html = tmp_path / "network.html"
    r = run("network", "export", "-o", html)
    assert r.exit_code == 0, r.stderr
    net = build(memory_store(Sources()))
    page = browser(html, tmp_path / "profile")
    assert page.js("window.ylNetwork.counts()") == {"nodes": net.node_count(), "edges": net.edge_count()}
    found = page.js("window.ylNetwork.search('湘潭市中心医院')")
    assert "https://w3id.org/yilian/id/xiangtan-central-hospital" in found
    assert page.page.inner_text("#found") == f"{len(found)} 个匹配 found"
    assert "湘潭市中心医院" in page.page.inner_text("#details")
    # the English name and an alternative name find it too
    assert "https://w3id.org/yilian/id/xiangtan-central-hospital" in page.js("window.ylNetwork.find('central hospital')")
    # unticking a tie kind hides its ties
    postings = sum(1 for _, _, k in net.graph.edges(keys=True) if k == "posting")
    page.page.uncheck("input.kind-filter[value=posting]")
    assert page.js("window.ylNetwork.counts()")["edges"] == net.edge_count() - postings
    page.page.check("input.kind-filter[value=posting]")
    page.js("window.ylNetwork.search(''); window.ylNetwork.network.fit()")
    shot = tmp_path / "network-view.png"
    page.page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    assert page.errors == []
    assert page.outside == [], f"the page tried to reach {page.outside}"


def test_hostile_labels_and_iris_stay_text(run, tmp_path, browser):
    html = tmp_path / "evil.html"
    r = run("network", "export", "-o", html, "--no-default-graph", "--data", NET)
    assert r.exit_code == 0, r.stderr
    raw = html.read_text(encoding="utf-8")
    assert "</script><script>window.pwned" not in raw
    assert "<img src=x" not in raw
    page = browser(html, tmp_path / "profile")
    assert page.js("window.ylNetwork.counts()") == {"nodes": 9, "edges": 9}
    found = page.js("window.ylNetwork.search('</script>')")
    assert found == ["javascript:alert(1)"]
    details = page.page.inner_text("#details")
    assert "</script><script>window.pwned=1</script>" in details and "javascript:alert(1)" in details
    assert page.js("typeof window.pwned") == "undefined"
    hrefs = page.js("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if not h.startswith(("http://", "https://"))]
    assert page.js("document.querySelectorAll('#details a').length") == 0  # the javascript: IRI is no link
    assert page.js("window.ylNetwork.search('甲镇')") == ["https://w3id.org/yilian/id/n-c1"]
    assert page.js("document.querySelector('#details a').getAttribute('href')") == "https://w3id.org/yilian/id/n-c1"
    assert page.errors == []
    assert page.outside == []
    # the recorder does see a request when one is made (it is blocked, so nothing leaves)
    page.js("new Image().src = 'https://example.invalid/probe.png'")
    page.page.wait_for_timeout(300)
    assert page.outside == ["https://example.invalid/probe.png"]


def test_html_view_shows_hidden_organizations_and_every_alliance(run, tmp_path, browser):
    """The default view dropped 24 of 74 organizations (22 since the graph ties the 医者红 team) without saying so (among the
    leads of four specialty alliances) and its alliance menu listed 7 of 10 alliances."""
    html = tmp_path / "network.html"
    r = run("network", "export", "-o", html)
    assert r.exit_code == 0, r.stderr
    assert "yilian: note: 22 organizations without ties are not shown (--include-isolated shows them)" in r.stderr
    net = build(memory_store(Sources()))
    everyone = build(memory_store(Sources()), include_isolated=True)
    hidden = everyone.node_count() - net.node_count()
    assert hidden == len(net.isolated) == 22
    page = browser(html, tmp_path / "profile")
    assert page.js("window.ylNetwork.counts()") == {"nodes": net.node_count(), "edges": net.edge_count()}
    label = page.page.inner_text("label:has(#show-isolated)")
    assert label == f"显示无关系的机构 show {hidden} organizations without ties"
    # the menu lists every alliance of the graph
    menu = page.js("Array.from(document.querySelectorAll('#alliance-filter option')).map(o => o.textContent)")
    assert menu[0] == "全部 all" and sorted(menu[1:]) == sorted(row["label"] for row in net.alliances)
    assert len(menu) - 1 == 10
    # an alliance drawn as its lead, whose only named member is its lead: nothing, and why
    page.page.select_option("#alliance-filter", label="湘潭市中医联盟")
    assert page.js("window.ylNetwork.counts()")["nodes"] == 0
    assert "No organization of this alliance has ties in this view" in page.page.inner_text("#notice")
    page.page.check("#show-isolated")
    assert page.js("window.ylNetwork.counts()")["nodes"] == 1
    # shown again, an organization keeps its kind's colour (not vis-network's group palette)
    tcm = "https://w3id.org/yilian/id/xiangtan-tcm-hospital"
    assert page.js(f"window.ylNetwork.network.body.nodes['{tcm}'].options.color.background") == GROUP_COLOURS["Hospital"]
    assert page.js("window.ylNetwork.find('湘潭市中医医院')") == ["https://w3id.org/yilian/id/xiangtan-tcm-hospital"]
    assert page.page.inner_text("#notice") == ""
    page.page.select_option("#alliance-filter", value="")
    assert page.js("window.ylNetwork.counts()") == {"nodes": everyone.node_count(), "edges": net.edge_count()}
    page.page.uncheck("#show-isolated")
    assert page.js("window.ylNetwork.counts()")["nodes"] == net.node_count()
    assert page.errors == [] and page.outside == []


def test_search_and_reset_return_to_the_fitted_view(run, tmp_path, browser):
    """There was no fit/reset button and a search left the view zoomed in on its match."""
    html = tmp_path / "network.html"
    assert run("network", "export", "-o", html).exit_code == 0
    page = browser(html, tmp_path / "profile")
    view = "(() => { const n = window.ylNetwork.network; const p = n.getViewPosition(); " \
           "return [Math.round(n.getScale() * 1000), Math.round(p.x), Math.round(p.y)]; })()"
    page.js("window.ylNetwork.reset()")
    fitted = page.js(view)
    page.page.fill("#search", "湘潭县人民医院")
    assert page.js(view) != fitted and page.js("window.ylNetwork.network.getScale()") == 1.3
    page.page.fill("#search", "")
    assert page.js(view) == fitted
    assert page.js("window.ylNetwork.network.getSelectedNodes()") == []
    page.page.fill("#search", "湘潭县人民医院")
    assert page.js(view) != fitted
    page.page.click("#fit")
    assert page.js(view) == fitted
    assert page.page.input_value("#search") == "" and page.page.inner_text("#found") == ""
    assert page.errors == [] and page.outside == []
