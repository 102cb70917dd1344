"""Chinese word segmentation with jieba, offline.

jieba ships its dictionary inside the package and reads nothing from the network; the
only file it writes is its own cache of the parsed dictionary, which we put under
$XDG_CACHE_HOME/yilian/jieba (not /tmp) so that repeated runs start faster.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Token:
    word: str
    flag: str  # jieba's part-of-speech tag (ICTCLAS tag set: n, ns, nr, nt, v, m, x …)
    start: int
    end: int


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yilian" / "jieba"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache)
    except OSError:  # a read-only home: jieba falls back to the system's temporary folder
        pass
    jieba.dt.initialize()
    return jieba.posseg.dt


def tokens(text: str, hmm: bool = False) -> list[Token]:
    """Words of `text` with their part of speech and character offsets. `hmm` lets jieba
    guess words its dictionary lacks (new personal names) with its hidden Markov model:
    five times slower, so it is used on short spans only (the name after a post)."""
    out = []
    pos = 0
    for pair in _tokenizer().cut(text, HMM=hmm):
        w = pair.word
        out.append(Token(w, pair.flag, pos, pos + len(w)))
        pos += len(w)
    return out


def words(text: str) -> list[str]:
    """The words of `text` (no part of speech)."""
    import jieba

    _tokenizer()
    return [w for w in jieba.cut(text) if w.strip()]
