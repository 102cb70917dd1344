"""String-based constraint components (SHACL 4.4): sh:minLength, sh:maxLength, sh:pattern
(with sh:flags), sh:languageIn, sh:uniqueLang."""

from __future__ import annotations

from ..scratch import string
from ..shapes import Component, Unsupported, integer, true

MIN_LENGTH = Component("MinLengthConstraintComponent", ("minLength",), "Value is shorter than sh:minLength")
MAX_LENGTH = Component("MaxLengthConstraintComponent", ("maxLength",), "Value is longer than sh:maxLength")
PATTERN = Component("PatternConstraintComponent", ("pattern", "flags"), "Value does not match sh:pattern")
LANGUAGE_IN = Component("LanguageInConstraintComponent", ("languageIn",), "Value's language is not in sh:languageIn")
UNIQUE_LANG = Component("UniqueLangConstraintComponent", ("uniqueLang",),
                        "More than one value with the same language tag")
COMPONENTS = (MIN_LENGTH, MAX_LENGTH, PATTERN, LANGUAGE_IN, UNIQUE_LANG)


def value_conditions(engine, shape, v: str) -> list:
    """(component, SPARQL expression true when value node `v` satisfies it)."""
    sh = engine.shapes
    out = []
    for component, op in ((MIN_LENGTH, ">="), (MAX_LENGTH, "<=")):
        for n in sh.sh(shape, component.parameters[0]):
            out.append((component, f"(!isBlank({v}) && STRLEN(STR({v})) {op} {integer(n)})"))
    flags = sh.sh1(shape, "flags")
    for pat in sh.sh(shape, "pattern"):
        args = string(pat.value) + (", " + string(flags.value) if flags is not None else "")
        # Oxigraph's REGEX (Rust's regex crate: \p{L} yes, XPath block names such as
        # \p{IsBasicLatin} no) is unbound on a pattern it cannot read, and every value would
        # then pass: such a pattern goes to pySHACL instead
        probe = next(iter(engine.store.query(f'SELECT (REGEX("", {args}) AS ?m) {{}}')))["m"]
        if probe is None:
            raise Unsupported(f"sh:pattern {string(pat.value)}, which Oxigraph's regular expressions cannot read")
        out.append((PATTERN, f"(!isBlank({v}) && REGEX(STR({v}), {args}))"))
    for lst in sh.sh(shape, "languageIn"):
        tags = [t.value for t in sh.items(lst)]
        cond = " || ".join(f"LANGMATCHES(LANG({v}), {string(t)})" for t in tags) or "false"
        out.append((LANGUAGE_IN, f"(isLiteral({v}) && ({cond}))"))
    return out


def _unique_lang(engine, ps) -> bool:
    return any(true(u) for u in engine.shapes.sh(ps, "uniqueLang"))


def property_conditions(engine, ps, v: str, path: str, w: str) -> list[str]:
    """SPARQL expressions true when focus node `v` satisfies sh:uniqueLang of `ps`."""
    if not _unique_lang(engine, ps):
        return []
    w2 = engine.var()
    return [f"NOT EXISTS {{ {v} {path} {w} . {v} {path} {w2} "
            f"FILTER(!sameTerm({w}, {w2}) && LANG({w}) != \"\" && LCASE(LANG({w})) = LCASE(LANG({w2}))) }}"]


def check(engine, ps, key: str, path: str) -> None:
    """Report sh:uniqueLang: one result per focus node and language."""
    if not _unique_lang(engine, ps):
        return
    q = (f"SELECT DISTINCT ?this ?lang WHERE {{ {engine.focus(key)} ?this {path} ?v . ?this {path} ?w "
         f"FILTER(!sameTerm(?v, ?w) && LANG(?v) != \"\" && LCASE(LANG(?v)) = LCASE(LANG(?w))) "
         f"BIND(LCASE(LANG(?v)) AS ?lang) }}")
    for row in engine.select(q):
        engine.add(ps, UNIQUE_LANG, row["this"], detail=row["lang"].value)
