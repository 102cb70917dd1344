"""The word lists `draft` reads an article with (lexicon.yaml, package data)."""

from __future__ import annotations

from functools import lru_cache

from .. import resources


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """The parsed lexicon.yaml: qualifiers, change words, organization endings with their
    ontology classes, posts, surnames, membership role words and event words."""
    import yaml

    text = resources.package_file("curation", "lexicon.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def ending_class(name: str) -> str | None:
    """The ontology class (``yl:…``) proposed for an organization name by its longest
    known ending, or None."""
    best = None
    for ending, cls in lexicon()["org_endings"].items():
        if name.endswith(ending) and (best is None or len(ending) > len(best[0])):
            best = (ending, cls)
    return f"yl:{best[1]}" if best else None
