"""SPARQL fragments the component families share."""

from __future__ import annotations


def at_least(v: str, pattern: str, w: str, n: int) -> str:
    """A SPARQL expression: `pattern` binds at least n distinct `w` for node `v`."""
    if n <= 0:
        return "true"
    if n == 1:
        return f"EXISTS {{ {pattern} }}"
    return f"EXISTS {{ SELECT {v} WHERE {{ {pattern} }} GROUP BY {v} HAVING (COUNT(DISTINCT {w}) >= {n}) }}"


def at_most(v: str, pattern: str, w: str, n: int) -> str:
    """A SPARQL expression: `pattern` binds at most n distinct `w` for node `v`."""
    if n == 0:
        return f"NOT EXISTS {{ {pattern} }}"
    return f"NOT EXISTS {{ SELECT {v} WHERE {{ {pattern} }} GROUP BY {v} HAVING (COUNT(DISTINCT {w}) > {n}) }}"
