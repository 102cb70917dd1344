"""Plain-text tables that line up Chinese (double-width) text."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Sequence


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number that agrees with it: counted(1, "violation") is
    "1 violation", counted(3, "violation") "3 violations", counted(0, "violation")
    "0 violations" (``plural`` for nouns that do not just add "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


@lru_cache(maxsize=8192)
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: CJK characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table with a header, a rule and one line per row, in the given row order."""
    clean = [[_one_line(c) for c in row] for row in rows]
    # each cell's width once (a named query's answer can have 12,000 rows of CJK text)
    cell_widths = [[display_width(c) for c in row] for row in clean]
    widths = [display_width(h) for h in headers]
    for row in cell_widths:
        for i, w in enumerate(row):
            if w > widths[i]:
                widths[i] = w
    lines = [
        "  ".join(pad(h, w) for h, w in zip(headers, widths)).rstrip(),
        "  ".join("-" * w for w in widths).rstrip(),
    ]
    for row, row_widths in zip(clean, cell_widths):
        lines.append("  ".join([c + " " * (w - cw) for c, cw, w in zip(row, row_widths, widths)]).rstrip())
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text
