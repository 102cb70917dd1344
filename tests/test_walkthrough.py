"""docs/WALKTHROUGH.md answers the competency questions with the real CLI output."""

from __future__ import annotations

import importlib.util
import re
import sys

from conftest import ROOT


def _regen():
    spec = importlib.util.spec_from_file_location("regen_docs", ROOT / "tools" / "regen_docs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["regen_docs"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_walkthrough_is_up_to_date():
    """Regenerated in-process, the walkthrough must equal the committed file
    (python3 tools/regen_docs.py docs/WALKTHROUGH.md updates it)."""
    path = ROOT / "docs" / "WALKTHROUGH.md"
    text = path.read_text(encoding="utf-8")
    assert _regen().regenerate(text) == text


def test_the_walkthrough_uses_no_sparql_and_answers_every_question():
    text = (ROOT / "docs" / "WALKTHROUGH.md").read_text(encoding="utf-8")
    commands = [line for line in text.splitlines() if line.startswith("$ ")]
    assert commands and all(re.match(r"\$ yilian (search|facts|timeline|describe|network) ", c) for c in commands)
    assert len(re.findall(r"^## \d+\. ", text, flags=re.M)) == 14


def test_regen_leaves_other_commands_and_marked_blocks_alone():
    regen = _regen()
    text = ("```console\n$ yilian query 'ASK {}'; echo \"exit $?\"\nstale\n```\n\n"
            f"{regen.SKIP}\n```console\n$ yilian stats --no-default-graph --data x.ttl\nstale\n```\n"
            "```console\n$ yilian facts --kind Posting --format csv | head -1\nstale\n```\n")
    out = regen.regenerate(text)
    assert out.count("stale") == 2
    assert "$ yilian facts --kind Posting --format csv | head -1\nfact,kind,what,about,date," in out
