"""`yilian draft`: read an article and propose candidate facts for a curator.

Every candidate is a block of the fact sheet (see sheet.py for the format) whose quote is
already a verbatim span of the article. Nothing is decided for the curator: every block
starts with ``accept: false``; what the text does not say is left null.

What is proposed:

- numbers: the value (Arabic or Chinese numerals, 万/亿 folded into the unit when the
  graph has such a unit — 1.84万人次 is 1.84 yid:unit-10k-person-time, values as printed),
  the qualifier (余/多/超 more-than, 以上 at-least, 以下 at-most, 约/近 approximately), the
  unit (the graph's yl:Unit labels and alternate names), a change (同比/较…增长/下降,
  with its comparison and base period; 提升至/降至 give a level, not a change), and the
  period (2024年, 2023年1~11月, 上半年, 截至11月底, 今年/去年 — relative years resolved
  only when the document's date is known);
- organizations the graph knows (label or alternate name) and new ones by their name
  endings (…医院, …卫生院, …中心, …医共体, …联盟; lexicon.yaml), with the proposed class;
- people next to a post word (院长, 书记, 主任 …) with the post and the organization;
- events (发布会, 会议, 揭牌 …) with the date as precise as printed;
- alliance memberships by their role words (牵头, 联合, 协同, 联系) and declared counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon as lx
from .gazetteer import Document, Gazetteer
from .segment import Token, tokens
from .slugs import english_name, slug
from .text import Article, position

_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CLAUSE = re.compile(r"[，,。；;！？!?\n：:…]")
_SENTENCE = re.compile(r"[。；;！？!?\n]")
_CJK = re.compile(r"[\u4e00-\u9fff]")

#: the classes whose members are alliances (for membership proposals)
ALLIANCE_CLASSES = {"yl:Alliance", "yl:CountyMedicalCommunity", "yl:CloseKnitCountyMedicalCommunity",
                    "yl:SpecialtyAlliance", "yl:UrbanMedicalGroup", "yl:UrbanMedicalAlliance",
                    "yl:RemoteCollaboration"}


@dataclass
class Block:
    """One candidate: its kind, its fields in sheet order, a comment per field, and where
    in the article it was found (character offset)."""

    kind: str
    fields: dict
    comments: dict = field(default_factory=dict)
    offset: int = 0


@dataclass
class Draft:
    """What `draft` proposes for one article."""

    article: Article
    document: Document | None
    blocks: list[Block]

    def count(self, kind: str) -> int:
        return sum(1 for b in self.blocks if b.kind == kind)


# ----------------------------------------------------------------- text helpers

def _bounds(text: str, start: int, end: int, pattern: re.Pattern) -> tuple[int, int]:
    s = start
    while s > 0 and not pattern.match(text[s - 1]):
        s -= 1
    m = pattern.search(text, end)
    e = m.start() if m else len(text)
    return s, e


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def quote_span(text: str, start: int, end: int, min_before: int = 6) -> tuple[int, int]:
    """The clause around [start, end), with the clause before it when the part of the
    clause before the match is shorter than `min_before` characters (so the quote names
    what the number is about). Always a verbatim span of `text`."""
    s, e = _bounds(text, start, end, _CLAUSE)
    if start - s < min_before and s > 0 and not _SENTENCE.match(text[s - 1]):
        s2, _ = _bounds(text, s - 1, s - 1, _CLAUSE)
        s = s2
    return _trim(text, s, e)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    return _bounds(text, start, end, _SENTENCE)


@lru_cache(maxsize=1)
def _cn2an():
    import cn2an

    return cn2an.Cn2An()


def _cn_value(s: str) -> float | None:
    """The value of a Chinese numeral (cn2an; 百 and 千 alone read as 一百, 一千)."""
    if s[0] in "百千":
        s = "一" + s
    try:
        return float(_cn2an().cn2an(s, "smart"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _number(v: float):
    return int(v) if float(v).is_integer() else round(v, 6)


# ----------------------------------------------------------------- periods

_P_ASOF = re.compile(r"截至(?:(\d{4})年)?(今年|去年)?(\d{1,2})月(?:底|末)?")
_P_SPAN_Y = re.compile(r"(\d{4})年\s*(\d{1,2})\s*[~～—\-－至到]\s*(\d{1,2})\s*月")
_P_SPAN_R = re.compile(r"(今年|去年)?\s*(\d{1,2})\s*[~～—\-－至到]\s*(\d{1,2})\s*月")
_P_HALF = re.compile(r"(?:(\d{4})年|(今年|去年))?([上下])半年")
_P_MONTH = re.compile(r"(\d{4})年(\d{1,2})月")
_P_YEAR = re.compile(r"((?:19|20)\d{2})年")
_P_REL = re.compile(r"(今年|去年|前年)")


def _doc_year(doc: Document | None) -> int | None:
    for d in (doc.published, doc.estimated) if doc else ():
        if d and re.match(r"\d{4}", d):
            return int(d[:4])
    return None


def _resolve(rel: str | None, year: str | None, doc: Document | None, notes: list[str]) -> str | None:
    if year:
        return year
    if not rel:
        return None
    base = _doc_year(doc)
    if base is None:
        notes.append(f"{rel} is not resolved to a year: the document's date is unknown")
        return None
    y = base + lx.lexicon()["relative_years"][rel]
    when = doc.published or doc.estimated
    notes.append(f"{rel} resolved as {y} against the document date {when}")
    return str(y)


def period_of(text: str, sent_start: int, at: int, para_start: int, doc: Document | None) -> tuple[dict, list[str]]:
    """The period fields (period / period_start+period_end / as_of) of a number at
    offset `at`, from the sentence before it, else the paragraph before it."""
    before = text[sent_start:at]
    notes: list[str] = []
    m = None
    for m in _P_ASOF.finditer(before):
        pass
    if m:
        y = _resolve(m.group(2), m.group(1), doc, notes) or _year_context(text, para_start, at)
        return ({"as_of": f"{y}-{int(m.group(3)):02d}"} if y else {}), notes
    for pat, rel in ((_P_SPAN_Y, False), (_P_SPAN_R, True)):
        found = list(pat.finditer(before))
        if found:
            m = found[-1]
            y = (_resolve(m.group(1), None, doc, notes) if rel else m.group(1)) or (
                None if rel and m.group(1) else _year_context(text, para_start, at))
            if y:
                return {"period_start": f"{y}-{int(m.group(2)):02d}", "period_end": f"{y}-{int(m.group(3)):02d}"}, notes
            return {}, notes
    found = list(_P_HALF.finditer(before))
    if found:
        m = found[-1]
        y = _resolve(m.group(2), m.group(1), doc, notes) or (None if m.group(2) else _year_context(text, para_start, at))
        if y:
            a, b = ("01", "06") if m.group(3) == "上" else ("07", "12")
            return {"period_start": f"{y}-{a}", "period_end": f"{y}-{b}"}, notes
        return {}, notes
    found = list(_P_MONTH.finditer(before))
    if found:
        m = found[-1]
        return {"period": f"{m.group(1)}-{int(m.group(2)):02d}"}, notes
    found = list(_P_YEAR.finditer(before))
    if found:
        return {"period": found[-1].group(1)}, notes
    found = list(_P_REL.finditer(before))
    if found:
        y = _resolve(found[-1].group(1), None, doc, notes)
        return ({"period": y} if y else {}), notes
    y = _year_context(text, para_start, sent_start)
    if y:
        notes.append(f"the year {y} is from the paragraph, not the sentence")
        return {"period": y}, notes
    return {}, notes


def _year_context(text: str, para_start: int, at: int) -> str | None:
    found = list(_P_YEAR.finditer(text, para_start, at))
    return found[-1].group(1) if found else None


# ----------------------------------------------------------------- numbers

class _Numbers:
    def __init__(self, gaz: Gazetteer):
        L = lx.lexicon()
        self.gaz = gaz
        self.units = dict(gaz.unit_words)
        units = sorted(self.units, key=lambda u: (-len(u), u))
        pre = sorted(L["qualifiers_before"], key=len, reverse=True)
        trail = sorted(L["qualifiers_trailing"], key=len, reverse=True)
        unit_alt = "|".join(re.escape(u) for u in units) or "(?!)"
        self.regex = re.compile(
            rf"(?P<pre>{'|'.join(map(re.escape, pre))})?"
            rf"(?P<num>\d+(?:\.\d+)?|[{_CN_DIGITS}]+)"
            rf"(?P<mult>[万亿])?(?P<q>[余多])?(?P<unit>{unit_alt})?"
            rf"(?P<trail>{'|'.join(map(re.escape, trail))})?")
        self.L = L

    def _unit(self, mult: str | None, unit: str | None) -> tuple[str | None, float]:
        """(unit IRI, factor) for the printed multiplier and unit word."""
        if unit and unit[0] in "万亿" and unit in self.units:  # 万人次 read as one unit word
            return self.units[unit], 1.0
        if mult and unit and mult + unit in self.units:
            return self.units[mult + unit], 1.0
        if mult and unit:  # 1.4万例次: 例次 is another name of 例, and the graph has 万例
            base = self.gaz.by_kind["unit"].get(self.units[unit])
            for name in base.names if base else ():
                if mult + name in self.units:
                    return self.units[mult + name], 1.0
        if unit:
            factor = {"万": 1e4, "亿": 1e8}.get(mult or "", 1.0)
            return self.units[unit], factor
        return None, 1.0

    def find(self, text: str, toks: list[Token], doc: Document | None) -> list[Block]:
        L = self.L
        t = text.translate(_FULLWIDTH)
        by_pos = _token_index(toks, len(text))
        blocks: list[Block] = []
        last_change: tuple[int, dict] | None = None
        for m in self.regex.finditer(t):
            num, unit_word = m.group("num"), m.group("unit")
            s_num, e_all = m.start("num"), m.end()
            cn = not num[0].isdigit()
            if s_num > 0 and (t[s_num - 1].isdigit() or t[s_num - 1] == "."):
                continue
            if cn:
                if not unit_word or num in ("一", "两") or num[-1] in "百千" and len(num) == 1 and not m.group("pre"):
                    continue
                tok = by_pos[s_num]
                if tok is not None and tok.start != s_num:
                    continue  # inside a word: 一体化, 三甲, 十分
                if tok is not None and not re.fullmatch(rf"[{_CN_DIGITS}]+.*", tok.word):
                    continue
                value = _cn_value(num)
            else:
                value = float(num)
            if value is None:
                continue
            rank = unit_word in ("名", "位") and s_num > 0 and t[s_num - 1] == "第"
            if not unit_word and not rank:
                continue
            if unit_word == "年":
                before = t[max(0, m.start() - 3):m.start()]
                if not (value < 100 and value.is_integer() and any(w in before for w in L["year_duration_before"])
                        or m.group("pre")):
                    continue
            if rank:
                unit_iri, factor = self.gaz.unit_iri("unit-rank"), 1.0
            else:
                unit_iri, factor = self._unit(m.group("mult"), unit_word)
            sent_s, sent_e = _sentence(t, m.start(), e_all)
            clause_s, _ = _bounds(t, m.start(), e_all, _CLAUSE)
            if unit_word == "个" and "每千人口" in t[max(clause_s, m.start() - 12):m.start()]:
                unit_iri = self.gaz.unit_iri("unit-per-thousand-people") or unit_iri
            value = value * factor
            qualifier = None
            if m.group("pre"):
                qualifier = L["qualifiers_before"][m.group("pre")]
            if m.group("q"):
                qualifier = L["qualifiers_after"][m.group("q")]
            if m.group("trail"):
                qualifier = L["qualifiers_trailing"][m.group("trail")]
            start = m.start()
            prefix = t[clause_s:start].rstrip()
            change = None
            comparison = None
            base_period = None
            if not any(prefix.endswith(w) for w in L["to_level"]):
                for w in L["increase"] + L["decrease"]:
                    if re.search(re.escape(w) + r"(?:了)?$", prefix):
                        change = value if w in L["increase"] else -value
                        break
                if change is None and last_change and re.fullmatch(r"\s*[和、及与]\s*", t[last_change[0]:start]):
                    change = value if last_change[1]["change"] > 0 else -value
                    comparison = last_change[1].get("comparison")
                    base_period = last_change[1].get("base_period")
            if change is not None and comparison is None:
                sentence_before = t[sent_s:start]
                if any(w in sentence_before for w in L["year_on_year"]):
                    comparison = "year-on-year"
                mb = re.search(r"较\s*((?:19|20)\d{2})年|较\s*(去年|上年|前|之前|派驻前)", sentence_before)
                if mb:
                    comparison = "against-base-period"
                    base_period = mb.group(1)
            quote_s, quote_e = quote_span(text, start, e_all)
            para_s = t.rfind("\n\n", 0, start) + 1
            period, notes = period_of(t, sent_s, start, para_s, doc)
            line, col = position(text, start)
            fields: dict = {"quote": text[quote_s:quote_e], "printed": text[start:e_all]}
            comments = {"printed": f"line {line}, column {col}"}
            if change is None:
                fields.update(value=_number(value), qualifier=_qualifier_name(qualifier), unit=_curie(unit_iri))
                fields.update(change=None, change_unit=None, comparison=None, base_period=None)
            else:
                fields.update(value=None, qualifier=_qualifier_name(qualifier), unit=None)
                fields.update(change=_number(change), change_unit=_curie(unit_iri), comparison=comparison,
                              base_period=base_period)
            for k in ("period", "period_start", "period_end", "as_of"):
                fields[k] = period.get(k)
            ind, ind_hint = self._indicator(t, clause_s, start)
            fields["indicator"] = ind
            if ind_hint:
                comments["indicator"] = ind_hint
            fields["about"] = None
            about = _entities_in(self.gaz, t[sent_s:start])
            if about:
                comments["about"] = "named before the number: " + ", ".join(about[:4])
            fields["label"] = None
            fields["note"] = "; ".join(notes) or None
            if not unit_iri:
                comments["unit"] = f"'{unit_word}' is not a unit of the graph; add it to the vocabulary first"
            block = Block("observation", fields, comments, start)
            # a change right after a level of the same quantity belongs to it (67.36%，同比增加18.04个百分点)
            if change is not None and blocks and blocks[-1].kind == "observation":
                prev = blocks[-1].fields
                same_sentence = prev.get("_sentence") == sent_s
                if (same_sentence and prev["change"] is None and prev["value"] is not None
                        and _compatible(prev["unit"], fields["change_unit"])
                        and not self.regex.search(t, blocks[-1].offset + len(prev["printed"]), start)):
                    prev.update(change=fields["change"], change_unit=fields["change_unit"],
                                comparison=fields["comparison"], base_period=fields["base_period"])
                    qs, _ = quote_span(text, blocks[-1].offset, blocks[-1].offset)
                    qs = min(qs, quote_s)
                    prev["quote"] = text[qs:quote_e].strip()
                    last_change = (e_all, fields)
                    continue
            fields["_sentence"] = sent_s
            blocks.append(block)
            last_change = (e_all, fields) if change is not None else None
        for b in blocks:
            b.fields.pop("_sentence", None)
        blocks += self._word_values(text, t, doc)
        blocks.sort(key=lambda b: b.offset)
        return blocks

    def _word_values(self, text: str, t: str, doc: Document | None) -> list[Block]:
        """Numbers stated by a word (全覆盖: 100 %), from lexicon.yaml's word_values."""
        out = []
        for word, (value, unit_word) in self.L.get("word_values", {}).items():
            for m in re.finditer(re.escape(word), t):
                unit_iri = self.units.get(unit_word)
                sent_s, _ = _sentence(t, m.start(), m.end())
                clause_s, _ = _bounds(t, m.start(), m.end(), _CLAUSE)
                qs, qe = quote_span(text, m.start(), m.end())
                para_s = t.rfind("\n\n", 0, m.start()) + 1
                period, notes = period_of(t, sent_s, m.start(), para_s, doc)
                line, col = position(text, m.start())
                fields = {"quote": text[qs:qe], "printed": word, "value": value, "qualifier": None,
                          "unit": _curie(unit_iri), "change": None, "change_unit": None, "comparison": None,
                          "base_period": None}
                for k in ("period", "period_start", "period_end", "as_of"):
                    fields[k] = period.get(k)
                ind, hint = self._indicator(t, clause_s, m.start())
                fields.update(indicator=ind, about=None, label=None, note="; ".join(notes) or None)
                comments = {"printed": f"line {line}, column {col}; '{word}' read as {value} {unit_word}"}
                if hint:
                    comments["indicator"] = hint
                out.append(Block("observation", fields, comments, m.start()))
        return out

    def _indicator(self, t: str, clause_s: int, at: int) -> tuple[str | None, str | None]:
        before = t[clause_s:at]
        best = None
        for name, ents in self.gaz.names["indicator"].items():
            if len(name) >= 2 and name in before and (best is None or len(name) > len(best[0])):
                best = (name, ents[0])
        if best:
            return best[1].curie, f"found '{best[0]}' before the number"
        words = re.sub(r"[\d.%]+|[“”\"'（）()]", "", before).strip()
        return None, ("new indicator? the clause says: " + words[-20:]) if words else None


def _compatible(level_unit: str | None, change_unit: str | None) -> bool:
    if not level_unit or not change_unit:
        return False
    if level_unit == change_unit:
        return True
    return level_unit == "yid:unit-percent" and change_unit == "yid:unit-percentage-point"


_QUALIFIERS = {"MoreThan": "more-than", "AtLeast": "at-least", "AtMost": "at-most", "Approximately": "approximately"}


def _qualifier_name(q: str | None) -> str | None:
    return _QUALIFIERS.get(q) if q else None


def _curie(iri: str | None) -> str | None:
    from .gazetteer import YID

    if iri is None:
        return None
    return "yid:" + iri[len(YID):] if iri.startswith(YID) else iri


def _token_index(toks: list[Token], n: int) -> list[Token | None]:
    idx: list[Token | None] = [None] * (n + 1)
    for tok in toks:
        for i in range(tok.start, min(tok.end, n)):
            idx[i] = tok
    return idx


def _entities_in(gaz: Gazetteer, text: str) -> list[str]:
    out = []
    for kind in ("organization", "place"):
        for name, ents in gaz.names[kind].items():
            if len(name) >= 2 and name in text:
                for e in ents:
                    if e.curie not in out:
                        out.append(e.curie)
    return out


# ----------------------------------------------------------------- organizations

@dataclass
class _OrgHit:
    name: str
    start: int
    end: int
    curie: str | None  # a known entity, or None
    options: list[str]
    cls: str | None


def _known_orgs(gaz: Gazetteer, text: str) -> list[_OrgHit]:
    """Every occurrence of every known organization name, overlapping ones included
    (湘潭市中心医院 inside 湘潭市中心医院日间手术中心), except a name that is the tail of a
    longer name found at the same place (市中心医院 inside 湘潭市中心医院)."""
    found: list[tuple[int, int, str]] = []
    for name in gaz.names["organization"]:
        if len(name) < 2:
            continue
        i = text.find(name)
        while i >= 0:
            found.append((i, i + len(name), name))
            i = text.find(name, i + 1)
    ends: dict[int, int] = {}
    for s, e, _ in found:
        ends[e] = min(ends.get(e, s), s)
    hits = []
    for s, e, name in sorted(found):
        if ends[e] < s:
            continue
        ents = gaz.lookup("organization", name)
        options = [x.curie for x in ents]
        hits.append(_OrgHit(name, s, e, options[0] if len(options) == 1 else None, options,
                            ents[0].cls if ents else None))
    return hits


_NAME_FLAGS = {"ns", "nt", "nz", "n", "nr", "nrt", "nrfg", "j", "b", "m", "eng", "s", "ng"}
#: tags of the words that make a name proper (a place, a person, an abbreviation …)
_PROPER_FLAGS = {"ns", "nt", "nz", "nr", "nrt", "nrfg", "j", "eng"}


def _proper(head: str, by_pos, start: int, end: int, places: set[str], generic_words: set[str]) -> bool:
    """Whether the part of a name before its ending makes it a proper name: it holds a
    place the graph knows or a word jieba tags as a place, person, organization or
    abbreviation (and not a generic word such as 城市, 区域, 国家)."""
    if any(p in head for p in places):
        return True
    if head[:1] in ("市", "县", "省") and len(head) >= 2:  # a city-relative short name: 市五医院, 市口腔医院
        return True
    i = start
    while i < end:
        tok = by_pos[i]
        if tok is None:
            break
        if tok.flag in _PROPER_FLAGS and tok.word not in generic_words:
            return True
        i = tok.end
    return False


def _new_orgs(text: str, toks: list[Token], taken: list[tuple[int, int]], places: set[str]) -> list[_OrgHit]:
    L = lx.lexicon()
    generic_words = set(L["generic_words"])
    endings = sorted(L["org_endings"], key=len, reverse=True)
    ending_re = re.compile("|".join(map(re.escape, endings)))
    stoppers = set(L["name_stoppers"])
    generic = set(L["generic_names"])
    by_pos = _token_index(toks, len(text))
    hits: list[_OrgHit] = []
    occupied = list(taken)
    for m in ending_re.finditer(text):
        end = m.end()
        if any(s < end <= e for s, e in occupied):
            continue
        # walk back over name-like tokens from the token holding the ending's start
        tok = by_pos[m.start()]
        if tok is None:
            continue
        start = tok.start
        i = start
        while i > 0 and end - i < 18:
            prev = by_pos[i - 1]
            if prev is None or prev.flag not in _NAME_FLAGS or prev.word in stoppers or not _CJK.search(prev.word):
                break
            if prev.word[-1] in stoppers and len(prev.word) == 1:
                break
            i = prev.start
        start = i
        name = text[start:end]
        while name and name[0] in stoppers:
            name, start = name[1:], start + 1
        if len(name) < 4 or name in generic or not _CJK.fullmatch(name[0]) or re.search(r"\d", name):
            continue
        if any(g == name[-len(g):] and len(name) - len(g) <= 1 for g in generic if len(g) >= 2):
            continue
        if any(s < end and start < e and not (start <= s and e <= end) for s, e in occupied):
            continue  # overlapping a name found before, unless it contains it (湖南大学 in 湖南大学直属附属医院)
        if not _proper(text[start:m.start()], by_pos, start, m.start(), places, generic_words):
            continue
        occupied.append((start, end))
        hits.append(_OrgHit(name, start, end, None, [], lx.ending_class(name)))
    return hits


def organizations(text: str, toks: list[Token], gaz: Gazetteer) -> tuple[list[Block], list[_OrgHit]]:
    """Blocks for the organizations the graph knows (mention) and new candidates
    (organization), each once, at its first occurrence; and every hit, for the other finders."""
    known = _known_orgs(gaz, text)
    places = {n for n in gaz.names["place"] if len(n) >= 2}
    new = _new_orgs(text, toks, [(h.start, h.end) for h in known], places)
    blocks = []
    seen: set[str] = set()
    for h in known:
        key = ",".join(h.options)
        if key in seen:
            continue
        seen.add(key)
        qs, qe = quote_span(text, h.start, h.end)
        fields = {"entity": h.curie, "name": h.name, "quote": text[qs:qe]}
        comments = {}
        if h.curie is None:
            comments["entity"] = "several entities have this name; pick one: " + ", ".join(h.options)
        line, col = position(text, h.start)
        comments["name"] = f"line {line}, column {col}; {sum(1 for x in known if x.name == h.name)} occurrence(s)"
        blocks.append(Block("mention", fields, comments, h.start))
    for h in new:
        if h.name in seen:
            continue
        seen.add(h.name)
        qs, qe = quote_span(text, h.start, h.end)
        place = _place_in(gaz, h.name)
        fields = {"id": slug(h.name) or None, "name": h.name, "en": None, "class": h.cls,
                  "alt_names": [], "located_in": place, "quote": text[qs:qe]}
        line, col = position(text, h.start)
        comments = {"name": f"line {line}, column {col}; a new organization? check where the name starts",
                    "class": "proposed from the name's ending"}
        blocks.append(Block("organization", fields, comments, h.start))
    return blocks, known + new


def _place_in(gaz: Gazetteer, name: str) -> str | None:
    best = None
    for pname, ents in gaz.names["place"].items():
        if len(pname) >= 2 and name.startswith(pname) and (best is None or len(pname) > len(best[0])):
            best = (pname, ents[0])
    return best[1].curie if best else None


# ----------------------------------------------------------------- people

def _last_place(gaz: Gazetteer, text: str) -> str | None:
    """The place name of the graph that occurs last in `text` (longest at the same end)."""
    best = None
    for name in gaz.names["place"]:
        if len(name) < 2:
            continue
        i = text.rfind(name)
        if i >= 0 and (best is None or (i + len(name), len(name)) > (best[0] + len(best[1]), len(best[1]))):
            best = (i, name)
    return best[1] if best else None


def people(text: str, toks: list[Token], gaz: Gazetteer, orgs: list[_OrgHit], doc: Document | None,
           org_ids: dict[str, str], seen_entities: set[str]) -> list[Block]:
    """person + position blocks for a name next to a post word."""
    L = lx.lexicon()
    surnames = set(L["surnames"])
    compound = L["compound_surnames"]
    posts = sorted(L["posts"], key=len, reverse=True)
    post_re = re.compile("|".join(map(re.escape, posts)))
    blocks: list[Block] = []
    seen_people: dict[str, str] = {}
    seen_positions: set[tuple] = set()
    for m in post_re.finditer(text):
        # the name right after the post (新任…主任林芳), possibly after 、
        j = m.end()
        if j >= len(text) or not (text[j] in surnames or text[j:j + 2] in compound):
            continue
        window = tokens(text[j:j + 8], hmm=True)  # names are often not in jieba's dictionary
        tok = window[0] if window else None
        name = None
        if tok is not None and tok.flag.startswith("nr") and 2 <= len(tok.word) <= 4:
            name = tok.word
        if not name or not (name[0] in surnames or name[:2] in compound):
            continue
        # the organization: the last one that ends before the post, in the same clause
        clause_s, _ = _bounds(text, m.start(), m.end(), _CLAUSE)
        org = None
        for h in orgs:
            if clause_s <= h.start and h.end <= m.start():
                org = h
        title_start = org.end if org else max(clause_s, m.start())
        title = text[title_start:m.end()].strip("、，, ")
        gov = L["government_posts"].get(m.group())
        org_ref_override = None
        if gov:  # 副市长 is a post of the city's people's government, whatever party post precedes it
            place = _last_place(gaz, text[clause_s:m.start()])
            if place:
                gov_name = place + gov
                title = m.group()
                known_gov = gaz.lookup("organization", gov_name)
                if len(known_gov) == 1:
                    org_ref_override = known_gov[0].curie
                    if org_ref_override not in seen_entities:
                        seen_entities.add(org_ref_override)
                        qs, qe = quote_span(text, m.start(), m.end())
                        blocks.append(Block("mention", {"entity": org_ref_override, "name": gov_name,
                                                        "quote": text[qs:qe]},
                                            {"name": f"implied by the post '{m.group()}' after {place}"}, m.start()))
                else:
                    org_ref_override = org_ids.get(gov_name) or slug(gov_name)
                    if gov_name not in org_ids:
                        org_ids[gov_name] = org_ref_override
                        qs, qe = quote_span(text, m.start(), m.end())
                        blocks.append(Block("organization", {
                            "id": org_ref_override, "name": gov_name, "en": None, "class": "yl:LocalGovernment",
                            "alt_names": [], "located_in": gaz.lookup("place", place)[0].curie, "quote": text[qs:qe]},
                            {"name": f"implied by the post '{m.group()}' after {place}"}, m.start()))
        if not title or len(title) > 20:
            title = m.group()
        known = gaz.lookup("person", name)
        if known:
            pid = known[0].curie
        else:
            pid = seen_people.get(name)
            if pid is None:
                pid = slug(name, person=True) or None
                seen_people[name] = pid
                qs, qe = quote_span(text, m.start(), j + len(name))
                blocks.append(Block("person", {"id": pid, "name": name, "en": english_name(name),
                                               "quote": text[qs:qe]},
                                    {"name": "a name after the post '%s'; check it is the whole name" % m.group()},
                                    j))
        org_ref = org_ref_override or ((org.curie or org_ids.get(org.name)) if org else None)
        key = (name, title, org_ref)
        if key in seen_positions:
            continue
        seen_positions.add(key)
        qs, qe = quote_span(text, title_start if org is None else org.start, j + len(name))
        date = doc.published if doc and doc.published else None
        comments = {}
        if org_ref_override:
            pass
        elif org is None:
            comments["organization"] = "no organization named before the post in this clause"
        elif org.curie is None and org.name not in org_ids:
            comments["organization"] = "several entities are named " + org.name + ": " + ", ".join(org.options)
        if date is None:
            comments["as_of"] = "the publication date, or the date of the event where the post is given"
        blocks.append(Block("position", {"person": pid, "organization": org_ref, "title": title, "as_of": date,
                                         "quote": text[qs:qe]}, comments, m.start()))
    return blocks


# ----------------------------------------------------------------- events

_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})[日号])?")


def events(text: str, gaz: Gazetteer, orgs: list[_OrgHit], doc: Document | None, org_ids: dict[str, str]) -> list[Block]:
    L = lx.lexicon()
    words = sorted(L["events"], key=len, reverse=True)
    ev_re = re.compile("|".join(map(re.escape, words)))
    blocks = []
    seen = set()
    for m in ev_re.finditer(text):
        s, e = _sentence(text, m.start(), m.end())
        dates = list(_DATE.finditer(text, s, m.start()))
        if not dates:
            continue
        d = dates[-1]
        notes: list[str] = []
        year = d.group(1) or _year_context(text, s, d.start())
        if not year:
            base = _doc_year(doc)
            if base is not None:
                year = str(base)
                notes.append(f"the year is the document's ({doc.published or doc.estimated}); check it")
        month = int(d.group(2))
        if not 1 <= month <= 12:
            continue
        if year:
            start_date = f"{year}-{month:02d}" + (f"-{int(d.group(3)):02d}" if d.group(3) else "")
        else:
            start_date = None
            notes.append(f"printed {d.group()}; the year is not printed and the document's date is unknown")
        clause_s, _ = _bounds(text, m.start(), m.end(), _CLAUSE)
        label_s = max(clause_s, d.end())
        label = text[label_s:m.end()].strip("，,、 ")
        label = re.sub(r"^(在|于)", "", label)
        if (label, start_date) in seen or len(label) < 3:
            continue
        seen.add((label, start_date))
        prev = blocks[-1] if blocks else None
        if prev is not None and prev.fields["start_date"] == start_date and prev.comments.get("_clause") == clause_s:
            # 授牌 … 授牌仪式 in one clause: one event, named by the longer phrase
            qs, qe = quote_span(text, d.start(), m.end())
            prev.fields.update(label=label, quote=text[qs:qe])
            continue
        organizer = None
        for h in orgs:
            if s <= h.start and h.end <= m.start():
                organizer = h.curie or org_ids.get(h.name)
        place = _last_place(gaz, text[label_s:m.start()])
        location = gaz.lookup("place", place)[0].curie if place else None
        qs, qe = quote_span(text, d.start(), m.end())
        cls = "yl:" + L["events"][m.group()]
        blocks.append(Block("event", {"id": None, "class": cls, "label": label, "start_date": start_date,
                                      "location": location, "organizer": organizer,
                                      "note": "; ".join(notes) or None, "quote": text[qs:qe]},
                            {"class": f"proposed from '{m.group()}'",
                             "start_date": "as printed: a day only where the text gives one", "_clause": clause_s},
                            m.start()))
    for b in blocks:
        b.comments.pop("_clause", None)
    return blocks


# ----------------------------------------------------------------- memberships

def memberships(text: str, orgs: list[_OrgHit], org_ids: dict[str, str], gaz: Gazetteer) -> list[Block]:
    L = lx.lexicon()
    roles = L["roles"]
    role_re = re.compile("|".join(map(re.escape, sorted(roles, key=len, reverse=True))))
    blocks = []
    for m in role_re.finditer(text):
        role = roles[m.group()]
        s, e = _sentence(text, m.start(), m.end())
        in_sentence = [h for h in orgs if s <= h.start and h.end <= e]
        alliances = [h for h in in_sentence if (h.cls in ALLIANCE_CLASSES)]
        alliance = alliances[-1] if alliances else None
        member = None
        if role == "LeadRole":
            for h in in_sentence:
                if h.end <= m.start() and re.fullmatch(r"\s*(?:负责|共同)?\s*", text[h.end:m.start()]):
                    member = h
        else:
            for h in in_sentence:
                if h.start >= m.end() and re.fullmatch(r"\s*", text[m.end():h.start]):
                    member = h
                    break
        count = re.match(r"\s*(\d+)\s*家([\u4e00-\u9fff及和与]{2,20})", text[m.end():e])
        ref = lambda h: (h.curie or org_ids.get(h.name)) if h else None  # noqa: E731
        if member is not None and member is not alliance:
            qs, qe = quote_span(text, min(member.start, m.start()), max(member.end, m.end()))
            blocks.append(Block("membership", {"alliance": ref(alliance), "member": ref(member),
                                               "role": _role_name(role), "quote": text[qs:qe]},
                                {"role": f"from '{m.group()}'"} | (
                                    {} if alliance else {"alliance": "no alliance named in this sentence"}),
                                m.start()))
        elif count:
            qs, qe = quote_span(text, m.start(), m.end() + count.end())
            blocks.append(Block("member_count", {"alliance": ref(alliance), "role": _role_name(role),
                                                 "count": int(count.group(1)), "member_kind": count.group(2),
                                                 "quote": text[qs:qe]},
                                {"role": f"from '{m.group()}'", "member_kind": "what the members are, as printed"},
                                m.start()))
    return blocks


_ROLES = {"LeadRole": "lead", "JointRole": "joint", "CollaboratingRole": "collaborating", "LinkedRole": "linked",
          "MemberRole": "member"}


def _role_name(role: str) -> str:
    return _ROLES[role]


# ----------------------------------------------------------------- all

def draft(article: Article, gaz: Gazetteer, document: Document | None) -> Draft:
    """Every candidate of one article, in the order of the text within each kind:
    observations, mentions and new organizations, people and posts, events, memberships."""
    text = article.text
    toks = tokens(text)
    obs = _Numbers(gaz).find(text, toks, document)
    org_blocks, hits = organizations(text, toks, gaz)
    org_ids = {b.fields["name"]: b.fields["id"] for b in org_blocks if b.kind == "organization" and b.fields["id"]}
    seen_entities = {b.fields["entity"] for b in org_blocks if b.kind == "mention" and b.fields["entity"]}
    ppl = people(text, toks, gaz, hits, document, org_ids, seen_entities)
    evs = events(text, gaz, hits, document, org_ids)
    mem = memberships(text, hits, org_ids, gaz)
    blocks = obs + org_blocks + ppl + evs + mem
    counters: dict[str, int] = {}
    prefixes = {"observation": "obs", "mention": "m", "organization": "org", "person": "p", "position": "post",
                "event": "ev", "membership": "mem", "member_count": "count"}
    for b in blocks:
        n = counters[b.kind] = counters.get(b.kind, 0) + 1
        if b.kind in ("organization", "person"):
            continue  # their id is the IRI proposed from the name
        label = f"{prefixes[b.kind]}-{n:03d}"
        if b.kind == "event" and b.fields.get("id") is None:
            b.fields["id"] = label
        else:
            b.fields = {"id": label, **b.fields}
    return Draft(article, document, blocks)
