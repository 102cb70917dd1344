"""Partial dates, as precise as the source: a year (xsd:gYear), a month (xsd:gYearMonth)
or a day (xsd:date) — docs/MODELING.md, "Dates"."""

from __future__ import annotations

import datetime
import re

XSD = "http://www.w3.org/2001/XMLSchema#"
_FORMS = (
    (re.compile(r"^(\d{4})$"), "gYear"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "gYearMonth"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "date"),
)
_CN = "〇一二三四五六七八九十"


def parse(text) -> tuple[str, str] | None:
    """(lexical form, XSD datatype local name) of a partial date, or None if `text` is not
    one (also for impossible dates such as 2024-02-30)."""
    text = str(text).strip()
    for rx, dt in _FORMS:
        m = rx.match(text)
        if not m:
            continue
        parts = [int(x) for x in m.groups()]
        try:
            if dt == "gYearMonth":
                datetime.date(parts[0], parts[1], 1)
            elif dt == "date":
                datetime.date(*parts)
        except ValueError:
            return None
        return text, dt
    return None


def literal(text):
    """An rdflib Literal for a partial date (parse() must have accepted it)."""
    from rdflib import Literal, URIRef

    lexical, dt = parse(text)
    return Literal(lexical, datatype=URIRef(XSD + dt))


def _cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n % 10 else "")
    return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")


def day_printed(quote: str, month: int, day: int) -> bool:
    """Whether a quote prints this day of the month (8日, 8号, 初八 is not supported; 三十日),
    so that a date with a day is not more precise than its source."""
    q = re.sub(r"\s+", "", quote)
    for d in (str(day), f"{day:02d}", _cn_number(day)):
        if re.search(rf"(?<![0-9]){d}[日号]", q):
            return True
    return False
