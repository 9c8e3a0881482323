"""Every number with its unit: 1.9万家 → 19000 家, 290.92亿元 → 29092000000 yuan, 31% → 31 percent.

One compiled regular expression finds number + scale + unit (+ approximation words and
ranges) in ``Document.simplified``; a few context checks then drop what only looks like a
quantity: ordinals (第一, 第3条), names and slogans in quotes or book-title marks
(“四个意识”, 《…9条措施》), vague Chinese numerals (一项, 数十家). Dates, years and document
numbers never match because 年/月/日/号 are not units. Units, approximation words and stop
phrases are data (``dictionaries/quantity_units.toml``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pipelines.extract.dictionaries import load_toml
from pipelines.extract.document import Document, Quantity, Section
from pipelines.extract.numbers import CN_DIGITS, SCALES, parse_number
from pipelines.extract.sections import innermost_section

# Sentence ends: the sentence of a quantity runs between two of these (or a line break).
_SENT_END = re.compile(r"[。;；!！?？\n]")
_ARABIC = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
# A Chinese numeral needs a digit character: a lone 万/千/百 (万家, 千家万户) is no number.
_CN = rf"[{CN_DIGITS}]*[零〇一二两三四五六七八九十][{CN_DIGITS}]*"
_SCALE = "|".join(sorted(SCALES, key=len, reverse=True))  # numbers owns the scale words
_RANGE_SEP = r"[-—–~～至到]"


@dataclass(frozen=True)
class _Tables:
    pattern: re.Pattern[str]
    rename: dict[str, str]
    prefix: dict[str, str]
    suffix: dict[str, str]
    after: dict[str, str]
    stop: re.Pattern[str] | None
    ordinal_before: re.Pattern[str]
    ordinal_after: re.Pattern[str]


def _alt(words: list[str] | dict[str, str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _tables() -> _Tables:
    data = load_toml("quantity_units.toml")
    approx = data["approx"]
    units = _alt(data["units"])
    num = rf"(?:{_ARABIC})"
    # First characters a match can start with: lets the engine skip the rest of the text fast.
    first = "".join(sorted({w[0] for w in approx["prefix"]} | {"百"}))
    pattern = re.compile(
        rf"(?=[\d{CN_DIGITS}{first}])(?P<pre>{_alt(approx['prefix'])})?"
        rf"(?:"
        # Arabic: 3-5家, 3万-5万元, 290.92亿元, 1,234份
        rf"(?P<a1>{num})(?P<s1>{_SCALE})?(?:{_RANGE_SEP}(?P<a2>{num}))?"
        rf"|"
        # Chinese: 三十二次, 三至五家
        rf"(?P<c1>{_CN})(?:{_RANGE_SEP}(?P<c2>{_CN}))?"
        rf"|"
        # 百分之三十
        rf"百分之(?P<pc>{_CN}|{num})"
        rf")"
        # 300余万元 / 30余家: the approximation sits before or after the scale word
        rf"(?P<suf0>{_alt(approx['suffix'])})?(?P<s2>{_SCALE})?(?P<suf>{_alt(approx['suffix'])})?"
        rf"(?P<unit>{units})?"
        rf"(?P<after>{_alt(approx['after'])})?"
    )
    stop = data.get("stop", {}).get("phrases", [])
    return _Tables(
        pattern=pattern,
        rename=data.get("rename", {}),
        prefix=approx["prefix"],
        suffix=approx["suffix"],
        after=approx["after"],
        stop=re.compile(_alt(stop)) if stop else None,
        ordinal_before=re.compile(data["ordinal"]["before"]),
        ordinal_after=re.compile(data["ordinal"]["after"]),
    )


# Left context that makes a number no quantity: 第3条 (ordinal), a letter or dot glued before
# (PM2.5, G20); before a Chinese numeral also 数十家/上百家/几十个 (vague counts).
_BAD_LEFT = re.compile(r"(?:第|[A-Za-z.])$")
_BAD_LEFT_CN = re.compile(r"(?:第|数|几|上|若|[A-Za-z.])$")
_QUOTE_OPEN = "“《「『\"'"


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of 《titles》 and short “quoted names”: numbers inside are part of a name."""
    spans = []
    for m in re.finditer(r"《[^《》\n]{1,80}》|“[^“”\n]{1,16}”|「[^「」\n]{1,16}」", text):
        spans.append(m.span())
    return spans


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] < pos < spans[i][1]


@lru_cache(maxsize=2)  # the quantities and the indicators of one document both ask
def sentence_bounds(text: str) -> list[int]:
    """Sorted positions of sentence ends (``。；!?`` and line breaks) in ``text`` (do not modify)."""
    return [m.start() for m in _SENT_END.finditer(text)]


def sentence_span(text: str, ends: list[int], pos: int) -> tuple[int, int]:
    """The span of the sentence around ``pos`` (without its end mark), given ``sentence_bounds``."""
    i = bisect.bisect_right(ends, pos - 1) if pos > 0 else 0
    start = ends[i - 1] + 1 if i > 0 else 0
    end = ends[i] if i < len(ends) else len(text)
    if end < pos:  # pos sits on an end mark itself
        end = pos
    return start, end


def _value(a1: str | None, s1: str | None, a2: str | None, c1: str | None, c2: str | None, pc: str | None,
           s2: str | None) -> tuple[float | None, float | None]:
    """Low and high value from the pattern's groups (numbers and scale words)."""
    if a1:
        lo = parse_number(a1, s1 or s2)
        hi = parse_number(a2, s2 or s1) if a2 else None
        # 3万-5万元: the scale of the low end may be written only once, after the high end.
        if hi is not None and s1 is None and s2:
            lo = parse_number(a1, s2)
        return lo, hi
    if c1:
        lo = parse_number(c1, s2)
        hi = parse_number(c2, s2) if c2 else None
        return lo, hi
    if pc:
        return parse_number(pc, s2 or s1), None
    return None, None


def extract_quantities(doc: Document, sections: list[Section]) -> list[Quantity]:
    """Every number with a unit in ``doc``, normalised (yuan for money, the % number for %)."""
    t = _tables()
    simp = doc.simplified
    ends = sentence_bounds(simp)
    quoted = _quoted_spans(simp)
    qstarts = [s for s, _ in quoted]
    secs = sorted(sections, key=lambda s: (s.char_start, s.level))
    sec_starts = [s.char_start for s in secs]
    stops = [m.span() for m in t.stop.finditer(simp)] if t.stop else []
    stop_starts = [s for s, _ in stops]
    out: list[Quantity] = []
    for m in t.pattern.finditer(simp):
        # every group in one call (a lookup per group and use was a third of this loop's time)
        pre, a1, sc1, a2, c1, c2, pc, suf0, sc2, suf, unit_written, after = m.groups()
        if pc:
            unit_written = "%"
        if not unit_written:
            continue
        start, end = m.span()
        num_start = m.start(2) if a1 else m.start(5) if c1 else start
        left = simp[num_start - 1] if num_start else ""
        if (_BAD_LEFT_CN if c1 else _BAD_LEFT).search(left) or left.isdigit():
            continue
        if c1:
            if (left and left in _QUOTE_OPEN) or (c1 == "一" and not c2):
                continue  # “四个意识”; 一项/一次 is an article, not a count
            if left and left in CN_DIGITS:
                continue
            if unit_written == "次" and t.ordinal_before.search(left) and t.ordinal_after.match(simp, end):
                continue  # 人大二次会议: a session number
        if _inside(quoted, qstarts, num_start) or _inside(stops, stop_starts, num_start) \
                or (stops and _inside(stops, stop_starts, num_start + 1)):
            continue
        lo, hi = _value(a1, sc1, a2, c1, c2, pc, sc2)
        if lo is None:
            continue
        unit = t.rename.get(unit_written, unit_written)
        approx = None
        if pre:
            approx = t.prefix[pre]
        elif suf or suf0:
            approx = t.suffix[suf or suf0]
        elif after:
            approx = t.after[after]
        if pre and (suf or suf0 or after):
            approx = t.suffix.get(suf or suf0 or "") or t.after.get(after or "") or approx
        s0, s1 = sentence_span(simp, ends, start)
        out.append(Quantity(
            position=len(out) + 1,
            value=lo,
            unit=unit,
            number_text=doc.text[start:end],
            approx=approx,
            sentence=doc.text[s0:s1].strip(),
            char_start=start,
            char_end=end,
            value_high=hi,
            section_position=innermost_section(secs, sec_starts, start) if secs else None,
        ))
    return out


__all__ = ["extract_quantities", "sentence_bounds", "sentence_span"]
