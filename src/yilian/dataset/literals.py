"""Checking the lexical form of typed literals (pyoxigraph accepts "abc"^^xsd:integer)."""

from __future__ import annotations

import calendar
import re

XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)?"

_PATTERNS = {
    "integer": r"[+-]?\d+",
    "int": r"[+-]?\d+",
    "long": r"[+-]?\d+",
    "short": r"[+-]?\d+",
    "byte": r"[+-]?\d+",
    "nonNegativeInteger": r"(\+?\d+|-0+)",
    "positiveInteger": r"\+?0*[1-9]\d*",
    "nonPositiveInteger": r"(-\d+|\+?0+)",
    "negativeInteger": r"-0*[1-9]\d*",
    # XML Schema 1.1 Part 2, 3.4.23-26: like nonNegativeInteger, a zero may carry either sign
    "unsignedLong": r"(\+?\d+|-0+)",
    "unsignedInt": r"(\+?\d+|-0+)",
    "unsignedShort": r"(\+?\d+|-0+)",
    "unsignedByte": r"(\+?\d+|-0+)",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)",
    "float": r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)",
    "boolean": r"(true|false|1|0)",
    "date": r"-?(\d{4,})-(\d\d)-(\d\d)" + _TZ,
    "dateTime": r"-?(\d{4,})-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?" + _TZ,
    "gYear": r"-?\d{4,}" + _TZ,
    "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])" + _TZ,
    "gMonthDay": r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])" + _TZ,
    "duration": r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?",
}
_COMPILED = {XSD + k: re.compile(v + r"\Z") for k, v in _PATTERNS.items()}

#: the value space of the bounded integer types: (least, greatest), from XML Schema 1.1
#: Part 2, 3.4.16-3.4.26 (maxInclusive / minInclusive of each type)
INTEGER_RANGES = {
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1),
    "byte": (-2**7, 2**7 - 1), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 2**8 - 1),
}


def problem(lexical: str, datatype: str) -> str | None:
    """Why `lexical` is not a valid `datatype` literal, or None when it is (or unknown)."""
    pattern = _COMPILED.get(datatype)
    if pattern is None:
        return None
    m = pattern.match(lexical)
    short = datatype[len(XSD):]
    if not m:
        return f'"{lexical}" is not a valid xsd:{short}'
    bounds = INTEGER_RANGES.get(short)
    if bounds is not None and not bounds[0] <= int(lexical) <= bounds[1]:
        return f'"{lexical}" is out of the range of xsd:{short} ({bounds[0]} to {bounds[1]})'
    if short == "date":
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year if year > 0 else 2000, month)[1]:
            return f'"{lexical}" is not a real calendar date'
    return None


def calendar_problem(year: str | int, month: str | int | None, day: str | int | None = None) -> str | None:
    """Why a (partial) date is not on the calendar — month 13, 30 February, day 0 — or None.
    The year may be negative (XSD); year 0 and below are checked as a leap year like 2000."""
    y = int(year)
    if month is None:
        return None
    m = int(month)
    if not 1 <= m <= 12:
        return f"there is no month {m}"
    if day is None:
        return None
    d = int(day)
    last = calendar.monthrange(y if y > 0 else 2000, m)[1]
    if not 1 <= d <= last:
        return f"month {m} of {y} has no day {d}"
    return None


def line_of(text: str, lexical: str) -> int | None:
    """The line of the first occurrence of the literal's quoted lexical form."""
    for needle in (f'"{lexical}"', f"'{lexical}'", lexical):
        i = text.find(needle)
        if i >= 0:
            return text.count("\n", 0, i) + 1
    return None
