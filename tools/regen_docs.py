#!/usr/bin/env python3
"""Regenerate the example outputs in README.md and docs/*.md from the real CLI.

Every ```console block is a shell session: a line starting with `$ ` is a command (a
trailing backslash continues it on the next line), the lines up to the next command are its
output (stdout and stderr, as a terminal shows them). This script runs each command with
bash, in a scratch folder that sees the repository's tests/, graph/, ontology/ and shapes/,
and writes the real output back, so the documentation cannot drift from the tool.

Markers (HTML comments, invisible on GitHub) on the line before a block:
  <!-- regen: skip REASON -->      leave the block as it is (servers in the background,
                                   timings, multi-minute runs); the reason is required
  <!-- regen: setup COMMANDS -->   shell commands run (silently) before the block

    python3 tools/regen_docs.py              # rewrite README.md and docs/*.md in place
    python3 tools/regen_docs.py --check      # exit 1 and list the blocks that are stale
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINKED = ("tests", "graph", "ontology", "shapes", "src", "bench")
BLOCK = re.compile(r"(?P<marker><!-- regen: (?P<kind>skip|setup)(?P<arg>[^\n]*?)-->\n)?```console\n(?P<body>.*?)```",
                   re.S)
TIMEOUT = 600


def default_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def commands(body: str) -> list[str]:
    """The commands of a session, continuation lines joined as the shell reads them."""
    out: list[str] = []
    current: list[str] | None = None
    for line in body.splitlines():
        if current is not None:
            current.append(line)
            if not line.endswith("\\"):
                out.append("\n".join(current))
                current = None
        elif line.startswith("$ "):
            cmd = line[2:]
            if cmd.endswith("\\"):
                current = [cmd]
            else:
                out.append(cmd)
    if current is not None:
        out.append("\n".join(current))
    return out


def run_session(cmds: list[str], setup: str, workdir: Path, env: dict) -> str:
    """The session as a terminal shows it: each command, its output, and a blank line
    after a command that printed something."""
    if setup.strip():
        subprocess.run(["bash", "-c", setup], cwd=workdir, env=env, check=True, capture_output=True,
                       timeout=TIMEOUT)
    text = ""
    printed = False
    for cmd in cmds:
        proc = subprocess.run(["bash", "-c", cmd], cwd=workdir, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=TIMEOUT)
        # a terminal shows CRLF (the W3C CSV results) as a line break
        output = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
        if output and not output.endswith("\n"):
            output += "\n"
        if printed:
            text += "\n"
        text += "$ " + cmd + "\n" + output
        printed = bool(output) and not output.endswith("\n\n")
    return text


def _scratch() -> Path:
    work = Path(tempfile.mkdtemp(prefix="yilian-docs-"))
    for name in LINKED:
        if (ROOT / name).exists():
            (work / name).symlink_to(ROOT / name)
    return work


def regenerate(path: Path, env: dict) -> tuple[str, list[str]]:
    """The new text of one document and the commands whose output changed."""
    text = path.read_text(encoding="utf-8")
    work = _scratch()
    changed: list[str] = []
    try:
        def replace(m: re.Match) -> str:
            if m.group("kind") == "skip":
                if not m.group("arg").strip():
                    raise SystemExit(f"{path.name}: a 'regen: skip' marker needs a reason")
                return m.group(0)
            setup = m.group("arg") if m.group("kind") == "setup" else ""
            cmds = commands(m.group("body"))
            if not cmds:
                return m.group(0)
            new_body = run_session(cmds, setup, work, env)
            if new_body.rstrip("\n") != m.group("body").rstrip("\n"):
                changed.append(cmds[0])
            return (m.group("marker") or "") + "```console\n" + new_body.rstrip("\n") + "\n```"

        new = BLOCK.sub(replace, text)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return new, changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="Markdown files (default: README.md and docs/*.md)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if any output is stale")
    args = ap.parse_args(argv)
    cache = Path(tempfile.mkdtemp(prefix="yilian-docs-cache-"))
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "COLUMNS": "200", "YILIAN_TIMEOUT": "600",
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    stale = 0
    try:
        for path in [p.resolve() for p in args.files] or default_files():
            new, changed = regenerate(path, env)
            for cmd in changed:
                print(f"{path.relative_to(ROOT)}: output of `{cmd.splitlines()[0]}` {'is stale' if args.check else 'updated'}")
            stale += len(changed)
            if changed and not args.check:
                path.write_text(new, encoding="utf-8")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
