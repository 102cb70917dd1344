"""The web interface in a real browser (Debian's headless Chromium driven by Playwright)
against a real `yilian serve` on 127.0.0.1: a reader searches, opens an entity, follows a
link, filters the facts table, turns the pages of the facts and of an entity, opens the
network and runs a SPARQL query. Every request the browser makes is recorded; any that is
not to the local server fails the test."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)")


@pytest.fixture(scope="module")
def base():
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "yilian", "serve", "--port", "0", "--workers", "1", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    if "serving" not in line:
        proc.kill()
        pytest.fail(f"yilian serve did not start: {line}")
    url = line.split(" at ")[1].split()[0]
    yield url.rsplit("/", 1)[0]
    proc.terminate()
    proc.wait(timeout=30)


def test_a_reader_goes_through_the_pages(base):
    from playwright.sync_api import sync_playwright  # in the test extra

    origin = urllib.parse.urlsplit(base).netloc
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: urllib.parse.urlsplit(r.url).netloc == origin or r.url.startswith("data:")
                or outside.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))

        # home → search
        page.goto(base + "/")
        assert "来源文献" in page.content()
        page.fill("form.big input[name=q]", "林芳")
        page.click("form.big button")
        page.wait_for_url("**/search?q=*")
        assert page.locator("mark").count() > 0

        # open the entity from the results, then follow one of its links
        page.click('ol.hits li a >> text="林芳"')
        page.wait_for_url("**/entity/lin-fang/")
        assert "新任卫生院第一书记" in page.content()
        page.click('table.props a >> text="谭家山镇卫生院"')
        page.wait_for_url("**/entity/tanjiashan-health-centre/")
        assert page.locator("h1").inner_text().startswith("谭家山镇卫生院")

        # the facts table with a filter
        page.goto(base + "/facts")
        all_rows = page.locator("table.facts tbody tr").count()
        page.fill("input[name=about]", "湘潭县")
        page.click("form.filters button")
        page.wait_for_url("**/facts?about=*")
        some = page.locator("table.facts tbody tr").count()
        assert 0 < some < all_rows
        assert "16.76" in page.content()

        # the next page of the facts table and of a long entity page: a path, as in the static site
        page.goto(base + "/facts")
        page.click("p.pager a[rel=next] >> nth=0")
        page.wait_for_url("**/facts/page/2/")
        assert "第 page 2 /" in page.locator("p.pager >> nth=0").inner_text()
        assert page.locator("table.facts tbody tr").count() > 0
        page.goto(base + "/entity/xiangtan/")
        page.click("p.pager a[rel=next] >> nth=0")
        page.wait_for_url("**/entity/xiangtan/page/2/")
        assert page.locator("article.fact").count() > 0
        page.click("p.pager a[rel=first] >> nth=0")
        page.wait_for_url("**/entity/xiangtan/")

        # the network
        page.click("nav a >> text=网络")
        # polled with evaluate: wait_for_function evaluates a string, which the page's CSP forbids
        for _ in range(600):
            if page.evaluate("() => Boolean(window.ylNetwork && window.ylNetwork.ready())"):
                break
            page.wait_for_timeout(100)
        assert page.evaluate("() => window.ylNetwork.counts().nodes") > 10

        # a SPARQL query from the page
        page.goto(base + "/sparql")
        page.fill("textarea[name=query]", "SELECT ?n WHERE { yid:xiangtan-central-hospital rdfs:label ?n } ORDER BY ?n")
        page.click("form.sparql button >> text=运行 Run")
        page.wait_for_selector("section.results table")
        assert "湘潭市中心医院" in page.locator("section.results").inner_text()
        browser.close()
    assert outside == []
    assert errors == []
