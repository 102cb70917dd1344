"""Readable IRIs for new entities: pinyin of the Chinese name, one hyphen between words.

Words are jieba's segmentation of the name, syllables are pypinyin's (tone marks dropped);
people are surname-given (雷超奇 -> lei-chaoqi), as the bundled graph names them.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, person: bool = False) -> str:
    """A kebab-case ASCII slug of Chinese (or mixed) text; '' if nothing is left."""
    from pypinyin import lazy_pinyin

    if person:
        sylls = lazy_pinyin(text)
        if len(sylls) >= 2:
            parts = [sylls[0], "".join(sylls[1:])]
        else:
            parts = sylls
    else:
        from .segment import words

        parts = ["".join(lazy_pinyin(w)) for w in words(text)]
    out = "-".join(p for p in (_SAFE.sub("-", x.lower()).strip("-") for x in parts) if p)
    return re.sub(r"-{2,}", "-", out)[:80].strip("-")


def english_name(text: str) -> str:
    """A proposed English label for a person's Chinese name (雷超奇 -> Lei Chaoqi)."""
    from pypinyin import lazy_pinyin

    sylls = lazy_pinyin(text)
    if len(sylls) < 2:
        return "".join(sylls).title()
    return f"{sylls[0].title()} {''.join(sylls[1:]).title()}"
