"""A tokenizer for SPARQL 1.1, enough to decide what a query does before it runs.

SPARQL applies \\uXXXX and \\UXXXXXXXX escapes to the whole query text before parsing
(SPARQL 1.1 §19.2), so they are applied here too: ``SERVIC\\u0045`` is the keyword
SERVICE. Strings, IRIs and comments are skipped as whole tokens, so a keyword inside
them is not mistaken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# A prefixed name's local part may hold escapes (PN_LOCAL_ESC: \\' \\( \\# …); they are part
# of the name, so a quote or # after a backslash never starts a string or a comment.
# Name characters above U+00BF are written [^\x00-\xBF], not [\u00C0-\uFFFF]: Python compiles
# a range that wide into a large table (about 15 ms at every start), and the negated class
# also admits the characters above U+FFFF that SPARQL's PN_CHARS_BASE allows.
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:(?:[A-Za-z]|[^\x00-\xBF])(?:[\w.\-\u00B7]|[^\x00-\xBF])*)?:(?:(?:[\w\-.:%\u00B7]|[^\x00-\xBF]|\\[_~.\-!$&'()*+,;=/?#@%])*(?:[\w\-:%\u00B7]|[^\x00-\xBF]|\\[_~.\-!$&'()*+,;=/?#@%]))?)
  | (?P<bnode>_:[\w.\-]+)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*=<>!+\-/|^@a?])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    kind: str
    text: str
    line: int
    col: int


def unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


#: queries up to this long are cached (a long one would hold many tokens in memory)
CACHE_CHARS = 16384


def tokenize(query: str) -> list[Token]:
    """The tokens of a query (without white space and comments), a fresh list each call."""
    if len(query) > CACHE_CHARS:
        return list(_tokenize.__wrapped__(query))
    return list(_tokenize(query))


@lru_cache(maxsize=32)  # a query is checked, classified and sent: tokenized once
def _tokenize(query: str) -> tuple[Token, ...]:
    text = unescape(query) if "\\" in query else query
    tokens: list[Token] = []
    line, line_start = 1, 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind != "ws" and kind != "comment":
            tokens.append(Token(kind, m.group(), line, m.start() - line_start + 1))
            if kind != "string":
                continue
        elif kind == "comment":
            continue
        value = m.group()
        nl = value.count("\n")
        if nl:
            line += nl
            line_start = m.start() + value.rfind("\n") + 1
    return tuple(tokens)


UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_KEYWORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def words(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.kind == "word"]


def first_operation(tokens: list[Token]) -> Token | None:
    """The first keyword after the prologue (PREFIX/BASE declarations)."""
    i = 0
    while i < len(tokens):
        t = tokens[i]
        up = t.text.upper()
        if t.kind == "word" and up == "PREFIX":
            i += 3  # PREFIX pname: <iri>
            continue
        if t.kind == "word" and up == "BASE":
            i += 2
            continue
        if t.kind == "word":
            return t
        return t
    return None


def update_keyword(tokens: list[Token]) -> Token | None:
    """The first update keyword used as an operation anywhere in the request, if any."""
    op = first_operation(tokens)
    if op is not None and op.kind == "word" and op.text.upper() in UPDATE_KEYWORDS:
        return op
    # a request may chain operations with ';' after a query-looking prefix; any update
    # keyword that starts an operation after ';' counts too
    for prev, t in zip(tokens, tokens[1:]):
        if prev.text == ";" and t.kind == "word" and t.text.upper() in UPDATE_KEYWORDS:
            return t
    return None


@dataclass(frozen=True)
class ServiceCall:
    token: Token
    target: str | None  # the endpoint IRI, or None when it is a variable or missing


def service_calls(tokens: list[Token], prefixes: dict[str, str]) -> list[ServiceCall]:
    """Every SERVICE clause with the endpoint it names (prefixed names expanded)."""
    declared = dict(prefixes)
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "PREFIX" and i + 2 < len(tokens):
            if tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
                declared[tokens[i + 1].text[:-1]] = tokens[i + 2].text[1:-1]
    calls = []
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "SERVICE":
            j = i + 1
            if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "SILENT":
                j += 1
            target = None
            if j < len(tokens):
                nxt = tokens[j]
                if nxt.kind == "iri":
                    target = nxt.text[1:-1]
                elif nxt.kind == "pname":
                    pfx, _, local = nxt.text.partition(":")
                    if pfx in declared:
                        target = declared[pfx] + local
            calls.append(ServiceCall(t, target))
    return calls


def too_deep(tokens: list[Token], limit: int) -> Token | None:
    """The first bracket that opens a level deeper than `limit`, if any."""
    depth = 0
    for t in tokens:
        if t.kind == "punct" and t.text in "({[":
            depth += 1
            if depth > limit:
                return t
        elif t.kind == "punct" and t.text in ")}]":
            depth -= 1
    return None


def too_long_path(tokens: list[Token], limit: int) -> Token | None:
    """The first '/' or '|' that makes a property path longer than `limit` steps."""
    run = 0
    for t in tokens:
        if t.kind == "punct" and t.text in "/|":
            run += 1
            if run >= limit:
                return t
        elif t.kind in ("var", "string", "number") or (t.kind == "punct" and t.text in ".;,{}") or (
                t.kind == "word" and t.text != "a"):
            run = 0
    return None
