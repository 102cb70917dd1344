"""SHACL-SPARQL (SHACL 5): SPARQL-based constraints (sh:sparql with sh:select), run once over
all focus nodes: $this is bound from the shape's focus nodes (injected at the start of the
WHERE clause), $PATH is the property shape's path and $currentShape the shape. Messages are
templates whose {$var} / {?var} are filled in from the solution."""

from __future__ import annotations

import re

import pyoxigraph as ox

from ..errors import InputError, PolicyError, YilianError
from ..sparql import lexer as sparql_lexer
from .scratch import FOCUS_GRAPH, SPARQL_VIEW, decode, term
from .shapes import OWL, SH, Component, Unsupported, sparql_path

SPARQL = Component("SPARQLConstraintComponent", ("sparql",), "The SPARQL constraint found a violation")
COMPONENTS = (SPARQL,)


def prefix_block(shapes, constraint, strict: bool = True) -> str:
    """PREFIX declarations for the sh:prefixes of `constraint`."""
    lines = []
    # the nodes named by sh:prefixes, and those they import (owl:imports, transitively; SHACL 5.2.1)
    sources, todo = [], list(shapes.sh(constraint, "prefixes"))
    while todo:
        src = todo.pop(0)
        if src in sources:
            continue
        sources.append(src)
        todo += shapes.objects(src, OWL + "imports")
    for src in sources:
        for decl in shapes.sh(src, "declare"):
            prefix, ns = shapes.sh1(decl, "prefix"), shapes.sh1(decl, "namespace")
            if prefix is None or ns is None:
                if not strict:
                    continue
                raise Unsupported("an incomplete sh:declare")
            lines.append(f"PREFIX {prefix.value}: <{ns.value}>")
    return "\n".join(lines)


#: the sh: properties whose value is SPARQL text run by one engine or the other
_SPARQL_TEXT = ("select", "ask", "construct")


def check_policy(shapes) -> None:
    """Refuse SPARQL in the shapes graph that would reach the network, before either engine runs it.

    SERVICE (sparql.policy.check_query's detection; no endpoint is ever allowed here) and
    FROM / FROM NAMED (rdflib, under pySHACL, downloads those graphs) are refused with a
    PolicyError (exit 3); so is SPARQL Update. Applies to sh:select, sh:ask and sh:construct
    texts, with the prefixes their sh:prefixes declare."""
    from ..sparql import policy

    for s, p, o in shapes.triples:
        if not (p.value.startswith(SH) and p.value[len(SH):] in _SPARQL_TEXT and isinstance(o, ox.Literal)):
            continue
        owner = next((x for x, q, y in shapes.triples if y == s and q.value == SH + "sparql"), s)
        where = f"shapes graph: {'sh:sparql of ' if owner != s else ''}" + (
            str(owner) if not isinstance(owner, ox.BlankNode) else "a blank node")
        text = prefix_block(shapes, s, strict=False) + "\n" + o.value
        try:
            tokens = policy.check_query(text)
        except PolicyError as e:
            if "SERVICE" in e.message:
                raise PolicyError(f"sh:{p.value[len(SH):]} uses SERVICE, which would send a request over the network",
                                  where=where, hint="SHACL constraints are checked on the data given; remove the "
                                                    "SERVICE clause") from None
            raise PolicyError(e.message, where=where, hint=e.hint) from None
        except YilianError as e:
            raise type(e)(e.message, where=where, hint=e.hint) from None
        for t in sparql_lexer.words(tokens):
            if t.text.upper() == "FROM":
                raise PolicyError(f"sh:{p.value[len(SH):]} uses FROM, which would load a graph by its IRI",
                                  where=where, hint="SHACL constraints are checked on the data given; remove FROM")
        why = _not_prebindable(tokens)
        if why:
            raise InputError(f"sh:{p.value[len(SH):]} {why}, which SHACL does not allow where variables are "
                             "pre-bound (SHACL 5.3.1); the shapes graph is refused", where=where,
                             hint="rewrite the query without it")


#: variables a SHACL processor binds before running a query (custom components add their parameters, written $name)
_PREBOUND = {"this", "value", "currentShape", "shapesGraph", "PATH"}


def _not_prebindable(tokens) -> str | None:
    """Why a SPARQL text breaks the syntax rules for pre-binding (SHACL 5.3.1), or None: it
    must not use MINUS, VALUES, federated query (SERVICE, refused before), AS with a
    pre-bound variable, or a subquery that does not return the pre-bound variables."""
    prebound = set(_PREBOUND) | {t.text[1:] for t in tokens if t.kind == "var" and t.text[0] == "$"}
    depth, selects = 0, []  # selects: bracket depth at each SELECT
    for i, t in enumerate(tokens):
        word = t.text.upper() if t.kind == "word" else None
        if word in ("MINUS", "VALUES"):
            return f"uses {word}"
        if word == "AS" and i + 1 < len(tokens) and tokens[i + 1].kind == "var" \
                and tokens[i + 1].text[1:] in prebound:
            return f"assigns the pre-bound variable {tokens[i + 1].text} (AS {tokens[i + 1].text})"
        if t.text == "{":
            depth += 1
        elif t.text == "}":
            depth -= 1
        if word == "SELECT":
            selects.append((depth, i))
    for depth, i in selects[1:]:  # subqueries
        projected, j = set(), i + 1
        while j < len(tokens) and not (tokens[j].kind == "word" and tokens[j].text.upper() == "WHERE") \
                and tokens[j].text != "{":
            if tokens[j].kind == "var":
                projected.add(tokens[j].text[1:])
            if tokens[j].text == "*":
                projected = None
                break
            j += 1
        used = {t.text[1:] for t in tokens[:i] if t.kind == "var"} & prebound
        if projected is None:
            # SELECT *: the variables in scope, i.e. those of its patterns outside FILTER expressions
            projected = _in_scope(tokens, j)
        missing = sorted(used - projected)
        if missing:
            return f"has a subquery that does not return the pre-bound variable ${missing[0]}"
    return None


def _in_scope(tokens, start: int) -> set:
    """The variables of the group that starts at or after `start`, outside FILTER (...)."""
    out, depth, k, skip = set(), 0, start, 0
    while k < len(tokens) and tokens[k].text != "{":
        k += 1
    while k < len(tokens):
        t = tokens[k]
        if t.kind == "word" and t.text.upper() == "FILTER":
            # skip the filter's expression (balanced parentheses, or a function call)
            k += 1
            while k < len(tokens) and tokens[k].text != "(":
                k += 1
            skip = 0
            while k < len(tokens):
                if tokens[k].text == "(":
                    skip += 1
                elif tokens[k].text == ")":
                    skip -= 1
                    if skip == 0:
                        break
                k += 1
        elif t.text == "{":
            depth += 1
        elif t.text == "}":
            depth -= 1
            if depth == 0:
                break
        elif t.kind == "var":
            out.add(t.text[1:])
        k += 1
    return out


def check(engine, shape, constraint, key: str, path_node) -> None:
    """Run SPARQL-based constraint `constraint` of `shape` over the focus nodes in context `key`."""
    sh = engine.shapes
    if not sh.active(constraint):
        return
    select = sh.sh1(constraint, "select")
    if not isinstance(select, ox.Literal):
        raise Unsupported("sh:sparql without one sh:select")
    path = sparql_path(sh, path_node) if path_node is not None else None
    text = prefix_block(sh, constraint) + "\n" + select.value
    tokens = sparql_lexer.tokenize(text)
    if _this_in_nested_group(tokens):
        return _check_substituted(engine, shape, constraint, key, path_node, tokens, path)
    out: list[str] = []
    depth, injected, projected_this, star, in_select = 0, False, False, False, False
    nested_select_depth = None
    for i, tok in enumerate(tokens):
        t = tok.text
        if tok.kind == "var" and t[0] == "$":
            name = t[1:]
            if name == "PATH":
                if path is None:
                    raise Unsupported("$PATH in a SPARQL constraint of a node shape")
                out.append(path)
                continue
            if name == "this":
                if nested_select_depth is not None:
                    raise Unsupported("$this inside a sub-select of a SPARQL constraint")
                if in_select:
                    projected_this = True
                out.append("?this")
                continue
            if name == "currentShape":
                out.append(term(shape))
                continue
            raise Unsupported(f"the pre-bound variable {t} in a SPARQL constraint")
        if tok.kind == "var" and t == "?this" and in_select:
            projected_this = True
        if tok.kind == "word" and t.upper() == "SELECT":
            if injected:
                nested_select_depth = depth if nested_select_depth is None else nested_select_depth
            else:
                in_select = True
        if in_select and t == "*":
            star = True
        if t == "{":
            if not injected:
                out.append("{ " + engine.focus(key) + " ")
                injected, in_select = True, False
                depth += 1
                continue
            depth += 1
        elif t == "}":
            depth -= 1
            if nested_select_depth is not None and depth <= nested_select_depth:
                nested_select_depth = None
        if tok.kind == "word" and t.upper() == "WHERE" and in_select:
            in_select = False
            if not projected_this and not star:
                out.append("?this")
                projected_this = True
        out.append(t)
    _report(engine, shape, constraint, path_node, " ".join(out))


def _this_in_nested_group(tokens) -> bool:
    """$this inside a group that SPARQL evaluates on its own before joining (a { } group, a
    UNION branch, OPTIONAL, GRAPH), outside any EXISTS: there a binding injected at the top
    of WHERE does not reach it (SHACL pre-binding is substitution), e.g. FILTER($this = …)
    in a UNION branch."""
    stack: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.text == "{":
            prev = tokens[i - 1].text.upper() if i else ""
            stack.append("exists" if prev == "EXISTS" else "group")
        elif tok.text == "}":
            if stack:
                stack.pop()
        elif tok.kind == "var" and tok.text[1:] == "this" and len(stack) > 1 and "exists" not in stack[1:]:
            return True
    return False


def _check_substituted(engine, shape, constraint, key: str, path_node, tokens, path) -> None:
    """Run the constraint once per focus node with $this replaced by the node (SHACL's
    pre-binding, literally). Slower: only for queries that need it (_this_in_nested_group)."""
    foci = [row["this"] for row in engine.select(f"SELECT DISTINCT ?this WHERE {{ {engine.focus(key)} }}")]
    for focus in foci:
        if isinstance(focus, ox.BlankNode):
            raise Unsupported("a blank-node focus node for a SPARQL constraint that binds $this in a nested group")
        value = str(decode(focus))
        out: list[str] = []
        in_select, selects, projected = True, 0, 0
        skip = 0
        for i, tok in enumerate(tokens):
            t = tok.text
            if skip:
                skip -= 1
                continue
            if tok.kind == "word" and t.upper() == "BOUND" and [x.text for x in tokens[i + 1:i + 4]] == ["(", "$this", ")"]:
                out.append("(true)")  # $this is always bound
                skip = 3
                continue
            if tok.kind == "word" and t.upper() == "SELECT":
                in_select = True  # a projection (of the query or a subquery) until WHERE or {
                selects += 1
                projected = 0
            elif tok.kind == "word" and t.upper() == "WHERE" or t == "{":
                if in_select and selects == 1 and not projected:
                    out.append("*")  # the query projected only $this, which is known
                in_select = False
            elif in_select and t.upper() not in ("DISTINCT", "REDUCED") and t != "$this":
                projected += 1
            if tok.kind == "var" and t[0] == "$":
                name = t[1:]
                if name == "PATH":
                    if path is None:
                        raise Unsupported("$PATH in a SPARQL constraint of a node shape")
                    out.append(path)
                elif name == "this":
                    if in_select and selects == 1:
                        continue  # the outer projection: the focus node is reported as this
                    out.append(f"({value} AS ?this)" if in_select else value)
                elif name == "currentShape":
                    out.append(term(shape))
                else:
                    raise Unsupported(f"the pre-bound variable {t} in a SPARQL constraint")
                continue
            out.append(t)
        _report(engine, shape, constraint, path_node, " ".join(out), this=focus)


def _report(engine, shape, constraint, path_node, query: str, this=None) -> None:
    sh = engine.shapes
    messages = sh.messages(shape)
    extra = tuple(m for m in sh.sh(constraint, "message") if isinstance(m, ox.Literal) and m not in messages)
    solutions = engine.store.query(query, default_graph=SPARQL_VIEW, named_graphs=[FOCUS_GRAPH])
    names = [v.value for v in solutions.variables]
    for row in solutions:
        variables = {n: row[n] for n in names if row[n] is not None}
        if this is not None:
            variables["this"] = this
        focus = variables["this"]
        value = variables.get("value")
        if value is None and path_node is None:
            value = focus
        rpath = variables.get("path")
        msgs = tuple(format_message(m, variables) for m in messages + extra) or (ox.Literal(SPARQL.default_message),)
        engine.add(shape, SPARQL, focus, value=value,
                 path=rpath if rpath is not None else path_node, messages=msgs, constraint=constraint)


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def format_message(message: ox.Literal, variables: dict) -> ox.Literal:
    if "{" not in message.value:
        return message
    text = _TEMPLATE.sub(lambda m: _display(variables.get(m.group(1))) if m.group(1) in variables else m.group(0),
                         message.value)
    if message.language:
        return ox.Literal(text, language=message.language)
    return ox.Literal(text, datatype=message.datatype)


def _display(term) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)
