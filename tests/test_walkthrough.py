"""docs/WALKTHROUGH.md answers the competency questions with the real CLI output."""

from __future__ import annotations

import importlib.util
import os
import re
import sys

from conftest import ROOT

WALKTHROUGH = ROOT / "docs" / "WALKTHROUGH.md"


def _regen():
    spec = importlib.util.spec_from_file_location("regen_docs", ROOT / "tools" / "regen_docs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["regen_docs"] = module
    spec.loader.exec_module(module)
    return module


def test_the_walkthrough_is_up_to_date(tmp_path):
    """Every `$ yilian …` of the walkthrough, rerun, prints what the file shows
    (python3 tools/regen_docs.py docs/WALKTHROUGH.md updates it)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "200", "YILIAN_TIMEOUT": "600",
           "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    _, changed = _regen().regenerate(WALKTHROUGH, env)
    assert changed == []


def test_the_walkthrough_uses_no_sparql_and_answers_every_question():
    text = WALKTHROUGH.read_text(encoding="utf-8")
    commands = [line for line in text.splitlines() if line.startswith("$ ")]
    assert commands and all(re.match(r"\$ yilian (search|facts|timeline|describe|network) ", c) for c in commands)
    assert len(re.findall(r"^## \d+\. ", text, flags=re.M)) == 14
