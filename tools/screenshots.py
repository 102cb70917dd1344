#!/usr/bin/env python3
"""Screenshots of the web interface for the documentation (docs/web-*.png), taken from a
real `yilian serve` on 127.0.0.1 with Debian's headless Chromium (Playwright drives it; no
browser download). Run after changing a page:

    python3 tools/screenshots.py            # writes docs/web-*.png
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: (file name, path on the server, what to do before the shot)
SHOTS = [
    ("web-home.png", "/", None),
    ("web-search.png", "/search?q=第一书记", None),
    ("web-entity.png", "/entity/xiangtan-central-hospital/", None),
    ("web-facts.png", "/facts?about=湘潭县", None),
    ("web-indicator.png", "/indicator/ind-primary-care-visit-share/", None),
    ("web-sparql.png", "/sparql?name=alliance-lead", None),
    ("web-network.png", "/network", "window.ylNetwork && window.ylNetwork.ready()"),
    # the same view as `yilian network export -o network.html` (docs/network.md, README)
    ("network-view.png", "/network", "window.ylNetwork && window.ylNetwork.ready()"),
]


def main() -> int:
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([sys.executable, "-m", "yilian", "serve", "--port", "0", "--quiet", "--workers", "1"],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not m:
            raise SystemExit(f"yilian serve did not start: {line}")
        base = f"http://127.0.0.1:{m.group(1)}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            for name, path, ready in SHOTS:
                page.goto(base + path)
                if ready:  # polled: wait_for_function evaluates a string, which the page's CSP forbids
                    for _ in range(600):
                        if page.evaluate(f"() => Boolean({ready})"):
                            break
                        time.sleep(0.1)
                    time.sleep(1.0)
                page.screenshot(path=str(ROOT / "docs" / name))
                print(f"docs/{name}: {path}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
