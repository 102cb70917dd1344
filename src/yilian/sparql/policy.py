"""What a query may do, decided before it runs: read-only (no SPARQL Update), SERVICE
only to endpoints the user allowed by name, bounded nesting and path length, and
declared prefixes. The query is tokenized as SPARQL 1.1 defines it (sparql.lexer)."""

from __future__ import annotations

import re
from typing import Iterable

from .. import tables
from ..errors import LimitError, PolicyError, QueryError
from ..prefixes import PREFIXES
from . import lexer as sparql_lexer


#: deeper bracket nesting crashes pyoxigraph's parser (a stack overflow, not an exception)
MAX_NESTING = 200


#: pyoxigraph's planning time grows faster than linearly with path length (300 steps: ~3 s)
MAX_PATH_STEPS = 100


def check_query(text: str, *, allow_service: Iterable[str] = ()) -> list[sparql_lexer.Token]:
    """Refuse updates and unallowed SERVICE calls; return the tokens."""
    tokens = sparql_lexer.tokenize(text)
    # fail closed: a stray quote or backslash means the query is not SPARQL, or not SPARQL
    # this tokenizer understands, and the checks below could not be trusted on it
    for t in tokens:
        if t.kind == "other" and t.text in ("'", '"', "\\"):
            raise QueryError(f"SPARQL syntax error: unexpected {t.text}",
                             where=f"query:{t.line}:{t.col}",
                             hint="close the string, or escape the character", detail=_caret(text, t.line, t.col))
    deep = sparql_lexer.too_deep(tokens, MAX_NESTING)
    if deep is not None:
        raise LimitError(
            f"the query nests brackets more than {MAX_NESTING} levels deep",
            where=f"query:{deep.line}:{deep.col}",
            hint="simplify the query",
        )
    long_path = sparql_lexer.too_long_path(tokens, MAX_PATH_STEPS)
    if long_path is not None:
        raise LimitError(
            f"the query has a property path of more than {MAX_PATH_STEPS} steps",
            where=f"query:{long_path.line}:{long_path.col}",
            hint="shorten the path, or use a repeated path such as yl:p+ instead of spelling out each step",
        )
    upd = sparql_lexer.update_keyword(tokens)
    if upd is not None:
        raise PolicyError(
            f"SPARQL Update ({upd.text.upper()}) is refused: yilian queries are read-only",
            where=f"query:{upd.line}:{upd.col}",
            hint="use SELECT, ASK, CONSTRUCT or DESCRIBE; edit the RDF files to change the graph",
        )
    allowed = set(allow_service)
    for call in sparql_lexer.service_calls(tokens, PREFIXES):
        if call.target is None:
            raise PolicyError(
                "SERVICE with a variable or unresolvable endpoint is refused",
                where=f"query:{call.token.line}:{call.token.col}",
                hint="name the endpoint IRI and allow it with --allow-service URL",
            )
        if call.target not in allowed:
            raise PolicyError(
                f"SERVICE <{call.target}> would send a request over the network and was not allowed",
                where=f"query:{call.token.line}:{call.token.col}",
                hint=f"add --allow-service {call.target} to permit this endpoint",
            )
    return tokens


def prepare_syntax_errors() -> None:
    """Import the parser syntax_error uses (rdflib's, about 0.3 s of CPU): a server calls
    this before it forks its workers, so that they share it instead of each paying for
    it on its first malformed query (and again in every replacement worker)."""
    from rdflib.plugins.sparql import parser  # noqa: F401


def syntax_error(text: str, exc: SyntaxError) -> QueryError:
    """A syntax error with a useful position.

    pyoxigraph's parser reports the furthest point it reached (often the end of the
    query) with a list of unrelated alternatives, so on this error path only we ask
    rdflib's parser where the query stops making sense.
    """
    msg = str(exc)
    m = re.match(r"error at (\d+):(\d+):\s*(.*)", msg, re.DOTALL)
    line = col = None
    if m:
        line, col, msg = int(m.group(1)), int(m.group(2)), " ".join(m.group(3).split())
    try:
        from rdflib.plugins.sparql.parser import parseQuery

        parseQuery(text)
    except Exception as e:  # pyparsing's ParseException carries lineno/col
        if getattr(e, "lineno", None) and getattr(e, "col", None):
            line, col = e.lineno, e.col
            found = re.search(r"found (end of text|'[^']*')", str(e))
            msg = f"unexpected {found.group(1)}" if found else "cannot parse the query here"
    if line is None:
        return QueryError(f"SPARQL syntax error: {msg}", where="query", hint="check the query syntax")
    if len(msg) > 200:
        msg = msg[:200] + "…"
    return QueryError(f"SPARQL syntax error: {msg}", where=f"query:{line}:{col}",
                      hint="fix the query at the caret", detail=_caret(text, line, col))


def _caret(text: str, line: int, col: int) -> str:
    """The query line and a caret under the column (columns count characters)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    src = lines[line - 1]
    return f"  {src}\n  {' ' * tables.display_width(src[: max(col - 1, 0)])}^"


def check_prefixes(text: str, tokens: list[sparql_lexer.Token]) -> None:
    """Name an undeclared prefix before pyoxigraph gives a vaguer message."""
    declared = set(PREFIXES)
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "PREFIX" and i + 1 < len(tokens) and tokens[i + 1].kind == "pname":
            declared.add(tokens[i + 1].text.split(":", 1)[0])
    for i, t in enumerate(tokens):
        if t.kind != "pname":
            continue
        if i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX":
            continue
        pfx = t.text.split(":", 1)[0]
        if pfx not in declared:
            raise QueryError(
                f"undeclared prefix '{pfx}:' in '{t.text}'",
                where=f"query:{t.line}:{t.col}",
                hint=f"declare it with PREFIX {pfx}: <…> or use a full <IRI>",
                detail=_caret(text, t.line, t.col),
            )
