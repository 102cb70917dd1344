#!/usr/bin/env python3
"""Print the README's `yilian serve` example from the real CLI (the console block between
"$ yilian serve &" and "yilian: server stopped"); paste the output into README.md.

    PYTHONPATH=src python3 tools/serve_example.py

The server runs on 127.0.0.1:7878 with the bundled graph and two workers; each client
command runs as the README shows it, and the server's log lines that it caused follow it.
"""

from __future__ import annotations

import os
import selectors
import shlex
import subprocess
import sys
import time

URL = "http://127.0.0.1:7878/query"
CSV_QUERY = ('SELECT ?h ?l WHERE { ?h a yl:GeneralHospital ; rdfs:label ?l FILTER(lang(?l)="zh") } '
             "ORDER BY ?l LIMIT 3")
LONG = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a LIMIT 10"
STEPS = [
    ("yilian query --endpoint http://127.0.0.1:7878/query --name alliance-lead",
     [sys.executable, "-m", "yilian", "query", "--endpoint", URL, "--name", "alliance-lead"]),
    ("curl -s -H 'Accept: text/csv' http://127.0.0.1:7878/query --data-urlencode \\\n    "
     + shlex.quote("query=" + CSV_QUERY),
     ["curl", "-s", "-H", "Accept: text/csv", URL, "--data-urlencode", "query=" + CSV_QUERY]),
    ("curl -s -X POST -H 'Content-Type: application/sparql-update' --data 'CLEAR ALL' "
     "http://127.0.0.1:7878/query",
     ["curl", "-s", "-X", "POST", "-H", "Content-Type: application/sparql-update", "--data", "CLEAR ALL", URL]),
    ("curl -s -H 'Host: example.org' http://127.0.0.1:7878/",
     ["curl", "-s", "-H", "Host: example.org", "http://127.0.0.1:7878/"]),
    (f"yilian query --endpoint http://127.0.0.1:7878/query '{LONG}'",
     [sys.executable, "-m", "yilian", "query", "--endpoint", URL, LONG]),
]


def main() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "yilian", "serve", "--workers", "2", "--max-memory", "1G"],
                              stderr=subprocess.PIPE, text=True, env=env)
    sel = selectors.DefaultSelector()
    sel.register(server.stderr, selectors.EVENT_READ)

    def log(wait: float) -> None:
        """Print the server's lines that arrive within `wait` seconds."""
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0 and sel.select(left):
            line = server.stderr.readline()
            if not line:
                return
            print(line, end="")
            end = time.monotonic() + 0.3

    print("$ yilian serve --max-memory 1G &")
    log(60)
    try:
        for shown, argv in STEPS:
            print(f"$ {shown}")
            out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
            print(out.stdout, end="")
            print(out.stderr, end="")
            if out.stdout and not out.stdout.endswith("\n"):
                print()
            log(1.0)
        print("$ kill %1")
    finally:
        server.terminate()
        server.wait(timeout=15)
    log(1.0)


if __name__ == "__main__":
    main()
