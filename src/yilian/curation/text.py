"""Reading an article: decoding, the normalised text, its SHA-256, and the rule by which
a quote is found in it.

Normalised text (what `yilian source add` hashes and what quotes are checked against):

1. the file's bytes decoded as UTF-8 (a leading byte-order mark is dropped), or with the
   encoding the user names (``--encoding gb18030``);
2. Unicode normalisation form NFC (so a character typed precomposed or decomposed is one
   character);
3. line endings unified to ``\\n`` (``\\r\\n`` and a lone ``\\r`` become ``\\n``).

Nothing else changes: spaces, full-width punctuation and OCR irregularities stay as they
are. The hash (yl:textSha256) is the SHA-256 of the UTF-8 bytes of that text, in lower-case
hex, so the same article saved with other line endings, another encoding or a BOM keeps its
hash, and any change to a character changes it.

Quotes are matched whitespace-insensitively: both the quote and the text are NFC-normalised
and every run of Unicode whitespace is removed before searching (OCR'd newspaper pages break
lines and insert spaces at random). This is the rule tests/test_graph.py has always applied
to the bundled graph (its ``squash``).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, UsageError

#: the largest article yilian reads (bytes); a newspaper page is tens of kilobytes
MAX_BYTES = 8 * 1024 * 1024

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The normalised form of decoded text: NFC, ``\\n`` line endings, no BOM."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = unicodedata.normalize("NFC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sha256(normalised_text: str) -> str:
    """SHA-256 (lower-case hex, 64 characters) of the UTF-8 bytes of normalised text."""
    return hashlib.sha256(normalised_text.encode("utf-8")).hexdigest()


def squash(text: str) -> str:
    """NFC text with every run of whitespace removed: the form quotes are compared in."""
    return _WS.sub("", unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class Article:
    """An article's file and its normalised text."""

    path: Path
    text: str

    @property
    def sha256(self) -> str:
        return sha256(self.text)

    @property
    def squashed(self) -> str:
        return squash(self.text)


def _looks_like_gb18030(data: bytes) -> bool:
    """True when the bytes decode as GB18030 into mostly CJK text (so it is probably a
    GBK/GB18030 file rather than random binary data)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk >= max(1, len(text) // 10)


def read_article(path: str | Path, encoding: str | None = None) -> Article:
    """Read and normalise an article.

    Raises InputError (exit 2) for a missing file, an empty file (or only whitespace), a
    file over MAX_BYTES, and bytes that are not valid in the encoding; a file that is not
    UTF-8 but reads as GB18030/GBK is named as such, with the --encoding option to use.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("no such article file", where=str(p), hint="check the path")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"unknown encoding '{encoding}'", where=str(p),
                             hint="use a Python codec name such as utf-8, gb18030 or big5") from None
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"the article is {size:,} bytes, over the limit of {MAX_BYTES:,}", where=str(p),
                             hint="split it into the articles it contains")
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the article: {e.strerror}", where=str(p), hint="check its permissions") from None
    if not data.strip():
        raise InputError("the article is empty", where=str(p), hint="give the file that holds the article's text")
    enc = encoding or "utf-8-sig"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        where = f"{p}:{line}"
        if encoding is None and _looks_like_gb18030(data):
            raise InputError("the article is not UTF-8; it looks like GB18030/GBK (Chinese Windows) text", where=where,
                             hint="rerun with --encoding gb18030, or convert it: iconv -f gb18030 -t utf-8") from None
        raise InputError(f"the article is not valid {encoding or 'UTF-8'} text (byte {e.start})", where=where,
                         hint="save it as UTF-8, or name its encoding with --encoding") from None
    text = normalise(text)
    if not text.strip():
        raise InputError("the article is empty", where=str(p), hint="give the file that holds the article's text")
    if "\x00" in text:
        raise InputError("the article contains NUL characters; it is not a text file", where=str(p),
                         hint="give the plain-text (.txt) file of the article")
    return Article(p, text)


def find_quote(quote: str, squashed_text: str) -> bool:
    """Whether `quote` occurs in a text already passed through squash() (see the module
    docstring for the rule)."""
    q = squash(quote)
    return bool(q) and q in squashed_text


def position(text: str, start: int) -> tuple[int, int]:
    """1-based line and column of a character offset in `text`."""
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, col
